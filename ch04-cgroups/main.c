/* main.c: the mydocker command line: global options, then one subcommand. */
#include <stdio.h>
#include <string.h>

#include "die.h"
#include "run.h"

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
