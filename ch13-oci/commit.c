/* commit.c: `mydocker commit CONTAINER IMAGE`: a tarball of the container's filesystem as the
 * container sees it, which `run IMAGE` then starts from.
 *
 * That view, the overlay of the image and the container's upper directory, exists only where
 * the overlay is mounted: inside the container's mount namespace. The book's commit tars
 * mnt/ on the host, which works only while the container runs and only because its overlay
 * is mounted on the host there; it also takes in whatever is mounted below (volumes). Here:
 *
 *   running   a child setns()s into the container's mount namespace and clones its root
 *             mount with open_tree(OPEN_TREE_CLONE), not recursively: a detached copy of the
 *             overlay alone, with none of the mounts on top of it (volumes, /proc, /sys, /dev
 *             are empty directories in it). The descriptor comes back over a socket
 *             (SCM_RIGHTS) to mydocker, which never leaves the host's namespaces.
 *   exited    nothing is mounted any more: a new overlay is made, detached and read-only
 *             (fsopen, fsconfig, fsmount): lowerdir=UPPER:IMAGE, no upper layer. Overlayfs
 *             applies the upper layer's whiteouts as it does for a mount with an upper, so a
 *             file the container deleted is absent.
 *
 * Either way the tree is a descriptor, mounted nowhere: no other process sees it, and closing
 * it unmounts it. GNU tar runs with that tree as its working directory and writes a
 * temporary file in images/, which is renamed over IMAGE.tar when complete.
 *
 * The clone of a running container's root is live: what the container writes while tar
 * reads shows in it, and GNU tar fails on a file that changes or vanishes as it reads it
 * ("file changed as we read it"). So while tar runs the container is paused, frozen with the
 * cgroup freezer (freezer.c), and thawed as soon as tar is done, on every path, as `docker
 * commit` does unless told --pause=false. An exited container has nothing to pause. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commit.h"
#include "die.h"
#include "freezer.h"
#include "image.h"
#include "opts.h"
#include "privs.h"
#include "sendfd.h"
#include "stage.h"
#include "state.h"
#include "util.h"

#define COMMIT_USAGE "mydocker commit [--pause=false] CONTAINER IMAGE[:TAG]"

static const char commit_help[] =
    "Usage: " COMMIT_USAGE "\n"
    "\n"
    "Create a new image from a container's filesystem: its image with the container's\n"
    "changes, without volumes and without what /proc, /sys and /dev show. The container may\n"
    "be running or exited. Without a TAG the image is IMAGE:latest; one that exists is\n"
    "replaced. A running container is paused (frozen with the cgroup freezer) while its\n"
    "filesystem is archived, so that it changes no file under the archiver, and runs on\n"
    "afterwards.\n"
    "\n"
    "Options:\n"
    "  -p, --pause[=BOOL]     pause a running container during the commit (default true;\n"
    "                         --pause=false archives it running)\n"
    "      --help             print this help\n";

/* The temporary tarballs of commits in progress: <root>/images/.commit-NAME-XXXXXX (NAME@TAG
 * for a tag). */
#define TEMP_PREFIX ".commit-"

/* What the child that enters the container sends back: 0, with the tree's descriptor
 * attached, or the errno of the step that failed. */
struct clone_result {
	int err;
	char step[48];
};

static void send_result(int sock, int fd, int err, const char *step)
{
	struct clone_result res = { .err = err };
	snprintf(res.step, sizeof res.step, "%s", step);
	send_fd(sock, &res, sizeof res, fd);
}

/* A running container's root mount, cloned from inside its mount namespace. Returns the
 * tree's descriptor; -2 if the container is not running (any more); -1 after printing why. */
static int running_tree(const struct record *r, const char *arg)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/mnt", r->state.pid);
	int ns = open(path, O_RDONLY | O_CLOEXEC);
	/* Only a process that is gone means "not running"; any other failure is said as it is. */
	if (ns < 0 && errno != ENOENT && errno != ESRCH) {
		warn_errno("container %s: open %s", arg, path);
		return -1;
	}
	/* Checked after the open: if the process is still the recorded one, so is the
	 * namespace, which now stays as long as NS is open. */
	if (ns < 0 || !process_runs(r->state.pid, r->state.pid_start)) {
		if (ns >= 0)
			close(ns);
		return -2;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		warn_errno("socketpair");
		close(ns);
		return -1;
	}
	pid_t child = fork();
	if (child == 0) {
		/* A process of its own enters the container: mydocker stays on the host. */
		close(sv[0]);
		if (setns(ns, CLONE_NEWNS) < 0) {
			send_result(sv[1], -1, errno, "enter its mount namespace");
			_exit(1);
		}
		/* setns made "/" the namespace's root: the container's overlay. Not AT_RECURSIVE:
		 * the clone is that one mount, without what is mounted on top of it. */
		int tree = open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		send_result(sv[1], tree, tree < 0 ? errno : 0, "open_tree of its root");
		_exit(0);
	}
	int err = errno;
	close(sv[1]);
	close(ns);
	if (child < 0) {
		close(sv[0]);
		errno = err;
		warn_errno("fork");
		return -1;
	}
	struct clone_result res;
	int tree;
	if (recv_fd(sv[0], &res, sizeof res, &tree) < 0)
		res = (struct clone_result){ .err = errno, .step = "receive" };
	else if (tree < 0 && !res.err)
		res = (struct clone_result){ .err = EPROTO, .step = "receive" };
	close(sv[0]);
	waitpid(child, NULL, 0);
	if (tree < 0) {
		errno = res.err;
		warn_errno("container %s: %s", arg, res.step);
	}
	return tree;
}

