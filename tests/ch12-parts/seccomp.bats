#!/usr/bin/env bats
# ch12-security, seccomp: every process of a container runs under a seccomp filter compiled from
# a profile in Docker's JSON form: Podman's default (/usr/share/containers/seccomp.json), or the
# file of --security-opt seccomp=FILE; seccomp=unconfined and --privileged run without one. The
# kernel shows the filter in /proc/PID/status (Seccomp: 2); a call the profile refuses fails with
# the errno the profile gives. A profile that is missing or wrong stops `run` before anything is
# made.
# new-options: --security-opt --privileged

load lib/helpers

# seccomp_lines TEXT: the Seccomp lines of a /proc/PID/status the probe printed, tabs as spaces.
seccomp_lines() { grep -E '^Seccomp(_filters)?:' <<<"$1" | tr -s '\t' ' '; }

# A profile that allows everything but unshare(2), which fails with errno $1, and
# keyctl(KEYCTL_JOIN_SESSION_KEYRING) (argument 0 is 1), which fails with errno $2; into $3.
errno_profile() {
	cat >"$3" <<-EOF
		{
			"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [
				{ "names": [ "unshare" ], "action": "SCMP_ACT_ERRNO", "errnoRet": $1 },
				{ "names": [ "keyctl" ], "action": "SCMP_ACT_ERRNO", "errnoRet": $2,
				  "args": [ { "index": 0, "value": 1, "op": "SCMP_CMP_EQ" } ] }
			]
		}
	EOF
}

@test "seccomp: by default the command, PID 1 and the processes it starts run under one filter (Seccomp: 2)" {
	# /bin/sh is PID 1; the probe, its child, reads its own status and PID 1's.
	run ctr -- /bin/sh -c "$PROBE cat /proc/self/status; $PROBE cat /proc/1/status"
	assert_success
	assert_equal "$(seccomp_lines "$output")" "$(printf 'Seccomp: 2\nSeccomp_filters: 1\n%.0s' 1 2)"
	# The probe itself as PID 1.
	run ctr -- "$PROBE" cat /proc/1/status
	assert_success
	assert_equal "$(seccomp_lines "$output")" "$(printf 'Seccomp: 2\nSeccomp_filters: 1')"
	# A call the default profile refuses fails with EPERM before the kernel looks at it (without
	# a filter, vmsplice on no descriptor fails with EBADF).
	run ctr -- "$PROBE" try vmsplice
	assert_output "vmsplice EPERM"
}

@test "seccomp: a profile of one's own: the calls it refuses fail with its errnoRet, others run" {
	e1=$(rand_between 40 4095) e2=$(rand_between 40 4095)
	errno_profile "$e1" "$e2" "$TEST_TMP/errno.json"
	run ctr --security-opt "seccomp=$TEST_TMP/errno.json" -- "$PROBE" try unshare-user , try keyctl , cat /proc/self/status
	assert_success
	assert_line "unshare-user errno $e1"
	assert_line "keyctl errno $e2"
	assert_equal "$(seccomp_lines "$output")" "$(printf 'Seccomp: 2\nSeccomp_filters: 1')"
	# Docker's older spelling, seccomp:FILE; a second run (the compiled filter is kept under
	# the state root) gives the same.
	run ctr --security-opt "seccomp:$TEST_TMP/errno.json" -- "$PROBE" try unshare-user
	assert_success
	assert_output "unshare-user errno $e1"
	# With no-new-privileges the filter is installed at another step (last): the same filter.
	run ctr --security-opt no-new-privileges --security-opt "seccomp=$TEST_TMP/errno.json" -- "$PROBE" try keyctl , cat /proc/self/status
	assert_success
	assert_line "keyctl errno $e2"
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	assert_equal "$(seccomp_lines "$output")" "$(printf 'Seccomp: 2\nSeccomp_filters: 1')"
}

