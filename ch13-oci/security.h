/* security.h: what a container's processes may do (ch12): the options of `run` that take power
 * away from root inside the container, and the steps that take it, in runc's order.
 *
 *   caps.c     capabilities (libcap): Docker's 14 by default, --cap-add/--cap-drop, --privileged
 *   user.c     -u USER[:GROUP]: names looked up in the image's /etc/passwd and /etc/group
 *   seccomp_filter.c  a seccomp filter (libseccomp) from a profile in Docker's JSON form
 *   security.c the order: no_new_privs, bounding set, user, capability sets, seccomp
 *
 * The masked and read-only paths, --read-only and --tmpfs are mounts: rootfs.c. */
#ifndef MYDOCKER_SECURITY_H
#define MYDOCKER_SECURITY_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The default seccomp profile: Podman's, from Debian's golang-github-containers-common. */
#define SECCOMP_DEFAULT_PROFILE "/usr/share/containers/seccomp.json"

struct security {
	bool privileged;     /* --privileged: every capability, no masks, no seccomp, /sys rw */
	uint64_t caps;	     /* the capabilities kept: bit N is capability N */
	bool no_new_privs;   /* --security-opt no-new-privileges */
	const char *seccomp; /* --security-opt seccomp=FILE, or NULL: the default profile */
	bool unconfined;     /* --security-opt seccomp=unconfined, or --privileged: no filter */
	const char *user;    /* -u USER[:GROUP], or NULL: root */
	bool read_only;	     /* --read-only: the root filesystem is mounted read-only */
	const char **tmpfs;  /* --tmpfs PATH, in the order given */
	size_t ntmpfs;	     /* how many --tmpfs */
	/* ch13: a bundle's process says it all in numbers: its IDs, its groups, and each of the
	 * five capability sets apart (bounding, effective, inheritable, permitted, ambient). */
	bool numeric;
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t ngroups;
	uint64_t sets[5];
};

/* In init (and in exec's child), after the root is set up and just before the command runs:
 * take away what SEC says the process may not do; FILTER is the seccomp filter seccomp_prepare()
 * made, or NULL for none. On failure it calls fail() (pipe.c), so it returns only on success. */
void security_apply(const struct security *sec, const struct sock_fprog *filter);

#endif
