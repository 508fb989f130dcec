/* rootfs.c: the container's root filesystem, built from inside its mount namespace: an overlay
 * of the image and the container's own layer, /proc, /sys, a small /dev, then pivot_root into
 * it so that the host's files are no longer reachable. Mounts made here live and die with the
 * mount namespace: when the container's last process exits, the kernel unmounts them all.
 * This runs in init, so nothing here may exit: paths are built in buffers on the stack, and
 * every failure goes to fail() (pipe.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "container.h"
#include "image.h"
#include "pipe.h"
#include "rootfs.h"

/* BUF (PATH_MAX bytes) = NEWROOT/NAME. */
static void path_in(char *buf, const char *newroot, const char *name)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", newroot, name) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		fail("path %s/%s", newroot, name);
	}
}

/* Mount the union of the image (lower, read-only) and the container's upper directory. */
static void mount_overlay(const struct container *c, const char *merged)
{
	char opts[3 * PATH_MAX + 64];
	if (snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", c->lower,
		     c->dir, c->dir) >= (int)sizeof opts) {
		errno = ENAMETOOLONG;
		fail("overlay options for %s", merged);
	}
	if (mount("overlay", merged, "overlay", 0, opts) < 0)
		fail("mount overlay on %s", merged);
}

/* mount(2) onto NEWROOT/TARGET, creating the mount point (in the upper layer) if needed. */
static void mount_in(const char *newroot, const char *source, const char *target,
		     const char *fstype, unsigned long flags, const char *data)
{
	char path[PATH_MAX];
	path_in(path, newroot, target);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		fail("mkdir %s", path);
	if (mount(source, path, fstype, flags, data) < 0)
		fail("mount %s", path);
}

/* Bind DIR/NAME over NEWROOT/etc/NAME, made (empty) if the image has none. */
static void bind_etc(const char *newroot, const char *dir, const char *name)
{
	char source[PATH_MAX], target[PATH_MAX];
	path_in(source, dir, name);
	path_in(target, newroot, "etc");
	if (mkdir(target, 0755) < 0 && errno != EEXIST)
		fail("mkdir %s", target);
	size_t len = strlen(target);
	if (snprintf(target + len, PATH_MAX - len, "/%s", name) >= (int)(PATH_MAX - len)) {
		errno = ENAMETOOLONG;
		fail("path %s/etc/%s", newroot, name);
	}
	int fd = open(target, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		fail("create %s", target);
	close(fd);
	if (mount(source, target, NULL, MS_BIND, NULL) < 0)
		fail("bind %s on %s", source, target);
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
	char path[PATH_MAX], name[64];
	for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
		snprintf(name, sizeof name, "dev/%s", nodes[i].name);
		path_in(path, newroot, name);
		/* The mode is masked by the umask: set it again afterwards. */
		if (mknod(path, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0 ||
		    chmod(path, 0666) < 0)
			fail("mknod %s", path);
	}
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		snprintf(name, sizeof name, "dev/%s", links[i].name);
		path_in(path, newroot, name);
		if (symlink(links[i].target, path) < 0)
			fail("symlink %s", path);
	}
}

/* Make NEWROOT the root: afterwards the old root is unmounted and unreachable. pivot_root(".",
 * ".") stacks the old root on top of the new one, so it can be detached without needing a
 * directory for it inside the container. */
static void pivot_into(const char *newroot)
{
	if (chdir(newroot) < 0)
		fail("chdir %s", newroot);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail("pivot_root %s", newroot);
	if (umount2(".", MNT_DETACH) < 0)
		fail("detach the old root");
	if (chdir("/") < 0)
		fail("chdir /");
}

/* Called in the container's init, after / has been made private. */
void setup_rootfs(const struct container *c)
{
	char newroot[PATH_MAX];
	path_in(newroot, c->dir, "merged");
	mount_overlay(c, newroot);
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
	/* A networked container's /etc files (network.c), bound over the image's. */
	static const char *const etc[] = { "hosts", "hostname", "resolv.conf" };
	for (int i = 0; i < 3 && c->net.bridged; i++)
		bind_etc(newroot, c->dir, etc[i]);
	/* The volumes go on top of all that, while the host's paths can still be reached. */
	const struct run_opts *o = c->opts;
	char step[PATH_MAX];
	if (mount_volumes(o->vols, o->nvols, state_root, newroot, step, sizeof step) < 0)
		fail("%s", step);
	pivot_into(newroot);
}
