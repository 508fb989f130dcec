/* start.c: the container's first process, from mydocker's side. start_container() clones it
 * inside the new namespaces, puts it in its cgroup, hands it the command over the command pipe
 * and learns from the error pipe whether it runs (pipe.c); supervise() waits for it to exit,
 * passes mydocker's signals on to it meanwhile and relays its stdin, stdout and stderr: its
 * output into its log and to the user, the user's input into it (relay.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "bundle.h"
#include "caps.h"
#include "cgroup.h"
#include "container.h"
#include "die.h"
#include "init.h"
#include "network.h"
#include "lifecycle.h"
#include "pipe.h"
#include "relay.h"
#include "seccomp_filter.h"
#include "sendfd.h"
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

/* One signal for the supervisor of process PID, from the signalfd SFD: -1 to go on waiting, or
 * the exit code once PID has exited.
 * SIGINT and SIGQUIT are passed on: the container is in a session of its own, so a Ctrl-C
 * that the user's terminal turns into a signal reaches mydocker only (with -it the terminal is
 * raw, and Ctrl-C travels as a byte to the container's pty, which signals its own processes);
 * SIGTERM and SIGHUP mean mydocker itself must go, and a container never outlives mydocker,
 * so it is killed. Killing PID 1 of a PID namespace kills every process in it.
 * SIGWINCH: the user's terminal changed its size, and the container's pty follows. */
static int take_signal(pid_t pid, int sfd)
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
		if (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
			warn_errno("waitid");
			return EXIT_RUNTIME;
		}
		if (info.si_pid == pid)
			return exit_code(&info);
	} else if (sig == SIGTERM || sig == SIGHUP) {
		kill(pid, SIGKILL);
	} else if (sig == SIGWINCH) {
		relay_resize_from(STDIN_FILENO);
	} else {
		kill(pid, sig);
	}
	return -1;
}

/* Wait for process PID (the container's first process, or exec's command) while handling
 * signals sent to mydocker (blocked, they arrive on a signalfd), relaying its stdin, stdout
 * and stderr (relay.c) and, for a detached container, taking attach clients at ATTACH_FD (or
 * -1), all in one poll(). Returns the exit code (N, or 128+S), or EXIT_RUNTIME if waiting
 * failed, once the output is drained too, so that the log is whole when the exit is recorded.
 * The process is left a zombie for the caller to reap (container_destroy()): until then its
 * PID is not given to anyone else, so the record's PID stays true while the exit is written
 * down (container_exited). */
