/* image.c: images and container layers on disk. An image is a tarball of a root filesystem
 * named by its file name (busybox.tar is image "busybox"). GNU tar unpacks it once into a
 * read-only lower directory that every container of the image shares, named after the
 * tarball's size and modification time, so a changed tarball is unpacked again beside the old
 * copy. Each container gets a directory of its own for overlayfs: upper (its writes), work
 * (overlayfs' scratch space) and merged (where the union is mounted).
 *
 *   <root>/images/NAME.tar               an image added by the user (also looked for beside
 *                                        mydocker)
 *   <root>/images/NAME/SIZE-MTIME/       the tarball, unpacked: the lower layer
 *   <root>/images/.unpack-NAME-XXXXXX/   an unpack in progress, locked while tar runs
 *   <root>/containers/ID/{upper,work,merged}
 *
 * Locks (flock) tell what is in use: an unpack holds its directory exclusively, and every
 * running container holds its lower directory shared. What nobody holds is fair game: an
 * unpack directory left by a killed mydocker, a copy of an older tarball no container uses. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "image.h"
#include "lock.h"
#include "stage.h"
#include "util.h"

/* GNU tar from Debian's tar package, by absolute path: mydocker runs as root, and must not
 * run whatever program called tar comes first in its caller's PATH. */
#define TAR "/usr/bin/tar"

/* The state root: images and containers live below it (main.c takes --root). */
const char *state_root = DEFAULT_ROOT;

/* Image names become file names: letters, digits, and . _ - after the first character. */
static bool valid_image_name(const char *name)
{
	if (!*name || *name == '.' || *name == '-' || strlen(name) > 128)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
	       strlen(name);
}

/* Find NAME.tar in the state root's images, then in images/ beside the mydocker binary. */
static char *find_tarball(const char *root, const char *name)
{
	char *file = xasprintf("%s.tar", name);
	char *exe_dir = self_dir();
	char *places[2] = { path_join(root, "images"),
			    exe_dir ? path_join(exe_dir, "images") : NULL };
	char *found = NULL;
	for (int i = 0; i < 2 && !found; i++) {
		char *path = places[i] ? path_join(places[i], file) : NULL;
		if (path && access(path, R_OK) == 0)
			found = path;
		else
			free(path);
	}
	if (!found)
		warn("image \"%s\" not found (looked in %s and %s)", name, places[0],
		     places[1] ? places[1] : "beside mydocker");
	free(places[0]);
	free(places[1]);
	free(exe_dir);
	free(file);
	return found;
}

/* Have GNU tar unpack TARBALL into DIR, keeping owners (by number, not by the host's user
 * names), modes with setuid bits, device nodes, times and extended attributes (file
 * capabilities live there). tar refuses members that would land outside DIR and exits 2; it
 * also mends some (a leading "/" it strips) with a warning. Either way the image is refused:
 * whatever tar says on stderr is a complaint, and its first line is given as the reason. */
static int run_tar(const char *name, const char *tarball, const char *dir)
{
	char *argv[] = { "tar", "--extract", "--file", (char *)tarball, "--directory", (char *)dir,
			 "--numeric-owner", "--same-owner", "--same-permissions", "--xattrs",
			 "--xattrs-include=*",
			 /* An odd time stamp or an unknown pax keyword is no danger. */
			 "--warning=no-timestamp", "--warning=no-unknown-keyword", NULL };
	if (access(TAR, X_OK) < 0) {
		warn("unpacking needs GNU tar (%s: %s; sudo apt-get install tar)", TAR,
		     strerror(errno));
		return -1;
	}
	char why[512];
	if (run_quietly(TAR, argv, -1, why, sizeof why) == 0)
		return 0;
	warn("image \"%s\" (%s): %s", name, tarball, why);
	return -1;
}

/* Unpack TARBALL into a fresh, locked temporary directory, then rename it to COPY in one step,
 * so a half-unpacked image is never seen under its real name. If another mydocker won the
 * race, its copy is used and ours is thrown away. */
static int unpack_image(const char *root, const char *name, const char *tarball, const char *copy)
{
	char *images = path_join(root, "images");
	struct stage tmp;
	int rc = -1;
	/* Made 0755: the image's own "./" entry, if any, overrides this. */
	if (stage_create(&tmp, images, ".unpack-", name, S_IFDIR | 0755) < 0 ||
	    run_tar(name, tarball, tmp.path) < 0)
		goto out;
	char *image_dir = path_join(images, name);
	if (mkdir(image_dir, 0755) < 0 && errno != EEXIST)
		warn_errno("mkdir %s", image_dir);
	else if (stage_finish(&tmp, copy) == 0 || errno == EEXIST || errno == ENOTEMPTY)
		rc = 0;
	else
		warn_errno("rename %s to %s", tmp.path, copy);
	free(image_dir);
out:
	stage_end(&tmp);
	free(images);
	return rc;
}

/* The unpacked copy of image NAME, unpacked now if there is none for its tarball as it is, and
 * locked shared so that no unpack of a newer tarball removes it while the container runs. */
int image_open(const char *root, const char *name, char **lower)
{
	if (!valid_image_name(name)) {
		warn("invalid image name \"%s\" (letters, digits, '.', '_' and '-')", name);
		return -1;
	}
	/* overlayfs takes its directories in a comma- and colon-separated option string. */
	if (strpbrk(root, ",:\\")) {
		warn("the state root %s cannot contain ',', ':' or '\\' (overlayfs options)", root);
		return -1;
	}
	char *tarball = find_tarball(root, name);
	if (!tarball)
		return -1;
	struct stat st;
	if (stat(tarball, &st) < 0) {
		warn_errno("stat %s", tarball);
		free(tarball);
		return -1;
	}
	/* A tarball that changed since it was unpacked gets a copy of its own. */
	char *image_dir = xasprintf("%s/images/%s", root, name);
	char *copy = xasprintf("%s/%lld-%lld.%09ld", image_dir, (long long)st.st_size,
			       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	int fd = -1;
	if (access(copy, F_OK) < 0 && unpack_image(root, name, tarball, copy) < 0)
		goto out;
	fd = lock_open(copy, O_DIRECTORY, LOCK_SH);
	if (fd < 0) {
		warn_errno("open image %s", copy);
		goto out;
	}
	/* A newer unpack may have removed this copy between open and flock. */
	if (fstat(fd, &st) < 0 || st.st_nlink == 0) {
		warn("image \"%s\" changed while starting; try again", name);
		close_fd(&fd);
		goto out;
	}
	/* Copies of older tarballs that no running container holds are not needed any more. */
	remove_unlocked(image_dir, "", strrchr(copy, '/') + 1);
	*lower = copy;
	copy = NULL;
out:
	free(copy);
	free(image_dir);
	free(tarball);
	return fd;
}

/* Make the container's layer in its directory DIR (<root>/containers/ID, made by
 * lifecycle.c): empty upper, work and merged. */
int layer_create(const char *dir)
{
	static const char *const parts[] = { "upper", "work", "merged" };
	for (int i = 0; i < 3; i++) {
		char *sub = path_join(dir, parts[i]);
		int rc = mkdir(sub, 0755);
		if (rc < 0)
			warn_errno("mkdir %s", sub);
		free(sub);
		if (rc < 0)
			return -1;
	}
	return 0;
}
