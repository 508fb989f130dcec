#!/usr/bin/env bats
# ch06-overlay: images unpacked once into a shared read-only lower layer, an overlayfs layer
# per container, pivot_root into it, /proc, /sys (read-only) and a small /dev inside.
# new-options: --root

load lib/helpers

# The image's unpacked lower directory (there is one copy per version of the tarball).
lower() { ls -d "$MYDOCKER_ROOT/images/${1:-$TEST_IMAGE}"/*/; }

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
	# Every container's layer directory is gone after it exits (from ch08 on it is kept, as
	# Docker keeps an exited container: tests/lib/helpers.bash, containers_left).
	run containers_left
	assert_output ""
}

@test "two containers running at once do not see each other's writes" {
	name="mine-$RANDOM"
	ctr_bg "$TEST_TMP/a" -i -- "$PROBE" write "/$name" a , echo written , wait-stdin
	wait_for "$TEST_TMP/a" written
	run ctr -- "$PROBE" exists "/$name" , mounts
	assert_line --index 0 "/$name no"
	# Both containers have a layer directory of their own while they run: the second one's
	# overlay names another upper directory than the first's, which is still there.
	b_upper=$(grep -o -m 1 'upperdir=[^,]*' <<<"$output")
	a_upper=$(grep -o -m 1 'upperdir=[^,]*' "/proc/$(container_host_pid)/mountinfo")
	[[ -n $a_upper && -n $b_upper && $a_upper != "$b_upper" ]]
	[[ ${a_upper#upperdir=} == "$MYDOCKER_ROOT"/containers/*/* && -d ${a_upper#upperdir=} ]]
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
	assert_line --regexp "^[0-9]+ [0-9]+ [0-9:]+ / / .* - overlay overlay .*lowerdir=$(lower | sed 's#/$##'),"
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
	# A /dev of the container's own (a tmpfs) with these and nothing of the host's.
	run ctr -- sh -c 'echo $(ls -A /dev); awk '\''$5 == "/dev" { for (i = 7; $i != "-"; i++); print $(i + 1) }'\'' /proc/self/mountinfo'
	assert_success
	assert_output "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero
tmpfs"
}

# guard: ch05 runs in the host's /dev; this catches ch06's own /dev without a working tty
@test "/dev/tty works with -t" {
	run in_terminal -- -t "$TEST_IMAGE" "$PROBE" tty
	assert_success
	assert_output --partial "tty ok"
}

@test "/sys is read-only" {
	run ctr -- "$PROBE" write /sys/kernel/mydocker-test x
	assert_equal "$status" 100
	assert_output --partial "Read-only file system"
}

# guard: the default command is new here; ch05 fails with the usage error "no command given"
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
	assert_output --regexp "^mydocker run: image \"$name\" not found \(looked in $MYDOCKER_ROOT/images and .*\)$"
	run containers_left
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
	run ls -A "$MYDOCKER_ROOT/images/$TEST_IMAGE"
	assert_equal "${#lines[@]}" 1
	# Same content as the tarball.
	diff <(tar -tf "$MYDOCKER_ROOT/images/$TEST_IMAGE.tar" | sed 's#/$##' | sort) \
		<(cd "$(lower)" && find . | sort)
	# Unpacked once: later runs reuse the same directory.
	ino=$(stat -c %i "$(lower)")
	run ctr -- "$PROBE" pid
	assert_equal "$(stat -c %i "$(lower)")" "$ino"
}

@test "owners, modes, setuid bits, device nodes, times and xattrs of the image are kept exactly" {
	uid=$(rand_between 1000 60000)
	gid=$(rand_between 1000 60000)
	mtime=$(rand_between 100000000 1600000000)
	minor=$(rand_between 1 200)
	value="v$RANDOM$RANDOM"
	make_tar perms "
info = tarfile.TarInfo('bin/suid'); info.mode = 0o4755; info.uid = $uid; info.gid = $gid; info.size = 1
info.mtime = $mtime; info.pax_headers = {'SCHILY.xattr.trusted.mydocker': '$value'}
T.addfile(info, io.BytesIO(b'x'))
info = tarfile.TarInfo('bin/plain'); info.mode = 0o640; info.uid = 0; info.gid = 0; info.size = 1
T.addfile(info, io.BytesIO(b'y'))
info = tarfile.TarInfo('bin/dev'); info.type = tarfile.CHRTYPE; info.mode = 0o620
info.devmajor = 1; info.devminor = $minor; info.uid = $uid
T.addfile(info)"
	run -127 timeout 20 "$MYDOCKER" run perms /bin/nothing
	dir=$(lower perms)
	run stat -c '%a %u %g %Y' "$dir/bin/suid" "$dir/bin/plain"
	assert_output "4755 $uid $gid $mtime
640 0 0 $(stat -c %Y "$dir/bin/plain")"
	run stat -c '%F %a %u %t %T' "$dir/bin/dev"
	assert_output "character special file 620 $uid 1 $(printf '%x' "$minor")"
	run python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "trusted.mydocker").decode())' "$dir/bin/suid"
	assert_output "$value"
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
	host_file="$TEST_TMP/host-file-$RANDOM"
	echo secret >"$host_file"
	make_tar hostlink "add('bin/hard', tarfile.LNKTYPE, link='$host_file')"
	make_tar toroot "add('r', tarfile.SYMTYPE, link='/')
