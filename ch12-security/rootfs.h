/* rootfs.h: the container's root filesystem, made from inside its mount namespace.
 *
 * Interface: init calls setup_rootfs() after making / private, so that no mount made here
 * reaches the host. On return the container's root is the overlay of its image and its own
 * layer, with /proc, /sys and /dev, and the host's files are out of reach. A failure is
 * reported through init's error pipe (fail() in init.c) and never returns. */
#ifndef MYDOCKER_ROOTFS_H
#define MYDOCKER_ROOTFS_H

#include "container.h"

void setup_rootfs(const struct container *c);

#endif
