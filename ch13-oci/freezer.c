/* freezer.c: freezing and thawing a container's cgroup, so that `commit` archives a container
 * that holds still (freezer.h says why, and what v1 and v2 offer for it).
 *
 *   freezer_freeze:  find the freezer dir --> flock it --> fork the guard --> ask FROZEN/1
 *                    --> wait until freezer.state says FROZEN / cgroup.events "frozen 1"
 *   freezer_thaw:    ask THAWED/0 --> wait until it is --> one byte to the guard --> unlock
 *
 * The lock: two commits of one container at the same time would otherwise thaw it under each
 * other (the first one done thaws it while the second one's tar still reads). The second one
 * waits for the first. The guard holds the lock too (it inherits the descriptor), so the lock
 * is free only once the container is thawed, even when mydocker died and the guard thawed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "die.h"
#include "freezer.h"
#include "lock.h"
#include "util.h"

/* How long the processes may take to stop, or to run again. It is a matter of milliseconds,
 * but a process in an uninterruptible sleep (a hung NFS server) cannot be stopped, and an
 * unbounded wait would keep commit waiting for ever with the rest of the container frozen. */
#define FREEZER_TIMEOUT_MS 10000

enum freezer_state { THAWED, FROZEN, FREEZING };

/* Ask the kernel to freeze (FREEZE) or thaw the cgroup. The write returns at once: the
 * processes stop (or run again) afterwards. */
static int ask(const struct freezer *fz, bool freeze)
{
	const char *value = fz->v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED");
	char *path = path_join(fz->dir, fz->v2 ? "cgroup.freeze" : "freezer.state");
	int rc = write_file(path, value);
	free(path);
	return rc;
}

/* What the kernel says now, or -1 with errno. TEXT gets the words it said, for a message.
 * v1: freezer.state is THAWED, FREEZING (asked, not every process stopped yet) or FROZEN.
 * v2: cgroup.events has a line "frozen 0" or "frozen 1"; "0" also while freezing. */
static int current_state(const struct freezer *fz, char *text, size_t size)
{
	char buf[256];
	char *path = path_join(fz->dir, fz->v2 ? "cgroup.events" : "freezer.state");
	ssize_t n = read_file(path, buf, sizeof buf);
	free(path);
	if (n < 0)
		return -1;
	if (!fz->v2) {
		snprintf(text, size, "freezer.state says %.16s", str_trim(buf));
		if (!strcmp(str_trim(buf), "FROZEN"))
			return FROZEN;
		return !strcmp(str_trim(buf), "THAWED") ? THAWED : FREEZING;
	}
	for (char *line = buf, *end; *line; line = end) {
		end = line + strcspn(line, "\n");
		if (*end)
			*end++ = '\0';
		if (str_starts_with(line, "frozen ")) {
			snprintf(text, size, "cgroup.events says %.16s", line);
			return !strcmp(line, "frozen 1") ? FROZEN : THAWED;
		}
	}
	errno = EPROTO; /* a kernel whose cgroup.events has no "frozen" line: older than 5.2 */
	return -1;
}

/* Wait until the cgroup is in state WANT: 0, or -1 with errno (ETIMEDOUT: it never was, and
 * TEXT says what it was instead). Polled (deadline.h): the usual freeze is over in the first
 * few rounds. */
static int wait_state(const struct freezer *fz, int want, char *text, size_t size)
{
	struct deadline d = deadline_in(FREEZER_TIMEOUT_MS);
	do {
		int st = current_state(fz, text, size);
		if (st < 0)
			return -1;
		if (st == want)
			return 0;
		/* v1: each write of FROZEN makes the kernel go over the cgroup's processes again
		 * and tell each to stop, those forked meanwhile included; a busy cgroup can stay
		 * FREEZING without it (runc writes it again in its loop too). */
		if (want == FROZEN && !fz->v2 && ask(fz, true) < 0)
			return -1;
	} while (deadline_sleep(&d) == 0);
	return -1;
}

/* The guard's whole life: wait for mydocker's byte, which says that mydocker has thawed the
 * container itself. End of file without it means mydocker died while the container may be
 * frozen (killed, maybe with SIGKILL, which no handler can catch): the guard thaws it. */
static void __attribute__((noreturn)) guard(const struct freezer *fz, int fd)
{
	/* A session of its own: the Ctrl-C or hangup that ends mydocker does not end the guard
	 * before it has done its work. It lives no longer than mydocker anyway. */
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	/* Nothing of mydocker's output is held open: `$(mydocker commit ...)` ends with mydocker. */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
	}
	char done;
	ssize_t n;
	while ((n = read(fd, &done, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		ask(fz, false);
	_exit(0);
}

static int start_guard(struct freezer *fz, const char *what)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		warn_errno("%s: freeze: pipe", what);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		guard(fz, p[0]);
	}
	int err = errno;
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		errno = err;
		warn_errno("%s: freeze: fork", what);
		return -1;
	}
	fz->guard = pid;
	fz->guard_fd = p[1];
	return 0;
}

