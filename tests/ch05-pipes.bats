#!/usr/bin/env bats
# ch05-pipes: the command travels over a pipe, init starts only after setup (cgroup joined),
# exec and setup errors come back over a close-on-exec error pipe, and a container never
# outlives its mydocker.
# new-options:

load lib/helpers

hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }

# slow_setup [RUN OPTIONS...] -- COMMAND...: ctr with every write(2) of mydocker itself (not of
# its children) delayed by 0.1 s: its cgroup setup is slow, as on a busy machine. A command
# that runs before setup is done shows that init did not wait for the go.
slow_setup() {
	# shellcheck disable=SC2034  # read by ctr (tests/lib/helpers.bash)
	local CTR_WRAP=(strace -qq -o /dev/null -e trace=write -e inject=write:delay_enter=100000)
	ctr "$@"
}

# writer TRACE CALL TEXT: who wrote TEXT to stderr in an strace -f log: "init" if it is the
# process that made the failing CALL (a syscall whose line names TEXT too, or any CALL if TEXT
# is not in it), "mydocker" if another process did (mydocker, whatever its process layout).
writer() {
	awk -v call=" $2(" -v text="$3" 'index($0, call) && (init == "" || index($0, text)) { init = $1 }
		index($0, " write(2, ") && index($0, text) { print ($1 == init ? "init" : "mydocker") }' "$1"
}

# guard: ch04 hands the command over in memory; this catches ch05's pipe encoding losing a byte
@test "hostile arguments arrive byte for byte" {
	big=$(head -c 150000 /dev/urandom | tr -d '\0' | head -c 120000)
	rnd=$(head -c 64 /dev/urandom | tr -d '\0')
	args=("with space" "" "'single' \"double\"" $'tab\there' $'new\nline' $'\xff\xfe\x80 not utf-8'
		"" "-x" "--" "$rnd" "$big" "$RANDOM")
	expected="argc ${#args[@]}"
	for a in "${args[@]}"; do expected+=$'\n'"$(hex "$a")"; done
	run ctr -- "$PROBE" args "${args[@]}"
	assert_success
	assert_equal "$output" "$expected"
}

@test "cgroup: limits hold from the command's first instruction" {
	for _ in 1 2 3 4 5; do
		run slow_setup -m 64m --pids-limit 20 -- "$PROBE" first-cgroup
		assert_success
		if cgroup_v2; then
			assert_line --regexp "^0::/$MYDOCKER_CGROUP_PARENT/[0-9a-f]+\$"
		else
			for c in memory cpu cpuset pids; do
				assert_line --regexp "^[0-9]+:([a-z_]+,)*$c(,[a-z_]+)*:/$MYDOCKER_CGROUP_PARENT/[0-9a-f]+$"
			done
		fi
	done
}

@test "cgroup: a fork loop is capped without waiting for the cgroup" {
	limit=$(rand_between 5 30)
	run slow_setup --pids-limit "$limit" -- "$PROBE" forkbomb 200
	assert_success
	assert_output "forked $((limit - 1))"
}

@test "exec errors come back from init: 127 and 126 with the reason, once" {
	run -127 ctr -- "nosuch-$RANDOM"
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^mydocker run: exec "nosuch-[0-9]+": No such file or directory$'
	if ((CHAPTER >= 6)); then target=/etc/passwd; else target=$TEST_TMP/plain; fi
	touch "$TEST_TMP/plain"
	run -126 ctr -- "$target"
	assert_output "mydocker run: exec \"$target\": Permission denied"
	# The reason came over the error pipe: mydocker printed it, not init.
	cmd="nosuch-$RANDOM"
	run -127 timeout 20 strace -f -qq -s 256 -e trace=execve,write -o "$TEST_TMP/trace" \
		"$MYDOCKER" run ${TEST_IMAGE:-} "$cmd"
	assert_output "mydocker run: exec \"$cmd\": No such file or directory"
	assert_equal "$(writer "$TEST_TMP/trace" execve "$cmd")" mydocker
}

@test "a setup failure inside init names its step and exits 125" {
	# strace makes one of init's setup calls fail, as a kernel without that feature would.
	# The reason comes over the error pipe: mydocker prints it, not init.
	run strace -f -qq -s 256 -o "$TEST_TMP/trace" -e trace=sethostname,write -e inject=sethostname:error=EPERM \
		timeout 20 "$MYDOCKER" run -h "h$RANDOM" ${TEST_IMAGE:-} "$PROBE" echo never
	assert_equal "$status" 125
	assert_output "mydocker run: sethostname: Operation not permitted"
	assert_equal "$(writer "$TEST_TMP/trace" sethostname "sethostname: Operation not permitted")" mydocker
	assert_equal "$(list_container_cgroups)" "$(cat "$TEST_TMP/cgroups.before")"
}

