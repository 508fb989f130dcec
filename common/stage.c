/* stage.c: temporaries beside their real names, swept when their maker died, renamed into
 * place when complete (stage.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "lock.h"
#include "stage.h"
#include "util.h"

int stage_create(struct stage *s, const char *dir, const char *prefix, const char *name,
		 mode_t mode)
{
	*s = (struct stage){ .fd = -1, .dir = S_ISDIR(mode) };
	char *tmp = xasprintf("%s/%s%s-XXXXXX", dir, prefix, name);
	int dir_fd = -1;
	if (mkdir_p(dir, 0755) < 0) {
		warn_errno("mkdir %s", dir);
		goto out;
	}
	dir_fd = lock_open(dir, O_DIRECTORY, LOCK_EX);
	if (dir_fd < 0) {
		warn_errno("lock %s", dir);
		goto out;
	}
	remove_unlocked(dir, prefix, NULL);
	/* mkostemp and mkdtemp take no mode: they make it 0600 and 0700, fchmod gives MODE. */
	if (s->dir ? !mkdtemp(tmp) : (s->fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		warn_errno("create %s", tmp);
		goto out;
	}
	s->path = tmp;
	tmp = NULL;
	if (s->dir)
		s->fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->fd < 0 || flock(s->fd, LOCK_EX) < 0 || fchmod(s->fd, mode & 07777) < 0) {
		warn_errno("create %s", s->path);
		goto out;
	}
	close(dir_fd);
	return 0;
out:
	close_fd(&dir_fd);
	free(tmp);
	return -1;
}

int stage_finish(struct stage *s, const char *dest)
{
	if ((!s->dir && fsync(s->fd) < 0) || rename(s->path, dest) < 0)
		return -1;
	free(s->path);
	s->path = NULL;
	return 0;
}

void stage_end(struct stage *s)
{
	if (s->path && remove_tree(s->path) < 0)
		warn_errno("remove %s", s->path);
	close_fd(&s->fd);
	free(s->path);
	s->path = NULL;
}
