#!/usr/bin/env bats
# ch10-stop-rm-commit: the rest of a container's life. `stop` ends a running container (SIGTERM,
# a grace period, SIGKILL) and returns once its exit is recorded; `rm` removes an exited one
# (-f kills it first), `run --rm` makes that automatic; `commit` writes a new image from a
# container's filesystem as it sees it; `images` and `rmi` list and remove images, known by
# Docker's NAME[:TAG]; `-e` and `--env-file` give a container its environment. Every command
# has --help.
# new-options: stop rm commit images rmi -e --env --env-file --rm

load lib/helpers

# Host processes a test started that the teardown kills.
KILL_PIDS=()
# Commands held in a program they run (held, below), and a cgroup parent a test froze: the
# teardown lets them go first, or nothing of theirs could end.
HELD_PIDS=()
FROZEN_PARENT=""

chapter_teardown() {
	local pid
	for pid in "${KILL_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
	[[ -z $FROZEN_PARENT ]] || thaw_parent
	touch "$TEST_TMP"/held-any.go
	for pid in "${HELD_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	stop_detached_containers
}

# md COMMAND...: mydocker, bounded in time.
md() { timeout 60 "$MYDOCKER" "$@" 3>&-; }

# wait_log ID TEXT: wait up to 20 s until the container's log holds TEXT.
wait_log() {
	local _
	for _ in $(seq 200); do
		grep -qF -- "$2" "$(cdir "$1")/ctr.log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "container $1 never printed $2" >&2
	return 1
}

# run_d_img IMAGE [RUN OPTIONS...] -- COMMAND...: `mydocker run -d` of another image.
run_d_img() {
	local img=$1 opts=()
	shift
	while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
	shift
	timeout 20 "$MYDOCKER" run -d "${opts[@]}" "$img" "$@" 3>&-
}

# Is the directory empty, or not there at all?
empty_dir() { [[ ! -e $1 || -z $(ls -A "$1") ]]; }

# Milliseconds on a monotonic-enough clock.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The image tarball IMAGE of the test's state root.
tarball() { echo "$MYDOCKER_ROOT/images/$1.tar"; }

# A size in Docker's words (decimal units, three significant digits), computed apart from
# mydocker.
docker_size() {
	awk -v s="$1" 'BEGIN { split("B kB MB GB TB", u, " "); i = 1
		while (s >= 1000 && i < 5) { s /= 1000; i++ }; printf "%.3g%s\n", s, u[i] }'
}

@test "stop: a command that handles SIGTERM ends on it at once; its status is recorded when stop returns" {
	code=$(rand_between 1 120)
	a=$(run_d -- sh -c 'trap "exit 143" TERM; echo ready; while :; do sleep 0.1; done')
	b=$(run_d --name "term-$code" -- sh -c "trap 'exit $code' TERM; echo ready; while :; do sleep 0.1; done")
	wait_log "$a" ready
	wait_log "$b" ready
	t0=$(now_ms)
	run md stop "${a:0:12}" "term-$code"
	t1=$(now_ms)
	assert_success
	# Each container as it was given.
	assert_output "${a:0:12}
term-$code"
	# Both ended on SIGTERM, long before the 10 s grace period.
	(((t1 - t0) < 5000))
	# Recorded by the time stop returned, no waiting.
	assert_equal "$(state "$a" status)" exited
	assert_equal "$(state "$a" exit_code)" 143
	assert_equal "$(state "$b" exit_code)" "$code"
	run md ps -a
	assert_line --regexp "^${a:0:12} .* Exited \(143\) "
	assert_line --regexp "^${b:0:12} .* Exited \($code\) "
}

@test "stop: a first process that ignores SIGTERM (PID 1 has no default action) is killed after -t 1: 137" {
	id=$(run_d -- "$PROBE" sleep 100)
	pid=$(state "$id" pid)
	start=$(state "$id" pid_start_time)
	t0=$(now_ms)
	run md stop -t 1 "$id"
	t1=$(now_ms)
	assert_success
	assert_output "$id"
	# SIGTERM did nothing, SIGKILL came after the grace period: at least 1 s, well under 10.
	(((t1 - t0) >= 1000))
	(((t1 - t0) < 6000))
	assert_equal "$(state "$id" status)" exited
	assert_equal "$(state "$id" exit_code)" 137
	! same_process "$pid" "$start"
	# -t 0: SIGKILL at once.
	id=$(run_d -- "$PROBE" sleep 100)
	t0=$(now_ms)
	run md stop --timeout 0 "$id"
	t1=$(now_ms)
	assert_success
	(((t1 - t0) < 1000))
	assert_equal "$(state "$id" exit_code)" 137
}

@test "stop: a foreground container ends too, its mydocker exits with the status, and it is kept as Exited" {
	name="fg-$RANDOM"
	ctr_bg "$TEST_TMP/out" -i --name "$name" -- "$PROBE" echo started , wait-stdin
	wait_for "$TEST_TMP/out" started
	run md stop -t 1 "$name"
	assert_success
	assert_output "$name"
	wait_ctr
	assert_equal "$CTR_STATUS" 137
	# As Docker keeps it (no --rm): recorded as exited by 137 when stop returned, until rm.
	id=$(readlink "$MYDOCKER_ROOT/names/$name")
	assert_equal "$(state "$id" exit_code)" 137
	run md rm "$name"
	assert_success
	run ls "$MYDOCKER_ROOT/containers"
	assert_output ""
}

@test "stop: an exited container is a successful no-op; an unknown one is one line and 1 (Docker's), the others still stopped" {
	code=$(rand_between 1 120)
	done_id=$(run_d -- "$PROBE" exit "$code")
	wait_status "$done_id" exited
	before=$(cat "$(cdir "$done_id")/state.json")
	run md stop "$done_id"
	assert_success
	assert_output "$done_id"
	assert_equal "$(cat "$(cdir "$done_id")/state.json")" "$before"
	id=$(run_d -- "$PROBE" sleep 100)
	unknown="nosuch-$RANDOM"
	run md stop -t 0 "$unknown" "$id"
	assert_equal "$status" 1
	assert_output "Error: No such container: $unknown
$id"
	assert_equal "$(state "$id" exit_code)" 137
	run md stop
	assert_equal "$status" 125
	assert_output "mydocker stop: no container given (usage: mydocker stop [-t SECONDS] CONTAINER...)"
	run md stop -t soon "$id"
	assert_equal "$status" 125
	assert_output "mydocker stop: invalid --timeout \"soon\" (want whole seconds, 0 to 86400)"
}

