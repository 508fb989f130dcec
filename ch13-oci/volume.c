/* volume.c: `-v HOST:CTR[:ro|rw]`. The spec is checked when the option is read; host
 * directories and named volumes are made before the container exists; the bind mounts are made
 * by the container's init, inside its mount namespace, so the host's mount table never changes.
 *
 *   <root>/volumes/NAME/    a named volume: created on first use, seeded from the image, kept
 *
 * CTR comes from the user but is looked up in the image, and the image may be hostile: its
 * /data may be a symlink to /etc, to ../../../tmp or to /proc/self/root. So CTR is resolved
 * with openat2(RESOLVE_IN_ROOT), which makes "/" and ".." stop at the container's root, and
 * the mount is attached to the file descriptor that resolution returned (move_mount), never
 * to a path string the kernel would walk again from the host's root. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "die.h"
#include "util.h"
#include "volume.h"

/* GNU cp, by absolute path: mydocker runs as root and must not take it from the caller's PATH. */
#define CP_PATH "/bin/cp"

/* As many symlinks as the kernel follows in one path before it gives up with ELOOP. */
#define MAX_SYMLINKS 40

/* Volume names are directory names: the characters Docker allows. */
static bool valid_volume_name(const char *s, size_t len)
{
	static const char alnum[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	if (len == 0 || len > VOLUME_NAME_MAX || !strchr(alnum, s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!s[i] || (!strchr(alnum, s[i]) && !strchr("_.-", s[i])))
			return false;
	return true;
}

/* Clean the absolute path IN (LEN bytes) into OUT as Docker cleans CTR (Go's filepath.Clean):
 * no ".", no "..", no empty components; ".." at the root stays there. -1 if it does not fit. */
static int clean_path(const char *in, size_t len, char *out, size_t size)
{
	const char *p = in, *end = in + len;
	size_t n = 0;
	while (p < end) {
		while (p < end && *p == '/')
			p++;
		const char *q = memchr(p, '/', end - p);
		size_t part = (q ? q : end) - p;
		if (part == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else if (part > 0 && !(part == 1 && p[0] == '.')) {
			if (n + 1 + part + 1 > size)
				return -1;
			out[n++] = '/';
			memcpy(out + n, p, part);
			n += part;
		}
		p += part;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

/* Put one line about the bad spec SPEC into ERR; returns -1 for the caller to return. */
static int __attribute__((format(printf, 4, 5)))
bad_spec(char *err, size_t size, const char *spec, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, size, "invalid volume \"%s\": ", spec);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < size)
		vsnprintf(err + n, size - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Parse SPEC, "HOST:CTR[:ro|rw]", into V. HOST is an absolute host path or a volume name; CTR
 * an absolute path in the container, other than /. On error returns -1 with one line in ERR. */
int parse_volume(const char *spec, struct volume *v, char *err, size_t errsize)
{
	static const char want[] = "want HOST:CTR[:ro|rw]";
	memset(v, 0, sizeof *v);
	const char *colon = strchr(spec, ':');
	if (!colon)
		return bad_spec(err, errsize, spec, "no container path (%s)", want);
	const char *host = spec, *ctr = colon + 1, *mode = strchr(ctr, ':');
	int host_len = colon - spec, ctr_len = mode ? mode - ctr : (int)strlen(ctr);
	if (host_len == 0)
		return bad_spec(err, errsize, spec, "empty host path (%s)", want);
	if (ctr_len == 0)
		return bad_spec(err, errsize, spec, "empty container path (%s)", want);
	if (mode && strchr(mode + 1, ':'))
		return bad_spec(err, errsize, spec, "too many ':' (%s)", want);
	if (mode && strcmp(mode + 1, "ro") && strcmp(mode + 1, "rw"))
		return bad_spec(err, errsize, spec, "unknown mode \"%s\" (want ro or rw)",
				mode + 1);
	v->readonly = mode && !strcmp(mode + 1, "ro");
	if (host[0] == '/' && (size_t)host_len < sizeof v->host)
		memcpy(v->host, host, host_len);
	else if (valid_volume_name(host, host_len))
		memcpy(v->name, host, host_len);
	else
		return bad_spec(
		    err, errsize, spec,
		    "\"%.*s\" is neither an absolute host path nor a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most %d characters)",
		    host_len, host, VOLUME_NAME_MAX);
	if (ctr[0] != '/')
		return bad_spec(err, errsize, spec, "the container path \"%.*s\" is not absolute",
				ctr_len, ctr);
	if (clean_path(ctr, ctr_len, v->target, sizeof v->target) < 0)
		return bad_spec(err, errsize, spec, "the container path is too long");
	if (!strcmp(v->target, "/"))
		return bad_spec(err, errsize, spec, "the container path cannot be /");
	/* Volumes are mounted over the container's procfs: one at /proc would replace it (with
	 * the host's own /proc, every host process and its root), one inside it would hide the
	 * kernel's files. runc refuses both, and so does mydocker. The path is clean here, so
	 * "/tmp/../proc" is "/proc" by now. */
	if (!strncmp(v->target, "/proc", 5) && (v->target[5] == '\0' || v->target[5] == '/'))
		return bad_spec(err, errsize, spec,
				"%s is in /proc, where only the container's own procfs is mounted",
				v->target);
	return 0;
}

/* How deep a clean absolute path is: "/a" is 1, "/a/b" is 2. */
static size_t depth(const char *path)
{
	size_t d = 0;
	for (; *path; path++)
		d += *path == '/';
	return d;
}

/* Parse SPEC and add it to the list *VOLS of *N volumes, after those it may be mounted inside
 * of: a parent must be mounted before the volumes below it, or it would hide them. */
int add_volume(struct volume **vols, size_t *n, const char *spec, char *err, size_t errsize)
{
	struct volume v;
	if (parse_volume(spec, &v, err, errsize) < 0)
		return -1;
	size_t at = *n;
	for (size_t i = 0; i < *n; i++) {
		if (!strcmp((*vols)[i].target, v.target))
			return snprintf(err, errsize, "duplicate mount point %s", v.target), -1;
		if (depth((*vols)[i].target) > depth(v.target) && at == *n)
			at = i;
	}
	*vols = xrealloc(*vols, (*n + 1) * sizeof **vols);
	memmove(*vols + at + 1, *vols + at, (*n - at) * sizeof **vols);
	(*vols)[at] = v;
	(*n)++;
	return 0;
}

/* openat2(2), which glibc does not wrap: open PATH as if DIRFD were "/", for "/", ".." and
 * every symlink on the way, and refuse /proc's magic links (/proc/self/root leads anywhere).
 * The kernel answers EAGAIN when a rename or mount anywhere on the machine raced with a ".."
 * step, rather than risk a wrong answer: then it is simply asked again. */
static int open_in_root(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | flags,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd, tries = 0;
	do
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	while (fd < 0 && errno == EAGAIN && ++tries < 100);
	return fd;
}

/* The host path a volume mounts: HOST itself, or ROOT/volumes/NAME for a named volume. */
static int volume_source(const struct volume *v, const char *root, char *buf, size_t size)
{
	int n = *v->name ? snprintf(buf, size, "%s/volumes/%s", root, v->name)
			 : snprintf(buf, size, "%s", v->host);
	if (n < 0 || (size_t)n >= size)
		return errno = ENAMETOOLONG, -1;
	return 0;
}

/* Have GNU cp copy the directory SRC (a descriptor) into the directory DEST with -a: owners,
 * modes, times, symlinks (as symlinks, never followed) and extended attributes kept. Run in
 * SRC, "cp -a -T . DEST" copies what is inside it. */
static int copy_tree(int src, const char *dest, char *why, size_t size)
{
	char *argv[] = { "cp", "-a", "-T", ".", (char *)dest, NULL };
	return run_quietly(CP_PATH, argv, src, why, size);
}

/* A new named volume starts with what the image has at CTR, as in Docker. CTR is resolved
 * inside the image, exactly as the container will see it, so an image whose /data is a
 * symlink to /etc seeds the volume with the image's /etc, never the host's. */
static int seed_from_image(const struct volume *v, const char *lower, const char *dir)
{
	int root = open(lower, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		warn_errno("volume %s: open the image %s", v->name, lower);
		return -1;
	}
	int src = open_in_root(root, v->target, O_DIRECTORY);
	close(root);
	if (src < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0; /* nothing there, or not a directory: the volume starts empty */
	if (src < 0) {
		warn_errno("volume %s: look up %s in the image", v->name, v->target);
		return -1;
	}
	char why[512];
	int rc = copy_tree(src, dir, why, sizeof why);
	close(src);
	if (rc < 0)
		warn("volume %s: copy the image's %s into it: %s", v->name, v->target, why);
	return rc;
}

/* The first use of named volume V at PATH: seed a fresh temporary directory, then rename it
 * into place without replacing anything, so no container ever sees a half-seeded volume. If
 * another mydocker created it meanwhile, theirs is used and ours, never seen, is removed. */
static int create_named_volume(const struct volume *v, const char *path, const char *lower)
{
	char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	char *tmp = xasprintf("%s/.new-%s-XXXXXX", dir, v->name);
	int rc = -1;
	if (mkdir_p(dir, 0755) < 0) {
		warn_errno("mkdir %s", dir);
		goto out;
	}
	if (!mkdtemp(tmp)) {
		warn_errno("volume %s: mkdtemp %s", v->name, tmp);
		goto out;
	}
	/* mkdtemp makes it 0700; seeding copies the image's mode over this. */
	if (chmod(tmp, 0755) < 0) {
		warn_errno("volume %s: chmod %s", v->name, tmp);
		remove_tree(tmp);
		goto out;
	}
	if (seed_from_image(v, lower, tmp) < 0) {
		remove_tree(tmp);
		goto out;
	}
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) < 0) {
		int err = errno;
		remove_tree(tmp);
		if (err != EEXIST) {
			errno = err;
			warn_errno("volume %s: rename %s to %s", v->name, tmp, path);
			goto out;
		}
	}
	rc = 0;
out:
	free(tmp);
	free(dir);
	return rc;
}

/* In mydocker, before the container exists: a host path that does not exist is created as a
 * directory (as Docker does for -v), a named volume on its first use. LOWER is the image's
 * directory, to seed new named volumes from. */
int prepare_volumes(const struct volume *vols, size_t n, const char *root, const char *lower)
{
	for (size_t i = 0; i < n; i++) {
		const struct volume *v = &vols[i];
		char path[PATH_MAX];
		struct stat st;
		if (volume_source(v, root, path, sizeof path) < 0) {
			warn_errno("volume %s", *v->name ? v->name : v->target);
			return -1;
		}
		int found = *v->name ? lstat(path, &st) : stat(path, &st);
		if (found == 0 && *v->name && !S_ISDIR(st.st_mode)) {
			warn("volume %s: %s is not a directory", v->name, path);
			return -1;
		}
		if (found == 0)
			continue;
		if (errno != ENOENT) {
			warn_errno("volume %s: %s", *v->name ? v->name : v->target, path);
			return -1;
		}
		if (*v->name && create_named_volume(v, path, lower) < 0)
			return -1;
		if (!*v->name && mkdir_p(path, 0755) < 0) {
			warn_errno("volume %s: create the host directory %s", v->target, path);
			return -1;
		}
	}
	return 0;
}

/* PATH (inside ROOT) could not be opened because something on it is missing: create the first
 * missing component in the directory that holds it (an empty file if it is the last one and
 * FILE is set). That component may be a symlink to something missing, such as the image's
 * "data -> /srv/data": then it is replaced in PATH by its target, so the caller's next lookup
 * follows it inside ROOT as the kernel would. Returns 0 after creating, 1 after replacing. */
static int create_missing(int root, char *path, bool file)
{
	char *p = path, *end;
	for (;;) {
		p += strspn(p, "/");
		end = p + strcspn(p, "/");
		char c = *end;
		*end = '\0';
		int fd = open_in_root(root, path, 0);
		*end = c;
		if (fd < 0)
			break;
		close(fd);
		if (!*end) /* everything exists now: nothing to create */
			return 0;
		p = end;
	}
	if (errno != ENOENT)
		return -1;
	/* PATH up to P exists; the component from P to END does not. */
	char name[NAME_MAX + 1], parent[PATH_MAX];
	if ((size_t)(end - p) > NAME_MAX)
		return errno = ENAMETOOLONG, -1;
	snprintf(name, sizeof name, "%.*s", (int)(end - p), p);
	snprintf(parent, sizeof parent, "%.*s", (int)(p - path), path);
	int dir = open_in_root(root, *parent ? parent : "/", O_DIRECTORY);
	if (dir < 0)
		return -1;
	int made = -1;
	if (file && !*end)
		made =
		    openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	else
		made = mkdirat(dir, name, 0755);
	if (made >= 0 || errno != EEXIST) {
		if (file && !*end && made >= 0)
			close(made);
		close(dir);
		return made < 0 ? -1 : 0;
	}
	/* It exists but cannot be opened: a symlink to something missing. */
	char link[PATH_MAX], next[PATH_MAX];
	ssize_t len = readlinkat(dir, name, link, sizeof link - 1);
	close(dir);
	if (len < 0)
		return -1;
	link[len] = '\0';
	int n = link[0] == '/' ? snprintf(next, sizeof next, "%s%s", link, end)
			       : snprintf(next, sizeof next, "%s%s%s", parent, link, end);
	if (n >= (int)sizeof next)
		return errno = ENAMETOOLONG, -1;
	memcpy(path, next, n + 1);
	return 1;
}

/* Open TARGET inside ROOT for mounting on, creating what is missing in the container's layer
 * (never in the image: the overlay copies every change up into the container's own upper). */
static int open_mount_point(int root, const char *target, bool file)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s", target);
	/* Each round creates one component or follows one symlink; both are bounded. */
	for (int links = 0, made = 0; links <= MAX_SYMLINKS && made <= PATH_MAX / 2;) {
		int fd = open_in_root(root, path, 0);
		if (fd >= 0 || errno != ENOENT)
			return fd;
		int r = create_missing(root, path, file);
		if (r < 0)
			return -1;
		links += r;
		made += !r;
	}
	return errno = ELOOP, -1;
}

/* Bind-mount the host path SOURCE as volume V: clone the host's tree with its submounts (as
 * `mount --rbind`), make the clone read-only for :ro while it is still detached, then attach it
 * to the mount point by file descriptor. Each step names itself in STEP before it runs. */
static int mount_volume(int root, const struct volume *v, const char *source, char *step,
			size_t size)
{
	int tree = -1, at = -1, rc = -1;
	struct stat src, dst;
	snprintf(step, size, "volume %s: open %s", v->target, source);
	tree = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0 || fstat(tree, &src) < 0)
		goto out;
	if (v->readonly) {
		struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
		snprintf(step, size, "volume %s: make %s read-only", v->target, source);
		if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof ro) < 0)
			goto out;
	}
	snprintf(step, size, "volume %s: create the mount point", v->target);
	at = open_mount_point(root, v->target, !S_ISDIR(src.st_mode));
	if (at < 0 || fstat(at, &dst) < 0)
		goto out;
	if (S_ISDIR(src.st_mode) != S_ISDIR(dst.st_mode)) {
		snprintf(step, size, "volume %s: mount %s %s on a %s", v->target,
			 S_ISDIR(src.st_mode) ? "the directory" : "the file", source,
			 S_ISDIR(dst.st_mode) ? "directory" : "file");
		errno = S_ISDIR(src.st_mode) ? ENOTDIR : EISDIR;
		goto out;
	}
	snprintf(step, size, "volume %s: mount %s", v->target, source);
	rc = move_mount(tree, "", at, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
out:;
	int err = errno;
	close_fd(&tree);
	close_fd(&at);
	errno = err;
	return rc;
}

/* In the container's init, with NEWROOT (the overlay) mounted and the host still visible: mount
 * every volume inside NEWROOT, parents first (ROOT is the state root, for named volumes).
 * Mounts made here live in the container's mount namespace only; when it goes, they go, and
 * nothing on the host is unmounted or removed. */
int mount_volumes(const struct volume *vols, size_t n, const char *root, const char *newroot,
		  char *step, size_t stepsize)
{
	if (n == 0)
		return 0;
	snprintf(step, stepsize, "open %s", newroot);
	int rootfd = open(newroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char source[PATH_MAX];
		snprintf(step, stepsize, "volume %s", vols[i].target);
		rc = volume_source(&vols[i], root, source, sizeof source);
		if (rc == 0)
			rc = mount_volume(rootfd, &vols[i], source, step, stepsize);
	}
	int err = errno;
	close(rootfd);
	errno = err;
	return rc;
}
