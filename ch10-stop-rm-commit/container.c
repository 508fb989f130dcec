/* container.c: the one teardown of a container. Whatever `run` had made when it stopped, on
 * success or on any error, container_destroy() releases it, each resource once;
 * container_forget() is for a process that hands the container over to another (`run -d`). */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "container.h"
#include "image.h"
#include "name.h"
#include "reaper.h"
#include "util.h"

void container_destroy(struct container *c)
{
	/* The first process goes first: killing PID 1 of a PID namespace kills every process in
	 * it, and only an empty cgroup can be removed. */
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->pid = 0;
	}
	cgroup_destroy(&c->cgroup);
	/* Its mount namespace, with the overlay, went with its last process. The directory holds
	 * its records and logs too. */
	if (c->dir)
		layer_remove(c->dir);
	/* Only then is the name free: a name never points to a container half removed. */
	name_release(state_root, c->name, c->id);
	free(c->name);
	c->name = NULL;
	free(c->dir);
	c->dir = NULL;
	free(c->lower);
	c->lower = NULL;
	close_fd(&c->image_fd);
	for (int i = 0; i < 2; i++) {
		close_fd(&c->command_pipe[i]);
		close_fd(&c->error_pipe[i]);
	}
	/* Last: until here the reaper would have cleaned up if mydocker had died. */
	stop_reaper(c);
}

/* Let go of this process's copy of C: its memory and descriptors. Whatever it has on disk and
 * in the kernel (name, cgroup, directory) stays: another process (the monitor) owns it now. */
void container_forget(struct container *c)
{
	free(c->name);
	c->name = NULL;
	free(c->dir);
	c->dir = NULL;
	free(c->lower);
	c->lower = NULL;
	for (int i = 0; i < CG_NCONTROLLERS; i++) {
		free(c->cgroup.dir[i]);
		c->cgroup.dir[i] = NULL;
	}
	close_fd(&c->image_fd);
	for (int i = 0; i < 2; i++) {
		close_fd(&c->command_pipe[i]);
		close_fd(&c->error_pipe[i]);
	}
}
