# leaks.bash: what a container run can leave behind, and how to remove it: only what the
# caller owns. Sourced by the tests' teardown (tests/lib/helpers.bash), which checks after every
# test, and by the grader (tests/lib/grade), whose outer safety net catches what a killed test
# never reached. Ownership, not snapshots of the machine:
#  - processes and mounts: every test runs in a PID and mount namespace of its own
#    (tests/lib/sandbox), so what /proc and the mount table show is what the test made;
#  - cgroups: each test gives mydocker a cgroup parent of its own (MYDOCKER_CGROUP_PARENT), and
#    only what lies below that parent is listed or removed.
# shellcheck shell=bash

# cgroup_parents PARENT: the parent's directory in every hierarchy (v1: one per controller
# mydocker used; v2: one), those that exist.
cgroup_parents() {
	local d
	[[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || return 0
	for d in /sys/fs/cgroup/"$1" /sys/fs/cgroup/*/"$1"; do
		[[ -d $d ]] && echo "$d"
	done
	return 0
}

# Cgroup directories that mydocker created below PARENT (default: this test's parent), in any
# hierarchy, v1 or v2.
list_container_cgroups() {
	local p
	for p in $(cgroup_parents "${1:-${MYDOCKER_CGROUP_PARENT:-}}"); do
		find "$p" -mindepth 1 -type d 2>/dev/null || true
	done | sort
}

# The mount table as (mount point, fs type, source), without IDs that change between reads.
mount_table() {
	awk '{ for (i = 7; $i != "-"; i++); print $5, $(i + 1), $(i + 2) }' /proc/self/mountinfo | sort
}

# PIDs of processes living in a PID namespace other than ours (one find, no process per PID:
# that matters in the emulated test VM). Unreadable entries (NF != 2) are skipped. Inside the
# test's sandbox (tests/lib/sandbox) /proc shows only the test's own processes, so these are
# the containers the test started.
foreign_pidns_processes() {
	local own
	own=$(readlink /proc/self/ns/pid)
	# find fails when a process ends while it looks; what it printed is still right.
	{ find /proc/[0-9]*/ns/pid -maxdepth 0 -printf '%h %l\n' 2>/dev/null || true; } |
		awk -v own="$own" 'NF == 2 && $2 != own { split($1, p, "/"); print p[3] }' | sort
}

# descendants PID: every process below PID (the children of all its threads), each parent
# before its children.
descendants() {
	local c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}

# Retry a comparison for a short while: the kernel finishes some cleanups asynchronously.
settled() {
	local _
	for _ in $(seq 50); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# remove_cgroups DIR...: kill every process in each cgroup, then remove it (children first).
# Callers pass only directories below their own cgroup parent.
remove_cgroups() {
	local d pid
	for d in $(printf '%s\n' "$@" | sort -r); do
		# A frozen process (a commit killed half-way) cannot die on v1 until it is thawed.
		if [[ -e $d/freezer.state ]]; then echo THAWED >"$d/freezer.state" 2>/dev/null || true; fi
		if [[ -e $d/cgroup.freeze ]]; then echo 0 >"$d/cgroup.freeze" 2>/dev/null || true; fi
		for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
		settled rmdir "$d" 2>/dev/null || true
	done
}

# remove_cgroup_parent PARENT: what is left below PARENT, then PARENT itself, in every hierarchy.
remove_cgroup_parent() {
	# shellcheck disable=SC2046  # one cgroup directory per line, no spaces
	remove_cgroups $(list_container_cgroups "$1")
	# shellcheck disable=SC2046
	remove_cgroups $(cgroup_parents "$1")
}

# in_sandbox: is this process inside tests/lib/sandbox (PID 1 of our PID namespace is it)? A
# teardown outside one would see, and kill, every container of the machine.
in_sandbox() { tr '\0' ' ' </proc/1/cmdline 2>/dev/null | grep -q 'tests/lib/sandbox'; }
