/* rootfs.c: the container's root filesystem, built from inside its mount namespace: an overlay
 * of the image and the container's own layer, /proc, /sys, a small /dev, then pivot_root into
 * it so that the host's files are no longer reachable. Mounts made here live and die with the
 * mount namespace: when the container's last process exits, the kernel unmounts them all.
 * This runs in init, so nothing here may exit: paths are built in buffers on the stack, and
 * every failure goes to fail() (pipe.c).
 *
 * ch12: the image is not trusted, and /proc is not all harmless.
 *  - Every mount goes onto a descriptor, never onto a path string: the directory (or file) is
 *    opened once with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS), so an image whose /proc,
 *    /sys or /dev is a symlink (to /, to the host's /tmp...) is refused instead of followed
 *    (runc's CVE-2019-19921, CVE-2023-27561), and the mount is attached to what was opened.
 *  - Docker's read-only paths (/proc/sys...) and masked paths (/proc/kcore...), unless
 *    --privileged; a file is masked with the container's /dev/null only after checking, on the
 *    descriptor that is then bound, that it is the null device (CVE-2025-31133).
 *  - --privileged: /sys writable and the host's devices in /dev.
 *  - --tmpfs PATH[:OPTS], and --read-only: the root itself read-only, last of all. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "bundle.h"
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

/* openat2(2), which glibc does not wrap: an O_PATH descriptor of PATH looked up as if ROOT were
 * "/" ("/" and ".." stop there). RESOLVE is RESOLVE_NO_SYMLINKS where the image must not
 * redirect anything (ELOOP at the first symlink, even the last component), or
 * RESOLVE_NO_MAGICLINKS where a symlink may be followed, inside the root. The kernel answers
 * EAGAIN when a rename raced with a ".." step: then it is asked again. */
static int open_in_root(int root, const char *path, int flags, unsigned long long resolve)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | flags,
		.resolve = RESOLVE_IN_ROOT | resolve,
	};
	int fd, tries = 0;
	do
		fd = syscall(SYS_openat2, root, path, &how, sizeof how);
	while (fd < 0 && errno == EAGAIN && ++tries < 100);
	return fd;
}

/* The directory PATH ("proc", "run/app"...) inside ROOT, opened to mount on; what is missing
 * on the way is made, one component at a time, in the directory the previous lookup found
 * (mkdirat never follows the name it makes). Returns -1 with errno set. */
static int open_mount_point(int root, const char *path, unsigned long long resolve)
{
	char prefix[PATH_MAX];
	if (snprintf(prefix, sizeof prefix, "%s", path) >= (int)sizeof prefix)
		return errno = ENAMETOOLONG, -1;
	int dir = fcntl(root, F_DUPFD_CLOEXEC, 0);
	for (char *p = prefix; dir >= 0;) {
		p += strspn(p, "/");
		if (!*p)
			return dir;
		char *end = p + strcspn(p, "/"), c = *end;
		*end = '\0';
		int next = open_in_root(root, prefix, O_DIRECTORY, resolve);
		if (next < 0 && errno == ENOENT && (mkdirat(dir, p, 0755) == 0 || errno == EEXIST))
			next = open_in_root(root, prefix, O_DIRECTORY, resolve);
		int err = errno;
		close(dir);
		errno = err;
		dir = next;
		*end = c;
		p = end;
	}
	return -1;
}

/* The directory PATH, one mydocker mounts on (proc, sys, dev, dev/pts...): a symlink anywhere
 * on it is refused, with the line the user sees. */
static int mount_dir(int root, const char *path)
{
	int fd = open_mount_point(root, path, RESOLVE_NO_SYMLINKS);
	if (fd < 0 && errno == ELOOP)
		fail("/%s in the image is a symlink: refusing to mount over it", path);
	if (fd < 0)
		fail("open /%s to mount on", path);
	return fd;
}

/* mount(2) onto what descriptor FD is open on, never onto a path the kernel would walk again:
 * /proc/self/fd/FD leads to that very mount and inode, whatever was renamed or swapped for a
 * symlink since it was opened. This runs before pivot_root, so that /proc is the host's, not
 * one that the image or a volume could fake. */
