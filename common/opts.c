/* opts.c: getopt_long() with the --help and the usage errors every command has, so that a
 * command's loop handles its own options only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "opts.h"

int next_option(int argc, char **argv, const char *shortopts, const struct option *longopts,
		const char *help, const char *usage)
{
	opterr = 0; /* getopt's own messages are not in mydocker's words */
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == 'H') {
		fputs(help, stdout);
		exit(0);
	}
	if (c == ':')
		die("option needs a value: %s (usage: %s)", argv[optind - 1], usage);
	if (c == '?')
		die("unknown option %s (usage: %s)", argv[optind - 1], usage);
	return c;
}

void no_options(int argc, char **argv, const char *help, const char *usage)
{
	static const struct option longopts[] = { OPT_HELP, { 0 } };
	while (next_option(argc, argv, "", longopts, help, usage) != -1)
		;
}

int parse_bool(const char *s)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (!strcmp(s, yes[i]))
			return 1;
		if (!strcmp(s, no[i]))
			return 0;
	}
	return -1;
}
