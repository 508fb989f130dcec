/* util.c: file, path and string helpers used by every chapter (no container concepts here). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "die.h"
#include "util.h"

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		die("out of memory");
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		die("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die("out of memory");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory");
	return s;
}

/* Write TEXT to an existing file in one write(2): cgroup and proc files need a single write. */
int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	int err = errno;
	if (close(fd) < 0 && n >= 0)
		return -1;
	if (n < 0) {
		errno = err;
		return -1;
	}
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* PATH := TEXT in one step, for readers that must see the old file or the new one, never half
 * of one: a temporary file beside it (".NAME.XXXXXX", same filesystem), written, flushed to
 * disk, then renamed over PATH, since rename(2) replaces a name atomically. A new file is
 * 0600 (mkostemp). */
int write_file_atomic(const char *path, const char *text)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	char *tmp = xasprintf("%.*s.%s.XXXXXX", dirlen, path, path + dirlen);
	int fd = mkostemp(tmp, O_CLOEXEC), rc = fd < 0 ? -1 : 0;
	if (rc == 0 && (write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0))
		rc = -1;
	if (fd >= 0 && close(fd) < 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -1;
	if (rc < 0 && fd >= 0) {
		int err = errno;
		unlink(tmp);
		errno = err;
	}
	free(tmp);
	return rc;
}

/* Read up to SIZE-1 bytes of a small file into BUF and NUL-terminate it; returns the length. */
ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return len;
}

/* mkdir -p: create PATH and any missing parents; an existing directory is not an error. */
int mkdir_p(const char *path, mode_t mode)
{
	char *copy = xstrdup(path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST) {
			free(copy);
			return -1;
		}
		*p = '/';
	}
	free(copy);
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -1;
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int rc = type == FTW_DP ? rmdir(path) : unlink(path);
	return rc < 0 && errno == ENOENT ? 0 : rc;
}

/* rm -rf PATH without following symlinks or crossing into other mounts. Missing PATH is fine,
 * and so is a part of it that another process removes at the same time: two removers of one
 * tree (a teardown and a `rm -f` of it) both succeed. */
int remove_tree(const char *path)
{
	if (nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* DIR/NAME in freshly allocated memory, without doubling the slash. */
char *path_join(const char *dir, const char *name)
{
	size_t len = strlen(dir);
	while (len > 0 && dir[len - 1] == '/')
		len--;
	while (*name == '/')
		name++;
	return xasprintf("%.*s/%s", (int)len, dir, name);
}

/* The directory holding the running executable, so files built beside it can be found. */
char *self_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(dirname(buf));
}

/* PATH made absolute against the current directory (not resolved: symlinks stay), so that a
 * relative --root means the same directory after any chdir. */
char *path_absolute(const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd))
		return NULL;
	return path_join(cwd, path);
}

/* Write all LEN bytes of BUF; 0 on success, -1 with errno set. */
int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Read FD to end of file into a buffer of its own (one spare byte after the data, so a caller
 * can NUL-terminate it); *LEN is the length. NULL with errno set on a read error or when
 * memory runs out: this one does not die, so a container's init can use it. */
char *read_all(int fd, size_t *len)
{
	return read_at_most(fd, SIZE_MAX - 1, len);
}

/* Like read_all(), but a file of more than MAX bytes is refused with EFBIG as soon as the
 * byte past MAX arrives: a user's file may be /dev/zero. */
char *read_at_most(int fd, size_t max, size_t *len)
{
	size_t cap = 4096;
	char *buf = malloc(cap);
	*len = 0;
	while (buf) {
		if (*len + 1 >= cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger)
				break;
			buf = bigger;
		}
		ssize_t n = read(fd, buf + *len, cap - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0)
			return buf;
		*len += n;
		if (*len > max) {
			errno = EFBIG;
			break;
		}
	}
	int err = buf ? errno : ENOMEM;
	free(buf);
	errno = err;
	return NULL;
}

/* Close *FD if it is open and mark it closed (-1), so closing twice is harmless. */
void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

bool str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Remove leading and trailing white space in place; returns the start of the trimmed text. */
char *str_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return s;
}

/* Parse a whole decimal integer in [MIN, MAX]; trailing junk, empty text and overflow are errors. */
int parse_long(const char *s, long long min, long long max, long long *out)
{
	char *end;
	errno = 0;
	if (!*s || isspace((unsigned char)*s))
		return errno = EINVAL, -1;
	long long v = strtoll(s, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return errno = errno ? errno : EINVAL, -1;
	if (v < min || v > max)
		return errno = ERANGE, -1;
	*out = v;
	return 0;
}

/* Fill BUF with LEN random lowercase hex digits and a NUL (BUF holds LEN+1 bytes). */
void random_hex(char *buf, size_t len)
{
	unsigned char bytes[64];
	size_t need = (len + 1) / 2;
	if (need > sizeof bytes)
		die("random_hex: %zu digits is too many", len);
	if (getrandom(bytes, need, 0) != (ssize_t)need)
		die_errno("getrandom");
	for (size_t i = 0; i < len; i++)
		buf[i] = "0123456789abcdef"[(bytes[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	buf[len] = '\0';
}

/* Run the program PATH with ARGV, in the directory DIR_FD (-1: here), with a clean signal mask,
 * stdin and stdout on /dev/null and stderr caught. It succeeds only if it exits 0 and says
 * nothing: anything on stderr is a complaint, and its first line goes into WHY. */
int run_quietly(const char *path, char *const argv[], int dir_fd, char *why, size_t size)
{
	int err[2];
	if (pipe2(err, O_CLOEXEC) < 0)
		return snprintf(why, size, "pipe: %s", strerror(errno)), -1;
	pid_t pid = fork();
	if (pid == 0) {
		/* The caller may have blocked signals; the program must not inherit that. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0 && dup2(null, STDIN_FILENO) >= 0 && dup2(null, STDOUT_FILENO) >= 0 &&
		    dup2(err[1], STDERR_FILENO) >= 0 && (dir_fd < 0 || fchdir(dir_fd) == 0))
			execv(path, argv);
		dprintf(STDERR_FILENO, "%s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(err[1]);
	if (pid < 0) {
		close(err[0]);
		return snprintf(why, size, "fork: %s", strerror(errno)), -1;
	}
	size_t len = 0;
	char *said = read_all(err[0], &len);
	close(err[0]);
	int status;
	if (waitpid(pid, &status, 0) < 0)
		status = -1;
	int rc = status == 0 && said && len == 0 ? 0 : -1;
	if (said && len > 0)
		snprintf(why, size, "%.*s", (int)strcspn(said, "\n"), said);
	else if (rc < 0)
		snprintf(why, size, "%s failed (wait status %d)", path, status);
	free(said);
	return rc;
}
