/* seccomp_filter.h: a seccomp filter (seccomp_filter.c, through libseccomp) built from a profile in Docker's
 * JSON form (defaultAction, syscalls with names, action, args, includes and excludes). */
#ifndef MYDOCKER_SECCOMP_FILTER_H
#define MYDOCKER_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/* Before the container starts, in mydocker: compile the profile at PATH for this machine's
 * architecture, for a container that keeps the capabilities CAPS (a profile's rules may depend on
 * them), into *PROG (its filter is malloc'd). 0, or -1 with a one-line reason in WHY. */
int seccomp_prepare(const char *path, uint64_t caps, struct sock_fprog *prog, char *why,
		    size_t size);

/* ch13: the same from a profile already parsed (config.json's linux.seccomp), not cached. */
struct json_object;
int seccomp_prepare_object(struct json_object *profile, uint64_t caps, struct sock_fprog *prog,
			   char *why, size_t size);

/* In the container's process, as the last step before the command (the filter also applies to
 * everything after it): install PROG. Needs no_new_privs or CAP_SYS_ADMIN. 0, or -1 with errno.
 * (Not "seccomp_load": libseccomp has a function of that name, linked into the same binary.) */
int seccomp_install(const struct sock_fprog *prog);

#endif
