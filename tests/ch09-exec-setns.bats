#!/usr/bin/env bats
# ch09-exec-setns: `mydocker exec` runs a command inside a running container: in every
# namespace of its first process (setns after opening them all), in its cgroups (its limits
# bind the command), with its environment; exit statuses and errors as `docker exec` gives
# them; the command ends with the container.
# new-options: exec

load lib/helpers

# Host processes a test started (KILL_PIDS) or stopped (CONT_PIDS) that the teardown ends.
KILL_PIDS=()
CONT_PIDS=()

chapter_teardown() {
	local pid
	for pid in "${CONT_PIDS[@]}"; do kill -CONT "$pid" 2>/dev/null || true; done
	for pid in "${KILL_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
	stop_detached_containers
}

# exe [EXEC OPTIONS...] CONTAINER COMMAND...: `mydocker exec`, bounded in time.
exe() { timeout 20 "$MYDOCKER" exec "$@" 3>&-; }

# The host PIDs of the live processes (zombies left out) in PID namespace NS, as readlink
# shows it: pid:[N].
pidns_members() {
	local p
	for p in $(find /proc/[0-9]*/ns/pid -maxdepth 0 -printf '%h %l\n' 2>/dev/null |
		awk -v ns="$1" '$2 == ns { split($1, p, "/"); print p[3] }' | sort -n); do
		[[ $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1) == [^Z] ]] && echo "$p"
	done
}
# pidns_has NS N: are there exactly N live processes in PID namespace NS? (For settled.)
pidns_has() { (($(pidns_members "$1" | wc -l) == $2)); }

@test "exec enters the container's namespaces: its hostname, mounts and processes, PID 1 its command" {
	host="h-$RANDOM"
	id=$(run_d -h "$host" -- "$PROBE" sleep 100)
	pid=$(state "$id" pid)
	run exe "$id" "$PROBE" hostname
	assert_success
	assert_output "$host"
	# The very namespaces of the container's first process (a namespace is an inode).
	run exe "${id:0:12}" "$PROBE" ns
	assert_output "$(for ns in uts pid mnt ipc net; do readlink "/proc/$pid/ns/$ns"; done)"
	# The same mount table, root included: the image, not the host.
	exe "$id" "$PROBE" mounts >"$TEST_TMP/mounts"
	diff "/proc/$pid/mountinfo" "$TEST_TMP/mounts"
	run exe "$id" "$PROBE" exists /bin/probe , exists "$REPO/tests"
	assert_output "/bin/probe yes
$REPO/tests no"
	# Its processes and only them: PID 1 is the container's command, the exec'd probe has a
	# PID of the container's, and its parent (mydocker exec) is outside, so getppid() is 0.
	run exe "$id" "$PROBE" pid , ppid , procs
	assert_success
	mine=${lines[0]}
	((mine > 1))
	assert_equal "${lines[1]}" 0
	assert_equal "${lines[*]:2}" "1 $mine"
	assert_equal "$(exe "$id" "$PROBE" cat /proc/1/cmdline | tr '\0' ' ')" "$PROBE sleep 100 "
}

@test "exec sees the container's files and volumes, and the container sees the files exec writes" {
	a="from-ctr-$RANDOM" b="from-exec-$RANDOM" v="on-the-volume-$RANDOM"
	mkdir "$TEST_TMP/vol"
	echo "$v" >"$TEST_TMP/vol/f"
	id=$(run_d -v "$TEST_TMP/vol:/vol:ro" -- sh -c "echo $a >/a; while [ ! -e /b ]; do sleep 0.1; done; cat /b; sleep 100")
	run exe "$id" sh -c 'while [ ! -e /a ]; do sleep 0.1; done; cat /a'
	assert_success
	assert_output "$a"
	exe "$id" "$PROBE" write /b "$b"
	for _ in $(seq 100); do
		[[ $("$MYDOCKER" logs "$id") == "$b" ]] && break
		sleep 0.1
	done
	assert_equal "$("$MYDOCKER" logs "$id")" "$b"
	# Both are in the container's own layer on the host.
	assert_equal "$(cat "$(cdir "$id")/upper/a")" "$a"
	assert_equal "$(cat "$(cdir "$id")/upper/b")" "$b"
	# The volume is a mount of the container's mount namespace, read-only there too.
	run exe "$id" "$PROBE" cat /vol/f
	assert_output "$v"
	run exe "$id" "$PROBE" write /vol/g x
	assert_equal "$status" 100
	assert_output "probe: /vol/g: Read-only file system"
}

