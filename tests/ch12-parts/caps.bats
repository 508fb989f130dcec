#!/usr/bin/env bats
# ch12-security, capabilities and users: a container keeps Docker's 14 capabilities in its
# bounding, permitted and effective sets, with inheritable and ambient empty; --cap-drop and
# --cap-add change that (drops first, ALL in both, names with or without CAP_, any case);
# --privileged keeps every one; -u runs the command as a user of the image's own /etc/passwd,
# with its groups; --security-opt no-new-privileges stops a setuid binary's gain.
# new-options: --cap-add --cap-drop --privileged -u --user --security-opt

load lib/helpers

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
	printf 'root:x:0:\n%s:x:%s:\nextra:x:%s:someone,%s\n' "$U" "$GID_" "$XGID" "$U" >"$1/etc/group"
}

@test "users: -u UID:GID, -u NAME from the image's /etc/passwd with its groups and HOME; unknown names are 125" {
	U=user$RANDOM UID_=$(rand_between 1000 60000) GID_=$(rand_between 1000 60000) XGID=$(rand_between 1000 60000)
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
