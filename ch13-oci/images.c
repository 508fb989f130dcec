/* images.c: `mydocker images` and `mydocker rmi`. An image is a tarball, <root>/images/NAME.tar
 * or NAME:TAG.tar (image.c), so the list is a directory listing: the name and tag, when the
 * tarball was written (created, or committed) and its size, in the columns and words of
 * `docker images`. rmi deletes the tarball and its unpacked copies; the copies are what
 * containers of the image stand on (their lower layer), so an image a container was made from
 * is refused, whether the container runs, has exited (an exited one can still be committed,
 * and needs it) or is still being created. */
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
#include "images.h"
#include "lock.h"
#include "opts.h"
#include "privs.h"
#include "ps.h"
#include "state.h"
#include "util.h"

#define IMAGES_USAGE "mydocker images"
#define RMI_USAGE    "mydocker rmi IMAGE[:TAG]..."

static const char images_help[] =
    "Usage: " IMAGES_USAGE "\n"
    "\n"
    "List images, newest first: the tarballs in the state root's images/ directory and in\n"
    "images/ beside mydocker. NAME.tar is NAME:latest, NAME:TAG.tar is NAME:TAG.\n"
    "\n"
    "Options:\n"
    "      --help             print this help\n";

static const char rmi_help[] = "Usage: " RMI_USAGE "\n"
			       "\n"
			       "Remove one or more images of the state root, with their unpacked\n"
			       "copies; without a TAG, the one tagged latest. An image that a\n"
			       "container (running, exited or being created) was made from is\n"
			       "refused: remove the container first.\n"
			       "\n"
			       "Options:\n"
			       "      --help             print this help\n";

/* Docker's sizes (go-units' HumanSize): decimal units, three significant digits: "512B",
 * "12.3kB", "4.26MB", "1GB". */
void human_size(double bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
	size_t i = 0;
	while (bytes >= 1000 && i < sizeof units / sizeof units[0] - 1) {
		bytes /= 1000;
		i++;
	}
	snprintf(buf, size, "%.3g%s", bytes, units[i]);
}

struct image {
	struct image_ref ref;
	struct stat st;
};

/* Add the images of DIR (NAME.tar and NAME:TAG.tar files) to LIST, unless one is there
 * already. A file `run` would never find by its name (NAME:latest.tar) is not an image. */
static void list_dir(const char *dir, struct image **list, size_t *n)
{
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len <= 4 || strcmp(e->d_name + len - 4, ".tar"))
			continue;
		char *text = xasprintf("%.*s", (int)(len - 4), e->d_name);
		struct image_ref ref;
		bool seen = image_ref(text, &ref) < 0 || strcmp(ref.file, e->d_name);
		for (size_t i = 0; i < *n && !seen; i++)
			seen = !strcmp((*list)[i].ref.file, ref.file);
		char *path = path_join(dir, e->d_name);
		struct stat st;
		if (!seen && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			*list = xrealloc(*list, (*n + 1) * sizeof **list);
			(*list)[(*n)++] = (struct image){ .ref = ref, .st = st };
		}
		free(path);
		free(text);
	}
	if (d)
		closedir(d);
}

static int newest_first(const void *a, const void *b)
{
	const struct stat *x = &((const struct image *)a)->st, *y = &((const struct image *)b)->st;
	if (x->st_mtim.tv_sec != y->st_mtim.tv_sec)
		return x->st_mtim.tv_sec < y->st_mtim.tv_sec ? 1 : -1;
	if (x->st_mtim.tv_nsec != y->st_mtim.tv_nsec)
		return x->st_mtim.tv_nsec < y->st_mtim.tv_nsec ? 1 : -1;
	return strcmp(((const struct image *)a)->ref.file, ((const struct image *)b)->ref.file);
}

/* A column as `docker images` pads it (Go's tabwriter: at least 10 wide, 3 spaces after the
 * widest cell). */
static int column_width(size_t widest)
{
	return widest + 3 < 10 ? 10 : (int)widest + 3;
}

