/* run.c: `mydocker run`: parse the options, clone the container's first process into new
 * namespaces, supervise it and exit with its status. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "die.h"
#include "init.h"
#include "privs.h"
#include "run.h"

#define RUN_USAGE "mydocker run [-i] [-t] [-h NAME] [--] COMMAND [ARG...]"

static const char run_help[] =
    "Usage: " RUN_USAGE "\n"
    "\n"
    "Run COMMAND in new UTS, PID, mount, IPC and network namespaces.\n"
    "\n"
    "Options:\n"
    "  -i, --interactive      keep stdin attached (otherwise it reads /dev/null)\n"
    "  -t, --tty              share this terminal with the container\n"
    "  -h, --hostname NAME    hostname inside the container\n"
    "      --help             print this help\n";

/* The namespaces every container gets: hostname, process IDs, mounts, System V IPC, network. */
#define CONTAINER_NAMESPACES                                                                       \
	(CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET)

static void __attribute__((noreturn)) usage_error(const char *what, const char *arg)
{
	die("%s%s%s (usage: " RUN_USAGE ")", what, arg ? " " : "", arg ? arg : "");
}

static void parse_run_options(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "hostname", required_argument, NULL, 'h' },
		{ "help", no_argument, NULL, 'H' },
		{ 0 },
	};
	int c;
	opterr = 0;
	/* "+": stop at the first non-option, so the command's own options are left alone. */
	while ((c = getopt_long(argc, argv, "+:ith:", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->interactive = true;
			break;
		case 't':
			o->tty = true;
			break;
		case 'h':
			/* The kernel's limit; checked now, not when init calls sethostname. */
			if (strlen(optarg) > HOST_NAME_MAX)
				die("invalid --hostname \"%s\" (at most %d characters)", optarg,
				    HOST_NAME_MAX);
			o->hostname = optarg;
			break;
		case 'H':
			fputs(run_help, stdout);
			exit(0);
		case ':':
			usage_error("option needs a value:", argv[optind - 1]);
		default:
			usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_error("no command given", NULL);
	o->argv = argv + optind;
	if (o->tty && !isatty(STDIN_FILENO))
		die("-t needs a terminal on stdin (the input device is not a TTY)");
}

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
 * Returns the exit status, or -1 if waiting failed. */
static int supervise(struct container *c, const sigset_t *handled)
{
	for (;;) {
		int sig = sigwaitinfo(handled, NULL);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			warn_errno("sigwaitinfo");
			return -1;
		}
		if (sig == SIGCHLD) {
			int status;
			pid_t r = waitpid(c->pid, &status, WNOHANG);
			if (r < 0) {
				warn_errno("waitpid");
				return -1;
			}
			if (r == c->pid) {
				c->pid = 0;
				return status;
			}
		} else if (sig == SIGTERM || sig == SIGHUP) {
			kill(c->pid, SIGKILL);
		} else if (!c->opts->tty) {
			kill(c->pid, sig);
		}
	}
}

/* After a -t container exits, mydocker's own process group gets the terminal back. */
static void restore_terminal(void)
{
	sigset_t ttou;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, NULL);
	if (tcsetpgrp(STDIN_FILENO, getpgrp()) < 0)
		warn_errno("give the terminal back");
}

/* clone(2) without a stack of its own works like fork(2): the child goes on from here, on a
 * copy of mydocker's memory, but inside the new namespaces. Returns 0 in the child. */
static pid_t clone_container(void)
{
	return syscall(SYS_clone, CONTAINER_NAMESPACES | SIGCHLD, NULL, NULL, NULL, NULL);
}

static int run_container(const struct run_opts *o)
{
	struct container c = { .opts = o };
	int code = EXIT_RUNTIME, status;
	sigset_t handled;
	sigemptyset(&handled);
	sigaddset(&handled, SIGCHLD);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGQUIT);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGHUP);
	/* Blocked signals wait in the queue for sigwaitinfo(): no handler, no race. */
	if (sigprocmask(SIG_BLOCK, &handled, &c.sigmask) < 0) {
		warn_errno("sigprocmask");
		return EXIT_RUNTIME;
	}

	fflush(NULL);
	c.pid = clone_container();
	if (c.pid == 0)
		container_init(&c);
	if (c.pid < 0) {
		warn_errno("clone");
		c.pid = 0;
		goto out;
	}

	status = supervise(&c, &handled);
	if (status >= 0)
		code = exit_code(status);
out:
	/* Waiting failed: the container must not outlive mydocker. */
	if (c.pid > 0) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, NULL, 0);
	}
	if (o->tty)
		restore_terminal();
	return code;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	parse_run_options(argc, argv, &o);
	require_root();
	return run_container(&o);
}
