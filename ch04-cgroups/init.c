/* init.c: the container's first process. clone(2) starts it inside the new namespaces; it
 * finishes setting up the container from the inside and then becomes the user's command. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "container.h"
#include "die.h"
#include "init.h"

/* The environment a container starts with, as Docker gives it: nothing leaks in from the host. */
static void set_environment(const struct run_opts *o)
{
	char host[256];
	clearenv();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	if (gethostname(host, sizeof host) == 0)
		setenv("HOSTNAME", host, 1);
	setenv("HOME", "/root", 1);
	if (o->tty)
		setenv("TERM", "xterm", 1);
}

/* A setup step failed: say which, with errno's text, and exit 125 like every other error of
 * mydocker itself. */
static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
	int err = errno; /* saved before anything else can change it */
	char step[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(step, sizeof step, fmt, ap);
	va_end(ap);
	errno = err;
	warn_errno("%s", step);
	_exit(EXIT_RUNTIME);
}

/* With -t the container becomes the terminal's foreground process group, as a shell does for
 * a job: Ctrl-C then reaches the container, and a shell inside can use job control. */
static void take_terminal(void)
{
	sigset_t ttou, old;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	if (setpgid(0, 0) < 0)
		fail("setpgid");
	/* A background process asking for the terminal gets SIGTTOU unless it blocks it. */
	sigprocmask(SIG_BLOCK, &ttou, &old);
	if (tcsetpgrp(STDIN_FILENO, getpgrp()) < 0)
		fail("make the container the terminal's foreground");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Without -i the container reads from /dev/null, as `docker run` without -i does. */
static void detach_stdin(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		fail("redirect stdin to /dev/null");
	close(fd);
}

void container_init(struct container *c)
{
	const struct run_opts *o = c->opts;

	/* The parent blocked signals to wait for them with sigwaitinfo(); the command must not
	 * inherit that mask. */
	sigprocmask(SIG_SETMASK, &c->sigmask, NULL);
	/* With -t the container takes the terminal; without, it leaves mydocker's session, so the
	 * terminal's Ctrl-C goes to mydocker only. */
	if (o->tty)
		take_terminal();
	else if (setsid() < 0)
		fail("setsid");
	if (!o->interactive)
		detach_stdin();
	/* Mounts made from now on must not propagate back to the host: systemd makes / shared. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail("make / private");
	if (o->hostname && sethostname(o->hostname, strlen(o->hostname)) < 0)
		fail("sethostname");
	/* A fresh /proc shows this PID namespace, not the host's. */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
		fail("mount /proc");
	set_environment(o);
	/* The command gets stdin, stdout and stderr, nothing else of whoever started mydocker:
	 * every other descriptor is closed by execve. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		fail("close inherited descriptors");

	execvp(o->argv[0], o->argv);
	int err = errno;
	warn_errno("exec \"%s\"", o->argv[0]);
	_exit(err == ENOENT ? 127 : 126);
}