@test "stop never signals a process that took over the recorded PID: the start time decides" {
	id=$(run_d -- "$PROBE" exit 0)
	wait_status "$id" exited
	sleep 100 3>&- &
	other=$!
	KILL_PIDS+=("$other")
	sed -i -e 's/"status": "exited"/"status": "running"/' -e "s/\"pid\": [0-9]*/\"pid\": $other/" \
		-e "s/\"pid_start_time\": [0-9]*/\"pid_start_time\": $(($(start_time "$other") + 1))/" \
		"$(cdir "$id")/state.json"
	run md stop -t 0 "$id"
	assert_success
	kill -0 "$other"
	assert_equal "$(sed 's/.*) //' "/proc/$other/stat" | cut -d' ' -f1)" S
}

@test "rm: a running container is refused and keeps running; an exited one goes with its records, logs, layer and name" {
	name="keep-$RANDOM"
	id=$(run_d --name "$name" -- "$PROBE" echo hello , sleep 100)
	wait_log "$id" hello
	run md rm "$name"
	assert_equal "$status" 125
	assert_output "mydocker rm: container $name is running: stop it first, or use rm -f"
	same_process "$(state "$id" pid)" "$(state "$id" pid_start_time)"
	md stop -t 0 "$id"
	[[ -d $(cdir "$id")/upper ]]
	run md rm "${id:0:12}"
	assert_success
	assert_output "${id:0:12}"
	[[ ! -e $(cdir "$id") ]]
	[[ ! -L $MYDOCKER_ROOT/names/$name ]]
	run ls -A "$MYDOCKER_ROOT/containers"
	assert_output ""
	run md ps -a
	assert_equal "${#lines[@]}" 1
	run md logs "$id"
	assert_equal "$status" 1
	assert_output "Error: No such container: $id"
	unknown="nosuch-$RANDOM"
	run md rm "$unknown"
	assert_equal "$status" 1
	assert_output "Error: No such container: $unknown"
}

@test "rm -f kills a running container and removes it; its process and cgroup are gone" {
	a=$(run_d -- "$PROBE" sleep 100)
	b=$(run_d -- sh -c 'trap "" TERM; while :; do sleep 0.1; done')
	pa=$(state "$a" pid) sa=$(state "$a" pid_start_time)
	pb=$(state "$b" pid) sb=$(state "$b" pid_start_time)
	t0=$(now_ms)
	run md rm -f "$a" "${b:0:10}"
	t1=$(now_ms)
	assert_success
	assert_output "$a
${b:0:10}"
	# SIGKILL at once, no grace period.
	(((t1 - t0) < 3000))
	! same_process "$pa" "$sa"
	! same_process "$pb" "$sb"
	[[ ! -e $(cdir "$a") && ! -e $(cdir "$b") ]]
	empty_dir "$MYDOCKER_ROOT/containers"
	empty_dir "$MYDOCKER_ROOT/names"
}

@test "SIGKILL of run -d at any moment leaves a container that rm -f removes, a name to reuse, and no cgroup" {
	for try in $(seq 50); do
		name="k$try-$RANDOM"
		delay=$(rand_between 0 30)
		"$MYDOCKER" run -d --name "$name" "$TEST_IMAGE" "$PROBE" sleep 100 >/dev/null 2>&1 3>&- &
		pid=$!
		sleep "0.0$(printf '%02d' "$delay")"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" || true
		# Whatever got made: `rm -f NAME` removes it (or the name was never taken).
		run md rm -f "$name"
		[[ $status == 0 || $output == "Error: No such container: $name" ]] ||
			fail "try $try (${delay} ms): rm -f: $output"
		run md run -d --name "$name" "$TEST_IMAGE" "$PROBE" true
		assert_success
		md rm -f "$name" >/dev/null
	done
	settled eval '[[ -z $(ls -A "$MYDOCKER_ROOT/containers") && -z $(ls -A "$MYDOCKER_ROOT/names") ]]'
	settled same_cgroups
}

@test "records cannot be turned against the host: a forged cgroup path is ignored, a corrupt record is removed by rm -f" {
	# A process of the host in a cgroup of this test's own, named in a forged config.json.
	id=$(run_d -- "$PROBE" sleep 100)
	sleep 100 3>&- &
	victim=$!
	KILL_PIDS+=("$victim")
	dir=/sys/fs/cgroup/pids/$MYDOCKER_CGROUP_PARENT/victim-$RANDOM
	mkdir -p "$dir"
	echo "$victim" >"$dir/cgroup.procs"
	sed -i "s#\"/sys/fs/cgroup/[^\"]*\"#\"$dir\"#" "$(cdir "$id")/config.json"
	grep -q "$dir" "$(cdir "$id")/config.json"
	run md rm -f "$id"
	assert_success
	kill -0 "$victim"
	echo "$victim" >/sys/fs/cgroup/pids/cgroup.procs
	rmdir "$dir"
	# A truncated state.json, and then a config.json of garbage: stop says why, rm -f removes.
	for file in state.json config.json; do
		id=$(run_d -- "$PROBE" sleep 100)
		pid=$(state "$id" pid) start=$(state "$id" pid_start_time)
		head -c 20 "$(cdir "$id")/$file" >"$TEST_TMP/cut" && cp "$TEST_TMP/cut" "$(cdir "$id")/$file"
		run md stop -t 0 "$id"
		assert_equal "$status" 125
		assert_output --regexp "^mydocker stop: read the records of container $id \(rm -f removes it\): "
		run md rm -f "$id"
		assert_success
		settled eval '! still_runs "$pid" "$start"'
		[[ ! -e $(cdir "$id") ]]
	done
	settled same_cgroups
}

@test "a teardown cut short keeps the name until the next rm -f finishes it; then the name is free" {
	name="half-$RANDOM"
	id=$(run_d --name "$name" -- "$PROBE" sleep 100)
	run md stop -t 0 "$name"
	assert_success
	# A mount inside the layer: the directory cannot be removed, so rm fails half-way, after
	# the processes, the cgroup and the rename, as a rm killed there would.
	mkdir "$TEST_TMP/pin" "$(cdir "$id")/upper/pin"
	mount --bind "$TEST_TMP/pin" "$(cdir "$id")/upper/pin"
	run md rm "$name"
	assert_failure
	trash=$MYDOCKER_ROOT/containers/.removing-$id
	[[ -d $trash && ! -e $(cdir "$id") ]]
	# The name is released last: it still names the remains.
	[[ -L $MYDOCKER_ROOT/names/$name ]]
	umount "$trash/upper/pin"
	run md rm -f "$name"
	assert_success
	[[ ! -e $trash && ! -L $MYDOCKER_ROOT/names/$name ]]
	run ls -A "$MYDOCKER_ROOT/containers"
	assert_output ""
	id=$(run_d --name "$name" -- "$PROBE" true)
	[[ -n $id ]]
}

