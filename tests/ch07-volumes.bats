#!/usr/bin/env bats
# new-options: -v --volume
# ch07-volumes: `-v HOST:CTR[:ro|rw]`: host directories, single files and named volumes
# bind-mounted into the container, resolved inside its root, mounted only in its namespace.

load lib/helpers

# The image's unpacked lower directory in this test's state root.
lower() { ls -d "$MYDOCKER_ROOT/images/${1:-$TEST_IMAGE}"/*/; }

# A random word: names and contents the code has to carry.
word() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }

# image_with_links NAME LINK TARGET [LINK TARGET...]: the test image (busybox and the probe)
# plus symlinks at /LINK, appended to a copy of its tarball with GNU tar.
image_with_links() {
	local name=$1 stage=$TEST_TMP/stage-$1 links=()
	shift
	mkdir "$stage"
	while (($#)); do
		ln -s "$2" "$stage/$1"
		links+=("./$1")
		shift 2
	done
	cp "$TEST_IMAGE_TAR" "$MYDOCKER_ROOT/images/$name.tar"
	tar --numeric-owner --owner=0 --group=0 -C "$stage" -rf "$MYDOCKER_ROOT/images/$name.tar" "${links[@]}"
}

# No container layer is left in the state root.
no_layers() { [[ -z $(containers_left) ]]; }

# The tmpfs that the :ro test mounts on the host, if a failed test left it.
chapter_teardown() {
	if mountpoint -q "$TEST_TMP/ro/sub" 2>/dev/null; then umount "$TEST_TMP/ro/sub"; fi
}

@test "host to container and back: random names and contents; a missing host directory is created; the data outlives the container" {
	in=$(word) in_data=$(word) out=$(word) out_data=$(word)
	mkdir "$TEST_TMP/host"
	printf %s "$in_data" >"$TEST_TMP/host/$in"
	new=$TEST_TMP/not/yet/$(word)
	run ctr -v "$TEST_TMP/host:/data/$in" -v "$new:/new" -- \
		"$PROBE" cat "/data/$in/$in" , echo , write "/data/$in/$out" "$out_data" , write "/new/$out" "$out_data" , ls /new
	assert_success
	assert_output "$in_data
$out"
	# Written through to the host, and still there now that the container is gone.
	assert_equal "$(cat "$TEST_TMP/host/$out")" "$out_data"
	assert_equal "$(cat "$TEST_TMP/host/$in")" "$in_data"
	[[ -d $new ]]
	assert_equal "$(cat "$new/$out")" "$out_data"
	# The mount point was made in the container's layer, not in the image, and the layer is gone.
	[[ ! -e $(lower)/data ]]
	no_layers
	# A second container sees what the first wrote.
	run ctr -v "$TEST_TMP/host:/again" -- "$PROBE" cat "/again/$out"
	assert_success
	assert_output "$out_data"
}

@test "several -v at once, nested ones in any order: each path shows its own host directory" {
	for d in a b c; do
		mkdir "$TEST_TMP/$d"
		word >"$TEST_TMP/$d/id"
	done
	# The inner volume is given first; the outer one must still be mounted first.
	run ctr -v "$TEST_TMP/b:/outer/inner" -v "$TEST_TMP/a:/outer" -v "$TEST_TMP/c:/other" -- \
		"$PROBE" cat /outer/id , cat /outer/inner/id , cat /other/id
	assert_success
	assert_output "$(cat "$TEST_TMP/a/id" "$TEST_TMP/b/id" "$TEST_TMP/c/id")"
	# --volume and --volume=SPEC are the same option.
	run ctr --volume "$TEST_TMP/a:/x" --volume="$TEST_TMP/b:/y" -- "$PROBE" cat /x/id , cat /y/id
	assert_success
	assert_output "$(cat "$TEST_TMP/a/id" "$TEST_TMP/b/id")"
}

@test "a single file as a volume: read and written through, over an image file or at a new path" {
	data=$(word) name=$(word).conf
	printf %s "$data" >"$TEST_TMP/file"
	run ctr -v "$TEST_TMP/file:/etc/hosts" -v "$TEST_TMP/file:/etc/$name:ro" -- \
		"$PROBE" cat /etc/hosts , echo , cat "/etc/$name" , echo , write /etc/hosts "new-$data"
	assert_success
	assert_output "$data
$data"
	assert_equal "$(cat "$TEST_TMP/file")" "new-$data"
	# The image's own /etc/hosts is untouched, and the new mount point was not made in it.
	assert_equal "$(cat "$(lower)/etc/hosts")" "$(tar -xOf "$TEST_IMAGE_TAR" ./etc/hosts)"
	[[ ! -e $(lower)/etc/$name ]]
}

@test ":ro refuses writes, also in a submount of the host path; :rw and the host stay writable" {
	mkdir -p "$TEST_TMP/ro/sub" "$TEST_TMP/rw"
	echo kept >"$TEST_TMP/ro/file"
	mount -t tmpfs -o size=1m mydocker-test "$TEST_TMP/ro/sub"
	echo in-submount >"$TEST_TMP/ro/sub/file"
	run ctr -v "$TEST_TMP/ro:/data:ro" -v "$TEST_TMP/rw:/rw:rw" -- \
		"$PROBE" cat /data/file , cat /data/sub/file , write /rw/ok yes , write /data/sub/no x
	assert_equal "$status" 100
	assert_output "kept
in-submount
probe: /data/sub/no: Read-only file system"
	run ctr -v "$TEST_TMP/ro:/data:ro" -- "$PROBE" write /data/no x
	assert_equal "$status" 100
	assert_output "probe: /data/no: Read-only file system"
	[[ ! -e $TEST_TMP/ro/no && ! -e $TEST_TMP/ro/sub/no ]]
	assert_equal "$(cat "$TEST_TMP/rw/ok")" yes
	# The host's own mounts are neither read-only now nor unmounted.
	echo still-writable >"$TEST_TMP/ro/sub/after"
	mountpoint -q "$TEST_TMP/ro/sub"
	umount "$TEST_TMP/ro/sub"
}

@test "a named volume: created under the state root, seeded from the image once, shared by containers one after the other" {
	vol=v$(word) name=$(word) data=$(word)
	run ctr -v "$vol:/etc" -- sh -c "cat /etc/passwd && echo $data >/etc/$name && rm /etc/hosts"
	assert_success
	assert_output "$(cat "$(lower)/etc/passwd")"
	# The second container mounts it elsewhere: it sees the first one's changes, and the
	# volume is not seeded again (no hosts file).
	run ctr -v "$vol:/srv/v" -- "$PROBE" cat "/srv/v/$name" , ls /srv/v
	assert_success
	assert_output "$data
$(printf '%s\n' group "$name" passwd resolv.conf | LC_ALL=C sort)"
	# It lives in the state root, kept after both containers are gone, and nothing half-made
	# is left beside it.
	run ls -A "$MYDOCKER_ROOT/volumes"
	assert_output "$vol"
	assert_equal "$(cat "$MYDOCKER_ROOT/volumes/$vol/$name")" "$data"
	# Where the image has nothing, a new volume starts empty.
	run ctr -v "empty$vol:/nothing/here" -- "$PROBE" ls /nothing/here
	assert_success
	assert_output ""
	no_layers
}

@test "a named volume is seeded from the image's path even when that path is a symlink to an absolute path" {
	image_with_links seedlink data /etc
	run timeout 60 "$MYDOCKER" run -v "seeded:/data" seedlink "$PROBE" ls /data
	assert_success
	assert_output "$(ls "$(lower seedlink)/etc")"
	# The image's /etc, not the host's.
	diff -r "$(lower seedlink)/etc" "$MYDOCKER_ROOT/volumes/seeded"
}

@test "concurrent first uses of a named volume end with one seeded copy" {
	pids=()
	for i in 1 2 3 4; do
		timeout 60 "$MYDOCKER" run -v "shared:/etc" "$TEST_IMAGE" "$PROBE" cat /etc/passwd >"$TEST_TMP/out$i" 2>&1 3>&- &
		pids+=($!)
	done
	for i in 1 2 3 4; do
		wait "${pids[$((i - 1))]}"
		assert_equal "$(cat "$TEST_TMP/out$i")" "$(cat "$(lower)/etc/passwd")"
	done
	run ls -A "$MYDOCKER_ROOT/volumes"
	assert_output "shared"
	diff -r "$(lower)/etc" "$MYDOCKER_ROOT/volumes/shared"
}

@test "symlinks in the image never take a volume out of the container: absolute, relative .., a chain" {
	marker=$TEST_TMP/marker
	mkdir "$marker"
	image_with_links escapes abs "$marker/a" rel "../../../../../../../..$marker/b" \
		c1 c2 c2 /bin/../c3 c3 "../../..$marker/c"
	for d in h1 h2 h3; do mkdir "$TEST_TMP/$d"; done
	a=$(word) b=$(word) c=$(word)
	run timeout 60 "$MYDOCKER" run -v "$TEST_TMP/h1:/abs/sub" -v "$TEST_TMP/h2:/rel/sub" \
		-v "$TEST_TMP/h3:/c1/sub" escapes \
		"$PROBE" write /abs/sub/f "$a" , write /rel/sub/f "$b" , write /c1/sub/f "$c" , \
		cat "$marker/a/sub/f" , echo , cat "$marker/b/sub/f" , echo , cat "$marker/c/sub/f"
	assert_success
	# Inside the container the links were followed within its root...
	assert_output "$a
$b
$c"
	# ...and each write reached its volume on the host, while the host's marker stayed empty.
	assert_equal "$(cat "$TEST_TMP/h1/f") $(cat "$TEST_TMP/h2/f") $(cat "$TEST_TMP/h3/f")" "$a $b $c"
	run ls -A "$marker"
	assert_output ""
	[[ ! -e $(lower escapes)$marker ]]
	no_layers
}

@test "a /proc magic link in the image is refused: one line, 125, nothing outside touched" {
	marker=$TEST_TMP/marker
	mkdir "$marker" "$TEST_TMP/h"
	image_with_links magic magic "/proc/self/root$marker"
	run timeout 60 "$MYDOCKER" run -v "$TEST_TMP/h:/magic/sub" magic "$PROBE" pid
	assert_equal "$status" 125
	assert_output "mydocker run: volume /magic/sub: create the mount point: Too many levels of symbolic links"
	run ls -A "$marker" "$TEST_TMP/h"
	assert_output "$TEST_TMP/h:

$marker:"
	no_layers
}

@test "bad volume specs: one line, 125, and nothing is created" {
	new=$TEST_TMP/must-not-exist
	# shellcheck disable=SC2088 # a literal ~ is the point: mydocker must not take it for $HOME
	specs=("/a" ":/b" "/a:rel" "/a:/b:rx" "/a:/" "/a:/b/.." "./rel:/b" "~/x:/b" "/a:/b:ro:x" "/a:" "-bad:/b")
	want=(
		'invalid volume "/a": no container path (want HOST:CTR[:ro|rw])'
		'invalid volume ":/b": empty host path (want HOST:CTR[:ro|rw])'
		'invalid volume "/a:rel": the container path "rel" is not absolute'
		'invalid volume "/a:/b:rx": unknown mode "rx" (want ro or rw)'
		'invalid volume "/a:/": the container path cannot be /'
		'invalid volume "/a:/b/..": the container path cannot be /'
		'invalid volume "./rel:/b": "./rel" is neither an absolute host path nor a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 characters)'
		'invalid volume "~/x:/b": "~/x" is neither an absolute host path nor a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 characters)'
		'invalid volume "/a:/b:ro:x": too many '"':'"' (want HOST:CTR[:ro|rw])'
		'invalid volume "/a:": empty container path (want HOST:CTR[:ro|rw])'
		'invalid volume "-bad:/b": "-bad" is neither an absolute host path nor a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 characters)'
	)
	for i in "${!specs[@]}"; do
		# A good volume before the bad one: it must not be created either.
		run timeout 20 "$MYDOCKER" run -v "$new:/ok" -v "goodvol:/ok2" -v "${specs[$i]}" "$TEST_IMAGE" "$PROBE" pid
		assert_equal "$status" 125
		assert_output "mydocker run: ${want[$i]}"
	done
	run timeout 20 "$MYDOCKER" run -v "$new:/same" -v "goodvol:/same/" "$TEST_IMAGE" "$PROBE" pid
	assert_equal "$status" 125
	assert_output "mydocker run: duplicate mount point /same"
	run timeout 20 "$MYDOCKER" run -v "$new:/x" -v /a:/b:rx --nosuch "$TEST_IMAGE" "$PROBE" pid
	assert_equal "$status" 125
	assert_output 'mydocker run: invalid volume "/a:/b:rx": unknown mode "rx" (want ro or rw)'
	[[ ! -e $new && ! -e $MYDOCKER_ROOT/volumes && -z $(containers_left) ]]
	# Not even the image was unpacked: the specs were checked first.
	[[ ! -e $MYDOCKER_ROOT/images/$TEST_IMAGE ]]
}

@test "a volume at /proc or inside it is refused, however the path is written: one line, 125, nothing created" {
	new=$TEST_TMP/never-$(word) vol=vol$RANDOM w=$(word)
	# Each target, then the clean path the message names.
	targets=(/proc /proc/ /proc/sys "/proc/sys/$w" /tmp/../proc /tmp/../proc/sys "//proc/./$w/.." "/proc/$w" /proc/self/root)
	clean=(/proc /proc /proc/sys "/proc/sys/$w" /proc /proc/sys /proc "/proc/$w" /proc/self/root)
	for i in "${!targets[@]}"; do
		for host in "$new" "$vol"; do
			run timeout 20 "$MYDOCKER" run -v "$host:${targets[$i]}" "$TEST_IMAGE" "$PROBE" pid
			assert_equal "$status" 125
			assert_output "mydocker run: invalid volume \"$host:${targets[$i]}\": ${clean[$i]} is in /proc, where only the container's own procfs is mounted"
		done
	done
	[[ ! -e $new && ! -e $MYDOCKER_ROOT/volumes && -z $(containers_left) ]]
	[[ ! -e $MYDOCKER_ROOT/images/$TEST_IMAGE ]]
	# A path that only starts with the letters "/proc" is an ordinary path.
	mkdir "$TEST_TMP/h"
	echo "$w" >"$TEST_TMP/h/f"
	run ctr -v "$TEST_TMP/h:/proc$w" -- "$PROBE" cat "/proc$w/f"
	assert_success
	assert_output "$w"
}

@test "a volume that cannot be mounted there: one line, 125, the host path untouched, nothing left" {
	echo precious >"$TEST_TMP/file"
	mkdir "$TEST_TMP/dir"
	run ctr -v "$TEST_TMP/file:/etc" -- "$PROBE" pid
	assert_equal "$status" 125
	assert_output "mydocker run: volume /etc: mount the file $TEST_TMP/file on a directory: Is a directory"
	run ctr -v "$TEST_TMP/dir:/etc/passwd" -- "$PROBE" pid
	assert_equal "$status" 125
	assert_output "mydocker run: volume /etc/passwd: mount the directory $TEST_TMP/dir on a file: Not a directory"
	# Under a read-only volume a mount point cannot be made.
	run ctr -v "$TEST_TMP/dir:/ro:ro" -v "$TEST_TMP/dir:/ro/inner" -- "$PROBE" pid
	assert_equal "$status" 125
	assert_output "mydocker run: volume /ro/inner: create the mount point: Read-only file system"
	assert_equal "$(cat "$TEST_TMP/file")" precious
	run ls -A "$TEST_TMP/dir"
	assert_output ""
	no_layers
}

@test "the host's mount table is the same while the container runs and after; the container has the binds" {
	mkdir "$TEST_TMP/host"
	ctr_bg "$TEST_TMP/out" -i -v "$TEST_TMP/host:/data" -v "tablevol:/vol:ro" -- \
		"$PROBE" mounts , echo ready , wait-stdin
	wait_for "$TEST_TMP/out" ready
	# Checked from the host while the container waits.
	run same_mounts
	assert_success
	# (The first path is the bind's source within its file system: /tmp may be a tmpfs.)
	run grep -c -E "^[0-9]+ [0-9]+ [0-9:]+ [^ ]*/host /data rw[, ]" "$TEST_TMP/out"
	assert_output 1
	run grep -c -E "^[0-9]+ [0-9]+ [0-9:]+ [^ ]*/volumes/tablevol /vol ro[, ]" "$TEST_TMP/out"
	assert_output 1
	release_ctr
	wait_ctr
	assert_equal "$CTR_STATUS" 0
	settled same_mounts
}

@test "SIGKILL of mydocker: the container and its layer go, the host's data and the named volume stay" {
	mkdir "$TEST_TMP/host"
	old=$(word) name=$(word) data=$(word)
	echo "$old" >"$TEST_TMP/host/old"
	ctr_bg "$TEST_TMP/out" -i -v "$TEST_TMP/host:/data" -v "keep:/keep" -- \
		"$PROBE" write "/data/$name" "$data" , write "/keep/$name" "$data" , echo written , wait-stdin
	wait_for "$TEST_TMP/out" written
	kill -KILL "$(mydocker_pid)"
	wait_ctr
	assert_equal "$CTR_STATUS" 137
	# The reaper removes the layer once the container is gone; the volumes are not in it.
	settled no_layers
	assert_equal "$(cat "$TEST_TMP/host/old")" "$old"
	assert_equal "$(cat "$TEST_TMP/host/$name")" "$data"
	assert_equal "$(cat "$MYDOCKER_ROOT/volumes/keep/$name")" "$data"
	# The named volume still works for the next container.
	run ctr -v "keep:/k" -- "$PROBE" cat "/k/$name"
	assert_output "$data"
}
