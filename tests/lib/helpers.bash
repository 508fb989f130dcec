# helpers.bash: shared setup, teardown and container helpers for every chapter's bats tests.
# The runner (tests/run) sets MYDOCKER (the binary under test) and CHAPTER (its number, e.g. 06).
# shellcheck shell=bash disable=SC2034  # variables here are used by the .bats files

bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${MYDOCKER:?set MYDOCKER to the mydocker binary under test}"
: "${CHAPTER:?set CHAPTER to the chapter number of that binary}"
CHAPTER=$((10#$CHAPTER))

# The probe as the host runs it.
HOST_PROBE=$REPO/tests/probe/probe
# Inside the container the probe is the host's file until ch06, then part of the test image.
if ((CHAPTER >= 6)); then
	PROBE=/bin/probe
else
	PROBE=$REPO/tests/probe/probe
fi

# Snapshots of mounts, processes and cgroups, and their removal, shared with the grader.
# shellcheck source=tests/lib/leaks.bash
source "$BATS_TEST_DIRNAME/lib/leaks.bash"

setup() {
	TEST_TMP=$(mktemp -d /tmp/mydocker-test.XXXXXX)
	export MYDOCKER_ROOT=$TEST_TMP/root
	BG_PIDS=()
	mount_table >"$TEST_TMP/mounts.before"
	foreign_pidns_processes >"$TEST_TMP/procs.before"
	list_container_cgroups >"$TEST_TMP/cgroups.before"
	# From ch06 on containers run an image: busybox plus the probe, in this test's own root.
	TEST_IMAGE=""
	if ((CHAPTER >= 6)); then
		mkdir -p "$MYDOCKER_ROOT/images"
		cp "${TEST_IMAGE_TAR:?tests/run builds the test image}" "$MYDOCKER_ROOT/images/testimg.tar"
		TEST_IMAGE=testimg
	fi
	if declare -F chapter_setup >/dev/null; then chapter_setup; fi
}

same_mounts() { mount_table | diff "$TEST_TMP/mounts.before" - >"$TEST_TMP/mounts.diff"; }
same_procs() { foreign_pidns_processes | comm -13 "$TEST_TMP/procs.before" - >"$TEST_TMP/procs.new" && [[ ! -s $TEST_TMP/procs.new ]]; }
same_cgroups() { list_container_cgroups | comm -13 "$TEST_TMP/cgroups.before" - >"$TEST_TMP/cgroups.new" && [[ ! -s $TEST_TMP/cgroups.new ]]; }

# Teardown kills what the test started, then fails the test if anything leaked.
teardown() {
	local pid d leaked=""
	# A container still running: SIGTERM makes its mydocker kill it and clean up.
	for pid in "${BG_PIDS[@]}"; do
		for d in $(descendants "$pid"); do
			[[ $(readlink "/proc/$d/exe") == "$MYDOCKER" ]] && kill -TERM "$d" 2>/dev/null
		done
	done
	for pid in "${BG_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	exec 5>&- 6>&-
	if declare -F chapter_teardown >/dev/null; then chapter_teardown; fi
	settled same_mounts || leaked+="mounts changed: $(cat "$TEST_TMP/mounts.diff"); "
	settled same_procs || leaked+="processes left: $(for p in $(cat "$TEST_TMP/procs.new"); do ps -o pid=,ppid=,stat=,args= -p "$p"; done); "
	settled same_cgroups || leaked+="cgroups left: $(cat "$TEST_TMP/cgroups.new"); "
	# Whatever leaked is removed, so one failing test does not fail the ones after it.
	for pid in $(cat "$TEST_TMP/procs.new" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
	# shellcheck disable=SC2046  # one cgroup directory per line, no spaces
	remove_cgroups $(cat "$TEST_TMP/cgroups.new" 2>/dev/null)
	umount -R "$TEST_TMP" 2>/dev/null || true
	rm -rf "$TEST_TMP"
	[[ -z $leaked ]] || { echo "leak: $leaked" >&2; return 1; }
}

# ctr [RUN OPTIONS...] -- COMMAND [ARG...]: run a container; from ch06 on, in the test image.
ctr() {
	local opts=()
	while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
	shift
	if ((CHAPTER >= 6)); then
		timeout -k 5 60 "$MYDOCKER" run "${opts[@]}" "$TEST_IMAGE" "$@"
	else
		timeout -k 5 60 "$MYDOCKER" run "${opts[@]}" "$@"
	fi
}

# ctr_bg OUT [RUN OPTIONS...] -- COMMAND...: start a container in the background with stdin
# from a FIFO held open by fd 5; CTR_PID is mydocker's PID. `release_ctr` sends the newline
# that `probe wait-stdin` waits for.
ctr_bg() {
	local out=$1
	shift
	mkfifo "$TEST_TMP/stdin"
	ctr "$@" <"$TEST_TMP/stdin" >"$out" 2>&1 3>&- &
	CTR_PID=$!
	BG_PIDS+=("$CTR_PID")
	exec 5>"$TEST_TMP/stdin"
}

release_ctr() {
	echo >&5
	exec 5>&-
}

# wait_for FILE PATTERN: wait up to 20 s for a line matching PATTERN to appear in FILE;
# give up at once if the background container has already exited.
wait_for() {
	local _
	for _ in $(seq 200); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		[[ -n ${CTR_PID:-} ]] && ! kill -0 "$CTR_PID" 2>/dev/null && break
		sleep 0.1
	done
	grep -qE "$2" "$1" 2>/dev/null && return 0
	echo "timed out waiting for /$2/ in $1: $(cat "$1")" >&2
	return 1
}

# wait_ctr: wait for the background container; its exit status lands in CTR_STATUS.
wait_ctr() {
	CTR_STATUS=0
	wait "$CTR_PID" || CTR_STATUS=$?
}

# All descendants of a PID, parents before children.
descendants() {
	local c
	for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}

# mydocker's PID: the descendant of the background job that runs the binary under test.
mydocker_pid() {
	local p
	for p in $(descendants "$CTR_PID"); do
		if [[ $(readlink "/proc/$p/exe") == "$MYDOCKER" ]]; then
			echo "$p"
			return
		fi
	done
}

# The host PID of the container's first process: the child of mydocker that lives in a PID
# namespace of its own (mydocker may have other children, such as a cleanup process).
container_host_pid() {
	local md c
	md=$(mydocker_pid)
	for c in $(cat "/proc/$md/task/$md/children"); do
		if [[ $(readlink "/proc/$c/ns/pid") != "$(readlink /proc/self/ns/pid)" ]]; then
			echo "$c"
			return
		fi
	done
}

# in_terminal KEYS1 KEYS2 RUN-ARGS...: `mydocker run RUN-ARGS` on a real terminal (script(1));
# KEYS1 is typed after 1 s and KEYS2 half a second later (printf formats: \003 is Ctrl-C).
in_terminal() {
	local first=$1 second=$2
	shift 2
	# shellcheck disable=SC2059
	{ sleep 1; printf "$first"; sleep 0.5; printf "$second"; sleep 2; } |
		timeout 30 script -qefc "$MYDOCKER run $*" /dev/null
}

# A random integer in [LO, HI].
rand_between() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }

# cgroup v2 (unified) or v1 (also hybrid) on this machine?
cgroup_v2() { [[ $(awk '$2 == "/sys/fs/cgroup" { t = $3 } END { print t }' /proc/self/mounts) == cgroup2 ]]; }

# Where the v1 hierarchy of a controller is mounted, from the mount table.
cg_v1_mount() {
	awk -v c="$1" '{ for (i = 7; $i != "-"; i++); if ($(i + 1) != "cgroup") next
		n = split($(i + 3), o, ","); for (j = 1; j <= n; j++) if (o[j] == c) { print $5; exit } }' \
		/proc/self/mountinfo
}

# cg_dir CONTROLLER FILE: the host directory of the container's cgroup for CONTROLLER, from
# the /proc/self/cgroup text the probe printed into FILE.
cg_dir() {
	local ctl=$1 path
	if cgroup_v2; then
		path=$(awk -F: '$1 == "0" { print $3 }' "$2")
		echo "/sys/fs/cgroup$path"
	else
		path=$(awk -F: -v c="$ctl" '{ n = split($2, o, ","); for (j = 1; j <= n; j++) if (o[j] == c) print $3 }' "$2")
		echo "$(cg_v1_mount "$ctl")$path"
	fi
}

# --- Detached containers (from ch08 on) ----------------------------------------------------

# The container's directory, and one value of its state.json or config.json as written by
# mydocker (pretty-printed: one "key": value per line; "null" for none).
cdir() { echo "$MYDOCKER_ROOT/containers/$1"; }
field() { sed -n "s/^  \"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$1"; }
state() { field "$(cdir "$1")/state.json" "$2"; }

# run_d [RUN OPTIONS...] -- COMMAND...: `mydocker run -d` in the test image; prints the ID.
run_d() {
	local opts=()
	while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
	shift
	timeout 20 "$MYDOCKER" run -d "${opts[@]}" "$TEST_IMAGE" "$@" 3>&-
}

# Field 22 of /proc/PID/stat: the process's start time, counted after the last ')'.
start_time() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
# Is PID still the process that started at START? Does it still run (not a zombie, which this
# machine's init may take its time to reap)?
same_process() { [[ -n $1 && $1 != 0 && $(start_time "$1") == "$2" ]]; }
still_runs() { same_process "$1" "$2" && [[ $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) != Z ]]; }

# wait_status ID STATUS: wait up to 20 s until the container's state.json says STATUS.
wait_status() {
	local _
	for _ in $(seq 200); do
		[[ $(state "$1" status) == "$2" ]] && return 0
		sleep 0.1
	done
	echo "container $1 is $(state "$1" status), not $2" >&2
	return 1
}

# Detached containers outlive the test body; a chapter_teardown calls this. It kills the
# first process of every container of this test's state root that still runs (only if PID
# and start time match: a test may have faked them), then waits for the monitors to record
# the exit and go.
stop_detached_containers() {
	local f pid mon _
	for f in "$MYDOCKER_ROOT"/containers/*/state.json; do
		[[ -f $f ]] || continue
		pid=$(field "$f" pid)
		same_process "$pid" "$(field "$f" pid_start_time)" && kill -KILL "$pid"
	done
	for f in "$MYDOCKER_ROOT"/containers/*/state.json; do
		[[ -f $f ]] || continue
		mon=$(field "$f" monitor_pid)
		for _ in $(seq 100); do
			still_runs "$mon" "$(field "$f" monitor_start_time)" || break
			sleep 0.1
		done
	done
}