@test "run -d --rm: the container is removed when it exits, also after stop; --rm in the foreground is accepted" {
	name="gone-$RANDOM"
	code=$(rand_between 1 120)
	id=$(run_d --rm --name "$name" -- "$PROBE" sleep 1 , exit "$code")
	[[ -d $(cdir "$id") ]]
	grep -q '"auto_remove": true' "$(cdir "$id")/config.json"
	# The teardown removes the name last (lifecycle.c): wait for both.
	for _ in $(seq 100); do
		[[ -e $(cdir "$id") || -L $MYDOCKER_ROOT/names/$name ]] || break
		sleep 0.1
	done
	[[ ! -e $(cdir "$id") ]]
	[[ ! -L $MYDOCKER_ROOT/names/$name ]]
	id=$(run_d --rm -- "$PROBE" sleep 100)
	run md stop -t 0 "$id"
	assert_success
	for _ in $(seq 100); do [[ -e $(cdir "$id") ]] || break; sleep 0.1; done
	[[ ! -e $(cdir "$id") ]]
	# The name is free again at once.
	run_d --rm --name "$name" -- "$PROBE" exit 0 >/dev/null
	run ctr --rm -- "$PROBE" exit "$code"
	assert_equal "$status" "$code"
	for _ in $(seq 100); do [[ -z $(ls -A "$MYDOCKER_ROOT/containers") ]] && break; sleep 0.1; done
	run ls -A "$MYDOCKER_ROOT/containers"
	assert_output ""
}

@test "a name is free again after rm; until then it is taken" {
	name="reuse-$RANDOM"
	first=$(run_d --name "$name" -- "$PROBE" exit 0)
	wait_status "$first" exited
	run run_d --name "$name" -- "$PROBE" exit 0
	assert_equal "$status" 125
	assert_output "mydocker run: the container name \"$name\" is already in use by container $first"
	md rm "$name"
	second=$(run_d --name "$name" -- "$PROBE" echo second)
	[[ $second != "$first" ]]
	assert_equal "$(readlink "$MYDOCKER_ROOT/names/$name")" "$second"
	wait_status "$second" exited
	assert_equal "$(md logs "$name")" second
}

@test "commit of a running container: its writes and deletions are in the new image, volumes and /proc, /sys, /dev contents are not" {
	a="written-$RANDOM" v="volume-$RANDOM" img="snap-$RANDOM"
	mkdir "$TEST_TMP/vol"
	echo "$v" >"$TEST_TMP/vol/secret"
	id=$(run_d -v "$TEST_TMP/vol:/vol" -- sh -c "mkdir /data && echo $a >/data/new && rm /etc/hosts && echo ready && exec $PROBE sleep 100")
	wait_log "$id" ready
	pid=$(state "$id" pid) start=$(state "$id" pid_start_time)
	run md commit "$id" "$img"
	assert_success
	assert_output "$img"
	# The container runs on.
	same_process "$pid" "$start"
	tar -tf "$(tarball "$img")" >"$TEST_TMP/list"
	grep -qx './data/new' "$TEST_TMP/list"
	grep -qx './bin/probe' "$TEST_TMP/list"
	! grep -q '^./etc/hosts$' "$TEST_TMP/list"
	# Mount points are there, empty: nothing of what was mounted on them.
	for d in proc sys dev vol; do
		grep -qx "./$d/" "$TEST_TMP/list"
		run grep -c "^./$d/." "$TEST_TMP/list"
		assert_output 0
	done
	# A container of the new image starts from exactly that.
	run ctr_img "$img" "$PROBE" cat /data/new , exists /etc/hosts , exists /etc/passwd , ls /vol
	assert_success
	assert_output "$a
/etc/hosts no
/etc/passwd yes"
	# Owners and modes as in the container.
	assert_equal "$(tar --numeric-owner -tvf "$(tarball "$img")" ./data/new | awk '{ print $1, $2 }')" "-rw-r--r-- 0/0"
}

# ctr_img IMAGE COMMAND...: a foreground container of IMAGE.
ctr_img() { timeout 60 "$MYDOCKER" run "$@" 3>&-; }

@test "commit of an exited container: the same view made again from its layer, deleted and replaced directories included" {
	a="written-$RANDOM" img="done-$RANDOM"
	code=$(rand_between 1 120)
	id=$(run_d -- sh -c "echo $a >/new; rm /etc/passwd; rm -r /root; mkdir /root; echo mine >/root/own; exit $code")
	wait_status "$id" exited
	run md commit "${id:0:12}" "$img"
	assert_success
	assert_output "$img"
	run ctr_img "$img" "$PROBE" cat /new , exists /etc/passwd , exists /etc/group , ls /root
	assert_success
	assert_output "$a
/etc/passwd no
/etc/group yes
own"
	# Committing again gives the same content: nothing of the first commit was left mounted.
	md commit "$id" "$img-2"
	diff <(tar -tf "$(tarball "$img")" | sort) <(tar -tf "$(tarball "$img-2")" | sort)
}

@test "commit to an existing image name replaces it atomically; a container of the old image keeps its files" {
	img="app-$RANDOM" one="one-$RANDOM" two="two-$RANDOM"
	a=$(run_d -- sh -c "echo $one >/v; exit 0")
	b=$(run_d -- sh -c "echo $two >/v; exit 0")
	wait_status "$a" exited
	wait_status "$b" exited
	md commit "$a" "$img"
	old=$(run_d_img "$img" -- "$PROBE" sleep 100)
	# The image is replaced while a container of it runs.
	run md commit "$b" "$img"
	assert_success
	run ctr_img "$img" "$PROBE" cat /v
	assert_output "$two"
	run md exec "$old" "$PROBE" cat /v
	assert_output "$one"
	# No temporary file is left, and only the new tarball has the name.
	run ls -A "$MYDOCKER_ROOT/images"
	refute_output --partial .commit-
	[[ $(tar -xOf "$(tarball "$img")" ./v) == "$two" ]]
}