@test "seccomp: a profile changed in place is compiled again, even with its old size and time" {
	e1=$(rand_between 1000 4095)
	e2=$(((e1 - 1000 + $(rand_between 1 3094)) % 3096 + 1000)) # another 4-digit errno
	errno_profile "$e1" 41 "$TEST_TMP/p.json"
	run ctr --security-opt "seccomp=$TEST_TMP/p.json" -- "$PROBE" try unshare-user
	assert_output "unshare-user errno $e1"
	# Rewritten in place: same file, same size, the old modification time put back.
	touch -r "$TEST_TMP/p.json" "$TEST_TMP/stamp"
	inode=$(stat -c %i "$TEST_TMP/p.json") size=$(stat -c %s "$TEST_TMP/p.json")
	sed "s/\"errnoRet\": $e1/\"errnoRet\": $e2/" "$TEST_TMP/p.json" >"$TEST_TMP/p.new"
	cat "$TEST_TMP/p.new" >"$TEST_TMP/p.json"
	touch -r "$TEST_TMP/stamp" "$TEST_TMP/p.json"
	assert_equal "$(stat -c '%i %s %Y' "$TEST_TMP/p.json")" "$inode $size $(stat -c %Y "$TEST_TMP/stamp")"
	run ctr --security-opt "seccomp=$TEST_TMP/p.json" -- "$PROBE" try unshare-user
	assert_output "unshare-user errno $e2"
}

@test "seccomp: --security-opt seccomp=unconfined and --privileged run without a filter" {
	e1=$(rand_between 40 4095) e2=$(rand_between 40 4095)
	errno_profile "$e1" "$e2" "$TEST_TMP/errno.json"
	run ctr --security-opt seccomp=unconfined -- "$PROBE" cat /proc/1/status , try keyctl , try vmsplice
	assert_success
	assert_equal "$(seccomp_lines "$output")" "$(printf 'Seccomp: 0\nSeccomp_filters: 0')"
	assert_line "keyctl ok"
	assert_line "vmsplice EBADF"
	# --privileged drops even a profile given with it, as Docker does.
	run ctr --privileged --security-opt "seccomp=$TEST_TMP/errno.json" -- "$PROBE" cat /proc/1/status , try keyctl
	assert_success
	assert_equal "$(seccomp_lines "$output")" "$(printf 'Seccomp: 0\nSeccomp_filters: 0')"
	assert_line "keyctl ok"
	# The last seccomp= counts: a profile after unconfined filters again.
	run ctr --security-opt seccomp=unconfined --security-opt "seccomp=$TEST_TMP/errno.json" -- "$PROBE" try keyctl
	assert_output "keyctl errno $e2"
}

@test "seccomp: a missing or broken profile: exit 125, one line on stderr, nothing made (no container, name or cgroup)" {
	name="sc-$RANDOM"
	printf '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": [ "unshare" ], %s' \
		'"action": "SCMP_ACT_ERRNO" }' >"$TEST_TMP/cut.json"
	echo '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": [ "unshare" ], "action": "SCMP_ACT_REFUSE" } ] }' >"$TEST_TMP/action.json"
	echo '{ "defaultAction": "SCMP_ACT_ERRNO", "listenerPath": "/run/agent.sock" }' >"$TEST_TMP/field.json"
	declare -A why=(
		[$TEST_TMP/missing.json]="No such file or directory"
		[$TEST_TMP/cut.json]="not valid JSON: it ends too soon"
		[$TEST_TMP/action.json]='syscalls[0]: unknown action "SCMP_ACT_REFUSE"'
		[$TEST_TMP/field.json]='profile: unknown field "listenerPath" (not supported by mydocker)'
		[$TEST_TMP]="Is a directory"
	)
	for f in "${!why[@]}"; do
		run -125 --separate-stderr ctr --name "$name" --security-opt "seccomp=$f" -- "$PROBE" echo ran
		assert_equal "$stderr" "mydocker run: seccomp profile $f: ${why[$f]}"
		assert_output ""
		run -125 --separate-stderr run_d --name "$name" --security-opt "seccomp=$f" -- "$PROBE" echo ran
		assert_equal "$stderr" "mydocker run: seccomp profile $f: ${why[$f]}"
		assert_output ""
	done
	# Nothing was made: no container, no name taken, no cgroup, no compiled filter kept.
	run containers_left
	assert_output ""
	assert_equal "$(find "$MYDOCKER_ROOT"/{containers,names,seccomp} -mindepth 1 2>/dev/null)" ""
	settled same_cgroups
	# The name is free: a container with a good profile takes it.
	run ctr --name "$name" -- "$PROBE" cat /proc/self/status
	assert_success
	assert_equal "$(seccomp_lines "$output")" "$(printf 'Seccomp: 2\nSeccomp_filters: 1')"
}
