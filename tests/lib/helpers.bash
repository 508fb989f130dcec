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

# From ch12 on a container keeps only Docker's 14 capabilities: a test of an earlier chapter
# that changes what one of its namespaces holds (its hostname, a link) asks for the one it
# needs, as a Docker user would (`--cap-add SYS_ADMIN`).
SYS_ADMIN=() NET_ADMIN=()
if ((CHAPTER >= 12)); then
	SYS_ADMIN=(--cap-add SYS_ADMIN) NET_ADMIN=(--cap-add NET_ADMIN)
fi

# Snapshots of mounts, processes and cgroups, and their removal, shared with the grader.
# shellcheck source=tests/lib/leaks.bash
source "$BATS_TEST_DIRNAME/lib/leaks.bash"

# Outside a sandbox, /proc would show every process of the machine and the teardown could
# take someone else's container for a leak of ours: refuse to run.
if ! in_sandbox; then
	echo "helpers.bash: run the tests through tests/run (make test), or as tests/lib/sandbox bats FILE" >&2
	exit 1
fi

# Values drawn at random ($RANDOM, rand_between) come from a seed: MYDOCKER_TEST_SEED (tests/run
# sets it; `make test SEED=N` replays a run), mixed with the test's name so that each test draws
# its own values whatever runs beside it. A failed test prints the seed.
test_seed() { echo $(((${MYDOCKER_TEST_SEED:-1} + $(cksum <<<"$BATS_TEST_DESCRIPTION" | cut -d' ' -f1)) % 2147483648)); }

