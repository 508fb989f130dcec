/* image.h: images and container layers on disk (the layout is at the top of image.c).
 *
 * Interface: image_open() finds image NAME, has GNU tar unpack it the first time (and again
 * when its tarball has changed), and returns a descriptor that holds the unpacked copy: while
 * it is open, no later unpack removes that copy. *LOWER is set to its path, for overlayfs.
 * layer_create() makes the container's layer in its directory (lifecycle.c removes it).
 * Errors are printed in one line and returned as -1 or NULL. */
#ifndef MYDOCKER_IMAGE_H
#define MYDOCKER_IMAGE_H

/* Where images and containers are kept unless --root or $MYDOCKER_ROOT says otherwise. */
#define DEFAULT_ROOT "/var/lib/mydocker"
extern const char *state_root;

int image_open(const char *root, const char *name, char **lower);
int layer_create(const char *dir);

#endif
