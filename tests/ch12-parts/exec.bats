#!/usr/bin/env bats
# ch12-security, exec: a command that `exec` runs in a container may do no more than the
# container's first process: the same capabilities, user, no_new_privs and seccomp filter,
# read back from the container's record. And `exec`, which puts a process of mydocker's inside
# the container until that process becomes the command, runs from a sealed in-memory copy of
# its binary, so nothing in the container can reach the binary on the host (CVE-2019-5736).
# new-options: --security-opt --cap-drop --cap-add

load lib/helpers

chapter_teardown() { stop_detached_containers; }

# status_lines TEXT: the Cap, NoNewPrivs and Seccomp lines of a /proc/PID/status, tabs as spaces.
status_lines() { grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' <<<"$1" | tr -s '\t' ' '; }

@test "exec: the command gets the container's capabilities, no_new_privs and seccomp filter" {
	# A random capability of a few harmless ones added, so the set is this container's own.
	caps=(SYS_PTRACE SYS_NICE SYS_TIME IPC_LOCK LEASE)
	cap=${caps[$(rand_between 0 $((${#caps[@]} - 1)))]}
	id=$(run_d --cap-add "$cap" --security-opt no-new-privileges -- "$PROBE" sleep 60)
	run "$MYDOCKER" exec "$id" "$PROBE" cat /proc/1/status
	assert_success
	first=$(status_lines "$output")
	run "$MYDOCKER" exec "$id" "$PROBE" cat /proc/self/status , try vmsplice
	assert_success
	assert_equal "$(status_lines "$output")" "$first"
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	refute_line --regexp '^CapEff:[[:space:]]+000001ff'
	assert_line "vmsplice EPERM"
	# seccomp=unconfined is kept too: the command runs without a filter, as the container does.
	id2=$(run_d --security-opt seccomp=unconfined -- "$PROBE" sleep 60)
	run "$MYDOCKER" exec "$id2" "$PROBE" cat /proc/self/status , try vmsplice
	assert_success
	assert_line --regexp '^Seccomp:[[:space:]]+0$'
	assert_line "vmsplice EBADF"
}

@test "exec: runs from a sealed copy of mydocker's binary, not from the file on the host" {
	id=$(run_d -- "$PROBE" sleep 60)
	"$MYDOCKER" exec "$id" "$PROBE" sleep 30 3>&- &
	pid=$!
	# While exec waits for its command, its own binary is a memfd, not ch12/mydocker.
	settled eval '[[ $(readlink "/proc/$pid/exe") == /memfd:mydocker* ]]'
	run readlink "/proc/$pid/exe"
	assert_output --regexp '^/memfd:mydocker'
	refute_output --partial "$(realpath "$MYDOCKER")"
	kill "$pid"
	wait "$pid" || true
}
