#!/usr/bin/env bats
# ch12-security: a container's root gives up what a container may not do, in runc's order.
#  - capabilities: Docker's 14 in the bounding, permitted and effective sets, inheritable and
#    ambient empty; --cap-add/--cap-drop; --privileged; -u from the image's own /etc/passwd;
#    --security-opt no-new-privileges;
#  - seccomp: a filter compiled from Podman's default profile or --security-opt seccomp=FILE;
#  - mounts: Docker's masked and read-only paths, mounts only onto real files inside the root
#    (never through a symlink of the image), --privileged, --read-only, --tmpfs;
#  - exec: the command gets what the container has, from a sealed copy of mydocker's binary;
#  - a terminal of its own: -t gives a pty of the container's own devpts, relayed in raw mode;
#    without -t stdin is a pipe; -dit and `attach`. Nothing in the container can type into the
#    user's terminal (TIOCSTI). The user's terminal here is a tmux pane with an interactive bash.
# new-options: --cap-add --cap-drop --privileged -u --user --security-opt --read-only --tmpfs attach
# shellcheck disable=SC2016 # the container's shell expands what is in single quotes

load lib/helpers

chapter_teardown() {
	[[ -z ${TMUX_SOCK:-} ]] || tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	stop_detached_containers
}

# --- caps --------------------------------------------------------------------------------------
# caps TEXT: the Cap lines of a /proc/PID/status, tabs as spaces.
caps() { grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' <<<"$1" | tr -s '\t' ' '; }

# An image: the test image with FILES added by the function $2 run in its unpacked root; as $1.
image_with() {
	local root=$TEST_TMP/img-$1
	mkdir -p "$root" && tar -xf "$TEST_IMAGE_TAR" -C "$root"
	"$2" "$root"
	tar -cf "$MYDOCKER_ROOT/images/$1.tar" -C "$root" .
}

@test "capabilities: Docker's 14 in bounding, permitted and effective; inheritable and ambient empty" {
	run ctr -- "$PROBE" cat /proc/self/status
	assert_success
	assert_equal "$(caps "$output")" "$(printf 'CapInh: 0000000000000000\nCapPrm: 00000000a80425fb\nCapEff: 00000000a80425fb\nCapBnd: 00000000a80425fb\nCapAmb: 0000000000000000')"
	# PID 1 is the probe here; a shell's child has the same.
	run ctr -- /bin/sh -c "$PROBE cat /proc/1/status"
	assert_line --regexp '^CapBnd:[[:space:]]+00000000a80425fb$'
}

@test "capabilities: --cap-drop before --cap-add, ALL, CAP_ prefix and case; unknown names are 125" {
	run ctr --cap-add net_bind_service --cap-drop ALL -- "$PROBE" cat /proc/self/status
	assert_line --regexp '^CapEff:[[:space:]]+0000000000000400$'
	assert_line --regexp '^CapBnd:[[:space:]]+0000000000000400$'
	# A random one of a few capabilities outside the 14: its bit appears.
	names=(SYS_PTRACE:19 SYS_NICE:23 SYS_TIME:25 IPC_LOCK:14 LEASE:28 SYS_ADMIN:21)
	pick=${names[$(rand_between 0 $((${#names[@]} - 1)))]}
	want=$(printf '%016x' $((0xa80425fb | (1 << ${pick#*:}))))
	run ctr --cap-add "cap_${pick%:*}" -- "$PROBE" cat /proc/self/status
	assert_line --regexp "^CapEff:[[:space:]]+$want\$"
	run ctr --cap-drop CAP_CHOWN -- "$PROBE" cat /proc/self/status
	assert_line --regexp "^CapEff:[[:space:]]+$(printf '%016x' $((0xa80425fb & ~1)))\$"
	before=$(ls "$MYDOCKER_ROOT/containers")
	run -125 ctr --cap-add "NOPE$RANDOM" -- true
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^mydocker run: invalid --cap-add "NOPE[0-9]+": no such capability$'
	# A real name with more after it is not that capability (libcap alone would take it).
	run -125 ctr --cap-drop "chown$RANDOM" -- true
	assert_output --regexp '^mydocker run: invalid --cap-drop "chown[0-9]+": no such capability$'
	assert_equal "$(ls "$MYDOCKER_ROOT/containers")" "$before"
}

@test "capabilities: what the 14 do not allow fails (mount, kernel modules); --privileged has every one" {
	# seccomp would refuse these too: without it, the capability alone is tested.
	run ctr --security-opt seccomp=unconfined -- "$PROBE" try mount , try init-module
	assert_line "mount EPERM"
	# A kernel without modules answers ENOSYS before any capability check.
	assert_line --regexp '^init-module (EPERM|ENOSYS)$'
	# --privileged: every capability mydocker holds (the host may have dropped some).
	want=$(grep CapBnd /proc/self/status | tr -s '\t' ' ' | cut -d' ' -f2)
	run ctr --privileged -- "$PROBE" cat /proc/self/status , try mount
	assert_line --regexp "^CapEff:[[:space:]]+$want\$"
	assert_line "mount ok"
}

# The image's users: NAME with a random UID, a group of its own and a supplementary group.
add_users() {
	printf 'root:x:0:0:root:/root:/bin/sh\n%s:x:%s:%s::/home/%s:/bin/sh\n' "$U" "$UID_" "$GID_" "$U" >"$1/etc/passwd"
	printf 'root:x:0:\n%s:x:%s:\nextra:x:%s:someone,%s\nadmins:x:%s:root\n' \
		"$U" "$GID_" "$XGID" "$U" "$RGID" >"$1/etc/group"
}

@test "users: -u UID:GID, -u NAME from the image's /etc/passwd with its groups and HOME; unknown names are 125" {
	U=user$RANDOM UID_=$(rand_between 1000 60000) GID_=$(rand_between 1000 60000) XGID=$(rand_between 1000 60000)
	RGID=$(rand_between 1000 60000)
	image_with users add_users
	run "$MYDOCKER" run -u "$U" users sh -c "$PROBE ids; echo HOME=\$HOME; grep CapEff /proc/self/status"
	assert_success
	assert_line "uid=$UID_/$UID_/$UID_ gid=$GID_/$GID_/$GID_ groups=$XGID"
	assert_line "HOME=/home/$U"
	# Not root: no capability survives the command's execve, as with Docker.
	assert_line --regexp '^CapEff:[[:space:]]+0000000000000000$'
	a=$(rand_between 1000 60000) b=$(rand_between 1000 60000)
	run ctr -u "$a:$b" -- "$PROBE" ids
	assert_output "uid=$a/$a/$a gid=$b/$b/$b groups="
	# -e HOME wins over the passwd entry, as in Docker.
	h=/h$RANDOM
	run "$MYDOCKER" run -u "$U" -e "HOME=$h" users sh -c 'echo HOME=$HOME'
	assert_output "HOME=$h"
	# Root without -u has root's groups in the image, not those of whoever ran mydocker.
	run "$MYDOCKER" run users sh -c "$PROBE ids; echo HOME=\$HOME"
	assert_output "uid=0/0/0 gid=0/0/0 groups=$RGID
HOME=/root"
	run -125 "$MYDOCKER" run -u "nosuch$RANDOM" users true
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^mydocker run: unable to find user nosuch[0-9]+'
	run -125 ctr -u 'a b' -- true
	assert_output --partial 'invalid --user'
}

# A setuid-root copy of the probe.
add_setuid() { cp "$1/bin/probe" "$1/bin/suprobe" && chmod 4755 "$1/bin/suprobe"; }

@test "no-new-privileges: a setuid binary gains nothing with it, and root without it" {
	image_with setuid add_setuid
	u=$(rand_between 1000 60000)
	run "$MYDOCKER" run -u "$u" setuid /bin/suprobe ids
	assert_output "uid=$u/0/0 gid=0/0/0 groups="
	run "$MYDOCKER" run -u "$u" --security-opt no-new-privileges setuid /bin/suprobe ids , cat /proc/self/status
	assert_line "uid=$u/$u/$u gid=0/0/0 groups="
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
}

# --- seccomp -----------------------------------------------------------------------------------
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

# --- mounts ------------------------------------------------------------------------------------
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
word() { printf 'w%04x%04x%04x' "$(rand_between 0 65535)" "$(rand_between 0 65535)" "$(rand_between 0 65535)"; }

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

# --- exec --------------------------------------------------------------------------------------
# status_lines TEXT: the Cap, NoNewPrivs and Seccomp lines of a /proc/PID/status, tabs as spaces.
status_lines() { grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' <<<"$1" | tr -s '\t' ' '; }

@test "exec: the command gets the container's capabilities, no_new_privs and seccomp filter" {
	# A random capability of a few harmless ones added, so the set is this container's own.
	caps=(SYS_PTRACE SYS_NICE SYS_TIME IPC_LOCK LEASE)
	cap=${caps[$(rand_between 0 $((${#caps[@]} - 1)))]}
	id=$(run_d --cap-add "$cap" --security-opt no-new-privileges -- "$PROBE" sleep 60)
	run "$MYDOCKER" exec "$id" "$PROBE" cat /proc/1/status
	assert_success
	first=$(status_lines "$output")
	run "$MYDOCKER" exec "$id" "$PROBE" cat /proc/self/status , try vmsplice
	assert_success
	assert_equal "$(status_lines "$output")" "$first"
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	refute_line --regexp '^CapEff:[[:space:]]+000001ff'
	assert_line "vmsplice EPERM"
	# seccomp=unconfined is kept too: the command runs without a filter, as the container does.
	id2=$(run_d --security-opt seccomp=unconfined -- "$PROBE" sleep 60)
	run "$MYDOCKER" exec "$id2" "$PROBE" cat /proc/self/status , try vmsplice
	assert_success
	assert_line --regexp '^Seccomp:[[:space:]]+0$'
	assert_line "vmsplice EBADF"
}

@test "exec: runs from a sealed copy of mydocker's binary, not from the file on the host" {
	id=$(run_d -- "$PROBE" sleep 60)
	"$MYDOCKER" exec "$id" "$PROBE" sleep 30 3>&- &
	pid=$!
	# While exec waits for its command, its own binary is a memfd, not ch12/mydocker.
	settled eval '[[ $(readlink "/proc/$pid/exe") == /memfd:mydocker* ]]'
	run readlink "/proc/$pid/exe"
	assert_output --regexp '^/memfd:mydocker'
	refute_output --partial "$(realpath "$MYDOCKER")"
	kill "$pid"
	wait "$pid" || true
}

# --- tty ---------------------------------------------------------------------------------------
# The user's terminal is a tmux pane: term_start and the other term_* helpers (helpers.bash).

# The container named NAME: its ID, its first process's PID, its supervisor's PID.
id_of() { readlink "$MYDOCKER_ROOT/names/$1"; }

@test "run -it: the container's terminal is a pty of its own devpts, and /dev/console is that pty" {
	run on_terminal "$MYDOCKER run -it $TEST_IMAGE sh -c 'tty; $PROBE ls /dev/pts; [ /dev/console -ef \$(tty) ] && echo console-is-\$(tty)'"
	assert_success
	output=${output//$'\r'/}
	mapfile -t lines <<<"$output"
	# /dev/pts/0: the first pty of a devpts with nothing else in it, not the test's terminal.
	assert_line --index 0 /dev/pts/0
	assert_line --index 1 0
	assert_line --index 2 ptmx
	assert_line --index 3 console-is-/dev/pts/0
	assert_equal "${#lines[@]}" 4
}

@test "run -it -u USER: the container's terminal is the user's" {
	U=user$RANDOM UID_=$(rand_between 1000 60000) GID_=$(rand_between 1000 60000) XGID=$(rand_between 1000 60000)
	RGID=$(rand_between 1000 60000)
	image_with users add_users
	run on_terminal "$MYDOCKER run -it -u $U users sh -c 'stat -c owner=%u \$(tty); echo typed >\$(tty) && echo wrote'"
	assert_success
	output=${output//$'\r'/}
	mapfile -t lines <<<"$output"
	assert_line "owner=$UID_"
	assert_line wrote
}

@test "run -it: TIOCSTI from the container types into its own pty, not into the user's shell" {
	term_start
	# What the container types would make this file if the user's shell read it.
	pwned=$TEST_TMP/pwned-$RANDOM
	term_run "$MYDOCKER run -it $TEST_IMAGE $PROBE tiocsti 0 \$'touch $pwned\\n'"
	assert_equal "$TERM_STATUS" 0
	term_settle
	# The ioctl works: on the container's own terminal, where nobody runs what it types.
	term_screen | grep -q '^tiocsti ok'
	[[ ! -e $pwned ]]
}

@test "run -i without -t: stdin is a pipe; TIOCSTI on stdin, stdout or stderr types nowhere" {
	term_start
	pwned=$TEST_TMP/pwned-$RANDOM
	for opt in -i ""; do
		term_run "$MYDOCKER run $opt $TEST_IMAGE $PROBE tiocsti 0 \$'touch $pwned\\n' , tiocsti 1 \$'touch $pwned\\n' , tiocsti 2 \$'touch $pwned\\n'"
		assert_equal "$TERM_STATUS" 0
	done
	term_settle
	[[ ! -e $pwned ]]
	assert_equal "$(term_screen | grep -c '^tiocsti Inappropriate ioctl for device')" 6
	# Nor through /dev/tty: in a session of its own the container has no controlling terminal,
	# so opening it fails (without setsid it would be the user's terminal: CVE-2017-5226).
	term_run "$MYDOCKER run $TEST_IMAGE sh -c '$PROBE tiocsti 3 \$'\\''touch $pwned\\n'\\'' 3</dev/tty || echo no-tty'"
	assert_equal "$TERM_STATUS" 0
	term_settle
	[[ ! -e $pwned ]]
	term_wait '^no-tty'
	# What the user types still reaches the container, through the pipe.
	word="word-$RANDOM"
	run bash -c "echo $word | timeout 20 $MYDOCKER run -i $TEST_IMAGE $PROBE cat /dev/stdin , fds"
	assert_success
	assert_output "$word
0
1
2"
}

@test "exec -it gets a pty of its own; exec -i and exec without -i get pipes: TIOCSTI types nowhere" {
	id=$(run_d -- "$PROBE" sleep 100)
	term_start
	pwned=$TEST_TMP/pwned-$RANDOM
	term_run "$MYDOCKER exec -it $id $PROBE tiocsti 0 \$'touch $pwned\\n'"
	for opt in -i ""; do
		term_run "$MYDOCKER exec $opt $id $PROBE tiocsti 0 \$'touch $pwned\\n' , tiocsti 1 \$'touch $pwned\\n' , tiocsti 2 \$'touch $pwned\\n'"
	done
	term_settle
	[[ ! -e $pwned ]]
	run term_screen
	assert_line "tiocsti ok"
	assert_equal "$(grep -c '^tiocsti Inappropriate ioctl for device' <<<"$output")" 6
	# The pty is the container's: the first of its devpts.
	run on_terminal "$MYDOCKER exec -it $id tty"
	assert_success
	assert_output $'/dev/pts/0\r'
}

@test "the user's terminal is as it was after the container exits, though it changed its own" {
	term_start
	term_run "stty -g >$TEST_TMP/before"
	code=$(rand_between 1 99)
	# The container's shell sets its terminal raw, without echo: its own, not the user's.
	term_run "$MYDOCKER run -it $TEST_IMAGE sh -c 'stty raw -echo -isig; exit $code'"
	assert_equal "$TERM_STATUS" "$code"
	term_run "stty -g >$TEST_TMP/after"
	assert_equal "$(cat "$TEST_TMP/after")" "$(cat "$TEST_TMP/before")"
}

@test "the user's terminal is as it was after the container is killed with SIGKILL from outside" {
	term_start
	term_run "stty -g >$TEST_TMP/before"
	name="killed-$RANDOM"
	# A shell at its prompt has its terminal in its line-editing mode.
	term_type "$MYDOCKER run -it --name $name $TEST_IMAGE sh; echo ended-\$?"
	term_wait '^/ # '
	kill -KILL "$(state "$(id_of "$name")" pid)"
	term_wait 'ended-137$'
	term_run "stty -g >$TEST_TMP/after"
	assert_equal "$(cat "$TEST_TMP/after")" "$(cat "$TEST_TMP/before")"
}

@test "the user's terminal is as it was after mydocker gets SIGTERM" {
	term_start
	term_run "stty -g >$TEST_TMP/before"
	name="termed-$RANDOM"
	term_type "$MYDOCKER run -it --name $name $TEST_IMAGE sh; echo ended-\$?"
	term_wait '^/ # '
	# The supervisor, mydocker itself, is recorded as the container's monitor.
	kill -TERM "$(state "$(id_of "$name")" monitor_pid)"
	term_wait 'ended-137$'
	term_run "stty -g >$TEST_TMP/after"
	assert_equal "$(cat "$TEST_TMP/after")" "$(cat "$TEST_TMP/before")"
}

@test "SIGWINCH: the container's pty has the size of the user's terminal, and follows it" {
	cols=$(rand_between 60 99) rows=$(rand_between 15 29)
	term_start "$cols" "$rows"
	term_type "$MYDOCKER run -it $TEST_IMAGE sh; echo ended-\$?"
	term_wait '^/ # '
	term_type 'echo size-$(stty size)-$(tty)'
	term_wait "^size-$rows $cols-/dev/pts/0"
	cols2=$(rand_between 100 140) rows2=$(rand_between 30 45)
	tmux -S "$TMUX_SOCK" resize-window -t 0 -x "$cols2" -y "$rows2"
	term_type 'echo size-$(stty size)-$(tty)'
	term_wait "^size-$rows2 $cols2-/dev/pts/0"
	term_type 'exit 0'
	term_wait '^ended-0'
}

@test "run -dit, then attach: the shell answers, Ctrl-P Ctrl-Q detaches and it runs on; its exit code comes back" {
	id=$(run_d -it -- sh)
	assert_equal "$(stat -c %a "$(cdir "$id")/attach.sock")" 600
	term_start
	term_type "$MYDOCKER attach $id; echo att-\$?"
	term_keys Enter
	term_wait '^/ # $'
	n=$RANDOM
	term_type "echo sum-\$(($n + 1))"
	term_wait "^sum-$((n + 1))"
	# One client at a time.
	run timeout 20 "$MYDOCKER" attach "$id"
	assert_equal "$status" 125
	assert_output "mydocker attach: another client is attached to the container"
	term_keys C-p C-q
	term_wait '^att-1$'
	assert_equal "$(state "$id" status)" running
	# The log has what the pty carried.
	"$MYDOCKER" logs "$id" | tr -d '\r' | grep -q "^sum-$((n + 1))$"
	code=$(rand_between 1 99)
	prompts=$(term_count '^/ # $')
	term_type "$MYDOCKER attach $id; echo att2-\$?"
	term_keys Enter
	settled eval '(($(term_count "^/ # \$") > prompts))'
	term_type "exit $code"
	term_wait "^att2-$code$"
	wait_status "$id" exited
	assert_equal "$(state "$id" exit_code)" "$code"
	[[ ! -e $(cdir "$id")/attach.sock ]]
}

@test "run -di, then attach: what attach reads goes to the container's stdin, its output and exit code come back" {
	code=$(rand_between 1 99)
	id=$(run_d -i -- sh -c "read line; echo got-\$line; exit $code")
	word="word-$RANDOM"
	run bash -c "echo $word | timeout 20 $MYDOCKER attach $id"
	assert_equal "$status" "$code"
	assert_output "got-$word"
}

@test "logs of a -t container hold what its pty carried" {
	name="tty-$RANDOM"
	out="out-$RANDOM" err="err-$RANDOM"
	run on_terminal "$MYDOCKER run -t --name $name $TEST_IMAGE sh -c 'echo $out; echo $err >&2'"
	assert_success
	run "$MYDOCKER" logs "$name"
	assert_success
	# Both went through the one pty, so both are stdout, each line as the pty wrote it.
	assert_equal "$output" "$out"$'\r\n'"$err"$'\r'
}
