/* reaper.c: cleanup that survives mydocker. If mydocker is killed (SIGKILL cannot be caught),
 * the container dies with it through PR_SET_PDEATHSIG, but its cgroup would stay behind.
 * So before starting the container, mydocker forks a small reaper process that waits on a
 * pipe: mydocker writes one byte when it has cleaned up itself; EOF without that byte means
 * mydocker died, and the reaper removes the cgroup once the container's processes are gone,
 * then the container's layer directory. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "container.h"
#include "die.h"

/* Fork the reaper; returns the pipe end mydocker keeps (write one byte to it when done). */
int start_reaper(struct cgroup *cg, const char *dir)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno("run: pipe");
	pid_t pid = fork();
	if (pid < 0)
		die_errno("run: fork");
	if (pid > 0) {
		close(p[0]);
		return p[1];
	}
	/* The reaper: out of the terminal's session, so Ctrl-C and hangups do not reach it. */
	close(p[1]);
	setsid();
	char done;
	if (read(p[0], &done, 1) == 1)
		_exit(0);
	/* mydocker is gone: its container was killed with it, so the cgroup empties now. */
	cgroup_destroy(cg);
	layer_remove(dir);
	_exit(0);
}

/* mydocker cleaned up itself: the reaper can go. */
void stop_reaper(int fd)
{
	char done = 1;
	if (write(fd, &done, 1) < 0)
		warn_errno("run: tell the reaper to exit");
	close(fd);
}