int supervise(pid_t pid, const sigset_t *handled, int attach_fd)
{
	int sfd = signalfd(-1, handled, SFD_CLOEXEC), code = -1;
	if (sfd < 0) {
		warn_errno("signalfd");
		code = EXIT_RUNTIME;
	}
	while (code < 0) {
		/* poll() skips an entry whose descriptor is negative: no attach socket. */
		struct pollfd p[2 + RELAY_POLL_MAX] = { { .fd = sfd, .events = POLLIN },
							{ .fd = attach_fd, .events = POLLIN } };
		int timeout, n = 2 + relay_poll(p + 2, &timeout);
		if (poll(p, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			warn_errno("poll");
			code = EXIT_RUNTIME;
			break;
		}
		relay_ready(p + 2, n - 2);
		if (p[1].revents)
			attach_accept(attach_fd);
		if (p[0].revents)
			code = take_signal(pid, sfd);
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

static long bundle_clone_flags(const struct bundle *b);

/* clone(2) without a stack of its own works like fork(2): the child goes on from here, on a
 * copy of mydocker's memory, but inside the new namespaces. Returns 0 in the child. */
static pid_t clone_container(const struct container *c)
{
	/* --network host: the host's network namespace, not a new one. */
	long flags = CONTAINER_NAMESPACES & ~(c->net.host ? CLONE_NEWNET : 0);
	if (c->opts->bundle)
		flags = bundle_clone_flags(c->opts->bundle);
	return syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* ch13: the namespaces a bundle's process is cloned into: those config.json lists without a
 * path. One with a path is joined by init (join_namespaces), but a PID namespace only applies
 * to children: `create` enters it here, before cloning. A new cgroup namespace is made by init
 * once it is in its cgroup, so that the namespace's root is that cgroup (as runc has it). */
static long bundle_clone_flags(const struct bundle *b)
{
	static const long flag[NS_COUNT] = {
		[NS_PID] = CLONE_NEWPID, [NS_NET] = CLONE_NEWNET,  [NS_IPC] = CLONE_NEWIPC,
		[NS_UTS] = CLONE_NEWUTS, [NS_MOUNT] = CLONE_NEWNS,
	};
	long flags = 0;
	for (int i = 0; i < NS_COUNT; i++)
		if (b->ns[i].wanted && !b->ns[i].path)
			flags |= flag[i];
	return flags;
}

/* Join the PID namespace config.json names by path, if it does. */
static int join_pid_namespace(const struct bundle *b)
{
	const char *path = b->ns[NS_PID].wanted ? b->ns[NS_PID].path : NULL;
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (path && (fd < 0 || setns(fd, CLONE_NEWPID) < 0)) {
		warn_errno("join the PID namespace %s", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

int connect_unix(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof addr.sun_path)
		return errno = ENAMETOOLONG, -1;
	strcpy(addr.sun_path, path);
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock >= 0 && connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0) {
		int err = errno;
		close(sock);
		errno = err;
		return -1;
	}
	return sock;
}

/* ch13: a bundle's process keeps `create`'s stdin, stdout and stderr; with a terminal, its
 * pty's master goes to the engine over --console-socket (conmon listens there), and the
 * container waits for `start` on exec.fifo, made here in its directory. */
static int bundle_stdio(struct container *c)
{
	char *fifo = path_join(c->dir, "exec.fifo");
	/* Its read end is opened here, so the container's process holds it from its first
	 * moment: `start` can open the write end only while that process lives. */
	int rc = mkfifo(fifo, 0600);
	if (rc == 0)
		rc = c->fifo_fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (rc < 0)
		warn_errno("make %s", fifo);
	free(fifo);
	if (rc < 0 || !c->opts->tty)
		return rc < 0 ? -1 : 0;
	if (!c->opts->console_socket) {
		warn("a terminal needs --console-socket: where to send the pty");
		return -1;
	}
	c->console_socket[1] = connect_unix(c->opts->console_socket);
	if (c->console_socket[1] < 0)
		warn_errno("connect to the console socket %s", c->opts->console_socket);
	return c->console_socket[1] < 0 ? -1 : 0;
}

/* The container's ends of its stdin, stdout and stderr, made before it is cloned: with -t a
 * socket over which init sends the master of the pty it opens inside (tty.c); without, pipes
 * for stdout and stderr, and with -i one for stdin. None is mydocker's own stdin or terminal. */
static int make_stdio(struct container *c)
{
	if (c->opts->tty) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->console_socket) < 0) {
			warn_errno("socketpair");
			return -1;
		}
		return 0;
	}
	for (int i = 0; i < 2; i++)
		if (make_pipe(c->output_pipe[i]) < 0)
			return -1;
	return c->opts->interactive ? make_pipe(c->input_pipe) : 0;
}

/* Hand this process's ends to the relay (relay.c): the pipes, or with -t the pty's master,
 * which init sent before execve (a pty keeps what the command writes until it is read). In the
 * foreground the user is mydocker's own stdin (with -i), stdout and stderr. */
static int connect_stdio(struct container *c)
{
	const struct run_opts *o = c->opts;
	int rc, master;
	char byte;
	if (o->tty) {
		rc = recv_fd(c->console_socket[0], &byte, 1, &master);
		if (rc < 0)
			warn_errno("receive the container's pty");
		else
			rc = relay_start(c->dir, &o->log, master, -1, o->interactive ? master : -1,
					 true);
	} else {
		rc = relay_start(c->dir, &o->log, c->output_pipe[0][0], c->output_pipe[1][0],
				 c->input_pipe[1], false);
		c->output_pipe[0][0] = c->output_pipe[1][0] = c->input_pipe[1] = -1;
	}
	if (!o->detach)
		relay_user(o->interactive ? STDIN_FILENO : -1, STDOUT_FILENO, STDERR_FILENO);
	return rc;
}

/* The steps of start_container(), which then closes, however they ended, what is left of the
 * descriptors made for the container's stdin and terminal. */
static int start(struct container *c, struct state *st)
{
	int sig, failed;
	char why[512];
	/* The seccomp filter is compiled here, from the host's profile, which init cannot read
	 * once the image is its root. */
	const struct security *sec = &c->opts->sec;
	const struct bundle *b = c->opts->bundle;
	if (b ? b->seccomp && seccomp_prepare_object(b->seccomp, sec->sets[CAPS_EFFECTIVE],
						     &c->seccomp, why, sizeof why) < 0
	      : !sec->unconfined &&
		    seccomp_prepare(sec->seccomp, sec->caps, &c->seccomp, why, sizeof why) < 0) {
		warn("%s", why);
		return EXIT_RUNTIME;
	}
	if (make_pipe(c->command_pipe) < 0 || make_pipe(c->error_pipe) < 0 ||
	    (b ? bundle_stdio(c) : make_stdio(c)) < 0 || (b && join_pid_namespace(b) < 0))
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
	close_fd(&c->input_pipe[0]);
	close_fd(&c->console_socket[1]);
	close_fd(&c->fifo_fd);
	/* Without -t, the log exists, and the relay holds the pipes, before the command can write. */
	if (!b && !c->opts->tty && connect_stdio(c) < 0)
		return EXIT_RUNTIME;
	/* ch13: the child puts itself into its cgroup, first thing once it has the command (init.c:
	 * a process that moves itself is the kernel's cheap case). */
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
	/* A bundle's is set up and waits for `start`: "created", with no supervisor. */
	if (b)
		return state_set_created(c->dir, st, c->pid) < 0 ? EXIT_RUNTIME : 0;
	if (c->opts->tty && connect_stdio(c) < 0)
		return EXIT_RUNTIME;
	/* It runs. Its supervisor (this process) is recorded with it, so `ps` can tell a
	 * supervised container from one whose supervisor died. */
	return state_set_running(c->dir, st, c->pid, getpid()) < 0 ? EXIT_RUNTIME : 0;
}

/* Start the command of container C, which exists on disk: clone its first process, put it in
 * its cgroup, hand it the command, wait until it runs, record that. Returns 0, or the exit code
 * for the user (the caller destroys C). */
int start_container(struct container *c, struct state *st)
{
	int code = start(c, st);
	close_fd(&c->console_socket[0]);
	close_fd(&c->console_socket[1]);
	close_fd(&c->input_pipe[0]);
	close_fd(&c->input_pipe[1]);
	return code;
}
