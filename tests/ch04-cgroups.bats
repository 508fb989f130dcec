#!/usr/bin/env bats
# ch04-cgroups: memory, CPU, cpuset and pids limits in a cgroup of the container's own,
# on cgroup v1 (and hybrid) and v2 hosts. In ch04 the child may run before mydocker has moved
# it into its cgroup, so these tests start with `probe wait-cgroup` (ch05 closes that gap).
# new-options: -m --memory --cpu-shares --cpus --cpuset-cpus --pids-limit

load lib/helpers

# The CPUs online, as the kernel lists them ("0-3", "0,2-5") and glibc's get_nprocs() counts them.
online_cpus() {
	awk -F, '{ for (i = 1; i <= NF; i++) { k = split($i, r, "-"); n += k == 2 ? r[2] - r[1] + 1 : 1 } } END { print n }' \
		/sys/devices/system/cpu/online
}

# Start a container that reports its cgroup and waits; CG_OUT holds its /proc/self/cgroup.
start_waiting() {
	CG_OUT=$(mktemp "$TEST_TMP/out.XXXXXX")
	ctr_bg "$CG_OUT" -i "$@" -- "$PROBE" wait-cgroup , cgroup , echo ready , wait-stdin
	wait_for "$CG_OUT" ready
}

@test "cgroup: memory below the limit is fine, above it the container is OOM-killed (137)" {
	limit=$(rand_between 48 96)
	run ctr -m "${limit}m" -- "$PROBE" wait-cgroup , alloc $((limit - 32))
	assert_success
	assert_output "allocated $((limit - 32)) MB"
	run ctr -m "${limit}M" -- "$PROBE" wait-cgroup , alloc $((limit + 32))
	assert_equal "$status" 137
	refute_output --partial allocated
}