@test "exec is in the container's network namespace: only its loopback, and a change there is the container's" {
	id=$(run_d "${NET_ADMIN[@]}" -- "$PROBE" sleep 100)
	pid=$(state "$id" pid)
	run exe "$id" "$PROBE" netdevs
	assert_output lo
	nsenter --net="/proc/$pid/ns/net" ip -o link show lo | grep -qv LOWER_UP
	run exe "$id" ip link set lo up
	assert_success
	# The container's loopback is up now, seen from its first process's namespace.
	nsenter --net="/proc/$pid/ns/net" ip -o link show lo | grep -q LOWER_UP
}

@test "cgroup: exec joins every cgroup of the container before the command starts; its limits bind the command" {
	id=$(run_d -m 32m --pids-limit 10 -- "$PROBE" sleep 100)
	pid=$(state "$id" pid)
	# At its first instruction the command is where the container's first process is, in
	# every hierarchy.
	run exe "$id" "$PROBE" first-cgroup
	assert_success
	assert_output "$(cat "/proc/$pid/cgroup")"
	run exe "$id" "$PROBE" alloc 8
	assert_success
	assert_output "allocated 8 MB"
	# Above the container's memory limit the exec'd process is killed.
	run exe "$id" "$PROBE" alloc 64
	assert_equal "$status" 137
	# 10 tasks at most: the container's first process, the exec'd probe and 8 more.
	run exe "$id" "$PROBE" forkbomb 20
	assert_output "forked 8"
	# mydocker exec itself stays outside: the cgroup holds the container and the command.
	"$MYDOCKER" exec "$id" "$PROBE" cgroup , sleep 100 >"$TEST_TMP/cg" 3>&- &
	ex=$!
	KILL_PIDS+=("$ex")
	for _ in $(seq 100); do [[ -s $TEST_TMP/cg ]] && break; sleep 0.1; done
	child=$(tr -d " " <"/proc/$ex/task/$ex/children")
	assert_equal "$(sort -n "$(cg_dir memory "$TEST_TMP/cg")/cgroup.procs" | tr '\n' ' ')" "$(printf '%s\n' "$pid" "$child" | sort -n | tr '\n' ' ')"
	# The container runs on.
	same_process "$pid" "$(state "$id" pid_start_time)"
}

@test "env: the container's environment with -e on top; nothing of mydocker's own" {
	id=$(run_d -- "$PROBE" sleep 100)
	pid=$(state "$id" pid)
	v="val-$RANDOM" home="/home-$RANDOM"
	run env LEAKED_FROM_HOST=1 timeout 20 "$MYDOCKER" exec -e "NEW=$v" --env "HOME=$home" "$id" "$PROBE" env
	assert_success
	assert_output "$(tr '\0' '\n' <"/proc/$pid/environ" | sed "s|^HOME=.*|HOME=$home|"; echo "NEW=$v")"
	refute_output --partial LEAKED_FROM_HOST
	# The last -e wins; a value may hold "=" and spaces.
	run exe -e A=1 -e "A=x=y z" "$id" "$PROBE" env
	assert_equal "$(grep -c '^A=' <<<"$output")" 1
	assert_line "A=x=y z"
	for bad in NOVALUE =x; do
		run exe -e "$bad" "$id" "$PROBE" env
		assert_equal "$status" 125
		assert_output "mydocker exec: invalid --env \"$bad\" (want KEY=VALUE)"
	done
}

@test "-w: the working directory inside the container, / by default; a missing one is 126, a relative one is refused" {
	id=$(run_d -- "$PROBE" sleep 100)
	d="/tmp/dir-$RANDOM"
	run exe "$id" "$PROBE" cwd
	assert_output /
	exe "$id" mkdir "$d"
	run exe -w "$d" "$id" "$PROBE" cwd
	assert_output "$d"
	run exe --workdir /etc "$id" "$PROBE" cwd
	assert_output /etc
	# A path of the host's means nothing inside.
	run exe -w "$REPO/tests" "$id" "$PROBE" cwd
	assert_equal "$status" 126
	assert_output "mydocker exec: chdir to \"$REPO/tests\": No such file or directory"
	run exe -w tmp "$id" "$PROBE" cwd
	assert_equal "$status" 125
	assert_output "mydocker exec: invalid --workdir \"tmp\" (want an absolute path)"
}

@test "exit status: N for exit N (random codes), 128+S for death by signal S" {
	id=$(run_d -- "$PROBE" sleep 100)
	for code in 0 "$(rand_between 1 124)" "$(rand_between 128 255)"; do
		run exe "$id" "$PROBE" exit "$code"
		assert_equal "$status" "$code"
	done
	run exe "$id" "$PROBE" segv
	assert_equal "$status" 139
	run exe "$id" sh -c 'kill -TERM $$'
	assert_equal "$status" 143
}

