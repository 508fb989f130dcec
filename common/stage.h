/* stage.h: a file or directory made under a temporary name in the directory where it belongs,
 * and renamed to its real name in one step once it is complete, so that nobody ever sees it
 * half made under that name. Plumbing, no container concept.
 *
 * The temporary, DIR/PREFIX NAME-XXXXXX, is locked (lock.h) for as long as it is being made.
 * One whose lock is free was left by a process that died, and the next stage_create() with the
 * same PREFIX in DIR removes it. That sweep and the making of a new temporary both happen under
 * the lock of DIR itself: a sweep never sees a temporary that is made but not yet locked. */
#ifndef MYDOCKER_STAGE_H
#define MYDOCKER_STAGE_H

#include <stdbool.h>
#include <sys/types.h>

struct stage {
	char *path; /* the temporary; NULL once it is renamed into place */
	int fd;	    /* open on it, and locked */
	bool dir;   /* a directory, not a file */
};

/* Make a new temporary in DIR (made if missing): a file or a directory as MODE says (S_IFREG
 * or S_IFDIR, with the permission bits). 0, or -1 after printing why; stage_end() follows
 * either way. */
int stage_create(struct stage *s, const char *dir, const char *prefix, const char *name,
		 mode_t mode);

/* Rename the temporary to DEST; a file is fsync()ed first, so that after a crash DEST is the
 * old file or the whole new one. 0, or -1 with errno, printing nothing. */
int stage_finish(struct stage *s, const char *dest);

/* Remove the temporary unless it is in place, and let go of it. */
void stage_end(struct stage *s);

#endif
