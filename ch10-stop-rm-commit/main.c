/* main.c: the mydocker command line: global options, then one subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commit.h"
#include "die.h"
#include "exec.h"
#include "image.h"
#include "images.h"
#include "logs.h"
#include "ps.h"
#include "rm.h"
#include "run.h"
#include "stop.h"
#include "util.h"

#ifndef MYDOCKER_CHAPTER
#define MYDOCKER_CHAPTER "unknown"
#endif

#define MAIN_USAGE "mydocker [--root DIR] COMMAND [OPTIONS]"

static const char usage[] =
    "Usage: mydocker [--help] [--version] [--root DIR] COMMAND [OPTIONS]\n"
    "\n"
    "A container runtime written to teach how Docker works underneath.\n"
    "\n"
    "Options:\n"
    "  --root DIR   where images and containers are kept (default: $MYDOCKER_ROOT,\n"
    "               else " DEFAULT_ROOT ")\n"
    "\n"
    "Commands:\n"
    "  run      Run a command in a new container\n"
    "  ps       List containers\n"
    "  logs     Print the output of a detached container\n"
    "  exec     Run a command in a running container\n"
    "  stop     Stop one or more running containers\n"
    "  rm       Remove one or more containers\n"
    "  commit   Create a new image from a container's filesystem\n"
    "  images   List images\n"
    "  rmi      Remove one or more images\n"
    "\n"
    "Run 'mydocker COMMAND --help' for more information on a command.\n";

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

int main(int argc, char **argv)
{
	int used = set_state_root(argc, argv);
	argc -= used;
	argv += used;
	if (argc < 2)
		die("no command given (usage: " MAIN_USAGE "; see 'mydocker --help')");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("mydocker version 1.0 (%s)\n", MYDOCKER_CHAPTER);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "ps"))
		return cmd_ps(argc - 1, argv + 1);
	if (!strcmp(cmd, "logs"))
		return cmd_logs(argc - 1, argv + 1);
	if (!strcmp(cmd, "exec"))
		return cmd_exec(argc - 1, argv + 1);
	if (!strcmp(cmd, "stop"))
		return cmd_stop(argc - 1, argv + 1);
	if (!strcmp(cmd, "rm"))
		return cmd_rm(argc - 1, argv + 1);
	if (!strcmp(cmd, "commit"))
		return cmd_commit(argc - 1, argv + 1);
	if (!strcmp(cmd, "images"))
		return cmd_images(argc - 1, argv + 1);
	if (!strcmp(cmd, "rmi"))
		return cmd_rmi(argc - 1, argv + 1);
	die("unknown command \"%s\" (usage: " MAIN_USAGE "; see 'mydocker --help')", cmd);
}
