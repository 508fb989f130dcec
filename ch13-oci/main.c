/* main.c: the mydocker command line: global options, then one command of the table below. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "bundle.h"
#include "commit.h"
#include "die.h"
#include "exec.h"
#include "image.h"
#include "images.h"
#include "logs.h"
#include "network.h"
#include "oci.h"
#include "ps.h"
#include "rm.h"
#include "run.h"
#include "sealed.h"
#include "stop.h"
#include "util.h"

#ifndef MYDOCKER_CHAPTER
#define MYDOCKER_CHAPTER "unknown"
#endif

#define MAIN_USAGE "mydocker [--root DIR] COMMAND [OPTIONS]"

/* ch13: runc's global options, which an engine may put before any command. */
static const char *const ignored_globals[] = { "--debug", NULL };
static const char *const ignored_globals_with_value[] = { "--log", "--log-format", "--criu", NULL };

/* Every command: what the user types, the function that does it (given the arguments from the
 * command's name on), and its line in `mydocker --help`. A chapter adds a command here. */
static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "run", cmd_run, "Run a command in a new container" },
	{ "ps", cmd_ps, "List containers" },
	{ "logs", cmd_logs, "Print the output of a detached container" },
	{ "exec", cmd_exec, "Run a command in a running container" },
	{ "attach", cmd_attach, "Connect this terminal to a detached container" },
	{ "stop", cmd_stop, "Stop one or more running containers" },
	{ "rm", cmd_rm, "Remove one or more containers" },
	{ "commit", cmd_commit, "Create a new image from a container's filesystem" },
	{ "images", cmd_images, "List images" },
	{ "rmi", cmd_rmi, "Remove one or more images" },
	{ "network", cmd_network, "Manage networks" },
	/* ch13: runc's commands, on OCI bundles (oci.c); `run --bundle` is runc's run. */
	{ "spec", cmd_spec, "Write a default config.json for a bundle (runc spec)" },
	{ "create", cmd_create, "Create a container from a bundle (runc create)" },
	{ "start", cmd_start, "Run the program of a created container (runc start)" },
	{ "state", cmd_state, "Print the OCI state of a container (runc state)" },
	{ "kill", cmd_kill, "Send a signal to a container's process (runc kill)" },
	{ "delete", cmd_delete, "Remove a stopped container of a bundle (runc delete)" },
	{ "list", cmd_list, "List the containers made from bundles (runc list)" },
	{ "pause", cmd_pause, "Freeze a container made from a bundle (runc pause)" },
	{ "resume", cmd_resume, "Thaw a paused container (runc resume)" },
	{ "features", cmd_features, "What mydocker implements of config.json (runc features)" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_usage(void)
{
	printf("Usage: mydocker [--help] [--version] [--root DIR] COMMAND [OPTIONS]\n"
	       "\n"
	       "A container runtime written to teach how Docker works underneath.\n"
	       "\n"
	       "Options:\n"
	       "  --root DIR   where images and containers are kept (default: $MYDOCKER_ROOT,\n"
	       "               else " DEFAULT_ROOT ")\n"
	       "\n"
	       "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].summary);
	printf("\nRun 'mydocker COMMAND --help' for more information on a command.\n");
}

/* The state root: --root, else $MYDOCKER_ROOT (empty counts as unset), else the default; made
 * absolute once, here. Returns how many arguments --root took. */
static int set_state_root(int argc, char **argv)
{
	const char *root = getenv("MYDOCKER_ROOT");
	int used = 0;
	if (root && !*root)
		root = NULL;
	if (argc >= 2 && !strncmp(argv[1], "--root=", 7)) {
		root = argv[1] + 7;
		used = 1;
	} else if (argc >= 2 && !strcmp(argv[1], "--root")) {
		if (argc < 3)
			die("--root needs a directory (usage: " MAIN_USAGE ")");
		root = argv[2];
		used = 2;
	}
	if (used && !*root)
		die("--root needs a directory, not \"\" (usage: " MAIN_USAGE ")");
	if (root) {
		char *absolute = path_absolute(root);
		if (!absolute)
			die_errno("--root %s: cannot make it absolute", root);
		state_root = absolute;
	}
	return used;
}

/* Does ARG name one of NAMES, as "--x" or (if VALUE) "--x=..."? */
static bool is_global(const char *arg, const char *const *names, bool value)
{
	for (; *names; names++) {
		size_t n = strlen(*names);
		if (!strncmp(arg, *names, n) && (!arg[n] || (value && arg[n] == '=')))
			return true;
	}
	return false;
}

/* runc's global options other than --root: --systemd-cgroup is refused (mydocker manages
 * cgroupfs only); --debug, --log FILE and --log-format F are taken and do nothing (mydocker's
 * errors go to stderr, which conmon reads too). Returns how many arguments they took. */
static int skip_globals(int argc, char **argv)
{
	int i = 1;
	while (i < argc) {
		if (!strcmp(argv[i], "--systemd-cgroup"))
			die("--systemd-cgroup is not supported: mydocker manages cgroups through "
			    "cgroupfs only");
		if (is_global(argv[i], ignored_globals, false) ||
		    is_global(argv[i], ignored_globals_with_value, true))
			i += !strchr(argv[i], '=') &&
				     is_global(argv[i], ignored_globals_with_value, false)
				 ? 2
				 : 1;
		else
			break;
	}
	return i - 1;
}

int main(int argc, char **argv)
{
	char **all = argv;
	int used = skip_globals(argc, argv);
	argc -= used;
	argv += used;
	used = set_state_root(argc, argv);
	argc -= used;
	argv += used;
	used = skip_globals(argc, argv);
	argc -= used;
	argv += used;
	if (argc < 2)
		die("no command given (usage: " MAIN_USAGE "; see 'mydocker --help')");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		print_usage();
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("mydocker version 1.0 (%s)\n", MYDOCKER_CHAPTER);
		return 0;
	}
	/* exec puts a process of mydocker's inside a running container: from a sealed copy of the
	 * binary, which no process in there can change (sealed.c). */
	if (!strcmp(cmd, "exec"))
		run_sealed(all);
	/* runc's commands keep their containers in /run/mydocker, as runc in /run/runc, unless
	 * --root or $MYDOCKER_ROOT says otherwise: an engine runs the runtime with neither (Podman
	 * passes no environment, and the clean-up that conmon starts passes no flag). */
	if (!strcmp(state_root, DEFAULT_ROOT) && oci_command(argc - 1, argv + 1))
		state_root = OCI_DEFAULT_ROOT;
	if (!strcmp(cmd, "run") && oci_run_wanted(argc - 1, argv + 1)) {
		report_command("run");
		return cmd_run_bundle(argc - 1, argv + 1);
	}
	if (!strcmp(cmd, "ps") && oci_ps_wanted(argc - 1, argv + 1)) {
		report_command("ps");
		return cmd_ps_bundle(argc - 1, argv + 1);
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(cmd, commands[i].name)) {
			report_command(commands[i].name);
			return commands[i].run(argc - 1, argv + 1);
		}
	die("unknown command \"%s\" (usage: " MAIN_USAGE "; see 'mydocker --help')", cmd);
}
