#!/usr/bin/env bats
# ch12-security, mounts: what /proc and /sys show a container, and what the image may not do to
# mydocker's mounts. Docker's masked paths (/proc/kcore, /proc/keys... an empty file or an empty
# read-only directory) and read-only paths (/proc/sys, /proc/sysrq-trigger...), none of them with
# --privileged, which also gets /sys writable and the host's devices; an image whose /proc, /sys
# or /dev is a symlink is refused, and so is a /dev/null that is not the null device when paths
# are masked with it; --read-only makes the root read-only, --tmpfs PATH[:OPTS] mounts a tmpfs.
# new-options: --privileged --read-only --tmpfs
# shellcheck disable=SC2016 # the container's shell expands what is in single quotes

load lib/helpers

# Docker's lists (a path this kernel does not have is skipped, by mydocker and by the tests).
MASKED=(/proc/acpi /proc/asound /proc/interrupts /proc/kcore /proc/keys /proc/latency_stats
	/proc/sched_debug /proc/scsi /proc/timer_list /proc/timer_stats
	/sys/devices/virtual/powercap /sys/firmware)
READONLY=(/proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger)

# The masked files and directories this kernel has, in MASKED_FILES and MASKED_DIRS (the
# sandbox's /proc and /sys are this kernel's, as the container's are).
masked_here() {
	local p
	MASKED_FILES=() MASKED_DIRS=()
	for p in "${MASKED[@]}"; do
		if [[ -d $p ]]; then MASKED_DIRS+=("$p"); elif [[ -e $p ]]; then MASKED_FILES+=("$p"); fi
	done
	((${#MASKED_FILES[@]} > 0)) || fail "this kernel has none of the masked files: ${MASKED[*]}"
}

# A random word: contents and names the code has to carry.
word() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }

# image_from NAME SCRIPT: the test image unpacked into the test's directory, changed there by
# the shell SCRIPT (run in its root), packed again with GNU tar as image NAME.
image_from() {
	local stage=$TEST_TMP/stage-$1
	mkdir "$stage"
	tar -C "$stage" -xf "$TEST_IMAGE_TAR"
	(cd "$stage" && eval "$2")
	tar --numeric-owner --owner=0 --group=0 --sort=name -C "$stage" -cf "$TEST_TMP/$1.tar" .
	cp "$TEST_TMP/$1.tar" "$MYDOCKER_ROOT/images/$1.tar"
	rm -rf "$stage"
}

# The image's unpacked lower directory in this test's state root.
lower() { ls -d "$MYDOCKER_ROOT/images/$1"/*/; }

# How many bytes of each FILE the container reads, at most 64 (/proc/kcore, unmasked, is as big
# as the address space): one line "FILE N" each.
READ_SIZES='for f; do printf "%s %s\n" "$f" "$(head -c 64 "$f" | wc -c)"; done'

@test "masked paths: each one this kernel has reads as nothing, as Docker's: a file is the null device, a directory an empty read-only tmpfs" {
	masked_here
	run ctr -- sh -c "$READ_SIZES" sh "${MASKED_FILES[@]}"
	assert_success
	for f in "${MASKED_FILES[@]}"; do assert_line "$f 0"; done
	# Mounted as Docker masks them: over each file, over each directory a read-only tmpfs.
	run ctr -- cat /proc/mounts
	assert_success
	for f in "${MASKED_FILES[@]}"; do assert_line --regexp "^[^ ]+ $f [^ ]+ ro,"; done
	for d in "${MASKED_DIRS[@]}"; do assert_line --regexp "^tmpfs $d tmpfs ro,"; done
	# What is written to a masked file goes to the null device: it keeps nothing. The node
	# itself cannot be changed through it (chmod), so the container's /dev/null stays usable.
	w=$(word)
	run ctr -- sh -c 'for f; do echo "$0" >"$f" && printf "%s %s\n" "$f" "$(wc -c <"$f")"; chmod 0 "$f"; done; stat -c "null %a %t:%T" /dev/null' "$w" "${MASKED_FILES[@]}"
	for f in "${MASKED_FILES[@]}"; do
		assert_line "$f 0"
		assert_line "chmod: $f: Read-only file system"
	done
	assert_line "null 666 1:3"
	# A masked directory is empty and nothing can be made in it.
	for d in "${MASKED_DIRS[@]}"; do
		run ctr -- sh -c 'ls -A "$1"; mkdir "$1/$2"' sh "$d" "$w"
		assert_failure
		assert_output "mkdir: can't create directory '$d/$w': Read-only file system"
	done
	# The paths this kernel lacks are not made: there is nothing to hide.
	for p in "${MASKED[@]}"; do
		[[ -e $p ]] && continue
		run ctr -- "$PROBE" exists "$p"
		assert_output "$p no"
	done
}

@test "read-only paths: /proc/sys and the others this kernel has are read-only; a sysctl cannot be written, SysRq takes no key" {
	run ctr -- cat /proc/mounts
	assert_success
	for p in "${READONLY[@]}"; do
		[[ ! -e $p ]] || assert_line --regexp "^proc $p proc ro,"
	done
	# The hostname sysctl belongs to the container's UTS namespace, but the whole of
	# /proc/sys is read-only, as in Docker: sethostname(2) is the way to change it.
	name=h$(rand_between 100000 999999)
	run ctr -- sh -c '"$0" write /proc/sys/kernel/hostname "$1"; hostname' "$PROBE" "$name"
	assert_success
	assert_line "probe: /proc/sys/kernel/hostname: Read-only file system"
	refute_line "$name"
	# Never any key but "h" (help, into the kernel's log): the chapter before has no
	# protection, and any other key would act on the host.
	if [[ -e /proc/sysrq-trigger ]]; then
		run ctr -- "$PROBE" write /proc/sysrq-trigger h
		assert_equal "$status" 100
		assert_output "probe: /proc/sysrq-trigger: Read-only file system"
	fi
}

@test "--privileged: nothing masked or read-only, /sys writable, the hostname sysctl writable, the host's devices in /dev" {
	masked_here
	name=p$(rand_between 100000 999999)
	blk=$(find /dev -maxdepth 1 -type b | sort | head -n 1)
	[[ -n $blk ]] || fail "no block device in the host's /dev"
	run ctr --privileged -- sh -c 'cat /proc/mounts; echo "$1" >/proc/sys/kernel/hostname && echo "sysctl $(cat /proc/sys/kernel/hostname) $(hostname)"; stat -c "dev %F %t:%T %a %u:%g" "$2"; ls /dev; shift 2; '"$READ_SIZES" sh "$name" "$blk" "${MASKED_FILES[@]}"
	assert_success
	for p in "${MASKED[@]}" "${READONLY[@]}"; do refute_line --regexp "^[^ ]+ $p "; done
	assert_line --regexp "^sysfs /sys sysfs rw,"
	assert_line "sysctl $name $name"
	# The first masked file this kernel has is read for what it is.
	refute_line "${MASKED_FILES[0]} 0"
	# Each character and block device directly in the host's /dev, the same node; not the
	# host's console.
	assert_line "dev $(stat -c '%F %t:%T %a %u:%g' "$blk")"
	mapfile -t devices < <(find /dev -maxdepth 1 \( -type b -o -type c \) ! -name console -printf '%f\n')
	for d in "${devices[@]}"; do assert_line "$d"; done
	refute_line console
}

@test "an image whose /proc, /sys or /dev is a symlink (to /tmp, to /) is refused: one line, 125, nothing left" {
	image_from proc-tmp 'rmdir proc && ln -s /tmp proc'
	image_from proc-root 'rmdir proc && ln -s / proc'
	image_from sys-tmp 'rmdir sys && ln -s /tmp sys'
	image_from dev-tmp 'rm -rf dev && ln -s ../tmp dev'
	for img in proc-tmp:proc proc-root:proc sys-tmp:sys dev-tmp:dev; do
		TEST_IMAGE=${img%:*} run ctr -- "$PROBE" echo ran
		assert_equal "$status" 125
		assert_output "mydocker run: /${img#*:} in the image is a symlink: refusing to mount over it: Too many levels of symbolic links"
		run containers_left
		assert_output ""
		settled same_mounts
	done
}

@test "an image whose /dev/null is a symlink to one of its files: the file is untouched, paths are masked with the real null device" {
	masked_here
	secret=$(word)
	image_from nullimg "echo $secret >etc/secret && rm -f dev/null && ln -s /etc/secret dev/null"
	f=${MASKED_FILES[0]}
	TEST_IMAGE=nullimg run ctr -- sh -c 'echo junk >/dev/null; cat /etc/secret; stat -c "null %F %t:%T" /dev/null; '"$READ_SIZES" sh "$f"
	assert_success
	assert_line "$secret"
	assert_line "null character special file 1:3"
	assert_line "$f 0"
	assert_equal "$(cat "$(lower nullimg)/etc/secret")" "$secret"
}

@test "a /dev/null that is not the null device when paths are masked (a volume's symlink, a file) is refused: one line, 125" {
	masked_here
	secret=$(word)
	echo "$secret" >"$TEST_TMP/secret"
	mkdir "$TEST_TMP/devdir"
	ln -s "$TEST_TMP/secret" "$TEST_TMP/devdir/null"
	run ctr -v "$TEST_TMP/devdir:/dev" -- "$PROBE" echo ran
	assert_equal "$status" 125
	assert_output "mydocker run: /dev/null in the container is a symlink: refusing to mask with it: Too many levels of symbolic links"
	run ctr -v "$TEST_TMP/secret:/dev/null" -- "$PROBE" echo ran
	assert_equal "$status" 125
	assert_output "mydocker run: /dev/null in the container is not the null device: No such device"
	assert_equal "$(cat "$TEST_TMP/secret")" "$secret"
	run containers_left
	assert_output ""
}

@test "--read-only: / refuses writes; /dev/shm, a --tmpfs, a volume are writable; /proc and /dev as usual" {
	tpath=/t$(rand_between 1000 9999)/in vpath=/v$(rand_between 1000 9999) w=$(word)
	mkdir "$TEST_TMP/vol"
	run ctr --read-only --tmpfs "$tpath" -v "$TEST_TMP/vol:$vpath" -- sh -c '
		touch /new; mkdir /tmp/new
		for d in /dev/shm "$2" "$3"; do echo "$1" >"$d/f" && echo "$d $(cat "$d/f")"; done
		cat /proc/mounts' sh "$w" "$tpath" "$vpath"
	assert_success
	assert_line "touch: /new: Read-only file system"
	assert_line "mkdir: can't create directory '/tmp/new': Read-only file system"
	assert_line "/dev/shm $w"
	assert_line "$tpath $w"
	assert_line "$vpath $w"
	assert_line --regexp "^overlay / overlay ro,"
	assert_line --regexp "^proc /proc proc rw,"
	assert_line --regexp "^tmpfs /dev tmpfs rw,"
	assert_equal "$(cat "$TEST_TMP/vol/f")" "$w"
}

@test "--tmpfs PATH:OPTS: size= and mode= reach the mount; nosuid,nodev,noexec unless exec; missing directories made, inside the root" {
	kib=$(($(rand_between 1 4096) * 4)) mode=$(printf '7%d%d' "$(rand_between 0 7)" "$(rand_between 0 7)")
	a=/a$(rand_between 1000 9999)/deep b=/b$(rand_between 1000 9999) x=x$(rand_between 1000 9999)
	# /up in the image leads out of its root if followed from the host's /: it must not.
	image_from linked 'ln -s ../../../../tmp up'
	TEST_IMAGE=linked run ctr --tmpfs "$a:size=${kib}k,mode=$mode" --tmpfs "$b:exec" --tmpfs "/up/$x" -- sh -c '
		cat /proc/mounts
		for d in "$1" "$2"; do cp /bin/probe "$d/p" && "$d/p" echo "ran in $d"; done' sh "$a" "$b"
	assert_success
	# Other options the kernel may add (inode64...) come after these.
	assert_line --regexp "^tmpfs $a tmpfs rw,nosuid,nodev,noexec,relatime,size=${kib}k,mode=${mode}[ ,]"
	assert_line --regexp "^tmpfs $b tmpfs rw,nosuid,nodev,relatime[ ,]"
	assert_line --regexp "^tmpfs /tmp/$x tmpfs rw,nosuid,nodev,noexec,relatime[ ,]"
	assert_line --partial "$a/p: Permission denied"
	assert_line "ran in $b"
	refute_line "ran in $a"
	[[ ! -e /tmp/$x ]]
}

# Needs run.c to call tmpfs_check() when it reads --tmpfs (rootfs.h): the spec is refused
# before anything is made, in one line without an errno text.
@test "bad --tmpfs specs are refused: one line, 125, nothing made; options tmpfs does not take too" {
	specs=("" rel/x / /proc /proc/sys/x:size=1m /tmp/../proc "/x/./y" ":size=1m")
	want=("the path is not absolute" "the path is not absolute" "the path cannot be /"
		"/proc is in /proc, where only the container's own procfs is mounted"
		"/proc/sys/x is in /proc, where only the container's own procfs is mounted"
		'"." and ".." are not allowed in the path' '"." and ".." are not allowed in the path'
		"the path is not absolute")
	for i in "${!specs[@]}"; do
		run ctr --tmpfs "${specs[$i]}" -- "$PROBE" echo ran
		assert_equal "$status" 125
		assert_output "mydocker run: invalid --tmpfs \"${specs[$i]}\": ${want[$i]}"
	done
	# Not even the image was unpacked: the specs were checked first.
	[[ ! -e $MYDOCKER_ROOT/images/$TEST_IMAGE ]]
	# What tmpfs does not take, the kernel refuses when init mounts it.
	for opts in "size=x$(word)" "nosuch$(rand_between 1 99)" mode=9; do
		run ctr --tmpfs "/x:$opts" -- "$PROBE" echo ran
		assert_equal "$status" 125
		assert_output "mydocker run: --tmpfs /x: mount a tmpfs with the options \"$opts\": Invalid argument"
	done
	run containers_left
	assert_output ""
}

# needs caps: passes once the capabilities are dropped (caps.c); with every capability, root in
# the container could unmount what covers the paths.
# bats test_tags=needs-caps
@test "a masked or read-only path cannot be uncovered: umount and remount are refused" {
	masked_here
	f=${MASKED_FILES[0]}
	run ctr -- sh -c 'umount "$1"; umount /proc/sys; mount -o remount,rw /proc/sys; '"$READ_SIZES"'; touch /proc/sys/kernel/hostname' sh "$f"
	assert_line "umount: can't unmount $f: Operation not permitted"
	assert_line "umount: can't unmount /proc/sys: Operation not permitted"
	assert_line "mount: permission denied (are you root?)"
	assert_line "$f 0"
	assert_line "touch: /proc/sys/kernel/hostname: Read-only file system"
}