@test "exec errors: 127 for a command not found, 126 for one that cannot be run, the reason in one line" {
	id=$(run_d -- "$PROBE" sleep 100)
	name="nosuch-$RANDOM"
	run -127 exe "$id" "$name"
	assert_output "mydocker exec: exec \"$name\": No such file or directory"
	# The command is looked up in the container: the host's probe is not there.
	run -127 exe "$id" "$HOST_PROBE" pid
	assert_output "mydocker exec: exec \"$HOST_PROBE\": No such file or directory"
	for f in /etc/passwd /etc; do
		run exe "$id" "$f"
		assert_equal "$status" 126
		assert_output "mydocker exec: exec \"$f\": Permission denied"
	done
	run exe "$id"
	assert_equal "$status" 125
	assert_output "mydocker exec: no command given (usage: mydocker exec [-i] [-t] [-e KEY=VAL]... [-w DIR] CONTAINER COMMAND [ARG...])"
	run exe
	assert_equal "$status" 125
	assert_output --partial "mydocker exec: no container given"
	same_process "$(state "$id" pid)" "$(state "$id" pid_start_time)"
}

@test "exec into an exited, unknown or ambiguous container: one clear line, 125 (1 when not found, as Docker), and nothing runs" {
	name="done-$RANDOM"
	id=$(run_d --name "$name" -- "$PROBE" exit 3)
	wait_status "$id" exited
	for arg in "$id" "$name" "${id:0:12}"; do
		run exe "$arg" "$PROBE" write /x y
		assert_equal "$status" 125
		assert_output "mydocker exec: container $arg is not running"
	done
	[[ ! -e $(cdir "$id")/upper/x ]]
	unknown="nosuch-$RANDOM"
	run exe "$unknown" "$PROBE" pid
	assert_equal "$status" 1
	assert_output "Error: No such container: $unknown"
	# Two IDs that share a prefix.
	prefix=$(printf '%s' "$id" | tr 0-9a-f a-f0-9 | cut -c1-8)
	mkdir "$(cdir "${prefix}$(printf 'a%.0s' $(seq 56))")" "$(cdir "${prefix}$(printf 'b%.0s' $(seq 56))")"
	run exe "$prefix" "$PROBE" pid
	assert_equal "$status" 1
	assert_output "mydocker exec: multiple IDs found with provided prefix: $prefix"
}

@test "exec after the container's first process is gone: the clear error, also before its exit is recorded" {
	id=$(run_d -- "$PROBE" sleep 100)
	pid=$(state "$id" pid)
	mon=$(state "$id" monitor_pid)
	# A stopped monitor does not reap: the first process stays a zombie with its PID and start
	# time, recorded as running, but without namespaces.
	kill -STOP "$mon"
	CONT_PIDS+=("$mon")
	kill -KILL "$pid"
	settled grep -q '^State:.*zombie' "/proc/$pid/status"
	assert_equal "$(state "$id" status)" running
	run exe "$id" "$PROBE" write /x y
	assert_equal "$status" 125
	assert_output "mydocker exec: container $id is not running"
	kill -CONT "$mon"
	wait_status "$id" exited
	run exe "$id" "$PROBE" write /x y
	assert_equal "$status" 125
	assert_output "mydocker exec: container $id is not running"
	[[ ! -e $(cdir "$id")/upper/x ]]
}

@test "a recycled PID is never entered: the recorded start time decides" {
	id=$(run_d -- "$PROBE" echo done)
	wait_status "$id" exited
	# A process of the host holds the PID of a forged record that says "running".
	sleep 100 3>&- &
	other=$!
	KILL_PIDS+=("$other")
	sed -i -e 's/"status": "exited"/"status": "running"/' -e "s/\"pid\": [0-9]*/\"pid\": $other/" \
		-e "s/\"pid_start_time\": [0-9]*/\"pid_start_time\": $(($(start_time "$other") + 1))/" \
		"$(cdir "$id")/state.json"
	marker="$TEST_TMP/entered-$RANDOM"
	run exe "$id" "$PROBE" write "$marker" y
	assert_equal "$status" 125
	assert_output "mydocker exec: container $id is not running"
	[[ ! -e $marker ]]
}

