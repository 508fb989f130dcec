/* lock.c: taking flock() locks, and sweeping away what nobody holds locked. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "die.h"
#include "lock.h"
#include "util.h"

int lock_open(const char *path, int flags, int how)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags), rc = 0;
	/* A wait for a lock is interrupted by any signal with a handler. */
	while (fd >= 0 && (rc = flock(fd, how)) < 0 && errno == EINTR)
		;
	if (rc < 0) {
		int err = errno;
		close(fd);
		return errno = err, -1;
	}
	return fd;
}

void remove_unlocked(const char *dir, const char *prefix, const char *keep)
{
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		/* Never . or .. (a prefix "." matches both), nor a hidden entry unless asked for. */
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (e->d_name[0] == '.' && !*prefix))
			continue;
		if (!str_starts_with(e->d_name, prefix) || (keep && !strcmp(e->d_name, keep)))
			continue;
		char *path = path_join(dir, e->d_name);
		int fd = lock_open(path, O_NOFOLLOW, LOCK_EX | LOCK_NB);
		if (fd >= 0 && remove_tree(path) < 0)
			warn_errno("remove %s", path);
		if (fd >= 0)
			close(fd);
		free(path);
	}
	if (d)
		closedir(d);
}
