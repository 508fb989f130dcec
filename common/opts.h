/* opts.h: the command line every command shares: getopt_long() with --help and one-line
 * usage errors, and flag values read as Docker (Go) reads them. Plumbing, no container
 * concept. */
#ifndef MYDOCKER_OPTS_H
#define MYDOCKER_OPTS_H

#include <getopt.h>

/* The --help entry of every command's LONGOPTS. */
#define OPT_HELP                                                                                   \
	{                                                                                          \
		"help", no_argument, NULL, 'H'                                                     \
	}

/* The next option of a command, as getopt_long() returns it, or -1 after the last. The caller
 * sees only its own options: --help (OPT_HELP in LONGOPTS) prints HELP and exits 0, and an
 * unknown option dies naming USAGE, as does one without its value if SHORTOPTS starts with ':'
 * (after any '+'). */
int next_option(int argc, char **argv, const char *shortopts, const struct option *longopts,
		const char *help, const char *usage);

/* The options of a command that has none but --help: next_option() until they are done. */
void no_options(int argc, char **argv, const char *help, const char *usage);

/* A boolean flag's value as Docker takes it (Go's strconv.ParseBool): 1 true, 0 false, -1
 * neither. */
int parse_bool(const char *s);

#endif
