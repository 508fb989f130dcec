/* commit.h: the `mydocker commit` command: a new image from a container's filesystem.
 *
 * Interface: cmd_commit() writes <root>/images/IMAGE.tar, a tarball of the container's root
 * as the container sees it: the image with the container's own changes on top, files it
 * deleted absent, and nothing of what is mounted on top of that root (volumes, /proc, /sys,
 * /dev). It works on a running container and on one that has exited. The tarball is written
 * under a temporary name and renamed into place, so a half-written image never appears under
 * its name, and an existing image of that name is replaced in one step (Docker moves the
 * name to the new image too). Returns 0, or 125 after printing why. */
#ifndef MYDOCKER_COMMIT_H
#define MYDOCKER_COMMIT_H

int cmd_commit(int argc, char **argv);

#endif
