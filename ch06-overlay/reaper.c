/* reaper.c: cleanup that survives mydocker. If mydocker is killed (SIGKILL cannot be caught),
 * the container dies with it through PR_SET_PDEATHSIG, but its cgroup would stay behind.
 * So before starting the container, mydocker forks a small reaper process that waits on a
 * pipe: mydocker writes one byte when it has cleaned up itself; EOF without that byte means
 * mydocker died, and the reaper destroys the container in its place.
 * PR_SET_PDEATHSIG has one gap: mydocker may send the command and die before init has armed
 * it. So the reaper first kills whatever is still in the container's cgroup. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "die.h"
#include "reaper.h"
#include "util.h"

/* SIGKILL every process in the cgroup; returns how many there were. */
static int kill_cgroup(struct cgroup *cg)
{
	int found = 0;
	for (int i = 0; i < CG_NCONTROLLERS; i++) {
		if (!cg->dir[i])
			continue;
		char *procs = path_join(cg->dir[i], "cgroup.procs");
		FILE *f = fopen(procs, "re");
		free(procs);
		if (!f)
			continue;
		int pid;
		while (fscanf(f, "%d", &pid) == 1) {
			kill(pid, SIGKILL);
			found++;
		}
		fclose(f);
	}
	return found;
}

/* The reaper's whole life: wait for mydocker's byte; without it, clean up after mydocker. */
static void __attribute__((noreturn)) reap(struct container *c, int fd)
{
	/* Out of the terminal's session, so Ctrl-C and hangups do not reach it. */
	setsid();
	char done;
	if (read(fd, &done, 1) == 1)
		_exit(0);
	/* mydocker is gone. Its container normally died with it; kill what is left, for up to
	 * ten seconds, then destroy the rest. The container is not the reaper's child: there is
	 * no process of its own to wait for. */
	for (int i = 0; i < 1000 && kill_cgroup(&c->cgroup) > 0; i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	c->pid = 0;
	container_destroy(c);
	_exit(0);
}

/* Fork the reaper; mydocker keeps the pipe's write end in c->reaper_fd. */
int start_reaper(struct container *c)
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
		reap(c, p[0]);
	}
	close(p[0]);
	c->reaper_fd = p[1];
	return 0;
}

/* mydocker cleaned up itself: the reaper can go. */
void stop_reaper(struct container *c)
{
	char done = 1;
	if (c->reaper_fd >= 0 && write(c->reaper_fd, &done, 1) < 0)
		warn_errno("tell the reaper to exit");
	close_fd(&c->reaper_fd);
}