# guard: ch04's init execs the same way; this catches ch05's init searching mydocker's PATH
@test "a command without a slash is looked up in the container's PATH, not mydocker's" {
	mkdir -p "$TEST_TMP/bin"
	cp "$REPO/tests/probe/probe" "$TEST_TMP/bin/only-on-callers-path"
	run -127 env PATH="$TEST_TMP/bin:$PATH" timeout 20 "$MYDOCKER" run ${TEST_IMAGE:-} only-on-callers-path pid
	assert_output --partial 'exec "only-on-callers-path": No such file or directory'
	run env PATH=/nonexistent /usr/bin/timeout 20 "$MYDOCKER" run ${TEST_IMAGE:-} sh -c 'echo $PATH'
	assert_success
	assert_output "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

@test "cgroup: SIGKILL to mydocker kills the container and the reaper removes its cgroup" {
	ctr_bg "$TEST_TMP/out" -i -m 64m -- "$PROBE" cgroup , echo started , wait-stdin
	wait_for "$TEST_TMP/out" started
	pid=$(container_host_pid)
	dir=$(cg_dir memory "$TEST_TMP/out")
	[[ -d $dir && -d /proc/$pid ]]
	kill -KILL "$(mydocker_pid)"
	wait_ctr
	# The kernel kills the container (PR_SET_PDEATHSIG); the reaper removes the cgroup.
	settled test ! -e "/proc/$pid"
	settled test ! -e "$dir"
	assert_equal "$(list_container_cgroups)" "$(cat "$TEST_TMP/cgroups.before")"
}

# guard: ch04's init fails in the terminal itself; this catches ch05's error path keeping it
@test "-t: when init fails after taking the terminal, mydocker gives the terminal back" {
	cmd="nosuch-$RANDOM"
	# After mydocker returns, the terminal's foreground group (tpgid) must be the shell's again.
	run bash -c "timeout 30 script -qefc '$MYDOCKER run -it ${TEST_IMAGE:-} $cmd; echo status \$?; ps -o tpgid=,pgid= -p \$\$' /dev/null | tr -d '\r'"
	assert_line --partial "mydocker run: exec \"$cmd\": No such file or directory"
	assert_line "status 127"
	read -r tpgid pgid <<<"${lines[-1]}"
	assert_equal "$tpgid" "$pgid"
}

# Has process PID ended? A zombie has: the host's init reaps it in its own time.
is_gone() { [[ ! -e /proc/$1 || $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) == Z ]]; }

@test "cgroup: SIGKILL to mydocker with its reaper held: the kernel alone kills the container" {
	# The reaper kills what is left in the cgroup, which would hide a container that does not
	# die with mydocker: stop the reaper first, so only PR_SET_PDEATHSIG can kill it. The
	# container sleeps rather than read stdin: from ch12 on its stdin is a pipe from mydocker,
	# whose end of file would end it too.
	ctr_bg "$TEST_TMP/out" -m "$(rand_between 32 96)m" -- "$PROBE" cgroup , echo started , sleep 100
	wait_for "$TEST_TMP/out" started
	md=$(mydocker_pid)
	pid=$(container_host_pid)
	dir=$(cg_dir memory "$TEST_TMP/out")
	reapers=()
	for c in $(cat "/proc/$md/task/$md/children"); do
		[[ $c != "$pid" && $(readlink "/proc/$c/exe") == "$MYDOCKER" ]] && reapers+=("$c")
	done
	((${#reapers[@]} == 1)) || fail "mydocker has ${#reapers[@]} reaper processes, not 1"
	kill -STOP "${reapers[0]}"
	kill -KILL "$md"
	wait_ctr
	gone=0
	settled is_gone "$pid" && gone=1
	# Whatever happened, the reaper goes on and cleans up.
	kill -CONT "${reapers[0]}"
	((gone)) || fail "the container's first process $pid outlived mydocker"
	settled test ! -e "$dir"
	assert_equal "$(list_container_cgroups)" "$(cat "$TEST_TMP/cgroups.before")"
}
