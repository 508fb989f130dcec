/* rootfs.c: the container's root filesystem, built from inside its mount namespace: an overlay
 * of the image and the container's own layer, /proc, /sys, a small /dev, then pivot_root into
 * it so that the host's files are no longer reachable. Mounts made here live and die with the
 * mount namespace: when the container's last process exits, the kernel unmounts them all. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "container.h"
#include "util.h"

/* A step on PATH failed: report it through init's error pipe. */
static void __attribute__((noreturn)) fail_on(const char *what, const char *path)
{
	char step[512];
	snprintf(step, sizeof step, "%s %s", what, path);
	fail(step);
}

/* Mount the union of the image (lower, read-only) and the container's upper directory. */
static void mount_overlay(const struct run_opts *o, const char *merged)
{
	char *opts =
	    xasprintf("lowerdir=%s,upperdir=%s/upper,workdir=%s/work", o->lower, o->dir, o->dir);
	if (mount("overlay", merged, "overlay", 0, opts) < 0)
		fail_on("mount overlay on", merged);
	free(opts);
}

/* mount(2) onto NEWROOT/TARGET, creating the mount point (in the upper layer) if needed. */
static void mount_in(const char *newroot, const char *source, const char *target,
		     const char *fstype, unsigned long flags, const char *data)
{
	char *path = path_join(newroot, target);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		fail_on("mkdir", path);
	if (mount(source, path, fstype, flags, data) < 0)
		fail_on("mount", path);
	free(path);
}

/* The device nodes a program may expect, as Docker provides them. */
static void populate_dev(const char *newroot)
{
	static const struct {
		const char *name;
		unsigned major, minor;
	} nodes[] = {
		{ "null", 1, 3 },   { "zero", 1, 5 },	 { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	static const struct {
		const char *name, *target;
	} links[] = {
		{ "ptmx", "pts/ptmx" },		 { "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" },	 { "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
		char *path = xasprintf("%s/dev/%s", newroot, nodes[i].name);
		/* The mode is masked by the umask: set it again afterwards. */
		if (mknod(path, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0 ||
		    chmod(path, 0666) < 0)
			fail_on("mknod", path);
		free(path);
	}
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		char *path = xasprintf("%s/dev/%s", newroot, links[i].name);
		if (symlink(links[i].target, path) < 0)
			fail_on("symlink", path);
		free(path);
	}
}

/* Make NEWROOT the root: afterwards the old root is unmounted and unreachable. pivot_root(".",
 * ".") stacks the old root on top of the new one, so it can be detached without needing a
 * directory for it inside the container. */
static void pivot_into(const char *newroot)
{
	if (chdir(newroot) < 0)
		fail_on("chdir", newroot);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail_on("pivot_root", newroot);
	if (umount2(".", MNT_DETACH) < 0)
		fail("detach the old root");
	if (chdir("/") < 0)
		fail("chdir /");
}

/* Called in the container's init, after / has been made private. */
void setup_rootfs(const struct run_opts *o)
{
	char *newroot = path_join(o->dir, "merged");
	mount_overlay(o, newroot);
	mount_in(newroot, "proc", "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	mount_in(newroot, "sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV,
		 NULL);
	mount_in(newroot, "tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
		 "mode=755,size=65536k");
	populate_dev(newroot);
	/* A devpts of the container's own: ptys opened inside are not the host's. */
	mount_in(newroot, "devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		 "newinstance,ptmxmode=0666,mode=0620");
	mount_in(newroot, "shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		 "mode=1777,size=65536k");
	pivot_into(newroot);
	free(newroot);
}