/* An exited container's filesystem: a new overlay of its upper directory on its image,
 * read-only and mounted nowhere. Returns the tree's descriptor, or -1 after printing why. */
static int exited_tree(const struct record *r, const char *arg)
{
	char *upper = path_join(r->dir, "upper");
	char *layers = xasprintf("%s:%s", upper, r->lower);
	int fs = fsopen("overlay", FSOPEN_CLOEXEC), tree = -1;
	if (fs < 0)
		warn_errno("container %s: fsopen overlay", arg);
	else if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", layers, 0) < 0 ||
		 fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
		 (tree = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY)) < 0)
		warn_errno("container %s: mount an overlay lowerdir=%s", arg, layers);
	if (fs >= 0)
		close(fs);
	free(layers);
	free(upper);
	return tree;
}

/* GNU tar writes the tree TREE into the file TMP: owners by number, modes, device nodes,
 * times, extended attributes (file capabilities). --one-file-system is a second fence: the
 * tree has nothing mounted in it. */
static int tar_tree(int tree, const char *tmp, const char *arg)
{
	char *argv[] = { "tar", "--create", "--file", (char *)tmp, "--format=posix",
			 "--numeric-owner", "--xattrs", "--xattrs-include=*", "--one-file-system",
			 /* Sockets cannot be archived, and need not be. */
			 "--warning=no-file-ignored", ".", NULL };
	char why[512];
	if (run_quietly(TAR, argv, tree, why, sizeof why) == 0)
		return 0;
	warn("container %s: %s", arg, why);
	return -1;
}

static int commit(const char *arg, const struct image_ref *ref, const char *image, bool pause)
{
	char id[ID_LEN + 1];
	struct record r;
	if (record_find(state_root, arg, id) < 0)
		return EXIT_NOT_FOUND;
	if (record_load(state_root, id, &r) < 0) {
		if (errno == ENOENT)
			warn("No such container: %s", arg);
		else
			warn_errno("read the records of container %s", arg);
		return EXIT_RUNTIME;
	}
	char *images = path_join(state_root, "images");
	char *tarball = path_join(images, ref->file);
	char *what = xasprintf("container %s", arg);
	struct freezer fz = { 0 };
	struct stage tmp = { .fd = -1 };
	int tree = -2, code = EXIT_RUNTIME;
	bool running = false;
	if (record_alive(&r))
		running = (tree = running_tree(&r, arg)) >= 0;
	/* Exited, or it exited just now: then its overlay is gone, and a new one shows it. */
	if (tree == -2)
		tree = exited_tree(&r, arg);
	if (tree < 0)
		goto out;
	if (stage_create(&tmp, images, TEMP_PREFIX, ref->copies, S_IFREG | 0644) < 0)
		goto out;
	/* Frozen for as short as can be: only while tar reads. -2: it exited meanwhile, and
	 * what its layer holds can no longer change. */
	if (running && pause && freezer_freeze(&fz, id, what) == -1)
		goto out;
	int tarred = tar_tree(tree, tmp.path, arg);
	if (freezer_thaw(&fz, what) < 0 || tarred < 0)
		goto out;
	if (stage_finish(&tmp, tarball) < 0) {
		warn_errno("write %s", tarball);
		goto out;
	}
	printf("%s\n", image);
	code = 0;
out:
	/* Thawed on every path (nothing happens if it is not frozen). */
	freezer_thaw(&fz, what);
	stage_end(&tmp);
	close_fd(&tree);
	free(what);
	free(tarball);
	free(images);
	record_free(&r);
	return code;
}

int cmd_commit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pause", optional_argument, NULL, 'p' },
		OPT_HELP,
		{ 0 },
	};
	bool pause = true;
	/* "p::": as with Docker's boolean flags, the value is optional and attached, never the
	 * next word: --pause, --pause=false, -p, -p=false. It is the only option. */
	while (next_option(argc, argv, "+p::", longopts, commit_help, COMMIT_USAGE) != -1) {
		const char *opt = argv[optind - 1];
		bool is_long = str_starts_with(opt, "--");
		/* getopt gives -p=false as "=false", and -pfalse as "false": Docker reads the
		 * latter as -p -f -a..., which are no options of commit. */
		const char *value = optarg;
		if (value && !is_long && *value++ != '=')
			die("unknown option %s (usage: " COMMIT_USAGE ")", opt);
		int v = value ? parse_bool(value) : 1;
		if (v < 0)
			die("invalid %s \"%s\" (want true or false)", is_long ? "--pause" : "-p",
			    value);
		pause = v;
	}
	if (argc - optind != 2)
		die("%s (usage: " COMMIT_USAGE ")", argc - optind < 2
							? "a container and an image name are needed"
							: "too many arguments");
	const char *image = argv[optind + 1];
	struct image_ref ref;
	if (image_ref(image, &ref) < 0)
		die("invalid image name \"%s\" (want " IMAGE_RULE ")", image);
	require_root();
	require_safe_root();
	return commit(argv[optind], &ref, image, pause);
}