@test "a commit that fails leaves no image and no temporary file; bad arguments are one line and 125" {
	id=$(run_d -- "$PROBE" write /x y)
	wait_status "$id" exited
	img="never-$RANDOM"
	# Its image copy is gone: the exited container's filesystem cannot be made again.
	mv "$(field "$(cdir "$id")/config.json" lower_dir)" "$TEST_TMP/moved"
	run md commit "$id" "$img"
	assert_equal "$status" 125
	assert_output --regexp "^mydocker commit: container $id: mount an overlay lowerdir=.*: No such file or directory$"
	mv "$TEST_TMP/moved" "$(field "$(cdir "$id")/config.json" lower_dir)"
	[[ ! -e $(tarball "$img") ]]
	run ls -A "$MYDOCKER_ROOT/images"
	refute_output --partial .commit-
	run md commit "$id" "bad/name"
	assert_equal "$status" 125
	assert_output "mydocker commit: invalid image name \"bad/name\" (want NAME[:TAG], each of letters, digits, '.', '_' and '-', not first '.' or '-')"
	run md commit "$id"
	assert_equal "$status" 125
	assert_output "mydocker commit: a container and an image name are needed (usage: mydocker commit [--pause=false] CONTAINER IMAGE[:TAG])"
	unknown="nosuch-$RANDOM"
	run md commit "$unknown" "$img"
	assert_equal "$status" 1
	assert_output "Error: No such container: $unknown"
}

@test "images: repository, tag, created and size in Docker's columns, newest first" {
	old="old-$RANDOM" small="small-$RANDOM"
	cp "$(tarball "$TEST_IMAGE")" "$(tarball "$old")"
	touch -d '3 minutes ago' "$(tarball "$old")"
	head -c "$(rand_between 1 5000)" /dev/urandom >"$TEST_TMP/blob"
	tar -C "$TEST_TMP" -cf "$(tarball "$small")" blob
	run md images
	assert_success
	assert_line --index 0 --regexp '^REPOSITORY +TAG +CREATED +SIZE$'
	assert_line --regexp "^$small +latest +(Less than a second|[0-9]+ seconds?) ago +$(docker_size "$(stat -c %s "$(tarball "$small")")")$"
	assert_line --regexp "^$old +latest +3 minutes ago +$(docker_size "$(stat -c %s "$(tarball "$old")")")$"
	assert_line --regexp "^$TEST_IMAGE +latest +.* ago +$(docker_size "$(stat -c %s "$(tarball "$TEST_IMAGE")")")$"
	# Newest first; the columns line up (Docker's tabwriter: widest cell + 3, at least 10).
	order=$(printf '%s\n' "${lines[@]}" | awk '{ print $1 }' | grep -nxE "$small|$old" | cut -d: -f2 | tr '\n' ' ')
	assert_equal "$order" "$small $old "
	col=$(awk 'NR == 1 { print index($0, "CREATED") }' <<<"$output")
	for line in "${lines[@]:1}"; do
		[[ ${line:$((col - 2)):1} == " " && ${line:$((col - 1)):1} != " " ]]
	done
}

@test "rmi removes an image and its unpacked copies; refused while a container, running or exited, uses it" {
	img="gone-$RANDOM"
	cp "$(tarball "$TEST_IMAGE")" "$(tarball "$img")"
	id=$(run_d_img "$img" --name "user-$img" -- "$PROBE" sleep 100)
	[[ -d $MYDOCKER_ROOT/images/$img ]]
	run md rmi "$img"
	assert_equal "$status" 125
	assert_output "mydocker rmi: image \"$img\" is in use by container user-$img (${id:0:12}): remove the container first"
	md stop -t 0 "$id"
	run md rmi "$img"
	assert_equal "$status" 125
	assert_output --partial "is in use by container user-$img"
	[[ -e $(tarball "$img") ]]
	md rm "$id"
	run md rmi "$img"
	assert_success
	assert_output "Deleted: $img"
	[[ ! -e $(tarball "$img") && ! -e $MYDOCKER_ROOT/images/$img ]]
	run md images
	refute_output --partial "$img"
	run md rmi "$img"
	assert_equal "$status" 125
	assert_output "mydocker rmi: No such image: $img"
	run ctr_img "$img" "$PROBE" pid
	assert_equal "$status" 125
}

@test "-e KEY=VAL, -e KEY from mydocker's environment, an unset KEY removed; later wins, also over the defaults; recorded" {
	v="val-$RANDOM" h="/home-$RANDOM" inherited="from-host-$RANDOM"
	export FROM_HOST=$inherited
	run ctr -e "A=$v" --env "B=x=y z" -e A=first -e "A=$v" -e FROM_HOST -e "HOME=$h" -e NOT_SET_ANYWHERE -- "$PROBE" env
	assert_success
	assert_output "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOSTNAME=$(grep -m1 -o '^HOSTNAME=.*' <<<"$output" | cut -d= -f2)
HOME=$h
A=$v
B=x=y z
FROM_HOST=$inherited"
	# A bare KEY that mydocker has no value for takes the default away, as in Docker.
	run env -u HOME timeout 60 "$MYDOCKER" run -e HOME "$TEST_IMAGE" "$PROBE" env
	refute_line --partial HOME=
	# The container's config.json keeps what was asked for.
	id=$(run_d -e "A=$v" -e "B=x=y z" -- "$PROBE" exit 0)
	grep -qF "\"A=$v\"" "$(cdir "$id")/config.json"
	grep -qF '"B=x=y z"' "$(cdir "$id")/config.json"
	run ctr -e =x -- "$PROBE" env
	assert_equal "$status" 125
	assert_output "mydocker run: invalid environment variable: =x"
}

@test "--env-file: Docker's format (comments, blank lines, KEY lines, no quote processing); -e wins; a bad line is refused" {
	v="val-$RANDOM" inherited="inh-$RANDOM"
	printf '%s\n' "# a comment, then a blank line" "" "   " "A=file" "  B=two words  " 'Q="quoted"' \
		"INHERITED" "NOT_SET_ANYWHERE" "C=$v" "E=" >"$TEST_TMP/one.env"
	printf 'C=second\r\nD=dos\r\n' >"$TEST_TMP/two.env"
	export INHERITED=$inherited
	run ctr -e A=option --env-file "$TEST_TMP/one.env" --env-file "$TEST_TMP/two.env" -- "$PROBE" env
	assert_success
	assert_line "A=option"
	assert_line "B=two words  "
	assert_line 'Q="quoted"'
	assert_line "INHERITED=$inherited"
	assert_line "C=second"
	assert_line "D=dos"
	assert_line "E="
	refute_line --partial NOT_SET_ANYWHERE
	refute_line --partial "#"
	printf 'GOOD=1\nBAD KEY=x\n' >"$TEST_TMP/bad.env"
	run ctr --env-file "$TEST_TMP/bad.env" -- "$PROBE" env
	assert_equal "$status" 125
	assert_output "mydocker run: --env-file $TEST_TMP/bad.env line 2: variable 'BAD KEY' contains whitespaces"
	printf '=x\n' >"$TEST_TMP/bad.env"
	run ctr --env-file "$TEST_TMP/bad.env" -- "$PROBE" env
	assert_output "mydocker run: --env-file $TEST_TMP/bad.env line 1: no variable name on line '=x'"
	# A file without end (or just too large) is refused at its first MiB, not read into memory.
	run timeout 5 "$MYDOCKER" run --env-file /dev/zero "$TEST_IMAGE" "$PROBE" env
	assert_equal "$status" 125
	assert_output "mydocker run: --env-file /dev/zero is larger than 1 MiB"
	head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$TEST_TMP/big.env"
	run ctr --env-file "$TEST_TMP/big.env" -- "$PROBE" env
	assert_equal "$status" 125
	assert_output "mydocker run: --env-file $TEST_TMP/big.env is larger than 1 MiB"
	run ctr --env-file "$TEST_TMP/missing.env" -- "$PROBE" env
	assert_equal "$status" 125
	assert_output "mydocker run: --env-file open $TEST_TMP/missing.env: No such file or directory"
	# Refused before anything was made (the containers that ran above are kept, exited).
	run containers_left
	assert_output ""
	assert_equal "$(ls "$MYDOCKER_ROOT/names" | wc -l)" "$(ls "$MYDOCKER_ROOT/containers" | wc -l)"
}

