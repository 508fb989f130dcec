/* image.c: images and container layers on disk. An image is a tarball of a root filesystem
 * named by its file name (busybox.tar is image "busybox"). It is unpacked once into a
 * read-only lower directory that every container of the image shares; each container gets a
 * directory of its own for overlayfs: upper (its writes), work (overlayfs' scratch space) and
 * merged (where the union is mounted).
 *
 *   <root>/images/NAME.tar        an image added by the user (also looked for beside mydocker)
 *   <root>/images/NAME/           the unpacked image: the lower layer
 *   <root>/containers/ID/{upper,work,merged}
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "die.h"
#include "tar.h"
#include "util.h"

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
		die("run: image \"%s\" not found (looked in %s and %s)", name, places[0],
		    places[1] ? places[1] : "beside mydocker");
	free(places[0]);
	free(places[1]);
	free(exe_dir);
	free(file);
	return found;
}

/* Unpack TARBALL into a fresh temporary directory, then rename it to LOWER in one step, so a
 * half-unpacked image is never seen under its real name. If another mydocker won the race,
 * its copy is used and ours is thrown away. */
static void unpack_image(const char *root, const char *name, const char *tarball, const char *lower)
{
	char *images = path_join(root, "images");
	if (mkdir_p(images, 0755) < 0)
		die_errno("run: mkdir %s", images);
	char *tmp = xasprintf("%s/.unpack-%s-XXXXXX", images, name);
	if (!mkdtemp(tmp))
		die_errno("run: mkdtemp %s", tmp);
	/* mkdtemp makes the directory 0700; the image's own "./" entry, if any, overrides this. */
	int fd = chmod(tmp, 0755) < 0 ? -1 : open(tarball, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		remove_tree(tmp);
		errno = err;
		die_errno("run: open image %s", tarball);
	}
	char err[1024];
	int rc = tar_extract(fd, tmp, err, sizeof err);
	close(fd);
	if (rc < 0) {
		remove_tree(tmp);
		die("run: image \"%s\" (%s): %s", name, tarball, err);
	}
	if (rename(tmp, lower) < 0) {
		int err_rename = errno;
		remove_tree(tmp);
		if (err_rename != EEXIST && err_rename != ENOTEMPTY) {
			errno = err_rename;
			die_errno("run: rename %s to %s", tmp, lower);
		}
	}
	free(tmp);
	free(images);
}

/* The image's lower directory, unpacked on first use. Everything here happens before the
 * container exists, so a failure simply exits. */
char *image_lower_dir(const char *root, const char *name)
{
	if (!valid_image_name(name))
		die("run: invalid image name \"%s\" (letters, digits, '.', '_' and '-')", name);
	/* overlayfs takes its directories in a comma- and colon-separated option string. */
	if (strpbrk(root, ",:\\"))
		die("run: the state root %s cannot contain ',', ':' or '\\' (overlayfs options)",
		    root);
	char *lower = xasprintf("%s/images/%s", root, name);
	struct stat st;
	if (stat(lower, &st) == 0 && S_ISDIR(st.st_mode))
		return lower;
	char *tarball = find_tarball(root, name);
	unpack_image(root, name, tarball, lower);
	free(tarball);
	return lower;
}

/* Make <root>/containers/ID with empty upper, work and merged directories. */
char *layer_create(const char *root, const char *id)
{
	char *dir = xasprintf("%s/containers/%s", root, id);
	static const char *const parts[] = { "upper", "work", "merged" };
	for (int i = 0; i < 3; i++) {
		char *sub = path_join(dir, parts[i]);
		if (mkdir_p(sub, 0755) < 0) {
			warn_errno("run: mkdir %s", sub);
			free(sub);
			layer_remove(dir);
			free(dir);
			return NULL;
		}
		free(sub);
	}
	return dir;
}

/* Remove a container's directory and everything it wrote. */
void layer_remove(const char *dir)
{
	if (remove_tree(dir) < 0)
		warn_errno("run: remove %s", dir);
}
