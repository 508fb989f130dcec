/* image.c: images and container layers on disk. An image is a tarball of a root filesystem
 * named by its file name (busybox.tar is image "busybox", as Docker's busybox:latest;
 * app:v2.tar is "app:v2"). GNU tar unpacks it once into a read-only lower directory that every
 * container of the image shares, named after the tarball's size and modification time, so a
 * changed tarball is unpacked again beside the old copy. Each container gets a directory of its
 * own for overlayfs: upper (its writes), work (overlayfs' scratch space) and merged (where the
 * union is mounted).
 *
 *   <root>/images/NAME.tar               image NAME, that is NAME:latest, added by the user
 *                                        (also looked for beside mydocker)
 *   <root>/images/NAME:TAG.tar           image NAME:TAG, any other tag (commit makes them)
 *   <root>/images/NAME/SIZE-MTIME/       the tarball, unpacked: the lower layer (NAME@TAG/ for
 *                                        a tag: overlayfs takes ':' as a layer separator)
 *   <root>/images/.unpack-NAME-XXXXXX/   an unpack in progress, locked while tar runs
 *   <root>/containers/ID/{upper,work,merged}
 *
 * Locks (flock) tell what is in use: an unpack holds its directory exclusively, and every
 * running container holds its lower directory shared. What nobody holds is fair game: an
 * unpack directory left by a killed mydocker, a copy of an older tarball no container uses.
 * The tarball's own lock closes the gap before that: a run holds it shared from finding the
 * image until it holds its copy, and rmi (images.c) holds it exclusive while it looks for
 * users and removes the image. So rmi never sees an image whose run is half way: it waits for
 * the run to hold its copy and then finds it in use, or the run waits and finds no image. */
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

/* Split TEXT, NAME or NAME:TAG as Docker takes it, into REF; -1 if a part breaks the rule. */
int image_ref(const char *text, struct image_ref *ref)
{
	memset(ref, 0, sizeof *ref);
	const char *colon = strchr(text, ':'), *tag = colon ? colon + 1 : "latest";
	size_t len = colon ? (size_t)(colon - text) : strlen(text);
	if (len > IMAGE_NAME_MAX || strlen(tag) > IMAGE_NAME_MAX)
		return -1;
	memcpy(ref->name, text, len);
	strcpy(ref->tag, tag);
	if (!valid_image_name(ref->name) || !valid_image_name(ref->tag))
		return -1;
	/* NAME and NAME:latest are one image, one file. */
	bool latest = !strcmp(tag, "latest");
	snprintf(ref->file, sizeof ref->file, "%s%s%s.tar", ref->name, latest ? "" : ":",
		 latest ? "" : tag);
	snprintf(ref->copies, sizeof ref->copies, "%s%s%s", ref->name, latest ? "" : "@",
		 latest ? "" : tag);
	return 0;
}

/* Find image REF (TEXT, as the user wrote it) in the state root's images, then in images/
 * beside the mydocker binary. */
static char *find_tarball(const char *root, const struct image_ref *ref, const char *text)
{
	const char *file = ref->file;
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
		warn("image \"%s\" not found (looked in %s and %s)", text, places[0],
		     places[1] ? places[1] : "beside mydocker");
	free(places[0]);
	free(places[1]);
	free(exe_dir);
	return found;
}

/* Open TARBALL and flock it HOW (LOCK_SH or LOCK_EX), waiting while it is held the other way.
 * Returns the descriptor, or -1 with errno; ESTALE if TARBALL was removed or replaced while
 * this waited: the image is another one now (or none), and the caller looks again.
 * O_NONBLOCK: a FIFO (an image being fed in) opens without waiting for its writer. */
int image_lock(const char *tarball, int how)
{
	struct stat held, now;
	int fd = lock_open(tarball, O_NONBLOCK, how);
	if (fd < 0)
		return -1;
	if (fstat(fd, &held) < 0 || stat(tarball, &now) < 0 || now.st_dev != held.st_dev ||
	    now.st_ino != held.st_ino) {
		close(fd);
		return errno = ESTALE, -1;
	}
	return fd;
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
	/* COPY's directory: <root>/images/NAME, or NAME@TAG. */
	char *image_dir = xstrdup(copy);
	*strrchr(image_dir, '/') = '\0';
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
	struct image_ref ref;
	if (image_ref(name, &ref) < 0) {
		warn("invalid image name \"%s\" (want " IMAGE_RULE ")", name);
		return -1;
	}
	/* overlayfs takes its directories in a comma- and colon-separated option string. */
	if (strpbrk(root, ",:\\")) {
		warn("the state root %s cannot contain ',', ':' or '\\' (overlayfs options)", root);
		return -1;
	}
	/* Held shared until the copy is: see the top of this file. A tarball that rmi removed,
	 * or commit replaced, while this waited is looked for again. */
	char *tarball = NULL;
	int tar_fd = -1;
	for (int tries = 0; tar_fd < 0; tries++) {
		free(tarball);
		if (!(tarball = find_tarball(root, &ref, name)))
			return -1;
		tar_fd = image_lock(tarball, LOCK_SH);
		if (tar_fd < 0 && (errno != ESTALE || tries == 3)) {
			warn_errno("lock %s", tarball);
			free(tarball);
			return -1;
		}
	}
	struct stat st;
	if (fstat(tar_fd, &st) < 0) {
		warn_errno("stat %s", tarball);
		close(tar_fd);
		free(tarball);
		return -1;
	}
	/* A tarball that changed since it was unpacked gets a copy of its own. */
	char *image_dir = xasprintf("%s/images/%s", root, ref.copies);
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
	close(tar_fd);
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
