/* start.c: the container's first process, from mydocker's side. start_container() clones it
 * inside the new namespaces, puts it in its cgroup, hands it the command over the command pipe
 * and learns from the error pipe whether it runs (pipe.c); supervise() waits for it to exit,
 * passes mydocker's signals on to it meanwhile and relays its output into its log (relay.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "die.h"
#include "init.h"
#include "network.h"
#include "lifecycle.h"
#include "pipe.h"
#include "relay.h"
#include "seccomp_filter.h"
#include "start.h"
#include "state.h"
#include "util.h"

/* The shell convention for a status: exit N gives N, death by signal S gives 128+S. */
static int exit_code(const siginfo_t *info)
{
	if (info->si_code == CLD_EXITED)
		return info->si_status;
	if (info->si_code == CLD_KILLED || info->si_code == CLD_DUMPED)
		return 128 + info->si_status;
	return EXIT_RUNTIME;
}

/* One signal for the supervisor, from the signalfd SFD: -1 to go on waiting, or the exit
 * code once the container's first process has exited.
 * SIGINT and SIGQUIT are passed on (with -t they come from the terminal, which sends them to
 * the container's process group directly);
 * SIGTERM and SIGHUP mean mydocker itself must go, and a container never outlives mydocker,
 * so it is killed. Killing PID 1 of a PID namespace kills every process in it. */
static int take_signal(struct container *c, int sfd)
{
	struct signalfd_siginfo si;
	ssize_t n = read(sfd, &si, sizeof si);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return -1;
	if (n != (ssize_t)sizeof si) {
		warn_errno("read a signal");
		return EXIT_RUNTIME;
	}
	int sig = si.ssi_signo;
	if (sig == SIGCHLD) {
		siginfo_t info = { 0 };
		if (waitid(P_PID, c->pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
			warn_errno("waitid");
			return EXIT_RUNTIME;
		}
		if (info.si_pid == c->pid)
			return exit_code(&info);
	} else if (sig == SIGTERM || sig == SIGHUP) {
		kill(c->pid, SIGKILL);
	} else if (!c->opts->tty) {
		kill(c->pid, sig);
	}
	return -1;
}

/* Wait for the container's first process while handling signals sent to mydocker (blocked,
 * they arrive on a signalfd) and relaying the container's output (relay.c), both in one
 * poll(). Returns the exit code (N, or 128+S), or EXIT_RUNTIME if waiting failed, once the
 * output is drained too, so that the log is whole when the exit is recorded. The process is
 * left a zombie for container_destroy() to reap: until then its PID is not given to anyone
 * else, so the record's PID stays true while the exit is written down (container_exited). */
int supervise(struct container *c, const sigset_t *handled)
{
	int sfd = signalfd(-1, handled, SFD_CLOEXEC), code = -1;
	if (sfd < 0) {
		warn_errno("signalfd");
		code = EXIT_RUNTIME;
	}
	while (code < 0) {
		struct pollfd p[3] = { { .fd = sfd, .events = POLLIN } };
		int timeout, n = 1 + relay_poll(p + 1, &timeout);
		if (poll(p, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			warn_errno("poll");
			code = EXIT_RUNTIME;
			break;
		}
		relay_ready(p + 1, n - 1);
		if (p[0].revents)
			code = take_signal(c, sfd);
	}
	close_fd(&sfd);
	relay_drain();
	return code;
}

/* A signal that came while the image was unpacked (that can take seconds) or the cgroup made
 * is acted on now, before the container starts; 0 if there was none. */
static int pending_stop_signal(void)
{
	static const int stop[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };
	sigset_t pending;
	if (sigpending(&pending) < 0)
		return 0;
	for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++)
		if (sigismember(&pending, stop[i]))
			return stop[i];
	return 0;
}

/* pipe2 with close-on-exec, so no pipe end leaks into the user's command. */
static int make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0) {
		warn_errno("pipe");
		return -1;
	}
	return 0;
}

/* The namespaces every container gets: hostname, process IDs, mounts, System V IPC, network. */
#define CONTAINER_NAMESPACES                                                                       \
	(CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET)

/* clone(2) without a stack of its own works like fork(2): the child goes on from here, on a
 * copy of mydocker's memory, but inside the new namespaces. Returns 0 in the child. */
static pid_t clone_container(const struct container *c)
{
	/* --network host: the host's network namespace, not a new one. */
	long flags = CONTAINER_NAMESPACES & ~(c->net.host ? CLONE_NEWNET : 0);
	return syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* Start the command of container C, which exists on disk: clone its first process, put it in
 * its cgroup, hand it the command, wait until it runs, record that. Returns 0, or the exit code
 * for the user (the caller destroys C). */
int start_container(struct container *c, struct state *st)
{
	int sig, failed;
	char why[512];
	/* The seccomp filter is compiled here, from the host's profile, which init cannot read
	 * once the image is its root. */
	const struct security *sec = &c->opts->sec;
	if (!sec->unconfined &&
	    seccomp_prepare(sec->seccomp, sec->caps, &c->seccomp, why, sizeof why) < 0) {
		warn("%s", why);
		return EXIT_RUNTIME;
	}
	if (make_pipe(c->command_pipe) < 0 || make_pipe(c->error_pipe) < 0)
		return EXIT_RUNTIME;
	/* Without -t, the container's stdout and stderr are pipes to this process (relay.c). */
	for (int i = 0; i < 2 && !c->opts->tty; i++)
		if (make_pipe(c->output_pipe[i]) < 0)
			return EXIT_RUNTIME;
	if ((sig = pending_stop_signal())) {
		warn("%s before the container started", strsignal(sig));
		return 128 + sig;
	}

	fflush(NULL);
	c->pid = clone_container(c);
	if (c->pid == 0)
		container_init(c);
	if (c->pid < 0) {
		warn_errno("clone");
		c->pid = 0;
		return EXIT_RUNTIME;
	}
	close_fd(&c->command_pipe[0]);
	close_fd(&c->error_pipe[1]);
	for (int i = 0; i < 2; i++)
		close_fd(&c->output_pipe[i][1]);
	/* The log exists, and the relay holds the pipes, before the command can write. */
	if (!c->opts->tty) {
		if (relay_start(c->dir, &c->opts->log, c->output_pipe[0][0], c->output_pipe[1][0],
				!c->opts->detach) < 0)
			return EXIT_RUNTIME;
		c->output_pipe[0][0] = c->output_pipe[1][0] = -1;
	}
	/* The child is waiting on the command pipe, so it is in its cgroup before it runs. */
	if (cgroup_join(&c->cgroup, c->pid) < 0)
		return EXIT_RUNTIME;
	/* Its veth pair and published ports, while it waits: init sets up eth0 first thing. */
	if (network_connect(c) < 0)
		return EXIT_RUNTIME;
	/* Sending the command and closing the pipe is the start signal. */
	if (send_command(c->command_pipe[1], c->opts->argv) < 0 && errno != EPIPE)
		warn_errno("send the command to the container");
	close_fd(&c->command_pipe[1]);
	/* The error pipe stays empty until execve closes it, or holds why init failed. */
	failed = receive_failure(c->error_pipe[0]);
	close_fd(&c->error_pipe[0]);
	if (failed)
		return failed;
	/* It runs. Its supervisor (this process) is recorded with it, so `ps` can tell a
	 * supervised container from one whose supervisor died. */
	return state_set_running(c->dir, st, c->pid, getpid()) < 0 ? EXIT_RUNTIME : 0;
}
