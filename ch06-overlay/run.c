/* run.c: `mydocker run`: parse the options, clone the container's first process into new
 * namespaces, supervise it and exit with its status. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "die.h"
#include "privs.h"
#include "util.h"

#define RUN_USAGE "mydocker run [-i] [-t] [-h NAME] [LIMITS] [--] IMAGE [COMMAND [ARG...]]"

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

/* clone(2) needs a stack for the child; the child gets its own copy of this memory. */
static char child_stack[1 << 20] __attribute__((aligned(16)));

static void __attribute__((noreturn)) usage_error(const char *what, const char *arg)
{
	die("run: %s%s%s (usage: " RUN_USAGE ")", what, arg ? " " : "", arg ? arg : "");
}

/* The CFS period --cpus is measured against: 100 ms, as Docker uses. */
#define CPU_PERIOD_US 100000

static void __attribute__((noreturn))
bad_value(const char *flag, const char *value, const char *want)
{
	die("run: invalid %s \"%s\" (want %s)", flag, value, want);
}

/* Check a limit flag's value now, before anything is created. */
static void parse_limit(int c, const char *value, struct limits *lim)
{
	long long n;
	switch (c) {
	case 'm':
		if (parse_memory(value, &lim->memory) < 0)
			bad_value("--memory", value, "a positive size such as 64m or 1g");
		break;
	case 'S':
		if (parse_long(value, 1, 262144, &lim->cpu_shares) < 0)
			bad_value("--cpu-shares", value, "a whole number from 1 to 262144");
		break;
	case 'C':
		lim->cpu_period = CPU_PERIOD_US;
		if (parse_cpus(value, lim->cpu_period, &lim->cpu_quota) < 0)
			bad_value("--cpus", value, "a positive number of CPUs such as 0.5");
		break;
	case 'P':
		if (parse_cpuset(value, get_nprocs_conf()) < 0)
			die("run: invalid --cpuset-cpus \"%s\" (want CPUs such as 0-1 or 0,1 among "
			    "the "
			    "%d of this machine)",
			    value, get_nprocs_conf());
		lim->cpuset_cpus = value;
		break;
	case 'L':
		if (parse_long(value, -1, 1LL << 31, &n) < 0 || n == 0)
			bad_value("--pids-limit", value, "a positive whole number, or -1");
		lim->pids_max = n;
		break;
	}
}

static void parse_run_options(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "hostname", required_argument, NULL, 'h' },
		{ "memory", required_argument, NULL, 'm' },
		{ "cpu-shares", required_argument, NULL, 'S' },
		{ "cpus", required_argument, NULL, 'C' },
		{ "cpuset-cpus", required_argument, NULL, 'P' },
		{ "pids-limit", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'H' },
		{ 0 },
	};
	int c;
	opterr = 0;
	/* "+": stop at the first non-option, so the command's own options are left alone. */
	while ((c = getopt_long(argc, argv, "+:ith:m:", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->interactive = true;
			break;
		case 't':
			o->tty = true;
			break;
		case 'h':
			o->hostname = optarg;
			break;
		case 'm':
		case 'S':
		case 'C':
		case 'P':
		case 'L':
			parse_limit(c, optarg, &o->limits);
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
		usage_error("no image given", NULL);
	o->image = argv[optind++];
	static char *default_command[] = { "sh", NULL };
	o->argv = optind < argc ? argv + optind : default_command;
	if (o->tty && !isatty(STDIN_FILENO))
		die("run: -t needs a terminal on stdin (the input device is not a TTY)");
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
 * so it is killed. Killing PID 1 of a PID namespace kills every process in it. */
static int supervise(pid_t pid, const struct run_opts *o, const sigset_t *handled)
{
	for (;;) {
		int sig = sigwaitinfo(handled, NULL);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			die_errno("run: sigwaitinfo");
		}
		if (sig == SIGCHLD) {
			int status;
			pid_t r = waitpid(pid, &status, WNOHANG);
			if (r < 0)
				die_errno("run: waitpid");
			if (r == pid)
				return status;
		} else if (sig == SIGTERM || sig == SIGHUP) {
			kill(pid, SIGKILL);
		} else if (!o->tty) {
			kill(pid, sig);
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
		warn_errno("run: give the terminal back");
}

/* Setup failed after the container's first process was started: take it down again. */
static void __attribute__((noreturn))
abort_container(pid_t pid, struct cgroup *cg, const char *dir, int reaper_fd, int code)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	cgroup_destroy(cg);
	layer_remove(dir);
	stop_reaper(reaper_fd);
	exit(code);
}

/* pipe2 with close-on-exec, so no pipe end leaks into the user's command. */
static void make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		die_errno("run: pipe");
}

static int run_container(struct run_opts *o)
{
	struct cgroup cg;
	o->lower = image_lower_dir(state_root, o->image);
	random_hex(o->id, ID_LEN);
	/* The cgroup and its limits exist before the container does... */
	if (cgroup_create(&cg, o->id, &o->limits) < 0)
		exit(EXIT_RUNTIME);
	o->dir = layer_create(state_root, o->id);
	if (!o->dir) {
		cgroup_destroy(&cg);
		exit(EXIT_RUNTIME);
	}
	int reaper_fd = start_reaper(&cg, o->dir);
	int *command_pipe = o->command_pipe, *error_pipe = o->error_pipe;
	make_pipe(command_pipe);
	make_pipe(error_pipe);

	sigset_t handled;
	sigemptyset(&handled);
	sigaddset(&handled, SIGCHLD);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGQUIT);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGHUP);
	/* Blocked signals wait in the queue for sigwaitinfo(): no handler, no race. */
	if (sigprocmask(SIG_BLOCK, &handled, &o->sigmask) < 0)
		die_errno("run: sigprocmask");
	/* A write to the pipe of an init that died must fail with EPIPE, not kill mydocker. */
	sigset_t pipe_signal;
	sigemptyset(&pipe_signal);
	sigaddset(&pipe_signal, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_signal, NULL);

	fflush(NULL);
	pid_t pid = clone(container_init, child_stack + sizeof child_stack,
			  CONTAINER_NAMESPACES | SIGCHLD, o);
	if (pid < 0) {
		warn_errno("run: clone");
		cgroup_destroy(&cg);
		layer_remove(o->dir);
		stop_reaper(reaper_fd);
		exit(EXIT_RUNTIME);
	}
	close(command_pipe[0]);
	close(error_pipe[1]);
	/* The child is waiting on the command pipe, so it is in its cgroup before it runs. */
	if (cgroup_join(&cg, pid) < 0)
		abort_container(pid, &cg, o->dir, reaper_fd, EXIT_RUNTIME);
	/* Sending the command and closing the pipe is the start signal. */
	if (send_command(command_pipe[1], o->argv) < 0 && errno != EPIPE)
		warn_errno("run: send the command to the container");
	close(command_pipe[1]);
	/* The error pipe stays empty until execve closes it, or holds why init failed. */
	int code = receive_failure(error_pipe[0]);
	close(error_pipe[0]);
	if (code)
		abort_container(pid, &cg, o->dir, reaper_fd, code);

	int status = supervise(pid, o, &handled);
	/* PID 1 is gone, and with it every process of its PID namespace: the cgroup is empty,
	 * and the mount namespace with the overlay is gone, so the layer can be removed. */
	cgroup_destroy(&cg);
	layer_remove(o->dir);
	stop_reaper(reaper_fd);
	if (o->tty)
		restore_terminal();
	return exit_code(status);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	parse_run_options(argc, argv, &o);
	require_root("run");
	return run_container(&o);
}
