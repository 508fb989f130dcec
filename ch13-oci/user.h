/* user.h: -u USER[:GROUP] (user.c): the user a container's command runs as. */
#ifndef MYDOCKER_USER_H
#define MYDOCKER_USER_H

#include <stddef.h>
#include <sys/types.h>

/* Is SPEC a well-formed -u value: NAME or UID, optionally :NAME or :GID? (Checked by run before
 * anything is made; the names are looked up only inside the root.) */
int user_check(const char *spec);

/* In init, after pivot_root: become SPEC (NULL without -u: root, with root's groups in the
 * image, not mydocker's). Names are looked up in the container's /etc/passwd and /etc/group
 * (never the host's); the supplementary groups are the user's groups there; a terminal on stdin
 * becomes the user's; with -u, HOME is set from /etc/passwd unless -e set it. 0, or -1 with errno set
 * (ENOENT: no such user or group) and what failed in WHY, such as "unable to find user
 * nosuch in the image's /etc/passwd". */
int user_switch(const char *spec, char *why, size_t size);

/* ch13: an OCI process's user, in numbers: groups GROUPS (N), then GID, then UID; HOME from
 * the root's /etc/passwd if the environment has none, as runc sets it. */
int user_switch_ids(uid_t uid, gid_t gid, const gid_t *groups, size_t n, char *why, size_t size);

#endif