int cmd_images(int argc, char **argv)
{
	no_options(argc, argv, images_help, IMAGES_USAGE);
	if (optind < argc)
		die("unexpected argument %s (usage: " IMAGES_USAGE ")", argv[optind]);
	require_root();
	require_safe_root();
	struct image *list = NULL;
	size_t n = 0;
	char *dirs[2] = { path_join(state_root, "images"), self_dir() };
	list_dir(dirs[0], &list, &n);
	if (dirs[1]) {
		char *beside = path_join(dirs[1], "images");
		list_dir(beside, &list, &n);
		free(beside);
	}
	qsort(list, n, sizeof *list, newest_first);
	struct timespec now;
	time_now(&now);
	char(*created)[80] = xmalloc((n + 1) * sizeof *created);
	char(*sizes)[32] = xmalloc((n + 1) * sizeof *sizes);
	size_t wname = strlen("REPOSITORY"), wtag = strlen("TAG"), wcreated = strlen("CREATED");
	for (size_t i = 0; i < n; i++) {
		char ago[64];
		human_duration(now.tv_sec - list[i].st.st_mtim.tv_sec +
				   (now.tv_nsec - list[i].st.st_mtim.tv_nsec) / 1e9,
			       ago, sizeof ago);
		snprintf(created[i], sizeof created[i], "%s ago", ago);
		human_size(list[i].st.st_size, sizes[i], sizeof sizes[i]);
		if (strlen(list[i].ref.name) > wname)
			wname = strlen(list[i].ref.name);
		if (strlen(list[i].ref.tag) > wtag)
			wtag = strlen(list[i].ref.tag);
		if (strlen(created[i]) > wcreated)
			wcreated = strlen(created[i]);
	}
	printf("%-*s%-*s%-*s%s\n", column_width(wname), "REPOSITORY", column_width(wtag), "TAG",
	       column_width(wcreated), "CREATED", "SIZE");
	for (size_t i = 0; i < n; i++)
		printf("%-*s%-*s%-*s%s\n", column_width(wname), list[i].ref.name,
		       column_width(wtag), list[i].ref.tag, column_width(wcreated), created[i],
		       sizes[i]);
	free(created);
	free(sizes);
	free(list);
	free(dirs[0]);
	free(dirs[1]);
	return 0;
}

/* The first container made from IMAGE, or NULL: its name and short ID, for the message. A
 * container of "busybox:latest" uses "busybox": references are compared by the file they name. */
static char *user_of(const struct image_ref *image)
{
	struct record *records;
	size_t n;
	char *user = NULL;
	if (record_list(state_root, &records, &n) < 0) {
		warn_errno("read %s/containers", state_root);
		return xstrdup("(unknown: the containers cannot be read)");
	}
	for (size_t i = 0; i < n; i++) {
		struct image_ref theirs;
		if (!user && image_ref(records[i].image, &theirs) == 0 &&
		    !strcmp(theirs.file, image->file))
			user = xasprintf("%s (%.*s)", records[i].name, SHORT_ID_LEN, records[i].id);
		record_free(&records[i]);
	}
	free(records);
	return user;
}

/* Does a process hold an unpacked copy in COPIES (shared, image.c)? A container being created
 * does from before it is recorded; one that runs, too, but it has a record. */
static bool copy_held(const char *copies)
{
	DIR *d = opendir(copies);
	bool held = false;
	for (struct dirent *e; d && !held && (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *path = path_join(copies, e->d_name);
		int fd = lock_open(path, O_DIRECTORY | O_NOFOLLOW, LOCK_EX | LOCK_NB);
		held = fd < 0 && errno == EWOULDBLOCK;
		if (fd >= 0)
			close(fd);
		free(path);
	}
	if (d)
		closedir(d);
	return held;
}

static int rmi_one(const char *image)
{
	struct image_ref ref;
	if (image_ref(image, &ref) < 0) {
		warn("invalid image name \"%s\" (want " IMAGE_RULE ")", image);
		return -1;
	}
	char *images = path_join(state_root, "images");
	char *tarball = path_join(images, ref.file);
	char *copies = path_join(images, ref.copies);
	char *user = NULL;
	int fd = -1, rc = -1;
	/* Exclusive: a run that has found the image but does not hold its copy yet is waited
	 * for (image.c); a run that comes later waits, and then finds no image. */
	for (int tries = 0; (fd = image_lock(tarball, LOCK_EX)) < 0 && errno != ENOENT; tries++) {
		if (errno != ESTALE || tries == 3) {
			warn_errno("lock %s", tarball);
			goto out;
		}
	}
	if (fd < 0) {
		char *exe = self_dir();
		char *beside = exe ? xasprintf("%s/images/%s", exe, ref.file) : NULL;
		if (beside && access(beside, F_OK) == 0)
			warn(
			    "image \"%s\" is %s, beside mydocker, not in the state root: mydocker leaves it alone",
			    image, beside);
		else
			warn("No such image: %s", image);
		free(beside);
		free(exe);
		goto out;
	}
	if ((user = user_of(&ref))) {
		warn("image \"%s\" is in use by container %s: remove the container first", image,
		     user);
		goto out;
	}
	if (copy_held(copies)) {
		warn("image \"%s\" is in use by a container being created: try again once it runs",
		     image);
		goto out;
	}
	if (unlink(tarball) < 0) {
		warn_errno("remove %s", tarball);
		goto out;
	}
	if (remove_tree(copies) < 0 && errno != ENOENT) {
		warn_errno("remove %s", copies);
		goto out;
	}
	rc = 0;
out:
	close_fd(&fd);
	free(user);
	free(copies);
	free(tarball);
	free(images);
	return rc;
}

int cmd_rmi(int argc, char **argv)
{
	no_options(argc, argv, rmi_help, RMI_USAGE);
	if (optind >= argc)
		die("no image given (usage: " RMI_USAGE ")");
	require_root();
	require_safe_root();
	int code = 0;
	for (int i = optind; i < argc; i++) {
		if (rmi_one(argv[i]) < 0)
			code = EXIT_RUNTIME;
		else
			printf("Deleted: %s\n", argv[i]);
		fflush(stdout);
	}
	return code;
}
