/* images.h: the `mydocker images` and `mydocker rmi` commands.
 *
 * Interface: cmd_images() lists the images `run` can find: the tarballs in <root>/images and
 * those beside mydocker (a name in both is the state root's, as image_open() picks it).
 * cmd_rmi() removes images of the state root, each with its unpacked copies, and refuses one
 * that a container, running or exited, was made from. human_size() is the pure part: a size
 * in Docker's words. */
#ifndef MYDOCKER_IMAGES_H
#define MYDOCKER_IMAGES_H

#include <stddef.h>

void human_size(double bytes, char *buf, size_t size);
int cmd_images(int argc, char **argv);
int cmd_rmi(int argc, char **argv);

#endif
