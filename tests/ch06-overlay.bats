#!/usr/bin/env bats
# ch06-overlay: images unpacked once into a shared read-only lower layer, an overlayfs layer
# per container, pivot_root into it, /proc, /sys (read-only) and a small /dev inside.

load lib/helpers

# The image's unpacked lower directory in this test's state root.
lower() { echo "$MYDOCKER_ROOT/images/$TEST_IMAGE"; }

# make_tar NAME PYTHON-STATEMENTS: an image tarball built with Python's tarfile module, so
# hostile entries can be written exactly. T is the open archive, add(name, type, ...) adds one.
make_tar() {
	python3 - "$MYDOCKER_ROOT/images/$1.tar" <<EOF_PY
import io, sys, tarfile
T = tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT)
def add(name, kind=tarfile.REGTYPE, data=b"x", link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    T.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
add("bin", tarfile.DIRTYPE)
$2
T.close()
EOF_PY
}

@test "the container sees the image, not the host" {
	marker="$TEST_TMP/host-marker-$RANDOM"
	touch "$marker"
	run ctr -- "$PROBE" exists "$marker" , exists /bin/busybox , exists /bin/probe
	assert_success
	assert_output "$marker no
/bin/busybox yes
/bin/probe yes"
}

@test "writes stay in the container's layer: not in the image, not on the host, not in the next container" {
	name="written-$RANDOM"
	run ctr -- "$PROBE" write "/$name" data , exists "/$name"
	assert_success
	assert_output "/$name yes"
	[[ ! -e $(lower)/$name && ! -e /$name ]]
	run ctr -- "$PROBE" exists "/$name"
	assert_output "/$name no"
	# Every container's layer directory is gone after it exits.
	run find "$MYDOCKER_ROOT/containers" -mindepth 1
	assert_output ""
}

@test "two containers running at once do not see each other's writes" {
	name="mine-$RANDOM"
	ctr_bg "$TEST_TMP/a" -i -- "$PROBE" write "/$name" a , echo written , wait-stdin
	wait_for "$TEST_TMP/a" written
	run ctr -- "$PROBE" exists "/$name"
	assert_output "/$name no"
	# Both containers have a layer directory of their own while they run.
	release_ctr
	wait_ctr
	assert_equal "$CTR_STATUS" 0
}

@test "pivot_root: /proc/1/root is the container's root and the host's files are unreachable" {
	run ctr -- "$PROBE" exists /proc/1/root/bin/probe , exists "/proc/1/root$REPO/GNUmakefile"
	assert_success
	assert_output "/proc/1/root/bin/probe yes
/proc/1/root$REPO/GNUmakefile no"
	# The root mount is the overlay, and no host mount is left in the container's table.
	run ctr -- "$PROBE" mounts
	assert_success
	assert_line --regexp "^[0-9]+ [0-9]+ [0-9:]+ / / .* - overlay overlay .*lowerdir=$(lower),"
	refute_output --partial "$REPO"
}

@test "hostname is the container ID" {
	run ctr -- "$PROBE" hostname
	assert_success
	assert_output --regexp '^[0-9a-f]{12}$'
}

@test "/dev has working null, zero, full, urandom; /dev/shm and /dev/pts exist" {
	run ctr -- sh -c 'echo gone >/dev/null && head -c 3 /dev/zero | od -An -tx1 &&
		head -c 16 /dev/urandom | wc -c && ! echo x 2>/dev/null >/dev/full && test -d /dev/shm -a -c /dev/pts/ptmx && echo ok'
	assert_success
	assert_output " 00 00 00
16
ok"
}

@test "/dev/tty works with -t" {
	run in_terminal '' '' -t "$TEST_IMAGE" "$PROBE" tty
	assert_success
	assert_output --partial "tty ok"
}

@test "/sys is read-only" {
	run ctr -- "$PROBE" write /sys/kernel/mydocker-test x
	assert_equal "$status" 100
	assert_output --partial "Read-only file system"
}

@test "the default command is sh" {
	code=$(rand_between 1 99)
	run bash -c "echo 'echo from-\$0; exit $code' | timeout 20 $MYDOCKER run -i $TEST_IMAGE"
	assert_equal "$status" "$code"
	assert_output "from-sh"
}

@test "an unknown image: one clear line, 125, nothing created" {
	run ctr -- "$PROBE" pid >/dev/null
	assert_success
	name="nosuch$RANDOM"
	run timeout 20 "$MYDOCKER" run "$name" true
	assert_equal "$status" 125
	assert_output --regexp "^mydocker: run: image \"$name\" not found \(looked in $MYDOCKER_ROOT/images and .*\)$"
	run find "$MYDOCKER_ROOT/containers" -mindepth 1
	assert_output ""
	[[ ! -e $MYDOCKER_ROOT/images/$name ]]
}

