/* reaper.c: cleanup that survives mydocker. If mydocker is killed (SIGKILL cannot be caught),
 * the container dies with it through PR_SET_PDEATHSIG, but its cgroup would stay behind.
 * So before starting the container, mydocker forks a small reaper process that waits on a
 * pipe: mydocker writes one byte when it has cleaned up itself; EOF without that byte means
 * mydocker died, and the reaper removes the cgroup once the container's processes are gone.
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

/* Fork the reaper; returns the pipe end mydocker keeps (write one byte to it when done). */
int start_reaper(struct cgroup *cg)
{
	int p[2];
	pid_t pid = -1;
	if (pipe2(p, O_CLOEXEC) == 0)
		pid = fork();
	if (pid < 0) {
		warn_errno("run: start the reaper");
		cgroup_destroy(cg);
		exit(EXIT_RUNTIME);
	}
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
	/* mydocker is gone. Its container normally died with it; kill what is left, for up to
	 * ten seconds, then remove the cgroup. */
	for (int i = 0; i < 1000 && kill_cgroup(cg) > 0; i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	cgroup_destroy(cg);
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