add('r$target/through-root')"
	make_tar replace "add('d', tarfile.DIRTYPE)
add('d/f')
add('d', tarfile.SYMTYPE, link='$target')
add('d/through-replaced')"
	for image in abs dotdot escape updir hardlink hostlink toroot replace; do
		run -125 timeout 20 "$MYDOCKER" run "$image" /bin/probe pid
		assert_equal "${#lines[@]}" 1
		assert_output --regexp "^mydocker run: image \"$image\" .*: .+"
		# No half-unpacked image and no temporary directory are left.
		[[ ! -e $MYDOCKER_ROOT/images/$image ]]
		run find "$MYDOCKER_ROOT/images" -name '.unpack-*'
		assert_output ""
	done
	run ls -A "$target"
	assert_output ""
	assert_equal "$(stat -c %h "$host_file")" 1
}

@test "interactive busybox sh through a terminal: prompt, PID 1, exit status" {
	code=$(rand_between 2 99)
	run in_terminal '# ' 'echo pid=$$\n' 'pid=[0-9]' "exit $code\n" -- -it "$TEST_IMAGE" sh
	assert_equal "$status" "$code"
	assert_output --partial "/ # "
	assert_output --partial "pid=1"
}

@test "the busybox image built with the chapter works from a fresh state root" {
	image_dir=$(dirname "$MYDOCKER")/images
	# make chNN builds it (and make test builds every chapter).
	[[ -f $image_dir/busybox.tar ]] || fail "busybox image not built beside $MYDOCKER"
	run timeout 20 "$MYDOCKER" --root "$TEST_TMP/fresh" run busybox sh -c 'busybox | head -n 1; echo $$'
	assert_success
	assert_line --index 0 --partial "BusyBox v"
	assert_line --index 1 "1"
}

@test "a failed run leaves the mount table, layers and cgroups as they were" {
	run -127 timeout 20 "$MYDOCKER" run "$TEST_IMAGE" /nonexistent
	# A failure inside init after the overlay and /proc, /sys, /dev are mounted.
	run strace -f -qq -o /dev/null -e trace=pivot_root -e inject=pivot_root:error=EINVAL \
		timeout 20 "$MYDOCKER" run -m 64m "$TEST_IMAGE" "$PROBE" pid
	assert_equal "$status" 125
	assert_output --regexp "^mydocker run: pivot_root $MYDOCKER_ROOT/containers/[0-9a-f]+/merged: Invalid argument$"
	run containers_left
	assert_output ""
	settled same_mounts
	settled same_cgroups
}

# add_to_image NAME FILE CONTENT: a copy of the test image with one more file, as image NAME.
add_to_image() {
	local stage=$TEST_TMP/stage-$RANDOM
	mkdir -p "$stage/$(dirname "$2")"
	printf '%s' "$3" >"$stage/$2"
	cp "$TEST_IMAGE_TAR" "$MYDOCKER_ROOT/images/$1.tar.new"
	tar -rf "$MYDOCKER_ROOT/images/$1.tar.new" -C "$stage" "$2"
	mv "$MYDOCKER_ROOT/images/$1.tar.new" "$MYDOCKER_ROOT/images/$1.tar"
}

@test "a changed NAME.tar is unpacked again; a container on the old copy keeps it until it exits" {
	old="old-$RANDOM" new="new-$RANDOM"
	add_to_image img etc/version "$old"
	TEST_IMAGE=img ctr_bg "$TEST_TMP/a" -i -- "$PROBE" cat /etc/version , echo , wait-stdin , cat /etc/version
	wait_for "$TEST_TMP/a" "$old"
	first=$(lower img)
	add_to_image img etc/version "$new"
	touch -d '+1 min' "$MYDOCKER_ROOT/images/img.tar"
	run timeout 20 "$MYDOCKER" run img "$PROBE" cat /etc/version
	assert_success
	assert_output "$new"
	# Both copies exist while the first container runs, and it still sees its own.
	assert_equal "$(ls "$MYDOCKER_ROOT/images/img" | wc -l)" 2
	release_ctr
	wait_ctr
	assert_equal "$CTR_STATUS" 0
	assert_equal "$(cat "$TEST_TMP/a")" "$old
$old"
	# The next run of the image removes the copy nobody uses any more.
	run timeout 20 "$MYDOCKER" run img "$PROBE" cat /etc/version
	assert_output "$new"
	[[ ! -e $first ]]
	assert_equal "$(ls "$MYDOCKER_ROOT/images/img" | wc -l)" 1
}