@test "the image is unpacked once and shared; concurrent first runs end with one correct copy" {
	pids=()
	for i in 1 2 3 4; do
		timeout 60 "$MYDOCKER" run "$TEST_IMAGE" "$PROBE" exists /bin/probe >"$TEST_TMP/out$i" 2>&1 3>&- &
		pids+=($!)
	done
	for i in 1 2 3 4; do
		wait "${pids[$((i - 1))]}"
		assert_equal "$(cat "$TEST_TMP/out$i")" "/bin/probe yes"
	done
	run ls -A "$MYDOCKER_ROOT/images"
	assert_output "$TEST_IMAGE
$TEST_IMAGE.tar"
	# Same content as the tarball.
	diff <(tar -tf "$MYDOCKER_ROOT/images/$TEST_IMAGE.tar" | sed 's#/$##' | sort) \
		<(cd "$(lower)" && find . | sort)
	# Unpacked once: later runs reuse the same directory.
	ino=$(stat -c %i "$(lower)")
	run ctr -- "$PROBE" pid
	assert_equal "$(stat -c %i "$(lower)")" "$ino"
}

@test "ownership, modes and setuid bits of the image are preserved" {
	make_tar perms '
info = tarfile.TarInfo("bin/suid"); info.mode = 0o4755; info.uid = 1234; info.gid = 4321; info.size = 1
T.addfile(info, io.BytesIO(b"x"))
info = tarfile.TarInfo("bin/plain"); info.mode = 0o640; info.uid = 0; info.gid = 0; info.size = 1
T.addfile(info, io.BytesIO(b"y"))'
	cp "$MYDOCKER_ROOT/images/perms.tar" "$TEST_TMP/"
	run -127 timeout 20 "$MYDOCKER" run perms /bin/nothing
	run stat -c '%a %u %g' "$MYDOCKER_ROOT/images/perms/bin/suid" "$MYDOCKER_ROOT/images/perms/bin/plain"
	assert_output "4755 1234 4321
640 0 0"
}

@test "hostile image tarballs are refused without writing outside" {
	target="$TEST_TMP/outside-$RANDOM"
	mkdir "$target"
	make_tar abs "add('$target/abs-file')"
	make_tar dotdot "add('bin/../../../..$target/dotdot-file')"
	make_tar escape "add('bin/link', tarfile.SYMTYPE, link='$target')
add('bin/link/escaped-file')"
	make_tar updir "add('up', tarfile.SYMTYPE, link='../../../../../../..')
add('up$target/up-file')"
	make_tar hardlink "add('bin/hard', tarfile.LNKTYPE, link='../../../../../../../etc/passwd')"
	for image in abs dotdot escape updir hardlink; do
		run -125 timeout 20 "$MYDOCKER" run "$image" /bin/probe pid
		assert_equal "${#lines[@]}" 1
		assert_output --regexp "^mydocker: run: image \"$image\" .*: .+"
		# No half-unpacked image and no temporary directory are left.
		[[ ! -e $MYDOCKER_ROOT/images/$image ]]
		run find "$MYDOCKER_ROOT/images" -name '.unpack-*'
		assert_output ""
	done
	run ls -A "$target"
	assert_output ""
}

@test "interactive busybox sh through a terminal: prompt, PID 1, exit status" {
	code=$(rand_between 2 99)
	run in_terminal 'echo pid=$$\n' "exit $code\n" -it "$TEST_IMAGE" sh
	assert_equal "$status" "$code"
	assert_output --partial "/ # "
	assert_output --partial "pid=1"
}

@test "the busybox image built with the chapter works from a fresh state root" {
	image_dir=$(dirname "$MYDOCKER")/images
	[[ -f $image_dir/busybox.tar ]] || skip "busybox image not built beside $MYDOCKER"
	run timeout 20 "$MYDOCKER" --root "$TEST_TMP/fresh" run busybox sh -c 'busybox | head -n 1; echo $$'
	assert_success
	assert_line --index 0 --partial "BusyBox v"
	assert_line --index 1 "1"
}

@test "a failed run leaves the mount table, layers and cgroups as they were" {
	run -127 timeout 20 "$MYDOCKER" run "$TEST_IMAGE" /nonexistent
	run ctr -h "$(printf 'h%.0s' $(seq 80))" -- "$PROBE" pid
	assert_equal "$status" 125
	run find "$MYDOCKER_ROOT/containers" -mindepth 1
	assert_output ""
	settled same_mounts
	settled same_cgroups
}
