/* rootfs.h: the container's root filesystem, made from inside its mount namespace.
 *
 * Interface: init calls setup_rootfs() after making / private, so that no mount made here
 * reaches the host. On return the container's root is the overlay of its image and its own
 * layer, with /proc, /sys and /dev, and the host's files are out of reach. Unless the container
 * is --privileged, Docker's read-only and masked paths of /proc and /sys are covered; with
 * --read-only the root itself is read-only. A failure is reported through init's error pipe
 * (fail() in pipe.c) and never returns.
 *
 * run checks each --tmpfs PATH[:OPTS] with tmpfs_check() when it reads the option: -1 with one
 * line in ERR if PATH is not absolute, is / or is in /proc. OPTS is not judged there: its mount
 * flags (ro, noexec...) are known, the rest goes to the kernel, which refuses what tmpfs does
 * not take when init mounts it. */
#ifndef MYDOCKER_ROOTFS_H
#define MYDOCKER_ROOTFS_H

#include <stddef.h>

#include "container.h"

void setup_rootfs(const struct container *c);

/* ch13: the root of an OCI bundle instead: its rootfs with the mounts, devices, masked and
 * read-only paths and sysctls of its config.json, as runc sets them up. */
void setup_bundle_rootfs(const struct container *c);
int tmpfs_check(const char *spec, char *err, size_t size);

#endif