@test "exec sees the variables of -e and --env-file, and -e of exec on top" {
	v="val-$RANDOM" f="file-$RANDOM"
	echo "F=$f" >"$TEST_TMP/e.env"
	id=$(run_d -e "V=$v" --env-file "$TEST_TMP/e.env" -- "$PROBE" sleep 100)
	run md exec "$id" "$PROBE" env
	assert_success
	assert_line "V=$v"
	assert_line "F=$f"
	run md exec -e V=exec "$id" "$PROBE" env
	assert_line "V=exec"
	refute_line "V=$v"
}

@test "--help: every command has its own; mydocker --help lists them all" {
	run md --help
	assert_success
	for cmd in run ps logs exec stop rm commit images rmi; do
		assert_line --regexp "^  $cmd +[A-Z]"
		run md "$cmd" --help
		assert_success
		assert_line --index 0 --regexp "^Usage: mydocker $cmd( |$)"
		run md --help
	done
}

# --- commit pauses the container: the cgroup freezer ----------------------------------------

# busy_loop PREFIX: a shell loop that keeps creating /PREFIXi and deleting /PREFIX(i-1), so
# that at every moment one or two files with consecutive numbers exist and none for long.
busy_loop() { echo "i=0; while :; do echo \$i >/$1\$i; rm -f /$1\$((i-1)); i=\$((i+1)); done"; }

# busy_files ID PREFIX: the numbers of the PREFIX files in the container's upper directory.
busy_files() { find "$(cdir "$1")/upper" -maxdepth 1 -name "$2*" -printf '%f\n' | sed "s/^$2//" | sort -n; }

# wait_busy ID PREFIX [AFTER]: wait up to 20 s until the loop has made a file numbered above
# AFTER (default -1): it runs, and is not frozen.
wait_busy() {
	local _ n
	for _ in $(seq 200); do
		n=$(busy_files "$1" "$2" | tail -n 1)
		[[ -n $n ]] && ((n > ${3:--1})) && return 0
		sleep 0.1
	done
	echo "container $1 made no file $2N with N > ${3:--1} (last: ${n:-none})" >&2
	return 1
}

# freezer_file ID: the file where the kernel says whether the container's cgroup is frozen:
# freezer.state of its cgroup in the v1 freezer hierarchy, cgroup.events of its v2 cgroup.
freezer_file() {
	if cgroup_v2; then
		echo "/sys/fs/cgroup/$MYDOCKER_CGROUP_PARENT/$1/cgroup.events"
	else
		echo "$(cg_v1_mount freezer)/$MYDOCKER_CGROUP_PARENT/$1/freezer.state"
	fi
}

# freezer_says FILE: "frozen", "thawed" or "freezing" (v1 only), from a copy of that file.
freezer_says() {
	if cgroup_v2; then
		case $(awk '$1 == "frozen" { print $2 }' "$1") in
		1) echo frozen ;;
		0) echo thawed ;;
		*) echo "no frozen line in $1" ;;
		esac
	else
		tr '[:upper:]' '[:lower:]' <"$1"
	fi
}

# assert_thawed ID: the container's cgroup is not frozen. If it is, it is thawed before the
# test fails: on v1 a frozen process cannot even be killed, and the teardown could not end it.
assert_thawed() {
	local ff said
	ff=$(freezer_file "$1")
	said=$(freezer_says "$ff")
	[[ $said == thawed ]] && return 0
	if cgroup_v2; then echo 0 >"${ff%/*}/cgroup.freeze"; else echo THAWED >"$ff"; fi
	echo "container $1 is $said, not thawed (thawed now, so that it can be stopped)" >&2
	return 1
}

