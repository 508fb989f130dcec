/* tar.c: unpack an image tarball (POSIX ustar, with GNU long names and pax headers) into a
 * directory. Every path is resolved with openat2(RESOLVE_BENEATH) relative to that directory,
 * so no entry can write outside it: not with an absolute path, not with "..", and not through a
 * symlink that an earlier entry planted. Ownership, modes (setuid included), device numbers
 * and modification times are kept exactly: mydocker runs as root, and images need them. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "tar.h"
#include "util.h"

#define BLOCK	 512
#define MAX_META (1 << 20) /* the largest long name or pax header we accept */

/* The ustar header, one 512-byte block. Numbers are octal text (or GNU base-256). */
struct header {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8], type;
	char linkname[100], magic[6], version[2], uname[32], gname[32];
	char devmajor[8], devminor[8], prefix[155], pad[12];
};

/* One archive member, after long-name and pax records have been applied. */
struct entry {
	char *path, *link;
	char type;
	long long size, mode, uid, gid, mtime, major, minor;
};

/* Directory times are set last: creating entries inside a directory changes its mtime. */
struct dir_time {
	char *path;
	long long mtime;
};

struct unpack {
	int fd;		    /* the archive */
	int root;	    /* the destination directory */
	char *err;	    /* where the reason for a failure goes */
	size_t errlen;	    /* its size */
	char *long_path;    /* from a GNU 'L' or pax "path" record, for the next entry */
	char *long_link;    /* from a GNU 'K' or pax "linkpath" record */
	long long pax_size; /* from a pax "size" record, or -1 */
	struct dir_time *dirs;
	size_t ndirs;
};