@test "an unpack directory left by a killed unpack is removed by the next unpack; a live one is not" {
	stale=$MYDOCKER_ROOT/images/.unpack-gone-$RANDOM
	live=$MYDOCKER_ROOT/images/.unpack-busy-$RANDOM
	mkdir -p "$stale/bin" "$live/bin"
	touch "$stale/bin/half-written" "$live/bin/being-written"
	# flock(1) holds the live one as an unpack in progress does.
	# Without bats' fd 3, or bats would wait for the sleep to end after the test.
	flock "$live" sleep 60 3>&- &
	BG_PIDS+=($!)
	settled grep -q "$(stat -c %i "$live")" /proc/locks
	add_to_image other etc/other x
	run timeout 20 "$MYDOCKER" run other "$PROBE" exists /etc/other
	assert_output "/etc/other yes"
	[[ ! -e $stale ]]
	[[ -e $live/bin/being-written ]]
	# shellcheck disable=SC2046  # PIDs
	kill $(descendants "${BG_PIDS[-1]}") "${BG_PIDS[-1]}"
}

@test "SIGTERM during the first unpack: mydocker finishes it, starts nothing, leaves nothing" {
	# The tarball is a FIFO, so the unpack waits for the test to feed it.
	mkfifo "$MYDOCKER_ROOT/images/slow.tar"
	# Not under timeout(1): it would pass the signal on to tar as well.
	"$MYDOCKER" run -m 64m slow "$PROBE" echo never >"$TEST_TMP/out" 2>&1 &
	pid=$!
	BG_PIDS+=("$pid")
	settled compgen -G "$MYDOCKER_ROOT/images/.unpack-slow-*"
	kill -TERM "$pid"
	sleep 0.2
	# The FIFO is opened inside timeout: an open for writing with no reader would block.
	timeout 10 bash -c 'cat "$1" >"$2"' _ "$TEST_IMAGE_TAR" "$MYDOCKER_ROOT/images/slow.tar" || true
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 143
	assert_equal "$(cat "$TEST_TMP/out")" "mydocker run: Terminated before the container started"
	run compgen -G "$MYDOCKER_ROOT/images/.unpack-*"
	assert_failure
	run containers_left
	assert_output ""
	assert_equal "$(list_container_cgroups)" "$(cat "$TEST_TMP/cgroups.before")"
}

@test "the state root: --root \"\" is refused, an empty MYDOCKER_ROOT means unset, a relative one is made absolute" {
	run "$MYDOCKER" --root "" run "$TEST_IMAGE" true
	assert_equal "$status" 125
	assert_output --partial "mydocker: --root needs a directory"
	name="nosuch$RANDOM"
	# The default root is the machine's own: looked at in a scratch root, whose writes are
	# thrown away, so a user's /var/lib/mydocker is never touched.
	MYDOCKER_ROOT="" run "$REPO/tests/lib/sandbox" --scratch-root --keep "$MYDOCKER" timeout 20 "$MYDOCKER" run "$name" true
	assert_equal "$status" 125
	assert_output --regexp "^mydocker run: image \"$name\" not found \(looked in /var/lib/mydocker/images and "
	[[ ! -e /images && ! -e /containers ]]
	mkdir -p "$TEST_TMP/rel/images"
	cp "$TEST_IMAGE_TAR" "$TEST_TMP/rel/images/"
	run bash -c 'cd "$1" && MYDOCKER_ROOT=rel timeout 20 "$2" run testimg /bin/probe mounts' _ "$TEST_TMP" "$MYDOCKER"
	assert_success
	assert_line --regexp " / / .*,lowerdir=$TEST_TMP/rel/images/testimg/"
	run bash -c 'cd "$1" && timeout 20 "$2" --root ./rel run testimg /bin/probe exists /bin/probe' _ "$TEST_TMP" "$MYDOCKER"
	assert_output "/bin/probe yes"
}

@test "mydocker --help names --root and the state root it defaults to" {
	run "$MYDOCKER" --help
	assert_success
	assert_output --partial "--root DIR"
	assert_output --partial "/var/lib/mydocker"
}

@test "pivot_root leaves nothing of the host's tree mounted: one mount at /, the overlay" {
	# Without the detach the host's root would stay stacked on /, with all its submounts, and
	# a process of the container that finds the way up would reach the host's files.
	# The overlay of the image's layer: the gate runs the chapter before in a scratch root,
	# whose / is an overlay too, but not of an image.
	ctr -- "$PROBE" mounts >"$TEST_TMP/mounts"
	run awk '$5 == "/" { for (i = 7; $i != "-"; i++); print $(i + 1), $(i + 3) }' "$TEST_TMP/mounts"
	assert_output --regexp "^overlay [^ ]*lowerdir=$MYDOCKER_ROOT/images/testimg/"
}