static int mount_fd(const char *source, int fd, const char *fstype, unsigned long flags,
		    const char *data)
{
	char target[32];
	snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
	return mount(source, target, fstype, flags, data);
}

/* Mount a new file system of type FSTYPE on the directory PATH inside ROOT. */
static void mount_in(int root, const char *path, const char *source, const char *fstype,
		     unsigned long flags, const char *data)
{
	int fd = mount_dir(root, path);
	if (mount_fd(source, fd, fstype, flags, data) < 0)
		fail("mount %s on /%s", fstype, path);
	close(fd);
}

/* Bind what FROM is open on over ONTO, read-only: the tree is cloned (with its submounts, as
 * `mount --rbind`), made read-only while it is still detached, then attached by descriptor.
 * mount_setattr(2) changes only the bit it names: the legacy remount (MS_REMOUNT | MS_BIND |
 * MS_RDONLY) would replace every flag, so it has to repeat the nosuid, nodev and noexec the
 * mount already has (found with statvfs), or lose them, or fail with EPERM where they are
 * locked. */
static int bind_readonly(int from, int onto)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	int tree =
	    open_tree(from, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0)
		return -1;
	int rc = mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof ro);
	if (rc == 0)
		rc = move_mount(tree, "", onto, "",
				MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	int err = errno;
	close(tree);
	errno = err;
	return rc;
}

/* Bind DIR/NAME (the container's file in its state directory) over /etc/NAME, made (empty) if
 * the image has none. The image's /etc and /etc/NAME must be a real directory and a real file:
 * a symlink would take the mount elsewhere. */
static void bind_etc(int root, const char *dir, const char *name)
{
	char source[PATH_MAX];
	struct stat st;
	path_in(source, dir, name);
	int etc = mount_dir(root, "etc");
	int made = openat(etc, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (made < 0 && errno != EEXIST)
		fail("create /etc/%s", name);
	if (made >= 0)
		close(made);
	int fd = openat(etc, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		fail("open /etc/%s", name);
	if (S_ISLNK(st.st_mode)) {
		errno = ELOOP;
		fail("/etc/%s in the image is a symlink: refusing to mount over it", name);
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		fail("/etc/%s in the image is not a regular file: refusing to mount over it", name);
	}
	if (mount_fd(source, fd, NULL, MS_BIND, NULL) < 0)
		fail("bind %s on /etc/%s", source, name);
	close(fd);
	close(etc);
}

/* The device nodes a program may expect, as Docker provides them, in DEV (the container's
 * /dev, a tmpfs of its own: nothing of the image is in it). */
static void populate_dev(int dev)
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
		const char *name = nodes[i].name;
		/* The mode is masked by the umask: set it again afterwards. */
		if (mknodat(dev, name, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) <
			0 ||
		    fchmodat(dev, name, 0666, 0) < 0)
			fail("mknod /dev/%s", name);
	}
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlinkat(links[i].target, dev, links[i].name) < 0)
			fail("symlink /dev/%s", links[i].name);
}

/* --privileged, as Docker: every character and block device directly in the host's /dev is
 * made again in the container's DEV, with the same numbers, mode and owner. Not the host's
 * console, and nothing below /dev (the host's terminals in /dev/pts): the container has its
 * own. A name the container's /dev already has (null, tty, ptmx...) keeps the container's. */
