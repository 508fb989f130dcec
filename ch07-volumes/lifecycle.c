/* lifecycle.c: the one teardown of a container. Whatever `run` had made when it stopped, on
 * success or on any error, container_destroy() releases it, each resource once. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "container.h"
#include "image.h"
#include "lifecycle.h"
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
	/* Its mount namespace, with the overlay, went with its last process. */
	if (c->dir)
		layer_remove(c->dir);
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
	stop_reaper(&c->reaper_fd);
}

/* What the reaper does if mydocker dies (reaper.c). Its container normally died with it; kill
 * what is left, for up to ten seconds, then destroy the rest. The container is not the
 * reaper's child: there is no process of its own to wait for. */
static void reap_container(void *arg)
{
	struct container *c = arg;
	for (int i = 0; i < 1000 && kill_cgroup(&c->cgroup) > 0; i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	c->pid = 0;
	container_destroy(c);
}

/* Fork the reaper of container C (reaper.c): if mydocker dies, it cleans up in its place. */
int container_reaper(struct container *c)
{
	c->reaper_fd = start_reaper(reap_container, c);
	return c->reaper_fd < 0 ? -1 : 0;
}