static int failf(struct unpack *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int failf(struct unpack *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->err, u->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A failed system call on entry PATH: say which, with the errno text. */
static int fail_entry(struct unpack *u, const char *path, const char *what)
{
	return failf(u, "entry \"%s\": %s: %s", path, what, strerror(errno));
}

/* Read exactly N bytes; 0 at a clean end of file before any byte, -1 on error or a short read. */
static int read_exact(struct unpack *u, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(u->fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return failf(u, "read archive: %s", strerror(errno));
		if (r == 0)
			return got == 0 ? 0 : failf(u, "truncated archive");
		got += r;
	}
	return 1;
}

/* Skip the data of SIZE bytes and the padding to the next block. */
static int skip_data(struct unpack *u, long long size)
{
	char buf[BLOCK];
	for (long long left = (size + BLOCK - 1) / BLOCK; left > 0; left--)
		if (read_exact(u, buf, BLOCK) != 1)
			return u->err[0] ? -1 : failf(u, "truncated archive");
	return 0;
}

/* A numeric header field: octal text, or GNU base-256 when the top bit is set. */
static long long field_number(const char *field, size_t len)
{
	const unsigned char *p = (const unsigned char *)field;
	long long v = 0;
	if (p[0] & 0x80) {
		v = p[0] & 0x3f;
		for (size_t i = 1; i < len; i++)
			v = (v << 8) | p[i];
		return v;
	}
	for (size_t i = 0; i < len && p[i]; i++)
		if (p[i] >= '0' && p[i] <= '7')
			v = v * 8 + (p[i] - '0');
	return v;
}

/* The header checksum is the sum of all bytes with the checksum field counted as spaces. */
static bool checksum_ok(const struct header *h)
{
	const unsigned char *b = (const unsigned char *)h;
	long long sum = 0;
	for (size_t i = 0; i < BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : b[i];
	return sum == field_number(h->chksum, sizeof h->chksum);
}

static bool all_zero(const char *block)
{
	for (size_t i = 0; i < BLOCK; i++)
		if (block[i])
			return false;
	return true;
}

/* Read SIZE bytes of member data (a long name, a pax header) into a NUL-terminated buffer. */
static char *read_meta(struct unpack *u, long long size)
{
	if (size < 0 || size > MAX_META) {
		failf(u, "archive metadata record of %lld bytes is too large", size);
		return NULL;
	}
	size_t padded = (size + BLOCK - 1) / BLOCK * BLOCK;
	char *buf = xmalloc(padded + 1);
	if (padded && read_exact(u, buf, padded) != 1) {
		if (!u->err[0])
			failf(u, "truncated archive");
		free(buf);
		return NULL;
	}
	buf[size] = '\0';
	return buf;
}

/* A pax extended header: records "LENGTH key=value\n". We use path, linkpath and size. */
static int apply_pax(struct unpack *u, char *data, long long size)
{
	char *p = data, *end = data + size;
	while (p < end) {
		char *space;
		long len = strtol(p, &space, 10);
		if (*space != ' ' || len <= 0 || len > end - p || p[len - 1] != '\n')
			return failf(u, "malformed pax header");
		p[len - 1] = '\0';
		char *key = space + 1, *eq = strchr(key, '=');
		if (!eq)
			return failf(u, "malformed pax header");
		*eq = '\0';
		if (!strcmp(key, "path")) {
			free(u->long_path);
			u->long_path = xstrdup(eq + 1);
		} else if (!strcmp(key, "linkpath")) {
			free(u->long_link);
			u->long_link = xstrdup(eq + 1);
		} else if (!strcmp(key, "size")) {
			u->pax_size = strtoll(eq + 1, NULL, 10);
		}
		p += len;
	}
	return 0;
}

/* An entry name is relative and has no ".." component. "./a/b/" becomes "a/b"; the root
 * itself becomes "". */
static int clean_path(struct unpack *u, const char *entry, char *path, const char *what)
{
	if (path[0] == '/')
		return failf(u, "entry \"%s\": %s \"%s\" is absolute", entry, what, path);
	for (const char *c = path; *c; c = strchr(c, '/') ? strchr(c, '/') + 1 : c + strlen(c))
		if (!strncmp(c, "..", 2) && (c[2] == '/' || c[2] == '\0'))
			return failf(u, "entry \"%s\": %s \"%s\" leaves the image (\"..\")", entry,
				     what, path);
	char *src = path, *dst = path;
	while (*src) {
		if (src[0] == '.' && (src[1] == '/' || src[1] == '\0') &&
		    (src == path || src[-1] == '/')) {
			src += src[1] ? 2 : 1;
			continue;
		}
		if (*src == '/' && (dst == path || dst[-1] == '/')) {
			src++;
			continue;
		}
		*dst++ = *src++;
	}
	while (dst > path && dst[-1] == '/')
		dst--;
	*dst = '\0';
	return 0;
}

/* Open directory REL below the root without leaving it: openat2 refuses "..", absolute
 * symlinks and any symlink that resolves outside the root. */
static int open_beneath(struct unpack *u, const char *rel)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	return syscall(SYS_openat2, u->root, *rel ? rel : ".", &how, sizeof how);
}

/* Open directory DIR below the root, creating it (and missing parents) if needed. */
static int open_dir_creating(struct unpack *u, const char *dir)
{
	int fd = open_beneath(u, dir);
	if (fd >= 0 || errno != ENOENT || !*dir)
		return fd;
	char *parent = xstrdup(dir);
	char *slash = strrchr(parent, '/');
	const char *name = slash ? slash + 1 : dir;
	if (slash)
		*slash = '\0';
	int pfd = open_dir_creating(u, slash ? parent : "");
	if (pfd >= 0) {
		if (mkdirat(pfd, name, 0755) == 0 || errno == EEXIST)
			fd = open_beneath(u, dir);
		int err = errno;
		close(pfd);
		errno = err;
	}
	int err = errno;
	free(parent);
	errno = err;
	return fd;
}

/* Open the directory that will hold PATH and point *BASE at PATH's last component.
 * Returns the directory's fd, or -1 with the reason recorded. */
static int open_parent(struct unpack *u, const char *path, const char **base)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	*base = slash ? path + (slash - dir) + 1 : path;
	if (slash)
		*slash = '\0';
	int fd = open_dir_creating(u, slash ? dir : "");
	if (fd < 0 && errno == EXDEV)
		failf(u, "entry \"%s\": path leaves the image through a symlink", path);
	else if (fd < 0)
		fail_entry(u, path, "open parent directory");
	free(dir);
	return fd;
}

/* Make room for a new entry called BASE: tar replaces what an earlier entry put there. A
 * directory stays if the new entry is a directory too. */
static int make_room(struct unpack *u, int dirfd, const char *base, const struct entry *e)
{
	struct stat st;
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fail_entry(u, e->path, "stat");
	if (S_ISDIR(st.st_mode) && e->type == '5')
		return 0;
	if (unlinkat(dirfd, base, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
		return fail_entry(u, e->path, "replace existing entry");
	return 0;
}

/* Owner first, then mode: chown clears the setuid and setgid bits. */
static int set_owner_mode(struct unpack *u, int dirfd, const char *base, const struct entry *e)
{
	if (fchownat(dirfd, base, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_entry(u, e->path, "chown");
	if (e->type != '2' && fchmodat(dirfd, base, e->mode & 07777, 0) < 0)
		return fail_entry(u, e->path, "chmod");
	return 0;
}

static int set_mtime(struct unpack *u, int dirfd, const char *base, const char *path,
		     long long mtime)
{
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
	if (utimensat(dirfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_entry(u, path, "set modification time");
	return 0;
}

/* Copy a regular file's data from the archive into a file created new (O_EXCL|O_NOFOLLOW). */
static int write_file_data(struct unpack *u, int dirfd, const char *base, const struct entry *e)
{
	int fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail_entry(u, e->path, "create");
	char buf[64 * BLOCK];
	long long left = e->size;
	int rc = 0;
	while (left > 0 && rc == 0) {
		size_t chunk = left > (long long)sizeof buf
				   ? sizeof buf
				   : (size_t)((left + BLOCK - 1) / BLOCK * BLOCK);
		if (read_exact(u, buf, chunk) != 1) {
			rc = u->err[0] ? -1 : failf(u, "truncated archive");
			break;
		}
		size_t want = left < (long long)chunk ? (size_t)left : chunk;
		for (size_t off = 0; off < want && rc == 0;) {
			ssize_t n = write(fd, buf + off, want - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				rc = fail_entry(u, e->path, "write");
			else
				off += n;
		}
		left -= want;
	}
	if (close(fd) < 0 && rc == 0)
		rc = fail_entry(u, e->path, "close");
	return rc;
}

/* A hard link's target must also be inside the image; linkat without AT_SYMLINK_FOLLOW links
 * the target itself, never what a symlink points to. */
static int make_hardlink(struct unpack *u, int dirfd, const char *base, const struct entry *e)
{
	if (clean_path(u, e->path, e->link, "link target") < 0)
		return -1;
	const char *tbase;
	int tfd = open_parent(u, e->link, &tbase);
	if (tfd < 0)
		return -1;
	int rc = linkat(tfd, tbase, dirfd, base, 0);
	close(tfd);
	return rc < 0 ? fail_entry(u, e->path, "link") : 0;
}

static int remember_dir(struct unpack *u, const struct entry *e)
{
	u->dirs = xrealloc(u->dirs, (u->ndirs + 1) * sizeof *u->dirs);
	u->dirs[u->ndirs].path = xstrdup(e->path);
	u->dirs[u->ndirs].mtime = e->mtime;
	u->ndirs++;
	return 0;
}

/* The entry "./" is the root itself: only its owner, mode and time are taken. */
static int extract_root(struct unpack *u, const struct entry *e)
{
	if (e->type != '5')
		return failf(u, "entry \".\" is not a directory");
	if (fchown(u->root, e->uid, e->gid) < 0 || fchmod(u->root, e->mode & 07777) < 0)
		return fail_entry(u, ".", "set owner and mode");
	return remember_dir(u, e);
}

/* Create one entry below the root. Regular files consume their data from the archive. */
static int extract_entry(struct unpack *u, struct entry *e)
{
	if (!*e->path)
		return extract_root(u, e);
	const char *base;
	int dirfd = open_parent(u, e->path, &base);
	if (dirfd < 0)
		return -1;
	int rc = make_room(u, dirfd, base, e);
	if (rc == 0) {
		switch (e->type) {
		case '0':
		case '\0':
		case '7':
			rc = write_file_data(u, dirfd, base, e);
			break;
		case '1':
			rc = make_hardlink(u, dirfd, base, e);
			break;
		case '2':
			if (symlinkat(e->link, dirfd, base) < 0)
				rc = fail_entry(u, e->path, "symlink");
			break;
		case '3':
		case '4':
		case '6': {
			mode_t kind = e->type == '3' ? S_IFCHR : e->type == '4' ? S_IFBLK : S_IFIFO;
			if (mknodat(dirfd, base, kind | 0600, makedev(e->major, e->minor)) < 0)
				rc = fail_entry(u, e->path, "mknod");
			break;
		}
		case '5':
			if (mkdirat(dirfd, base, 0700) < 0 && errno != EEXIST)
				rc = fail_entry(u, e->path, "mkdir");
			break;
		default:
			rc = failf(u, "entry \"%s\": unsupported type '%c'", e->path, e->type);
		}
	}
	if (rc == 0 && e->type != '1')
		rc = set_owner_mode(u, dirfd, base, e);
	if (rc == 0 && e->type == '5')
		rc = remember_dir(u, e);
	else if (rc == 0 && e->type != '1')
		rc = set_mtime(u, dirfd, base, e->path, e->mtime);
	close(dirfd);
	return rc;
}

/* Set the directories' times now that nothing more is written into them. */
static int finish_dirs(struct unpack *u)
{
	int rc = 0;
	for (size_t i = u->ndirs; i-- > 0;) {
		const char *base;
		int dirfd = -1;
		if (rc == 0 && !*u->dirs[i].path)
			rc = set_mtime(u, u->root, ".", ".", u->dirs[i].mtime);
		else if (rc == 0 && (dirfd = open_parent(u, u->dirs[i].path, &base)) < 0)
			rc = -1;
		else if (rc == 0)
			rc = set_mtime(u, dirfd, base, u->dirs[i].path, u->dirs[i].mtime);
		if (dirfd >= 0)
			close(dirfd);
		free(u->dirs[i].path);
	}
	free(u->dirs);
	return rc;
}

/* Turn a header (plus pending long-name/pax records) into an entry. */
static void fill_entry(struct unpack *u, const struct header *h, struct entry *e)
{
	char name[256 + 1], link[101];
	if (h->prefix[0] && !memcmp(h->magic, "ustar", 5))
		snprintf(name, sizeof name, "%.155s/%.100s", h->prefix, h->name);
	else
		snprintf(name, sizeof name, "%.100s", h->name);
	snprintf(link, sizeof link, "%.100s", h->linkname);
	e->path = u->long_path ? u->long_path : xstrdup(name);
	e->link = u->long_link ? u->long_link : xstrdup(link);
	u->long_path = u->long_link = NULL;
	e->type = h->type;
	e->size = u->pax_size >= 0 ? u->pax_size : field_number(h->size, sizeof h->size);
	u->pax_size = -1;
	e->mode = field_number(h->mode, sizeof h->mode);
	e->uid = field_number(h->uid, sizeof h->uid);
	e->gid = field_number(h->gid, sizeof h->gid);
	e->mtime = field_number(h->mtime, sizeof h->mtime);
	e->major = field_number(h->devmajor, sizeof h->devmajor);
	e->minor = field_number(h->devminor, sizeof h->devminor);
}

/* Read the next header; 1 with *H filled, 0 at the end of the archive, -1 on error. */
static int next_header(struct unpack *u, struct header *h)
{
	int r = read_exact(u, h, BLOCK);
	if (r <= 0)
		return r < 0 ? -1 : failf(u, "truncated archive (no end-of-archive blocks)");
	if (all_zero((const char *)h))
		return 0;
	if (!checksum_ok(h))
		return failf(u, "bad header checksum: not a tar archive, or a damaged one");
	return 1;
}

int tar_extract(int fd, const char *dest, char *err, size_t errlen)
{
	struct unpack u = { .fd = fd, .err = err, .errlen = errlen, .pax_size = -1 };
	err[0] = '\0';
	u.root = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u.root < 0)
		return failf(&u, "open %s: %s", dest, strerror(errno));
	int rc = 0;
	struct header h;
	while (rc == 0) {
		int r = next_header(&u, &h);
		if (r <= 0) {
			rc = r;
			break;
		}
		if (h.type == 'L' || h.type == 'K' || h.type == 'x' || h.type == 'g') {
			long long size = field_number(h.size, sizeof h.size);
			char *data = read_meta(&u, size);
			if (!data) {
				rc = -1;
				break;
			}
			if (h.type == 'L') {
				free(u.long_path);
				u.long_path = data;
			} else if (h.type == 'K') {
				free(u.long_link);
				u.long_link = data;
			} else {
				if (h.type == 'x')
					rc = apply_pax(&u, data, size);
				free(data);
			}
			continue;
		}
		struct entry e;
		fill_entry(&u, &h, &e);
		char *name = xstrdup(e.path);
		rc = clean_path(&u, name, e.path, "path");
		free(name);
		if (rc == 0)
			rc = extract_entry(&u, &e);
		/* Data that extract_entry did not consume (all but regular files) is skipped. */
		bool consumed = e.type == '0' || e.type == '\0' || e.type == '7';
		if (rc == 0 && !consumed)
			rc = skip_data(&u, e.size);
		free(e.path);
		free(e.link);
	}
	if (finish_dirs(&u) < 0 && rc == 0)
		rc = -1;
	free(u.long_path);
	free(u.long_link);
	close(u.root);
	return rc;
}