static void host_devices(int dev)
{
	DIR *host = opendir("/dev");
	if (!host)
		fail("open the host's /dev");
	struct dirent *e;
	struct stat st;
	while ((errno = 0, e = readdir(host))) {
		const char *name = e->d_name;
		if (!strcmp(name, "console"))
			continue;
		if (fstatat(dirfd(host), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* gone since readdir */
			fail("stat the host's /dev/%s", name);
		}
		if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			continue;
		if (mknodat(dev, name, st.st_mode & (S_IFMT | 07777), st.st_rdev) < 0) {
			if (errno == EEXIST)
				continue;
			fail("mknod /dev/%s", name);
		}
		if (fchownat(dev, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    fchmodat(dev, name, st.st_mode & 07777, 0) < 0)
			fail("set the owner and mode of /dev/%s", name);
	}
	if (errno)
		fail("read the host's /dev");
	closedir(host);
}

/* Docker's read-only paths: the files of /proc through which root would change the host's
 * kernel, not just its container: sysctls, interrupt affinities, the magic SysRq key. */
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/* Docker's masked paths: what would show the host's memory (kcore), its keys, its hardware and
 * its scheduler's and timers' inner state. A path this kernel does not have is skipped. */
static const char *const masked_paths[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/interrupts",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/sys/devices/virtual/powercap",
	"/sys/firmware",
};

/* PATH (absolute) inside ROOT, opened to cover it; -1 (nothing to do) if this kernel has no
 * such file. */
static int open_kernel_path(int root, const char *path)
{
	int fd = open_in_root(root, path, 0, RESOLVE_NO_SYMLINKS);
	if (fd < 0 && errno != ENOENT)
		fail("open %s", path);
	return fd;
}

/* The container's /dev/null, as it is now, to mask files with: CVE-2025-31133 was a /dev/null
 * that had become a symlink (to /proc/sys/kernel/core_pattern) by the time runc bound it over
 * a masked path, which then became a writable window on the host's kernel. Checked on the
 * descriptor that is bound afterwards, so nothing can be swapped in between. */
static int open_null(int root)
{
	struct stat st;
	int fd = open_in_root(root, "dev/null", 0, RESOLVE_NO_SYMLINKS);
	if (fd < 0 && errno == ELOOP)
		fail("/dev/null in the container is a symlink: refusing to mask with it");
	if (fd < 0 || fstat(fd, &st) < 0)
		fail("open /dev/null in the container");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		errno = ENODEV;
		fail("/dev/null in the container is not the null device");
	}
	return fd;
}

/* The read-only paths, then the masked ones, as runc orders them. A masked directory gets an
 * empty read-only tmpfs; a masked file the container's /dev/null. That bind is read-only too:
 * a write still goes to the null device and vanishes (a device node is written through even on
 * a read-only mount), but chmod or chown through the masked path, which would change the
 * container's /dev/null itself, is refused. */
static void protect_paths(int root, const char *const *readonly, size_t nreadonly,
			  const char *const *masked, size_t nmasked)
{
	for (size_t i = 0; i < nreadonly; i++) {
		int fd = open_kernel_path(root, readonly[i]);
		if (fd < 0)
			continue;
		if (bind_readonly(fd, fd) < 0)
			fail("make %s read-only", readonly[i]);
		close(fd);
	}
	int null = nmasked ? open_null(root) : -1;
	for (size_t i = 0; i < nmasked; i++) {
		struct stat st;
		int fd = open_kernel_path(root, masked[i]);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) < 0)
			fail("stat %s", masked[i]);
		if (S_ISDIR(st.st_mode) ? mount_fd("tmpfs", fd, "tmpfs", MS_RDONLY, NULL) < 0
					: bind_readonly(null, fd) < 0)
			fail("mask %s", masked[i]);
		close(fd);
	}
	if (null >= 0)
		close(null);
}

/* Docker's lists. */
static void protect_kernel_paths(int root)
{
	protect_paths(root, readonly_paths, sizeof readonly_paths / sizeof readonly_paths[0],
		      masked_paths, sizeof masked_paths / sizeof masked_paths[0]);
}

/* --tmpfs PATH[:OPTS], parsed. */
struct tmpfs_spec {
	char path[PATH_MAX]; /* absolute and clean: no ".", "..", "//" or trailing '/' */
	unsigned long flags; /* mount flags: nosuid, nodev, noexec unless OPTS says otherwise */
	char data[4096];     /* tmpfs's own options (size=, mode=...), for the kernel to judge */
};

/* The options of OPTS that are mount flags, as Docker takes them; every other option is the
 * file system's own (size=64m, mode=1777, uid=...). */
