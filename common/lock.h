/* lock.h: flock() locks that tell what is in use. A process holds a lock on the file or
 * directory it works on for as long as it works on it; the kernel drops the lock when the
 * process dies, however it dies, so a file whose lock is free is one nobody uses any more.
 * Plumbing, no container concept. */
#ifndef MYDOCKER_LOCK_H
#define MYDOCKER_LOCK_H

/* Open PATH read-only, with FLAGS added (O_DIRECTORY, O_NOFOLLOW, ...; always close-on-exec),
 * and flock() it HOW, waiting unless HOW has LOCK_NB. The descriptor, which holds the lock,
 * or -1 with errno (EWOULDBLOCK: another holds it, with LOCK_NB). */
int lock_open(const char *path, int flags, int how);

/* Remove each entry of DIR (a directory with all in it) whose name starts with PREFIX, other
 * than KEEP (NULL: none), that nobody holds locked. With PREFIX "", every entry but those whose
 * name starts with '.'. */
void remove_unlocked(const char *dir, const char *prefix, const char *keep);

#endif