setup() {
	TEST_TMP=$(mktemp -d "${MYDOCKER_TEST_TMPDIR:-/tmp}/mydocker-test.XXXXXX")
	export MYDOCKER_ROOT=$TEST_TMP/root
	# This test's own cgroup parent: its leak check and clean-up look only below it.
	export MYDOCKER_CGROUP_PARENT=${MYDOCKER_CGROUP_PREFIX:-mydocker-test}-${TEST_TMP##*.}
	TEST_SEED=$(test_seed)
	RANDOM=$TEST_SEED
	echo 0 >"$TEST_TMP/draws"
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
	# What the test body sets from here on is printed if it fails (see report_values).
	TEST_VARS_BEFORE=$(compgen -v)
}

# A failed test prints the values it drew, so that it can be replayed: every variable the test
# body set (random names, codes, limits...; long values cut), and what rand_between drew in
# helpers. The names start with "_" so that they are not listed themselves; NAME... are left
# out too (the caller's own variables).
report_values() {
	local _v _val
	for _v in $(LC_ALL=C comm -13 <(LC_ALL=C sort <<<"${TEST_VARS_BEFORE:-}") <(compgen -v | LC_ALL=C sort)); do
		case $_v in
		_* | BATS_* | bats_* | BASH* | TEST_VARS_BEFORE | output | lines | status | stderr | stderr_lines | FUNCNAME | PIPESTATUS | COLUMNS | LINES) continue ;;
		killer_pid | TEST_SEED | RANDOM) continue ;; # bats' own (its time limit); the seed is printed below
		esac
		[[ " $* " != *" $_v "* ]] || continue
		_val=$(declare -p "$_v" 2>/dev/null) || continue
		_val=${_val#declare -* }
		((${#_val} <= 200)) || _val="${_val:0:200}... (${#_val} characters)"
		echo "replay: $_val"
	done
	echo "replay: MYDOCKER_TEST_SEED=${MYDOCKER_TEST_SEED:-1} (this test's seed: ${TEST_SEED:-?}; make test SEED=${MYDOCKER_TEST_SEED:-1} draws the same values)"
	[[ ! -s ${TEST_TMP:-}/drawn ]] || sed 's/^/replay: /' "$TEST_TMP/drawn"
	# Not every failed check shows the output it looked at.
	[[ -z ${output:-} ]] || { echo "replay: the last run's output:"; head -n 20 <<<"$output" | cut -c 1-300 | sed 's/^/replay: | /'; }
}

# Mounts that appeared, and mounts that went while their mount point is still there. A mount whose
# mount point another process removed outside the sandbox (another runtime's storage, on a busy
# machine) is detached by the kernel in every namespace: that is nobody's leak.
same_mounts() {
	local sign point rest
	mount_table | diff "$TEST_TMP/mounts.before" - | while read -r sign point rest; do
		[[ $sign == ">" || ($sign == "<" && -e $point) ]] && echo "$sign $point $rest"
	done >"$TEST_TMP/mounts.diff"
	[[ ! -s $TEST_TMP/mounts.diff ]]
}
same_procs() { foreign_pidns_processes | comm -13 "$TEST_TMP/procs.before" - >"$TEST_TMP/procs.new" && [[ ! -s $TEST_TMP/procs.new ]]; }
same_cgroups() { list_container_cgroups | comm -13 "$TEST_TMP/cgroups.before" - >"$TEST_TMP/cgroups.new" && [[ ! -s $TEST_TMP/cgroups.new ]]; }

# Teardown kills what the test started, then fails the test if anything leaked.
teardown() {
	# BATS_TEST_COMPLETED is set by bats only when the test body succeeded. The values are
	# reported before this function's own variables exist.
	[[ -n ${BATS_TEST_COMPLETED:-} ]] || report_values >&2
	local body_failed=yes pid d leaked=""
	[[ -z ${BATS_TEST_COMPLETED:-} ]] || body_failed=""
	# The per-test gate (tests/run) runs a chapter's tests against the chapter before and must
	# see why a test failed: a usage error in the last `run`'s output or in the test's files is
	# shown, in case the check that failed did not show it.
	if [[ -n $body_failed && -n ${MYDOCKER_GATE:-} ]]; then
		{
			printf '%s\n' "${output:-}" "${stderr:-}"
			find "$TEST_TMP" -maxdepth 1 -type f -size -256k -exec cat {} + 2>/dev/null
		} | grep -aF '(usage: ' | sed 's/^/gate: /' >&2 || true
	fi
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
	[[ -z $leaked || -n $body_failed ]] || report_values body_failed pid d leaked >&2
	# Whatever leaked is removed, so one failing test does not fail the ones after it.
	for pid in $(cat "$TEST_TMP/procs.new" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
	# Everything below this test's own cgroup parent goes, and the parent with it.
	remove_cgroup_parent "$MYDOCKER_CGROUP_PARENT"
	# Mounts that leaked under the test's directory (a runtime whose mounts propagated back)
	# go first, deepest first, or the directory could not be removed.
	for d in $(awk -v t="$TEST_TMP/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$d" 2>/dev/null || true
	done
	rm -rf "$TEST_TMP"
	[[ -z $leaked ]] || { echo "leak: $leaked" >&2; return 1; }
}

# ctr [RUN OPTIONS...] -- COMMAND [ARG...]: run a container; from ch06 on, in the test image.
# CTR_WRAP, if not empty, is a command (an array) that runs mydocker, such as strace.
CTR_WRAP=()
ctr() {
	local opts=()
	while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
	shift
	if ((CHAPTER >= 6)); then
		timeout -k 5 60 "${CTR_WRAP[@]}" "$MYDOCKER" run "${opts[@]}" "$TEST_IMAGE" "$@"
	else
		timeout -k 5 60 "${CTR_WRAP[@]}" "$MYDOCKER" run "${opts[@]}" "$@"
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

# on_terminal COMMAND [WAIT KEYS]...: COMMAND (a shell command line) on a real terminal
# (script(1)). Each WAIT is an extended regular expression the terminal must print (after the
# keys before were typed) within 20 s; then KEYS are typed (a printf format: \003 is Ctrl-C).
# No fixed sleeps: a slow machine waits longer, a fast one not at all. Prints what the
# terminal showed; the status is COMMAND's (script -e), 124 when it did not end within 30 s,
# and 1 (with the reason) when a WAIT never showed.
on_terminal() {
	local cmd=$1 t pid pos=0 status=0 _
	shift
	t=$(mktemp "$TEST_TMP/terminal.XXXXXX")
	mkfifo "$t.in"
	timeout 30 script -qefc "$cmd" /dev/null <"$t.in" >"$t" 2>&1 3>&- &
	pid=$!
	# Held open until COMMAND ends: script must not see the end of its input before that.
	exec 7>"$t.in"
	while (($# >= 2)); do
		for _ in $(seq 200); do
			tail -c +$((pos + 1)) "$t" | grep -qaE -e "$1" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if ! tail -c +$((pos + 1)) "$t" | grep -qaE -e "$1"; then
			exec 7>&-
			kill "$pid" 2>/dev/null
			wait "$pid"
			cat "$t"
			echo "on_terminal: the terminal never showed /$1/ (to type $(printf %q "$2")); it showed the above"
			return 1
		fi
		pos=$(stat -c %s "$t")
		# shellcheck disable=SC2059
		printf "$2" >&7
		shift 2
	done
	wait "$pid" || status=$?
	exec 7>&-
	cat "$t"
	return "$status"
}

# in_terminal [WAIT KEYS]... -- RUN-ARGS...: `mydocker run RUN-ARGS` on a real terminal, typing
# each KEYS once WAIT has shown (see on_terminal). A shell's prompt ends in "# ".
in_terminal() {
	local steps=()
	while (($#)) && [[ $1 != -- ]]; do steps+=("$1"); shift; done
	shift
	on_terminal "$MYDOCKER run $*" "${steps[@]}"
}

# A random integer in [LO, HI]; a failed test prints what it drew (report_values). It is
# called in $(...), whose subshell bash seeds anew: the draw is the test's seed and a count kept
# in a file, so the same seed draws the same values.
rand_between() {
	local n r
	n=$(($(cat "$TEST_TMP/draws") + 1))
	echo "$n" >"$TEST_TMP/draws"
	r=$(cksum <<<"${TEST_SEED:-1}:$n" | cut -d' ' -f1)
	local v=$(($1 + r % ($2 - $1 + 1)))
	echo "rand_between $1 $2 drew $v" >>"$TEST_TMP/drawn"
	echo "$v"
}

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

# containers_left: the container directories left under the state root that must not be there,
# one per line. Up to ch07 a container leaves nothing once it ends. From ch08 on Docker's rule
# holds: a container that ran is kept, recorded as exited, until `rm` (ch10); so only a
# directory without an exited record counts (one half made, or one whose end went unrecorded).
containers_left() {
	local d
	for d in "$MYDOCKER_ROOT"/containers/* "$MYDOCKER_ROOT"/containers/.[!.]*; do
		[[ -e $d ]] || continue
		if ((CHAPTER >= 8)) && grep -q '"status": "exited"' "$d/state.json" 2>/dev/null; then
			continue
		fi
		echo "$d"
	done
}

# --- The user's terminal: a tmux pane -------------------------------------------------------

# term_start [COLS ROWS]: a tmux server of the test's own, with one pane of that size running
# an interactive bash (prompt "user$ "), with the test's state root.
term_start() {
	TMUX_SOCK=$TEST_TMP/tmux.sock
	tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x "${1:-100}" -y "${2:-30}" \
		env PS1='user$ ' MYDOCKER_ROOT="$MYDOCKER_ROOT" \
		MYDOCKER_CGROUP_PARENT="$MYDOCKER_CGROUP_PARENT" bash --norc --noprofile 3>&-
	term_wait 'user\$ '
}

# What the pane shows, its whole history, wrapped lines joined.
term_screen() { tmux -S "$TMUX_SOCK" capture-pane -p -J -S - -t 0; }

# term_wait REGEX: wait up to 20 s for the pane to show a line matching REGEX.
term_wait() {
	local _
	for _ in $(seq 200); do
		term_screen | grep -qE -e "$1" && return 0
		sleep 0.1
	done
	echo "the terminal never showed /$1/; it showed:" >&2
	term_screen >&2
	return 1
}

# term_count REGEX: how many lines of the pane match REGEX.
term_count() { term_screen | grep -cE -e "$1" || true; }

# term_type TEXT: type TEXT (literally) and Enter. term_keys KEY...: keys by tmux's names.
term_type() { tmux -S "$TMUX_SOCK" send-keys -t 0 -l "$1" && tmux -S "$TMUX_SOCK" send-keys -t 0 Enter; }
term_keys() { tmux -S "$TMUX_SOCK" send-keys -t 0 "$@"; }

# term_run CMD: type CMD into the user's shell and wait until it has ended; its status is in
# TERM_STATUS. (The typed line shows "$?", the shell's answer a number.)
term_run() {
	local mark="ran-$RANDOM"
	term_type "$1; echo $mark-\$?"
	term_wait "^$mark-[0-9]+" || return 1
	TERM_STATUS=$(term_screen | sed -n "s/^$mark-\([0-9]*\).*/\1/p" | tail -n 1)
}

# term_settle: the user's shell has read everything typed into its terminal before now (also
# what a container typed): it answers a command typed after it.
term_settle() {
	local mark="settled-$RANDOM"
	term_type "echo $mark-\$((1 + 1))"
	term_wait "^$mark-2"
}