static const struct {
	const char *name;
	unsigned long set, clear;
} tmpfs_flags[] = {
	{ "ro", MS_RDONLY, 0 },
	{ "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },
	{ "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },
	{ "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },
	{ "exec", 0, MS_NOEXEC },
	{ "noatime", MS_NOATIME, 0 },
	{ "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 },
	{ "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 },
	{ "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "nostrictatime", 0, MS_STRICTATIME },
	{ "sync", MS_SYNCHRONOUS, 0 },
	{ "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },
};

/* Put one line about the bad --tmpfs SPEC into ERR; returns -1 for the caller to return. */
static int __attribute__((format(printf, 4, 5)))
bad_tmpfs(char *err, size_t size, const char *spec, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, size, "invalid --tmpfs \"%s\": ", spec);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < size)
		vsnprintf(err + n, size - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The flag of tmpfs_flags named by the LEN bytes at NAME, or -1: not a flag. */
static int tmpfs_flag(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof tmpfs_flags / sizeof tmpfs_flags[0]; i++)
		if (strlen(tmpfs_flags[i].name) == len && !strncmp(name, tmpfs_flags[i].name, len))
			return i;
	return -1;
}

/* Parse SPEC into T; -1 with one line in ERR if it is not PATH[:OPTS] with PATH absolute,
 * not / and not in /proc. Pure: no allocation, no file system, no exit. */
static int parse_tmpfs(const char *spec, struct tmpfs_spec *t, char *err, size_t size)
{
	const char *colon = strchr(spec, ':'), *opts = colon ? colon + 1 : "";
	const char *end = colon ? colon : spec + strlen(spec);
	size_t n = 0, d = 0;
	if (spec[0] != '/')
		return bad_tmpfs(err, size, spec, "the path is not absolute");
	/* The path, component by component, into T->path: no "." or "..", which would make "/proc"
	 * out of "/tmp/../proc"; empty components (from "//" or a trailing '/') are dropped. */
	for (const char *p = spec; p < end;) {
		p += strspn(p, "/");
		size_t part = strcspn(p, "/:");
		if (part == 0)
			break;
		if ((part == 1 && p[0] == '.') || (part == 2 && !strncmp(p, "..", 2)))
			return bad_tmpfs(err, size, spec,
					 "\".\" and \"..\" are not allowed in the path");
		if (n + 1 + part >= sizeof t->path)
			return bad_tmpfs(err, size, spec, "the path is too long");
		t->path[n++] = '/';
		memcpy(t->path + n, p, part);
		n += part;
		p += part;
	}
	t->path[n] = '\0';
	if (n == 0)
		return bad_tmpfs(err, size, spec, "the path cannot be /");
	if (!strncmp(t->path, "/proc", 5) && (t->path[5] == '\0' || t->path[5] == '/'))
		return bad_tmpfs(err, size, spec,
				 "%s is in /proc, where only the container's own procfs is mounted",
				 t->path);
	/* OPTS: the flags change T->flags, the rest is passed on, commas and all. */
	t->flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	for (const char *p = opts; *p;) {
		size_t part = strcspn(p, ",");
		int flag = tmpfs_flag(p, part);
		if (flag >= 0) {
			t->flags = (t->flags | tmpfs_flags[flag].set) & ~tmpfs_flags[flag].clear;
		} else if (part > 0) {
			if (d + 1 + part >= sizeof t->data)
				return bad_tmpfs(err, size, spec, "the options are too long");
			if (d > 0)
				t->data[d++] = ',';
			memcpy(t->data + d, p, part);
			d += part;
		}
		p += part + (p[part] == ',');
	}
	t->data[d] = '\0';
	return 0;
}

int tmpfs_check(const char *spec, char *err, size_t size)
{
	struct tmpfs_spec t;
	return parse_tmpfs(spec, &t, err, size);
}

/* Is the --tmpfs SPEC below one of the volumes? Then it is mounted after them, inside its
 * volume; the others first, so that a volume inside a tmpfs is not hidden by it. */
static bool below_volume(const struct tmpfs_spec *t, const struct run_opts *o)
{
	for (size_t i = 0; i < o->nvols; i++) {
		size_t len = strlen(o->vols[i].target);
		if (!strncmp(t->path, o->vols[i].target, len) && t->path[len] == '/')
			return true;
	}
	return false;
}

/* Mount the --tmpfs options that are below a volume (BELOW) or not, in the order given. Their
 * paths belong to the user and may go through the image's symlinks (/var/run -> /run), but
 * never out of the root. */
static void mount_tmpfs(int root, const struct run_opts *o, bool below)
{
	for (size_t i = 0; i < o->sec.ntmpfs; i++) {
		struct tmpfs_spec t;
		char err[PATH_MAX + 256];
		if (parse_tmpfs(o->sec.tmpfs[i], &t, err, sizeof err) < 0) {
			errno = EINVAL;
			fail("%s", err);
		}
		if (below_volume(&t, o) != below)
			continue;
		int fd = open_mount_point(root, t.path, RESOLVE_NO_MAGICLINKS);
		if (fd < 0)
			fail("--tmpfs %s: create the mount point", t.path);
		if (mount_fd("tmpfs", fd, "tmpfs", t.flags, t.data) < 0)
			fail("--tmpfs %s: mount a tmpfs with the options \"%s\"", t.path, t.data);
		close(fd);
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
	/* ch13: a bundle may ask for shared propagation; the old root is made a slave first, so
	 * that detaching it does not propagate to the host (runc does the same). */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		fail("make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		fail("detach the old root");
	if (chdir("/") < 0)
		fail("chdir /");
}

/* Called in the container's init, after / has been made private.
 *
 * The race that remains: none on the mount targets. Each is a descriptor from one lookup that
 * refused symlinks (or, for --tmpfs, followed them only inside the root), and renaming a
 * directory or swapping a symlink in afterwards changes paths, not descriptors. What could
 * change under these lookups is little anyway: the image is unpacked read-only, the
 * container's own layer is reached only by the host's root, and nothing runs in the container
 * yet; only a volume shared with a running container can change meanwhile, and what changes in
 * it is still inside this root. */
void setup_rootfs(const struct container *c)
{
	const struct run_opts *o = c->opts;
	const struct security *sec = &o->sec;
	char newroot[PATH_MAX];
	path_in(newroot, c->dir, "merged");
	mount_overlay(c, newroot);
	int root = open(newroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		fail("open %s", newroot);
	mount_in(root, "proc", "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	/* /sys is read-only, as Docker's, except with --privileged. */
	mount_in(root, "sys", "sysfs", "sysfs",
		 (sec->privileged ? 0 : MS_RDONLY) | MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	mount_in(root, "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	/* Opened again: the descriptor that mount_in used is the image's directory under it. */
	int dev = mount_dir(root, "dev");
	populate_dev(dev);
	if (sec->privileged)
		host_devices(dev);
	close(dev);
	/* A devpts of the container's own: ptys opened inside are not the host's. */
	mount_in(root, "dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		 "newinstance,ptmxmode=0666,mode=0620");
	mount_in(root, "dev/shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		 "mode=1777,size=65536k");
	/* A networked container's /etc files (network.c), bound over the image's. */
	static const char *const etc[] = { "hosts", "hostname", "resolv.conf" };
	for (int i = 0; i < 3 && c->net.bridged; i++)
		bind_etc(root, c->dir, etc[i]);
	/* The volumes and --tmpfs go on top of all that, while the host's paths can still be
	 * reached; a tmpfs inside a volume after the volumes, the others before. */
	mount_tmpfs(root, o, false);
	char step[PATH_MAX];
	if (mount_volumes(o->vols, o->nvols, state_root, newroot, step, sizeof step) < 0)
		fail("%s", step);
	mount_tmpfs(root, o, true);
	/* Last, so that no volume or tmpfs can cover them, and with /dev/null as it is now. */
	if (!sec->privileged)
		protect_kernel_paths(root);
	close(root);
	pivot_into(newroot);
	/* --read-only: the root itself, not what is mounted inside it (not recursive). */
	if (sec->read_only) {
		struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(AT_FDCWD, "/", 0, &ro, sizeof ro) < 0)
			fail("make / read-only");
	}
}

/* --- ch13: the root of an OCI bundle, from its config.json ------------------------------ */

/* What a bind mount's source is open on: a host path, relative to the bundle unless absolute.
 * Its kind decides what the mount point must be: a directory, or a file made empty. */
static int open_bind_source(const struct bundle *b, const struct bundle_mount *m, bool *dir)
{
	char path[PATH_MAX];
	struct stat st;
	if (!m->source)
		fail("mount on %s: a bind mount needs a source", m->destination);
	if (m->source[0] == '/')
		snprintf(path, sizeof path, "%s", m->source);
	else
		path_in(path, b->dir, m->source);
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		fail("mount on %s: open the source %s", m->destination, path);
	*dir = S_ISDIR(st.st_mode);
	return fd;
}

/* The directory PATH's last component is in, opened inside ROOT (made where missing); *NAME
 * points at that last component. */
static int open_parent(int root, const char *path, const char **name, unsigned long long resolve)
{
	char parent[PATH_MAX];
	snprintf(parent, sizeof parent, "%s", path);
	char *slash = strrchr(parent, '/');
	*name = path + (slash - parent) + 1;
	*slash = '\0';
	int in = open_mount_point(root, *parent ? parent : "/", resolve);
	if (in < 0)
		fail("open %s", *parent ? parent : "/");
	/* An O_PATH descriptor cannot make anything in it: a real one of the same directory. */
	char self[32];
	snprintf(self, sizeof self, "/proc/self/fd/%d", in);
	int dir = open(self, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		fail("open %s", *parent ? parent : "/");
	close(in);
	return dir;
}

/* The mount point of M inside ROOT: a directory, or for a bind of a file an empty file, made
 * where missing. A symlink on the way is followed, but only inside the root, as runc's
 * securejoin does; /proc and /sys may not be one at all (CVE-2019-19921). */
static int open_destination(int root, const struct bundle_mount *m, bool dir)
{
	bool kernel = m->type && (!strcmp(m->type, "proc") || !strcmp(m->type, "sysfs"));
	unsigned long long resolve = kernel ? RESOLVE_NO_SYMLINKS : RESOLVE_NO_MAGICLINKS;
	if (dir) {
		int fd = open_mount_point(root, m->destination, resolve);
		if (fd < 0 && errno == ELOOP)
			fail("%s in the root is a symlink: refusing to mount over it",
			     m->destination);
		if (fd < 0)
			fail("open %s to mount on", m->destination);
		return fd;
	}
	/* A file: made empty in its directory if missing. */
	const char *name;
	int in = open_parent(root, m->destination, &name, resolve);
	int made = openat(in, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (made < 0 && errno != EEXIST && errno != EISDIR)
		fail("create %s to mount on", m->destination);
	if (made >= 0)
		close(made);
	close(in);
	int fd = open_in_root(root, m->destination, 0, resolve);
	if (fd < 0)
		fail("open %s to mount on", m->destination);
	return fd;
}

/* One entry of mounts[]: a new file system, or a bind of a host path; then the flags a bind
 * cannot take at once (ro, nosuid...: a second, remounting call), and its propagation. */
static void mount_one(int root, const struct bundle *b, const struct bundle_mount *m)
{
	bool bind = m->flags & MS_BIND, dir = true;
	int source = bind ? open_bind_source(b, m, &dir) : -1;
	int fd = open_destination(root, m, dir);
	char from[32], onto[32];
	snprintf(from, sizeof from, "/proc/self/fd/%d", source);
	snprintf(onto, sizeof onto, "/proc/self/fd/%d", fd);
	/* cgroup v1 has one file system per hierarchy: a container sees its own through a
	 * read-only tmpfs here (the hierarchies are not mounted in: exercise). */
	bool v1_cgroup = m->type && !strcmp(m->type, "cgroup") &&
			 access("/sys/fs/cgroup/cgroup.controllers", F_OK) < 0;
	const char *type = v1_cgroup				   ? "tmpfs"
			   : m->type && !strcmp(m->type, "cgroup") ? "cgroup2"
								   : m->type;
	unsigned long flags = m->flags & ~(unsigned long)MS_REMOUNT;
	int rc = bind ? mount(from, onto, NULL, flags & (MS_BIND | MS_REC), NULL)
		      : mount(m->source ? m->source : type, onto, type, flags, m->data);
	if (rc < 0)
		fail("mount %s on %s", bind ? m->source : type, m->destination);
	/* FD is what was under the new mount: the flags and the propagation are the new mount's,
	 * so it is opened again, now on top. */
	close(fd);
	fd = open_destination(root, m, dir);
	snprintf(onto, sizeof onto, "/proc/self/fd/%d", fd);
	if (bind && (flags & ~(unsigned long)(MS_BIND | MS_REC)) &&
	    mount(NULL, onto, NULL, MS_REMOUNT | MS_BIND | (flags & ~(unsigned long)MS_REC), NULL) <
		0)
		fail("remount %s with its options", m->destination);
	if (m->propagation && mount(NULL, onto, NULL, m->propagation, NULL) < 0)
		fail("set the propagation of %s", m->destination);
	close(fd);
	if (source >= 0)
		close(source);
}

/* linux.devices[]: each node made in the container (its /dev is a tmpfs of mounts[]), with
 * its numbers, mode and owner; one already there (a default one) is replaced. */
static void make_devices(int root, const struct bundle *b)
{
	for (size_t i = 0; i < b->ndevices; i++) {
		const struct bundle_device *d = &b->devices[i];
		const char *name;
		int dir = open_parent(root, d->path, &name, RESOLVE_NO_SYMLINKS);
		mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
		dev_t rdev = makedev(d->major, d->minor);
		int rc = mknodat(dir, name, type | (d->mode & 07777), rdev);
		if (rc < 0 && errno == EEXIST && unlinkat(dir, name, 0) == 0)
			rc = mknodat(dir, name, type | (d->mode & 07777), rdev);
		if (rc < 0 || fchownat(dir, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    fchmodat(dir, name, d->mode & 07777, 0) < 0)
			fail("make the device %s", d->path);
		close(dir);
	}
}

/* linux.sysctl: written into the container's own /proc (mounted by now, in its namespaces),
 * before /proc/sys is made read-only, as runc orders it. */
static void write_sysctls(const struct bundle *b)
{
	for (size_t i = 0; i < b->nsysctl; i++) {
		char path[PATH_MAX];
		const char *eq = strchr(b->sysctl[i], '=');
		size_t n = (size_t)snprintf(path, sizeof path, "%s/proc/sys/", b->rootfs);
		for (const char *k = b->sysctl[i]; k < eq && n < sizeof path - 1; k++)
			path[n++] = *k == '.' ? '/' : *k;
		path[n] = '\0';
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, eq + 1, strlen(eq + 1)) < 0)
			fail("write the sysctl %.*s", (int)(eq - b->sysctl[i]), b->sysctl[i]);
		close(fd);
	}
}

/* pivot_root refuses a new root that is shared or whose parent mount is: with rootfsPropagation
 * shared, the mount that holds ROOT's directory is made private (that one alone, as runc does)
 * before ROOT is bound onto itself, so the bind is private too. It is found going up from
 * ROOT's parent: MS_PRIVATE on a path that is not a mount point is EINVAL. */
static void unshare_parent_mount(const char *root)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", root);
	for (;;) {
		char *slash = strrchr(dir, '/');
		if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) == 0)
			return;
		if (errno != EINVAL || !strcmp(dir, "/"))
			fail("make the mount of %s private", dir);
	}
}

void setup_bundle_rootfs(const struct container *c)
{
	const struct bundle *b = c->opts->bundle;
	/* rootfsPropagation (rprivate unless it says otherwise), then the root bound onto
	 * itself: pivot_root needs a mount point, and a plain directory is not one. */
	if (mount(NULL, "/", NULL, b->rootfs_propagation, NULL) < 0)
		fail("set the propagation of /");
	if (b->rootfs_propagation & MS_SHARED)
		unshare_parent_mount(b->rootfs);
	if (mount(b->rootfs, b->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		fail("bind the root %s onto itself", b->rootfs);
	int root = open(b->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		fail("open %s", b->rootfs);
	bool dev_tmpfs = false;
	for (size_t i = 0; i < b->nmounts; i++) {
		mount_one(root, b, &b->mounts[i]);
		dev_tmpfs |= !strcmp(b->mounts[i].destination, "/dev") && b->mounts[i].type &&
			     !strcmp(b->mounts[i].type, "tmpfs");
	}
	/* A /dev of its own gets the devices every container has (the spec's list), then its
	 * own. */
	if (dev_tmpfs) {
		int dev = mount_dir(root, "dev");
		populate_dev(dev);
		close(dev);
	}
	make_devices(root, b);
	write_sysctls(b);
	protect_paths(root, b->readonly_paths, b->nreadonly, b->masked, b->nmasked);
	close(root);
	pivot_into(b->rootfs);
	if (b->readonly) {
		struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(AT_FDCWD, "/", 0, &ro, sizeof ro) < 0)
			fail("make / read-only");
	}
}
