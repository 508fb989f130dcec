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
#include <dirent.h>
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

/* Remove the directories in DIR whose names start with PREFIX, other than KEEP, that nobody
 * holds locked. */
static void remove_unlocked(const char *dir, const char *prefix, const char *keep)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && !*prefix)
			continue;
		if (!str_starts_with(e->d_name, prefix) || (keep && !strcmp(e->d_name, keep)))
			continue;
		char *path = path_join(dir, e->d_name);
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && remove_tree(path) < 0)
			warn_errno("remove %s", path);
		if (fd >= 0)
			close(fd);
		free(path);
	}
	closedir(d);
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
	char *tmp = xasprintf("%s/.unpack-%s-XXXXXX", images, name);
	int images_fd = -1, tmp_fd = -1, rc = -1;
	if (mkdir_p(images, 0755) < 0) {
		warn_errno("mkdir %s", images);
		goto out;
	}
	/* Sweeping and creating under one lock: a sweep never sees an unpack that has made its
	 * directory but not yet locked it. */
	images_fd = open(images, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (images_fd < 0 || flock(images_fd, LOCK_EX) < 0) {
		warn_errno("lock %s", images);
		goto out;
	}
	remove_unlocked(images, ".unpack-", NULL);
	if (!mkdtemp(tmp)) {
		warn_errno("mkdtemp %s", tmp);
		goto out;
	}
	tmp_fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmp_fd < 0 || flock(tmp_fd, LOCK_EX) < 0) {
		warn_errno("lock %s", tmp);
		goto out;
	}
	close_fd(&images_fd);
	/* mkdtemp makes the directory 0700; the image's own "./" entry, if any, overrides this. */
	if (chmod(tmp, 0755) < 0) {
		warn_errno("chmod %s", tmp);
		goto out;
	}
	if (run_tar(name, tarball, tmp) < 0)
		goto out;
	char *image_dir = path_join(images, name);
	if (mkdir(image_dir, 0755) < 0 && errno != EEXIST)
		warn_errno("mkdir %s", image_dir);
	else if (rename(tmp, copy) == 0 || errno == EEXIST || errno == ENOTEMPTY)
		rc = 0;
	else
		warn_errno("rename %s to %s", tmp, copy);
	free(image_dir);
out:
	if (tmp_fd >= 0 && remove_tree(tmp) < 0)
		warn_errno("remove %s", tmp);
	close_fd(&tmp_fd);
	close_fd(&images_fd);
	free(tmp);
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
	fd = open(copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_SH) < 0) {
		warn_errno("open image %s", copy);
		close_fd(&fd);
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