# spy PROGRAM SCRIPT COMMAND...: COMMAND (a mydocker) in a mount namespace of its own in which
# PROGRAM, a program mydocker runs by its absolute path (/usr/bin/tar, /bin/cp), is a script
# that runs the sh SCRIPT, then the real program. SCRIPT sees mydocker at that moment without
# any timing, and mydocker is its parent ($PPID).
spy() {
	local prog=$1 script=$2 base=${1##*/}
	shift 2
	cp "$prog" "$TEST_TMP/real-$base"
	printf '#!/bin/sh\n%s\nexec %q "$@"\n' "$script" "$TEST_TMP/real-$base" >"$TEST_TMP/spy-$base"
	chmod 755 "$TEST_TMP/spy-$base"
	# unshare's default propagation is private: the test's own mount table never shows it. For
	# commit, the shell that runs SCRIPT starts in a tree that is mounted nowhere and has no
	# path: it would say so on stderr (getcwd failed), which fails the commit. A $PWD that
	# names the directory it is in spares it the search, and /proc/self/cwd always does.
	timeout 60 unshare --mount -- bash -c 'mount --bind "$1" "$2" && shift 2 && exec env PWD=/proc/self/cwd "$@"' \
		spy "$TEST_TMP/spy-$base" "$prog" "$@" 3>&-
}

# spy_tar SCRIPT COMMAND...: spy on tar. For commit, SCRIPT sees the container at the moment
# its files are read: it runs in the tree to archive.
spy_tar() { spy /usr/bin/tar "$@"; }

@test "commit of a busy container (cgroup freezer): 5 commits of 5 succeed, each one moment of it, and it runs on thawed" {
	f="f$RANDOM-" name="busy-$RANDOM" img="busy-$RANDOM"
	id=$(run_d --name "$name" -- sh -c "$(busy_loop "$f")")
	pid=$(state "$id" pid) start=$(state "$id" pid_start_time)
	wait_busy "$id" "$f"
	assert_thawed "$id"
	for n in 1 2 3 4 5; do
		run md commit "$name" "$img-$n"
		assert_success
		assert_output "$img-$n"
		# One moment of the container: one file, or two with consecutive numbers (between the
		# loop's echo and its rm), each holding its number or (being written) nothing.
		tar -tf "$(tarball "$img-$n")" | sed -n "s|^\./$f\([0-9]*\)\$|\1|p" | sort -n >"$TEST_TMP/nums"
		nums=$(tr '\n' ' ' <"$TEST_TMP/nums")
		[[ $nums =~ ^([0-9]+)\ (([0-9]+)\ )?$ ]]
		((${BASH_REMATCH[3]:-BASH_REMATCH[1] + 1} == BASH_REMATCH[1] + 1))
		for i in $nums; do
			content=$(tar -xOf "$(tarball "$img-$n")" "./$f$i")
			[[ $content == "$i" || -z $content ]]
		done
	done
	# It runs on, not frozen: the same process, THAWED (v1) or frozen 0 (v2), and the loop
	# goes past what the last commit saw.
	still_runs "$pid" "$start"
	assert_thawed "$id"
	wait_busy "$id" "$f" "$(tail -n 1 "$TEST_TMP/nums")"
	assert_equal "$(state "$id" status)" running
	run ls -A "$MYDOCKER_ROOT/images"
	refute_output --partial .commit-
}

@test "commit freezes the container (cgroup freezer) while tar reads it, and thaws it after; --pause=false does not" {
	f="f$RANDOM-" img="seen-$RANDOM"
	id=$(run_d -- sh -c "$(busy_loop "$f")")
	wait_busy "$id" "$f"
	ff=$(freezer_file "$id")
	# What tar would read, twice, some time apart: a frozen container changes nothing.
	look="cat $(printf %q "$ff") >$TEST_TMP/during; ls -A >$TEST_TMP/ls.1; sleep 0.3; ls -A >$TEST_TMP/ls.2"
	run spy_tar "$look" "$MYDOCKER" commit "$id" "$img"
	assert_success
	assert_output "$img"
	assert_equal "$(freezer_says "$TEST_TMP/during")" frozen
	diff "$TEST_TMP/ls.1" "$TEST_TMP/ls.2"
	grep -q "^$f" "$TEST_TMP/ls.1"
	assert_thawed "$id"
	# The archive is that moment.
	diff <(grep "^$f" "$TEST_TMP/ls.1" | sort) <(tar -tf "$(tarball "$img")" | sed -n "s|^\./\(${f}[0-9]*\)\$|\1|p" | sort)
	# --pause=false: tar reads a container that runs, and may fail on a file that goes.
	rm "$TEST_TMP/during"
	run spy_tar "cat $(printf %q "$ff") >$TEST_TMP/during" "$MYDOCKER" commit --pause=false "$id" "$img-2"
	assert_equal "$(freezer_says "$TEST_TMP/during")" thawed
	[[ $status == 0 || $output == *"tar: "* ]]
	assert_thawed "$id"
}

@test "commit killed while the container is frozen (cgroup freezer): the container is thawed all the same, the next commit works" {
	f="f$RANDOM-" img="killed-$RANDOM"
	id=$(run_d -- sh -c "$(busy_loop "$f")")
	pid=$(state "$id" pid) start=$(state "$id" pid_start_time)
	wait_busy "$id" "$f"
	ff=$(freezer_file "$id")
	# tar never runs: the spy holds the commit while the container is frozen.
	spy_tar "echo \$\$ \$PPID >$TEST_TMP/spy.pids; exec sleep 100" "$MYDOCKER" commit "$id" "$img" 3>&- &
	BG=$!
	for _ in $(seq 200); do [[ -s $TEST_TMP/spy.pids ]] && break; sleep 0.1; done
	read -r spy commit <"$TEST_TMP/spy.pids"
	KILL_PIDS+=("$spy")
	[[ $(readlink "/proc/$commit/exe") == "$MYDOCKER" ]]
	assert_equal "$(freezer_says "$ff")" frozen
	last=$(busy_files "$id" "$f" | tail -n 1)
	kill -KILL "$commit"
	wait "$BG" || true
	# SIGKILL cannot be caught: the guard that commit started thaws the container.
	for _ in $(seq 200); do [[ $(freezer_says "$ff") == thawed ]] && break; sleep 0.1; done
	assert_thawed "$id"
	wait_busy "$id" "$f" "$last"
	still_runs "$pid" "$start"
	kill -KILL "$spy"
	# No image; the next commit removes the temporary file the killed one left.
	[[ ! -e $(tarball "$img") ]]
	run md commit "$id" "$img"
	assert_success
	run ls -A "$MYDOCKER_ROOT/images"
	refute_output --partial .commit-
	assert_thawed "$id"
}

@test "commit --pause (cgroup freezer): Docker's spellings of false leave it running, of true freeze it; --pause=maybe is one line and 125" {
	id=$(run_d -- "$PROBE" sleep 100)
	ff=$(freezer_file "$id")
	look="cat $(printf %q "$ff") >$TEST_TMP/during"
	no=(--pause=false --pause=0 --pause=f --pause=F --pause=FALSE --pause=False -p=false -p=0)
	yes=(--pause --pause=true --pause=1 --pause=t --pause=TRUE -p -p=true -p=1)
	opt_no=${no[$(rand_between 0 $((${#no[@]} - 1)))]}
	opt_yes=${yes[$(rand_between 0 $((${#yes[@]} - 1)))]}
	img="opt-$RANDOM"
	run spy_tar "$look" "$MYDOCKER" commit "$opt_no" "$id" "$img"
	assert_success
	assert_output "$img"
	assert_equal "$(freezer_says "$TEST_TMP/during")" thawed
	run spy_tar "$look" "$MYDOCKER" commit "$opt_yes" "$id" "$img"
	assert_success
	assert_equal "$(freezer_says "$TEST_TMP/during")" frozen
	assert_thawed "$id"
	# A value that is neither: refused before anything is done.
	bad="maybe$RANDOM"
	run md commit --pause="$bad" "$id" "$img-bad"
	assert_equal "$status" 125
	assert_output "mydocker commit: invalid --pause \"$bad\" (want true or false)"
	run md commit -p="$bad" "$id" "$img-bad"
	assert_equal "$status" 125
	assert_output "mydocker commit: invalid -p \"$bad\" (want true or false)"
	[[ ! -e $(tarball "$img-bad") ]]
	run md commit --help
	assert_line --index 0 "Usage: mydocker commit [--pause=false] CONTAINER IMAGE[:TAG]"
	assert_line --regexp "^  -p, --pause"
}

# --- Images by NAME:TAG; rmi, rm and stop against a run still setting its container up --------

# held PROGRAM TAG COMMAND...: start COMMAND (a mydocker) in the background, its output in
# $TEST_TMP/TAG.out, and return once it is inside PROGRAM (spy: the script writes mydocker's
# PID to held-TAG.pid), where it waits for `release TAG` (at most 30 s). HELD_PID is the job.
held() {
	local prog=$1 tag=$2 _
	shift 2
	local wait="echo \$PPID >$TEST_TMP/held-$tag.pid; i=0
		while [ ! -e $TEST_TMP/held-$tag.go ] && [ ! -e $TEST_TMP/held-any.go ] && [ \$i -lt 600 ]; do sleep 0.05; i=\$((i + 1)); done"
	spy "$prog" "$wait" "$@" >"$TEST_TMP/$tag.out" 2>&1 &
	HELD_PID=$!
	HELD_PIDS+=("$HELD_PID")
	for _ in $(seq 200); do
		[[ -s $TEST_TMP/held-$tag.pid ]] && return 0
		kill -0 "$HELD_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "$* never ran $prog: $(cat "$TEST_TMP/$tag.out")" >&2
	return 1
}
release() { touch "$TEST_TMP/held-$1.go"; }

# The ID a name was given (names/NAME is a symlink to it).
id_of() { readlink "$MYDOCKER_ROOT/names/$1"; }

# freeze_parent, thaw_parent: freeze this test's cgroup parent (v1 freezer hierarchy, v2
# cgroup.freeze). A container cgroup made below it is born frozen, and so is a first process
# put into one: it never reaches its command, and its container stays "created".
freeze_parent() {
	if cgroup_v2; then
		FROZEN_PARENT=/sys/fs/cgroup/$MYDOCKER_CGROUP_PARENT
		mkdir -p "$FROZEN_PARENT"
		echo 1 >"$FROZEN_PARENT/cgroup.freeze"
	else
		FROZEN_PARENT=$(cg_v1_mount freezer)/$MYDOCKER_CGROUP_PARENT
		mkdir -p "$FROZEN_PARENT"
		echo FROZEN >"$FROZEN_PARENT/freezer.state"
	fi
}
thaw_parent() {
	if cgroup_v2; then echo 0 >"$FROZEN_PARENT/cgroup.freeze"; else echo THAWED >"$FROZEN_PARENT/freezer.state"; fi
}

# wait_created NAME: wait up to 20 s until container NAME's records say "created".
wait_created() {
	local _
	for _ in $(seq 200); do
		[[ -L $MYDOCKER_ROOT/names/$1 && $(state "$(id_of "$1")" status) == created ]] && return 0
		sleep 0.1
	done
	echo "container $1 never got to \"created\"" >&2
	return 1
}

@test "rmi while a run unpacks the image waits, then refuses it; while a run seeds a volume from it, refuses at once: never a container without its image" {
	img="race-$RANDOM" a="unpacking-$RANDOM" b="seeding-$RANDOM"
	cp "$(tarball "$TEST_IMAGE")" "$(tarball "$img")"
	# The run is held in tar, unpacking the image for the first time: it has found the image
	# and has no copy of it yet.
	held /usr/bin/tar unpack "$MYDOCKER" run -d --name "$a" "$img" "$PROBE" sleep 100
	md rmi "$img" >"$TEST_TMP/rmi.out" 2>&1 &
	rmi=$!
	KILL_PIDS+=("$rmi")
	# rmi waits until the run holds its copy of the image; nothing is removed meanwhile.
	sleep 0.5
	kill -0 "$rmi" || fail "rmi did not wait for the run: $(cat "$TEST_TMP/rmi.out")"
	[[ -e $(tarball "$img") ]]
	release unpack
	wait "$HELD_PID"
	id=$(cat "$TEST_TMP/unpack.out")
	status=0
	wait "$rmi" || status=$?
	assert_equal "$status" 125
	# It came in once the run held its copy: before or after the run recorded its container.
	run cat "$TEST_TMP/rmi.out"
	assert_output --regexp "^mydocker rmi: image \"$img\" is in use by (container $a \(${id:0:12}\): remove the container first|a container being created: try again once it runs)$"
	assert_equal "$(state "$id" status)" running
	[[ -e $(tarball "$img") && -d $(field "$(cdir "$id")/config.json" lower_dir) ]]
	md rm -f "$a" >/dev/null
	# Held in cp, seeding a named volume from the image: it holds its copy, and has no record.
	held /bin/cp seed "$MYDOCKER" run -d --name "$b" -v "vol-$RANDOM:/etc" "$img" "$PROBE" sleep 100
	[[ ! -e $(cdir "$(id_of "$b")")/config.json ]]
	run md rmi "$img"
	assert_equal "$status" 125
	assert_output "mydocker rmi: image \"$img\" is in use by a container being created: try again once it runs"
	release seed
	wait "$HELD_PID"
	assert_equal "$(state "$(cat "$TEST_TMP/seed.out")" status)" running
	run md exec "$b" "$PROBE" cat /etc/passwd
	assert_success
	# Once no container is made from it, it goes.
	md rm -f "$b" >/dev/null
	run md rmi "$img"
	assert_success
	assert_output "Deleted: $img"
	[[ ! -e $(tarball "$img") && ! -e $MYDOCKER_ROOT/images/$img ]]
}

@test "rm and stop of a container whose run still unpacks its image (no records yet): one line, 125, nothing removed; rm -f waits for the run, then removes it whole" {
	img="slow-$RANDOM" name="early-$RANDOM"
	cp "$(tarball "$TEST_IMAGE")" "$(tarball "$img")"
	held /usr/bin/tar unpack "$MYDOCKER" run -d --name "$name" "$img" "$PROBE" sleep 100
	id=$(id_of "$name")
	# Its directory (locked by its run) and name exist, nothing else yet.
	[[ -d $(cdir "$id") && ! -e $(cdir "$id")/state.json ]]
	run md rm "$name"
	assert_equal "$status" 125
	assert_output "mydocker rm: container $name is being created: wait for it, or use rm -f"
	run md stop "$name"
	assert_equal "$status" 125
	assert_output "mydocker stop: container $name is being created: its records are not written yet"
	[[ -d $(cdir "$id") && $(id_of "$name") == "$id" ]]
	md rm -f "$name" >"$TEST_TMP/rmf.out" 2>&1 &
	rmf=$!
	KILL_PIDS+=("$rmf")
	sleep 0.3
	kill -0 "$rmf" || fail "rm -f did not wait for the run: $(cat "$TEST_TMP/rmf.out")"
	release unpack
	# The run may see its container killed as it starts: either way, rm -f removes all of it.
	wait "$HELD_PID" || true
	wait "$rmf"
	assert_equal "$(cat "$TEST_TMP/rmf.out")" "$name"
	settled eval '[[ -z $(ls -A "$MYDOCKER_ROOT/containers") && -z $(ls -A "$MYDOCKER_ROOT/names") ]]'
	settled same_cgroups
	id=$(run_d --name "$name" -- "$PROBE" true)
	[[ -n $id ]]
}

@test "a container still \"created\" (cgroup freezer: its first process frozen before its command): rm refuses, stop and rm -f wait for its run, then end it; nothing is left" {
	a="frozen-$RANDOM" b="frozen-$RANDOM-b"
	freeze_parent
	timeout 60 "$MYDOCKER" run -d --name "$a" "$TEST_IMAGE" "$PROBE" sleep 100 >"$TEST_TMP/a.out" 2>&1 3>&- &
	run_a=$!
	HELD_PIDS+=("$run_a")
	wait_created "$a"
	id=$(id_of "$a")
	run md rm "$a"
	assert_equal "$status" 125
	assert_output "mydocker rm: container $a is being created: wait for it, or use rm -f"
	# stop waits for its run to start it, then stops it.
	md stop -t 1 "$a" >"$TEST_TMP/stop.out" 2>&1 &
	stop=$!
	KILL_PIDS+=("$stop")
	sleep 0.3
	kill -0 "$stop" || fail "stop did not wait for the run: $(cat "$TEST_TMP/stop.out")"
	assert_equal "$(state "$id" status)" created
	kill -0 "$run_a"
	thaw_parent
	wait "$run_a"
	assert_equal "$(cat "$TEST_TMP/a.out")" "$id"
	wait "$stop"
	assert_equal "$(cat "$TEST_TMP/stop.out")" "$a"
	assert_equal "$(state "$id" status)" exited
	# rm -f waits the same way, and removes it whole.
	freeze_parent
	timeout 60 "$MYDOCKER" run -d --name "$b" "$TEST_IMAGE" "$PROBE" sleep 100 >"$TEST_TMP/b.out" 2>&1 3>&- &
	run_b=$!
	HELD_PIDS+=("$run_b")
	wait_created "$b"
	md rm -f "$b" >"$TEST_TMP/rmf.out" 2>&1 &
	rmf=$!
	KILL_PIDS+=("$rmf")
	sleep 0.3
	kill -0 "$rmf" || fail "rm -f did not wait for the run: $(cat "$TEST_TMP/rmf.out")"
	thaw_parent
	wait "$run_b" || true
	wait "$rmf"
	assert_equal "$(cat "$TEST_TMP/rmf.out")" "$b"
	md rm "$a" >/dev/null
	settled eval '[[ -z $(ls -A "$MYDOCKER_ROOT/containers") && -z $(ls -A "$MYDOCKER_ROOT/names") ]]'
	settled same_cgroups
}

@test "images by NAME:TAG as Docker takes them: NAME is NAME:latest; commit, images, run and rmi of a tag; a bad reference is one line and 125" {
	img="tagged-$RANDOM" tag="v$RANDOM.$(rand_between 0 9)" mark="mark-$RANDOM"
	run ctr_img --rm "$TEST_IMAGE:latest" "$PROBE" echo same
	assert_success
	assert_output same
	id=$(run_d -- sh -c "echo $mark >/mark; exit 0")
	wait_status "$id" exited
	run md commit "$id" "$img:$tag"
	assert_success
	assert_output "$img:$tag"
	[[ -f $MYDOCKER_ROOT/images/$img:$tag.tar && ! -e $(tarball "$img") ]]
	# Docker's REPOSITORY and TAG columns; a name alone is tagged latest.
	run md images
	assert_line --index 0 --regexp '^REPOSITORY +TAG +CREATED +SIZE$'
	assert_line --regexp "^$img +$tag +(Less than a second|[0-9]+ seconds?) ago +[0-9.]+[kMG]?B$"
	assert_line --regexp "^$TEST_IMAGE +latest +"
	run ctr_img --rm "$img:$tag" "$PROBE" cat /mark
	assert_success
	assert_output "$mark"
	# The tag is part of the image: $img alone is $img:latest, which does not exist.
	run ctr_img --rm "$img" "$PROBE" true
	assert_equal "$status" 125
	assert_output --regexp "^mydocker run: image \"$img\" not found "
	run md commit "$id" "$img:latest"
	assert_success
	[[ -f $(tarball "$img") ]]
	run ctr_img --rm "$img" "$PROBE" cat /mark
	assert_output "$mark"
	# A tag that a container uses is refused; once it is gone, the tag goes and latest stays.
	user=$(run_d_img "$img:$tag" -- "$PROBE" sleep 100)
	run md rmi "$img:$tag"
	assert_equal "$status" 125
	assert_output --regexp "^mydocker rmi: image \"$img:$tag\" is in use by container [^ ]+ \(${user:0:12}\): remove the container first$"
	md rm -f "$user" >/dev/null
	run md rmi "$img:$tag"
	assert_success
	assert_output "Deleted: $img:$tag"
	[[ ! -e $MYDOCKER_ROOT/images/$img:$tag.tar && ! -e $MYDOCKER_ROOT/images/$img@$tag && -f $(tarball "$img") ]]
	run md images
	refute_line --regexp "^$img +$tag "
	assert_line --regexp "^$img +latest "
	# A container of "$img" uses "$img:latest": one image, however it is spelt.
	user=$(run_d_img "$img" -- "$PROBE" sleep 100)
	run md rmi "$img:latest"
	assert_equal "$status" 125
	assert_output --partial "is in use by container"
	md rm -f "$user" >/dev/null
	run md rmi "$img:latest"
	assert_success
	[[ ! -e $(tarball "$img") ]]
	# Bad references, to every command that takes one: one line, 125, nothing made.
	long=$(printf 'x%.0s' {1..129})
	for bad in "$img:" ":$tag" "$img:$tag:x" "$img:-$tag" "$img:.$tag" "$img:a/b" "$img:$long"; do
		for cmd in run commit rmi; do
			case $cmd in
			run) run md run "$bad" true ;;
			commit) run md commit "$id" "$bad" ;;
			rmi) run md rmi "$bad" ;;
			esac
			assert_equal "$status" 125
			assert_output "mydocker $cmd: invalid image name \"$bad\" (want NAME[:TAG], each of letters, digits, '.', '_' and '-', not first '.' or '-')"
		done
	done
	run containers_left
	assert_output ""
	run ls -A "$MYDOCKER_ROOT/images"
	refute_output --partial "$img"
}