@test "cgroup: the container's cgroup files hold the requested values" {
	mem=$(rand_between 32 512)
	shares=$(rand_between 2 4096)
	tenths=$(rand_between 1 9)
	pids=$(rand_between 10 200)
	start_waiting -m "${mem}m" --cpu-shares "$shares" --cpus "0.$tenths" --cpuset-cpus 0 --pids-limit "$pids"
	memdir=$(cg_dir memory "$CG_OUT")
	cpudir=$(cg_dir cpu "$CG_OUT")
	[[ $memdir == */$MYDOCKER_CGROUP_PARENT/* ]]
	if cgroup_v2; then
		assert_equal "$(cat "$memdir/memory.max")" $((mem << 20))
		weight=$(awk -v s="$shares" 'BEGIN { l = log(s) / log(2); e = (l * l + 125 * l) / 612 - 7 / 34
			w = exp(e * log(10)); c = int(w); if (c < w) c++; print c }')
		assert_equal "$(cat "$cpudir/cpu.weight")" "$weight"
		assert_equal "$(cat "$cpudir/cpu.max")" "${tenths}0000 100000"
	else
		assert_equal "$(cat "$memdir/memory.limit_in_bytes")" $((mem << 20))
		assert_equal "$(cat "$cpudir/cpu.shares")" "$shares"
		assert_equal "$(cat "$cpudir/cpu.cfs_quota_us")" "${tenths}0000"
		assert_equal "$(cat "$cpudir/cpu.cfs_period_us")" 100000
	fi
	assert_equal "$(cat "$(cg_dir cpuset "$CG_OUT")/cpuset.cpus")" 0
	assert_equal "$(cat "$(cg_dir pids "$CG_OUT")/pids.max")" "$pids"
	release_ctr
	wait_ctr
	assert_equal "$CTR_STATUS" 0
	[[ ! -e $memdir && ! -e $cpudir ]]
}

@test "cgroup: --cpuset-cpus shows in the container's CPU affinity" {
	ncpu=$(nproc --all)
	cpu=$((RANDOM % ncpu))
	run ctr --cpuset-cpus "$cpu" -- "$PROBE" wait-cgroup , cpus
	assert_success
	assert_output "$cpu"
}

@test "cgroup: --pids-limit caps a fork loop" {
	limit=$(rand_between 5 30)
	run ctr --pids-limit "$limit" -- "$PROBE" wait-cgroup , forkbomb 200
	assert_success
	# The probe itself is one of the LIMIT tasks.
	assert_output "forked $((limit - 1))"
}

@test "cgroup: --cpus sets the CFS quota" {
	# At most the machine's CPUs: more is refused (the test below).
	most=$(($(online_cpus) * 100))
	hundredths=$(rand_between 5 $((most < 150 ? most : 150)))
	cpus=$(printf '%d.%02d' $((hundredths / 100)) $((hundredths % 100)))
	start_waiting --cpus "$cpus"
	dir=$(cg_dir cpu "$CG_OUT")
	if cgroup_v2; then
		assert_equal "$(cat "$dir/cpu.max")" "$((hundredths * 1000)) 100000"
	else
		assert_equal "$(cat "$dir/cpu.cfs_quota_us")" $((hundredths * 1000))
	fi
	release_ctr
	wait_ctr
}

@test "cgroup: two containers at once get two cgroups" {
	start_waiting -m 64m
	first=$CG_OUT
	first_pid=$CTR_PID
	mv "$TEST_TMP/stdin" "$TEST_TMP/stdin1"
	exec 6>&5
	start_waiting -m 64m
	a=$(cg_dir memory "$first")
	b=$(cg_dir memory "$CG_OUT")
	[[ -d $a && -d $b && $a != "$b" ]]
	release_ctr
	wait_ctr
	echo >&6
	exec 6>&-
	wait "$first_pid"
	[[ ! -e $a && ! -e $b ]]
}

@test "cgroup: removed after a normal exit, a failed command and an OOM kill" {
	code=$(rand_between 1 100)
	run ctr -m 64m -- "$PROBE" wait-cgroup , cgroup , exit "$code"
	assert_equal "$status" "$code"
	echo "$output" >"$TEST_TMP/cg"
	[[ ! -e $(cg_dir memory "$TEST_TMP/cg") ]]
	run -127 ctr -m 64m -- "nosuch$RANDOM"
	run ctr -m 48m -- "$PROBE" wait-cgroup , cgroup , alloc 200
	assert_equal "$status" 137
	echo "$output" >"$TEST_TMP/cg"
	[[ ! -e $(cg_dir memory "$TEST_TMP/cg") ]]
	assert_equal "$(list_container_cgroups)" "$(cat "$TEST_TMP/cgroups.before")"
}

@test "cgroup: removed when mydocker gets SIGTERM" {
	start_waiting -m 64m --pids-limit 50
	dir=$(cg_dir pids "$CG_OUT")
	[[ -d $dir ]]
	kill -TERM "$(mydocker_pid)"
	wait_ctr
	assert_equal "$CTR_STATUS" 137
	[[ ! -e $dir ]]
}

@test "cgroup: removed after Ctrl-C at an interactive shell" {
	code=$(rand_between 2 99)
	run in_terminal '# ' '\003' '# ' "cat /proc/self/cgroup; exit $code\n" -- -it -m 64m ${TEST_IMAGE:-} sh
	assert_equal "$status" "$code"
	assert_output --partial "/$MYDOCKER_CGROUP_PARENT/"
	assert_equal "$(list_container_cgroups)" "$(cat "$TEST_TMP/cgroups.before")"
}

@test "cgroup: a value the kernel refuses: clear error, exit 125, no cgroup left" {
	# The kernel's smallest CFS quota is 1 ms: 0.001 CPUs (100 us) is refused with EINVAL.
	run ctr --cpus 0.001 -- "$PROBE" echo never
	assert_equal "$status" 125
	assert_output --regexp "^mydocker run: cgroup: write \"100( 100000)?\" to .*: Invalid argument$"
	assert_equal "$(list_container_cgroups)" "$(cat "$TEST_TMP/cgroups.before")"
}

@test "cgroup: bad limit values are refused before anything is created" {
	for bad in "-m abc" "-m 0" "-m -1" "-m 12q" "--memory 64mb" "--cpus 0" "--cpus abc" "--cpus -1" \
		"--cpuset-cpus 99" "--cpuset-cpus 0-" "--cpuset-cpus a" "--pids-limit x" "--pids-limit 0" \
		"--cpu-shares x"; do
		# shellcheck disable=SC2086
		run ctr $bad -- "$PROBE" echo never
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 1
		assert_output --regexp "^mydocker run: invalid --"
	done
	assert_equal "$(list_container_cgroups)" "$(cat "$TEST_TMP/cgroups.before")"
}

@test "cgroup: --cpus above the machine's CPU count is refused before anything is created (Docker's rule); the count itself is taken" {
	ncpu=$(online_cpus)
	over=$((ncpu + $(rand_between 0 3))).$(printf '%02d' "$(rand_between 1 99)")
	plural=s
	((ncpu > 1)) || plural=""
	for bad in "$over" $((ncpu + 1)) "$ncpu.001"; do
		run ctr --cpus "$bad" -- "$PROBE" echo never
		assert_equal "$status" 125
		assert_output "mydocker run: invalid --cpus \"$bad\": more than the $ncpu CPU$plural of this machine (want at most $ncpu)"
	done
	assert_equal "$(list_container_cgroups)" "$(cat "$TEST_TMP/cgroups.before")"
	run ctr --cpus "$ncpu" -- "$PROBE" wait-cgroup , echo fits
	assert_success
	assert_output "fits"
}

@test "cgroup: a cgroup parent that is not one plain name is refused, one line, nothing created" {
	for bad in "a/b" ".." "-x" "x y" "$(printf 'p%.0s' {1..65})"; do
		MYDOCKER_CGROUP_PARENT=$bad run ctr -m 64m -- "$PROBE" echo never
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 1
		assert_output --partial "MYDOCKER_CGROUP_PARENT \"$bad\" is not one plain name"
	done
	# No hierarchy got a directory of those names (".." and "a/b" are not names of their own).
	run find /sys/fs/cgroup -maxdepth 2 \( -name "-x" -o -name "x y" -o -name "ppppp*" \)
	assert_output ""
	assert_equal "$(list_container_cgroups)" "$(cat "$TEST_TMP/cgroups.before")"
}

@test "cgroup: -m below Docker's 6 MiB minimum is refused before anything is created" {
	small=$(rand_between 1 6143)
	for bad in "${small}k" 6291455 4k; do
		run ctr -m "$bad" -- "$PROBE" echo never
		assert_equal "$status" 125
		assert_output "mydocker run: invalid --memory \"$bad\": Minimum memory limit allowed is 6MB"
	done
	assert_equal "$(list_container_cgroups)" "$(cat "$TEST_TMP/cgroups.before")"
	run ctr -m 6m -- "$PROBE" wait-cgroup , echo fits
	assert_success
	assert_output "fits"
}

@test "cgroup: run --help lists the limit flags" {
	run "$MYDOCKER" run --help
	assert_success
	for flag in "-m, --memory SIZE" --cpu-shares --cpus --cpuset-cpus --pids-limit; do
		assert_output --partial -- "$flag"
	done
}
