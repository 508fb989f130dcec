/* image.h: images and container layers on disk (the layout is at the top of image.c).
 *
 * Interface: image_ref() splits an image reference, Docker's NAME[:TAG], and names its files.
 * image_open() finds the image, has GNU tar unpack it the first time (and again when its
 * tarball has changed), and returns a descriptor that holds the unpacked copy: while it is
 * open, no later unpack removes that copy, and rmi refuses the image. *LOWER is set to its
 * path, for overlayfs. image_lock() takes the lock of an image's tarball that image_open()
 * holds shared until it holds the copy, and rmi exclusive. layer_create() makes the
 * container's layer in its directory (lifecycle.c removes it). Errors are printed in one line
 * and returned as -1 or NULL. */
#ifndef MYDOCKER_IMAGE_H
#define MYDOCKER_IMAGE_H

/* The longest name, and the longest tag (Docker's limit for tags). */
#define IMAGE_NAME_MAX 128

/* An image reference, NAME[:TAG], and the names of its files under <root>/images. */
struct image_ref {
	char name[IMAGE_NAME_MAX + 1];
	char tag[IMAGE_NAME_MAX + 1];	     /* "latest" when the reference has none */
	char file[2 * IMAGE_NAME_MAX + 6];   /* the tarball: NAME.tar for latest, NAME:TAG.tar */
	char copies[2 * IMAGE_NAME_MAX + 2]; /* its unpacked copies: NAME, NAME@TAG (no ':') */
};

/* The rule, for messages. */
#define IMAGE_RULE "NAME[:TAG], each of letters, digits, '.', '_' and '-', not first '.' or '-'"

/* Where images and containers are kept unless --root or $MYDOCKER_ROOT says otherwise. */
#define DEFAULT_ROOT "/var/lib/mydocker"
extern const char *state_root;

/* GNU tar from Debian's tar package, by absolute path: mydocker runs as root, and must not
 * run whatever program called tar comes first in its caller's PATH. */
#define TAR "/usr/bin/tar"

int image_ref(const char *text, struct image_ref *ref);
int image_lock(const char *tarball, int how);
int image_open(const char *root, const char *name, char **lower);
int layer_create(const char *dir);

#endif
