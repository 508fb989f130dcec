/* lifecycle.c: the one teardown of a container. Whatever `run` had made when it stopped, on
 * success or on any error, container_destroy() releases it, each resource once. */
#include <signal.h>
#include <sys/wait.h>

#include "container.h"
#include "lifecycle.h"

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
}