/* Let the guard go: with the byte, it exits; without it (DONE false), it thaws once more. */
static void stop_guard(struct freezer *fz, bool done)
{
	if (fz->guard_fd >= 0 && done)
		write_all(fz->guard_fd, "", 1);
	close_fd(&fz->guard_fd);
	if (fz->guard > 0)
		while (waitpid(fz->guard, NULL, 0) < 0 && errno == EINTR)
			;
	fz->guard = 0;
}

static void release(struct freezer *fz, bool done)
{
	stop_guard(fz, done);
	close_fd(&fz->lock_fd);
	free(fz->dir);
	fz->dir = NULL;
}

static bool has_file(const char *dir, const char *file)
{
	char *path = path_join(dir, file);
	bool yes = access(path, F_OK) == 0;
	free(path);
	return yes;
}

/* Which of the container's cgroup directories is its freezer: on v2 its one directory, which
 * has cgroup.freeze; on v1 the one in the freezer hierarchy, which has freezer.state. 0; -2 if
 * the directories are gone; -1 after printing why. */
static int find_freezer(struct freezer *fz, const struct cgroup *cg, const char *what)
{
	bool any = false;
	for (int i = 0; i < CG_NCONTROLLERS; i++) {
		if (!cg->dir[i] || access(cg->dir[i], F_OK) < 0)
			continue;
		any = true;
		/* v2 checked first: v2's cgroup.freeze exists in every cgroup but the root. */
		fz->v2 = has_file(cg->dir[i], "cgroup.freeze");
		if (fz->v2 || has_file(cg->dir[i], "freezer.state")) {
			fz->dir = xstrdup(cg->dir[i]);
			return 0;
		}
	}
	if (!any && cg->dir[0])
		return -2;
	warn("%s: it is in no freezer cgroup to pause it with (made by an older mydocker, or a "
	     "kernel older than 5.2 on cgroup v2): commit it with --pause=false",
	     what);
	return -1;
}

int freezer_freeze(struct freezer *fz, const char *id, const char *what)
{
	*fz = (struct freezer){ .lock_fd = -1, .guard_fd = -1 };
	struct cgroup cg;
	if (cgroup_find(&cg, id) < 0)
		return -2;
	int rc = find_freezer(fz, &cg, what);
	cgroup_free(&cg);
	if (rc < 0)
		return rc;
	/* Another commit of the same container: wait until it has thawed it. */
	fz->lock_fd = lock_open(fz->dir, O_DIRECTORY, LOCK_EX);
	if (fz->lock_fd < 0 && errno == ENOENT) {
		release(fz, true);
		return -2;
	}
	if (fz->lock_fd < 0) {
		warn_errno("%s: freeze: lock %s", what, fz->dir);
		release(fz, true);
		return -1;
	}
	/* The guard comes first: from the write on, the container may be frozen. */
	if (start_guard(fz, what) < 0) {
		release(fz, true);
		return -1;
	}
	char text[128] = "";
	if (ask(fz, true) == 0 && wait_state(fz, FROZEN, text, sizeof text) == 0)
		return 0;
	int err = errno;
	/* The cgroup went away: the container exited, and its monitor removed it. */
	bool gone = err == ENOENT || !has_file(fz->dir, "cgroup.procs");
	if (!gone) {
		errno = err;
		if (err == ETIMEDOUT)
			warn("%s: its processes did not all stop within %d s (%s): not committed",
			     what, FREEZER_TIMEOUT_MS / 1000, text);
		else
			warn_errno("%s: freeze %s", what, fz->dir);
	}
	/* Nothing may stay frozen, also not half. */
	if (ask(fz, false) < 0 && !gone && errno != ENOENT) {
		warn_errno("%s: thaw %s", what, fz->dir);
		release(fz, false);
		return -1;
	}
	release(fz, true);
	return gone ? -2 : -1;
}

int freezer_thaw(struct freezer *fz, const char *what)
{
	if (!fz->dir)
		return 0;
	char text[128] = "";
	int rc = ask(fz, false);
	if (rc == 0)
		rc = wait_state(fz, THAWED, text, sizeof text);
	/* Gone: the container exited (on v2 a frozen process can still be killed), nothing to
	 * thaw any more. */
	if (rc < 0 && (errno == ENOENT || !has_file(fz->dir, "cgroup.procs")))
		rc = 0;
	if (rc < 0) {
		if (errno == ETIMEDOUT)
			warn("%s: its processes did not all run again within %d s (%s)", what,
			     FREEZER_TIMEOUT_MS / 1000, text);
		else
			warn_errno("%s: thaw %s", what, fz->dir);
	}
	release(fz, rc == 0);
	return rc;
}
