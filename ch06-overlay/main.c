/* main.c: the mydocker command line: global options, then one subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "die.h"
#include "util.h"

#ifndef MYDOCKER_CHAPTER
#define MYDOCKER_CHAPTER "unknown"
#endif

static const char usage[] = "Usage: mydocker [--help] [--version] COMMAND [OPTIONS]\n"
			    "\n"
			    "A container runtime written to teach how Docker works underneath.\n"
			    "\n"
			    "Commands:\n"
			    "  run    Run a command in a new container\n"
			    "\n"
			    "Run 'mydocker COMMAND --help' for more information on a command.\n";

int main(int argc, char **argv)
{
	if (getenv("MYDOCKER_ROOT"))
		state_root = getenv("MYDOCKER_ROOT");
	while (argc >= 2 && str_starts_with(argv[1], "--root")) {
		if (!strncmp(argv[1], "--root=", 7)) {
			state_root = argv[1] + 7;
		} else if (!strcmp(argv[1], "--root") && argc >= 3) {
			state_root = argv[2];
			argc--, argv++;
		} else if (!strcmp(argv[1], "--root")) {
			die("--root needs a directory (usage: mydocker --root DIR COMMAND "
			    "[OPTIONS])");
		} else {
			break;
		}
		argc--, argv++;
	}
	if (argc < 2)
		die("no command given (usage: mydocker COMMAND [OPTIONS]; see 'mydocker --help')");
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
	die("unknown command \"%s\" (usage: mydocker COMMAND [OPTIONS]; see 'mydocker --help')",
	    cmd);
}