@test "-i attaches stdin, else the command reads /dev/null; it has no descriptor but 0, 1, 2; -t needs a terminal" {
	id=$(run_d -- "$PROBE" sleep 100)
	run exe "$id" "$PROBE" fds 7<"$BATS_TEST_FILENAME" 8>"$TEST_TMP/out"
	assert_output "0
1
2"
	data="in-$RANDOM"
	run bash -c "echo $data | timeout 20 $MYDOCKER exec -i $id $PROBE cat /dev/stdin"
	assert_output "$data"
	run bash -c "echo $data | timeout 20 $MYDOCKER exec $id $PROBE cat /dev/stdin"
	assert_success
	assert_output ""
	run exe -t "$id" "$PROBE" pid </dev/null
	assert_equal "$status" 125
	assert_output "mydocker exec: -t needs a terminal on stdin (the input device is not a TTY)"
}

@test "-it: the command gets the terminal with job control; Ctrl-C reaches it, not mydocker; exit 3 returns 3" {
	id=$(run_d -- "$PROBE" sleep 100)
	n=$RANDOM
	# Typed into the exec'd shell: its PID, a sleep that Ctrl-C must end (once it says it runs:
	# "sl""eeping" is echoed as typed, "sleeping" only by that sh), a sum, exit 3. Then the outer
	# shell reads a line from the terminal, which mydocker must have given back.
	run on_terminal "$MYDOCKER exec -it $id sh; echo back-\$?; read line; echo got-\$line" \
		'# ' 'echo pid-$$\n' 'pid-[0-9]' "sh -c 'echo sl\"\"eeping; exec sleep 50'\n" \
		sleeping '\003' '# ' "echo sum-\$(($n + 1))\n" 'sum-[0-9]' 'exit 3\n' back-3 'typed\n'
	assert_success
	assert_output --partial "/ # "
	assert_output --regexp $'pid-[0-9]+\r'
	refute_output --partial $'pid-1\r'
	refute_output --partial "job control turned off"
	assert_output --partial "sum-$((n + 1))"
	assert_output --partial "back-3"
	assert_output --partial "got-typed"
}

@test "several execs at once, each with its own output, PID and status" {
	id=$(run_d -- "$PROBE" sleep 100)
	pids=()
	for i in $(seq 10); do
		exe "$id" "$PROBE" echo "n-$i" , pid , sleep 1 , exit "$i" >"$TEST_TMP/out$i" 2>&1 &
		pids+=($!)
	done
	for i in $(seq 10); do
		code=0
		wait "${pids[$((i - 1))]}" || code=$?
		assert_equal "$code" "$i"
		assert_equal "$(head -n 1 "$TEST_TMP/out$i")" "n-$i"
	done
	# Ten PIDs of the container's, none of them 1, none the same.
	assert_equal "$(for i in $(seq 10); do sed -n 2p "$TEST_TMP/out$i"; done | grep -Ev '^1$' | sort -u | wc -l)" 10
}

@test "a foreground container takes exec too" {
	name="fg-$RANDOM"
	ctr_bg "$TEST_TMP/out" -i -h "$name" --name "$name" -- "$PROBE" echo started , wait-stdin
	wait_for "$TEST_TMP/out" started
	run exe "$name" "$PROBE" hostname
	assert_success
	assert_output "$name"
	release_ctr
	wait_ctr
	assert_equal "$CTR_STATUS" 0
}

@test "the exec'd process ends with the container and with mydocker exec: nothing is left" {
	id=$(run_d -- "$PROBE" sleep 100)
	pid=$(state "$id" pid)
	ns=$(readlink "/proc/$pid/ns/pid")
	"$MYDOCKER" exec "$id" "$PROBE" sleep 1000 3>&- &
	ex=$!
	settled pidns_has "$ns" 2
	# The container's first process goes: the kernel kills its whole PID namespace, the exec'd
	# process too, and mydocker exec reports it.
	kill -KILL "$pid"
	code=0
	wait "$ex" || code=$?
	assert_equal "$code" 137
	settled pidns_has "$ns" 0
	wait_status "$id" exited
	# A mydocker exec that is killed takes its command with it (PR_SET_PDEATHSIG); the dead
	# orphan is reaped by the host's init, the reaper of its parent's PID namespace (it may
	# be a zombie for a moment). One that is told to go kills the command, reaps it and
	# reports.
	id=$(run_d -- "$PROBE" sleep 100)
	ns=$(readlink "/proc/$(state "$id" pid)/ns/pid")
	"$MYDOCKER" exec "$id" "$PROBE" sleep 1000 3>&- &
	ex=$!
	settled pidns_has "$ns" 2
	kill -KILL "$ex"
	settled pidns_has "$ns" 1
	"$MYDOCKER" exec "$id" "$PROBE" sleep 1000 3>&- &
	ex=$!
	settled pidns_has "$ns" 2
	kill -TERM "$ex"
	code=0
	wait "$ex" || code=$?
	assert_equal "$code" 137
	pidns_has "$ns" 1
}
