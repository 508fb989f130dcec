/* volume.h: volumes, `-v HOST:CTR[:ro|rw]`: a host directory or file, or a named volume kept
 * under <root>/volumes/NAME, bind-mounted at CTR inside the container. The data lives outside
 * the container's layer, so it outlives the container.
 *
 * Interface, in the order `run` uses it:
 *   parse_volume()     one spec to a struct volume. Pure: no allocation, no file system, no
 *                      exit; any string is safe to give it (a fuzzer may).
 *   add_volume()       parse_volume(), refuse a second volume at the same CTR, and keep the
 *                      list ordered parents first, so /a is mounted before /a/b.
 *   prepare_volumes()  in mydocker, before the container exists: create missing host
 *                      directories and named volumes (a new one seeded from the image).
 *                      Prints what failed.
 *   mount_volumes()    in the container's init, after the overlay and before pivot_root.
 *                      Never exits, never allocates: returns -1 with errno set and the
 *                      failed step in STEP, for init to report with fail().
 * A named volume NAME is the directory <root>/volumes/NAME; both steps derive it from the
 * state root, so struct volume holds only what the user typed.
 * Nothing is ever unmounted or removed: the mounts live in the container's mount namespace and
 * go with it, and the data belongs to the user. */
#ifndef MYDOCKER_VOLUME_H
#define MYDOCKER_VOLUME_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* The longest volume name: it becomes a directory name under <root>/volumes. */
#define VOLUME_NAME_MAX 128

struct volume {
	char name[VOLUME_NAME_MAX + 1]; /* a named volume's name, or "" when HOST is a path */
	char host[PATH_MAX];		/* an absolute host path, or "" for a named volume */
	char target[PATH_MAX];		/* CTR: absolute, no ".", "..", "//" or trailing '/' */
	bool readonly;			/* :ro */
};

int parse_volume(const char *spec, struct volume *v, char *err, size_t errsize);
int add_volume(struct volume **vols, size_t *n, const char *spec, char *err, size_t errsize);
int prepare_volumes(const struct volume *vols, size_t n, const char *root, const char *lower);
int mount_volumes(const struct volume *vols, size_t n, const char *root, const char *newroot,
		  char *step, size_t stepsize);

#endif
