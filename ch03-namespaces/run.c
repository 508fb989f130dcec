/* run.c: `mydocker run`: parse the options, clone the container's first process into new
 * namespaces, supervise it and exit with its status. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "die.h"
#include "init.h"
#include "privs.h"
#include "run.h"
#include "start.h"

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

static int run_container(const struct run_opts *o)
{
	struct container c = { .opts = o };
	int code = EXIT_RUNTIME;
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

	code = supervise(&c, &handled);
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
