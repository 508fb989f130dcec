/* reaper.c: cleanup that survives mydocker. If mydocker is killed (SIGKILL cannot be caught),
 * the container dies with it through PR_SET_PDEATHSIG, but its cgroup would stay behind.
 * So before starting the container, mydocker forks a small reaper process that waits on a
 * pipe: mydocker writes one byte when it has cleaned up itself; EOF without that byte means
 * mydocker died, and the reaper does the cleanup it was given in mydocker's place. It knows
 * nothing of containers: what the cleanup is, lifecycle.c says (container_reaper). */
#include <fcntl.h>
#include <unistd.h>

#include "die.h"
#include "reaper.h"
#include "util.h"

/* The reaper's whole life: wait for mydocker's byte; without it, clean up after mydocker. */
static void __attribute__((noreturn)) reap(int fd, void (*cleanup)(void *arg), void *arg)
{
	/* Out of the terminal's session, so Ctrl-C and hangups do not reach it. */
	setsid();
	char done;
	if (read(fd, &done, 1) == 1)
		_exit(0);
	cleanup(arg);
	_exit(0);
}

/* Fork the reaper; mydocker keeps the pipe's write end, which is returned (-1 on failure). */
int start_reaper(void (*cleanup)(void *arg), void *arg)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		warn_errno("start the reaper: pipe");
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		warn_errno("start the reaper: fork");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[1]);
		reap(p[0], cleanup, arg);
	}
	close(p[0]);
	return p[1];
}

/* mydocker cleaned up itself: the reaper can go. */
void stop_reaper(int *fd)
{
	char done = 1;
	if (*fd >= 0 && write(*fd, &done, 1) < 0)
		warn_errno("tell the reaper to exit");
	close_fd(fd);
}
