#!/usr/bin/env bats
# ch13-oci, with Podman as the engine: `podman --runtime ch13/mydocker` runs its containers
# through conmon and mydocker's runc command line (create, start, kill, delete, exec), as it does
# with runc. Everything Podman keeps is in the test's own directories (--root, --tmpdir, file
# locks, a file of events, and --runroot in a short one of its own), its cgroups are under the
# test's cgroup parent, and every container runs with --network none.
# new-options: create start delete
# shellcheck disable=SC2016 # the container's shell expands what is in single quotes

load lib/helpers

chapter_setup() {
	command -v podman >/dev/null || skip "podman is not installed (sudo make deps)"
	mkdir -p "$TEST_TMP/podman/tmp"
	# Podman refuses a --runroot longer than 50 characters (a lab's TEST_TMP is deeper).
	PODMAN_RUN=$(mktemp -d /tmp/podrun.XXXXXX)
	printf '[engine]\nlock_type = "file"\n' >"$TEST_TMP/podman/containers.conf"
	export CONTAINERS_CONF=$TEST_TMP/podman/containers.conf TMPDIR=$TEST_TMP/podman/tmp
	POD=(podman --root "$TEST_TMP/podman/root" --runroot "$PODMAN_RUN"
		--tmpdir "$TEST_TMP/podman/tmp" --storage-driver overlay --cgroup-manager cgroupfs
		--events-backend file --runtime "$MYDOCKER")
	RUN=(run --pull never --network none --cgroup-parent "/$MYDOCKER_CGROUP_PARENT"
		--log-driver k8s-file --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
	# Podman runs the runtime without an environment or --root (its clean-up process cannot
	# be given one): so mydocker's runc commands use /run/mydocker, which in this test's
	# sandbox (a /run of its own) is this test's state root.
	mkdir -p /run/mydocker
	mount --bind "$MYDOCKER_ROOT" /run/mydocker
	# The import writes a cache into /var/lib/containers, which no flag moves: it runs where
	# /var/lib is an empty tmpfs of its own.
	unshare --mount --propagation private -- sh -c 'mount -t tmpfs podman-varlib /var/lib && exec "$@"' \
		sh "${POD[@]}" import -q "$TEST_IMAGE_TAR" localhost/bb >/dev/null
}

chapter_teardown() {
	[[ -z ${TMUX_SOCK:-} ]] || tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	[[ -z ${POD[*]:-} ]] || timeout 60 "${POD[@]}" rm -a -f -t 0 >/dev/null 2>&1 || true
	# conmon starts `podman container cleanup` when a container ends: wait for those.
	for _ in $(seq 100); do pgrep -f -- "$TEST_TMP/podman" >/dev/null || break; sleep 0.1; done
	umount /run/mydocker 2>/dev/null || true
	if [[ -n ${PODMAN_RUN:-} ]]; then
		local m
		for m in $(awk -v t="$PODMAN_RUN/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
			umount -l "$m" 2>/dev/null || true
		done
		rm -rf "$PODMAN_RUN"
	fi
	# conmon puts itself in a cgroup "conmon" under the parent it was given: the test's own.
	local d
	for d in /sys/fs/cgroup/*/"$MYDOCKER_CGROUP_PARENT"/conmon /sys/fs/cgroup/"$MYDOCKER_CGROUP_PARENT"/conmon; do
		if [[ -d $d ]]; then rmdir "$d" 2>/dev/null || true; fi
	done
}

pod() { timeout -k 5 60 "${POD[@]}" "$@"; }
# logs_are ID TEXT: podman logs of ID are TEXT (for settled, which retries for 5 s).
logs_are() { [[ $(pod logs "$1") == "$2" ]]; }

@test "podman run --rm: the program runs through mydocker; its output and exit code come back" {
	word=w$RANDOM code=$(rand_between 1 120)
	run pod "${RUN[@]}" --rm localhost/bb sh -c "echo $word; exit $code"
	assert_equal "$status" "$code"
	assert_output "$word"
	run pod "${RUN[@]}" --rm localhost/bb true
	assert_success
	[[ -z $(ls "$MYDOCKER_ROOT/containers") ]]
}

@test "podman run -d, ps, logs, exec, stop, rm" {
	word=w$RANDOM
	run pod "${RUN[@]}" -d localhost/bb sh -c "echo $word; exec sleep 1000"
	assert_success
	id=$output
	# mydocker knows it, by Podman's ID.
	run "$MYDOCKER" state "$id"
	assert_output --partial '"status": "running"'
	run pod ps --format '{{.ID}} {{.Status}}'
	assert_output --regexp "^${id:0:12} Up"
	settled logs_are "$id" "$word"
	run pod exec "$id" sh -c 'echo in-$((6 * 7))'
	assert_output "in-42"
	run pod stop -t 1 "$id"
	assert_success
	run pod rm "$id"
	assert_success
	run "$MYDOCKER" state "$id"
	assert_failure
}

@test "podman run -it: conmon gets mydocker's pty through the console socket; the shell answers in the user's terminal" {
	term_start
	term_type "CONTAINERS_CONF=$CONTAINERS_CONF TMPDIR=$TMPDIR ${POD[*]} ${RUN[*]} -it --rm localhost/bb sh"
	term_wait '^/ # '
	term_type 'echo in-$((6 * 7)); tty'
	term_wait '^in-42'
	term_wait '^/dev/pts/0'
	term_type 'exit 0'
	term_wait 'user\$ $'
	[[ -z $(ls "$MYDOCKER_ROOT/containers") ]]
}
