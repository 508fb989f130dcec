#!/usr/bin/env bats
# ch03-namespaces: the container runs in new UTS, PID, mount, IPC and network namespaces.

load lib/helpers

@test "the command's output and random exit status come back" {
	code=$(rand_between 1 120)
	word="hello-$RANDOM$RANDOM"
	run ctr -- "$PROBE" echo "$word" , exit "$code"
	assert_equal "$status" "$code"
	assert_output "$word"
}

@test "the command is PID 1 and sees only its own processes" {
	run ctr -- "$PROBE" pid , procs
	assert_success
	assert_equal "${lines[0]}" 1
	# /proc lists PID 1 only: the probe is alone in its PID namespace.
	assert_equal "${lines[1]}" 1
	assert_equal "${#lines[@]}" 2
}

@test "a hostname set inside stays inside" {
	name="ctr-$RANDOM$RANDOM"
	before=$(hostname)
	run ctr "${SYS_ADMIN[@]}" -- "$PROBE" sethostname "$name" , hostname
	assert_success
	assert_output "$name"
	assert_equal "$(hostname)" "$before"
}

@test "-h sets the hostname of the new UTS namespace" {
	name="h$RANDOM$RANDOM"
	run ctr -h "$name" -- "$PROBE" hostname , env
	assert_success
	assert_line --index 0 "$name"
	assert_line "HOSTNAME=$name"
}

@test "the network namespace has only lo" {
	run ctr -- "$PROBE" netdevs
	assert_success
	assert_output "lo"
}

@test "the IPC namespace is fresh: a host message queue is not visible" {
	id=$(ipcmk -Q | awk '{ print $NF }')
	run ctr -- "$PROBE" ipc
	ipcrm -q "$id"
	assert_success
	assert_line "msg 0"
}

@test "all five namespaces differ from the host's" {
	host=$("$HOST_PROBE" ns)
	run ctr -- "$PROBE" ns
	assert_success
	assert_equal "${#lines[@]}" 5
	for line in "${lines[@]}"; do
		refute grep -qxF "$line" <<<"$host"
	done
}

@test "the container's /proc mount does not reach the host" {
	run ctr -- "$PROBE" mounts
	assert_success
	# Inside, /proc is a fresh proc mount; the host's mount table is checked by teardown.
	assert_output --partial " /proc "
	run cat /proc/1/cmdline
	assert_success
	refute_output ""
}

@test "the environment is the container's, not the host's" {
	secret="leak$RANDOM"
	MYDOCKER_TEST_SECRET=$secret run ctr -- "$PROBE" env
	assert_success
	refute_output --partial "$secret"
	assert_line "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

@test "arguments reach the command unchanged" {
	n=$RANDOM
	run ctr -- "$PROBE" args "a b" "" "-x" "--" "$n"
	assert_success
	hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
	assert_output "$(printf 'argc 5\n%s\n\n%s\n%s\n%s' "$(hex 'a b')" "$(hex -x)" "$(hex --)" "$(hex "$n")")"
}

@test "command not found: 127 and one clear line" {
	cmd="nosuch-$RANDOM"
	run -127 ctr -- "$cmd"
	assert_output "mydocker run: exec \"$cmd\": No such file or directory"
}

@test "found but not executable: 126" {
	touch "$TEST_TMP/notexec"
	chmod 644 "$TEST_TMP/notexec"
	# From ch06 on the host file is not inside the container: use a file of the image instead.
	if ((CHAPTER >= 6)); then target=/etc/passwd; else target=$TEST_TMP/notexec; fi
	run -126 ctr -- "$target"
	assert_output "mydocker run: exec \"$target\": Permission denied"
}

@test "killed by a signal: 128+S" {
	run ctr -- "$PROBE" segv
	assert_equal "$status" $((128 + 11))
}

@test "SIGKILL to the container from the host gives 137" {
	ctr_bg "$TEST_TMP/out" -i -- "$PROBE" echo started , wait-stdin
	wait_for "$TEST_TMP/out" started
	kill -KILL "$(container_host_pid)"
	wait_ctr
	assert_equal "$CTR_STATUS" 137
}

@test "SIGTERM to mydocker ends the container too" {
	ctr_bg "$TEST_TMP/out" -i -- "$PROBE" echo started , wait-stdin
	wait_for "$TEST_TMP/out" started
	kill -TERM "$(mydocker_pid)"
	wait_ctr
	assert_equal "$CTR_STATUS" 137
}

@test "without -i stdin is /dev/null; with -i it is attached" {
	word="in$RANDOM"
	run bash -c "echo $word | timeout 20 $MYDOCKER run ${TEST_IMAGE:-} $PROBE cat /dev/stdin"
	assert_success
	assert_output ""
	run bash -c "echo $word | timeout 20 $MYDOCKER run -i ${TEST_IMAGE:-} $PROBE cat /dev/stdin"
	assert_success
	assert_output "$word"
}

@test "interactive sh: Ctrl-C does not kill mydocker, exit status comes back" {
	code=$(rand_between 2 99)
	word="alive$RANDOM"
	run in_terminal '# ' '\003' '# ' "echo $word\nexit $code\n" -- -it ${TEST_IMAGE:-} sh
	assert_equal "$status" "$code"
	assert_output --partial "$word"
}

@test "usage errors exit 125 with a usage line" {
	run "$MYDOCKER" frobnicate
	assert_equal "$status" 125
	assert_output --partial 'unknown command "frobnicate"'
	run "$MYDOCKER" run --no-such-option true
	assert_equal "$status" 125
	assert_output --partial "usage: mydocker run"
	run "$MYDOCKER" run
	assert_equal "$status" 125
	assert_output --partial "usage: mydocker run"
	run "$MYDOCKER"
	assert_equal "$status" 125
}

@test "--help and --version" {
	run "$MYDOCKER" --help
	assert_success
	assert_output --partial "run"
	run "$MYDOCKER" run --help
	assert_success
	assert_output --partial "Usage: mydocker run"
	run "$MYDOCKER" --version
	assert_success
	assert_output --regexp "^mydocker version .*\(ch[0-9][0-9]-"
}

@test "an unprivileged user is refused with one clear line" {
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$MYDOCKER" run ${TEST_IMAGE:-} "$PROBE" pid
	assert_equal "$status" 125
	assert_output "mydocker run: needs root (CAP_SYS_ADMIN); try sudo"
}

@test "descriptors mydocker inherited do not reach the container" {
	fd=$(rand_between 10 60)
	# The caller's fd N (and bats's own fd 3) stay outside: only 0, 1 and 2 reach the command.
	run bash -c 'exec '"$fd"'<"$1"; shift; exec "$@"' _ "$REPO/GNUmakefile" \
		timeout 20 "$MYDOCKER" run ${TEST_IMAGE:-} "$PROBE" fds
	assert_success
	assert_output "0
1
2"
}

@test "-h longer than the kernel allows is refused before anything starts" {
	ok=$(printf 'h%.0s' $(seq 64))
	run ctr -h "$ok" -- "$PROBE" hostname
	assert_success
	assert_output "$ok"
	run ctr -h "${ok}x" -- "$PROBE" hostname
	assert_equal "$status" 125
	assert_output "mydocker run: invalid --hostname \"${ok}x\" (at most 64 characters)"
}
