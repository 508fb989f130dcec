# leaks.bash: what a container run can leave behind on the host, and how to remove it.
# Sourced by the tests' teardown (tests/lib/helpers.bash), which checks after every test, and by
# the grader (tests/lib/grade), whose outer safety net catches what a killed test never reached.
# shellcheck shell=bash

# Cgroup directories that mydocker created (any hierarchy, v1 or v2).
list_container_cgroups() {
	{ find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path '*/mydocker/*' 2>/dev/null || true; } | sort
}

# The mount table as (mount point, fs type, source), without IDs that change between reads.
mount_table() {
	awk '{ for (i = 7; $i != "-"; i++); print $5, $(i + 1), $(i + 2) }' /proc/self/mountinfo | sort
}

# PIDs of processes living in a PID namespace other than ours (one find, no process per PID:
# that matters in the emulated test VM). Unreadable entries (NF != 2) are skipped.
foreign_pidns_processes() {
	local own
	own=$(readlink /proc/self/ns/pid)
	# find fails when a process ends while it looks; what it printed is still right.
	{ find /proc/[0-9]*/ns/pid -maxdepth 0 -printf '%h %l\n' 2>/dev/null || true; } |
		awk -v own="$own" 'NF == 2 && $2 != own { split($1, p, "/"); print p[3] }' | sort
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
remove_cgroups() {
	local d pid
	for d in $(printf '%s\n' "$@" | sort -r); do
		for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
		settled rmdir "$d" 2>/dev/null || true
	done
}
