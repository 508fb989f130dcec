/* start.c: the container's first process, from mydocker's side. clone_container() starts it
 * inside the new namespaces; supervise() waits for it to exit and passes mydocker's signals
 * on to it meanwhile. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "die.h"
#include "init.h"
#include "start.h"

/* The shell convention for a status: exit N gives N, death by signal S gives 128+S. */
static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_RUNTIME;
}

/* Wait for the container's first process while handling signals sent to mydocker.
 * SIGINT and SIGQUIT are passed on (with -t they come from the terminal, which sends them to
 * the container's process group directly);
 * SIGTERM and SIGHUP mean mydocker itself must go, and a container never outlives mydocker,
 * so it is killed. Killing PID 1 of a PID namespace kills every process in it.
 * Returns the exit code (N, or 128+S), or EXIT_RUNTIME if waiting failed. */
int supervise(struct container *c, const sigset_t *handled)
{
	for (;;) {
		int sig = sigwaitinfo(handled, NULL);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			warn_errno("sigwaitinfo");
			return EXIT_RUNTIME;
		}
		if (sig == SIGCHLD) {
			int status;
			pid_t r = waitpid(c->pid, &status, WNOHANG);
			if (r < 0) {
				warn_errno("waitpid");
				return EXIT_RUNTIME;
			}
			if (r == c->pid) {
				c->pid = 0;
				return exit_code(status);
			}
		} else if (sig == SIGTERM || sig == SIGHUP) {
			kill(c->pid, SIGKILL);
		} else if (!c->opts->tty) {
			kill(c->pid, sig);
		}
	}
}

/* The namespaces every container gets: hostname, process IDs, mounts, System V IPC, network. */
#define CONTAINER_NAMESPACES                                                                       \
	(CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET)

/* clone(2) without a stack of its own works like fork(2): the child goes on from here, on a
 * copy of mydocker's memory, but inside the new namespaces. Returns 0 in the child. */
pid_t clone_container(void)
{
	return syscall(SYS_clone, CONTAINER_NAMESPACES | SIGCHLD, NULL, NULL, NULL, NULL);
}
