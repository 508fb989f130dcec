/* env.h: the environment a container starts with: `run -e KEY=VAL`, `-e KEY` and
 * `--env-file FILE`, on top of the defaults init sets (PATH, HOSTNAME, HOME, TERM).
 *
 * Interface:
 *   parse_env_line()  one line of an env file, Docker's format. Pure: no allocation, no file
 *                     system, no environment, no exit; LINE need not end in a NUL, so any bytes
 *                     are safe to give it (a fuzzer may).
 *   env_put()         add KEY=VALUE to a list; an entry with the same KEY is replaced, so the
 *                     later of two settings wins.
 *   env_add_option()  one -e: KEY=VAL as it is, KEY with its value from mydocker's own
 *                     environment (left out if it has none, as Docker does).
 *   env_add_file()    every line of an env file, in order. Prints what was wrong.
 *   env_free()        frees the list's strings and the list.
 * Docker reads every --env-file before any -e, so -e wins over a file whatever the order on
 * the command line; run.c keeps the two apart and adds them in that order. */
#ifndef MYDOCKER_ENV_H
#define MYDOCKER_ENV_H

#include <stddef.h>

/* What one line of an env file is. */
enum env_line {
	ENV_LINE_BAD = -1, /* not a valid line: the reason is in ERR */
	ENV_LINE_SKIP,	   /* blank, or a comment ('#' after leading white space) */
	ENV_LINE_SET,	   /* KEY=VALUE: both given */
	ENV_LINE_INHERIT,  /* KEY alone: its value comes from mydocker's environment */
};

/* The parts of one line: pointers into the line, not NUL-terminated. */
struct env_entry {
	const char *key;
	size_t keylen;
	const char *value; /* ENV_LINE_SET only; may be empty */
	size_t valuelen;
};

enum env_line parse_env_line(const char *line, size_t len, struct env_entry *e, char *err,
			     size_t errsize);

/* A list of KEY=VALUE strings, NULL-terminated, each allocated. */
struct env_list {
	char **v;
	size_t n;
};

void env_put(struct env_list *l, const char *key, size_t keylen, const char *value,
	     size_t valuelen);
int env_add_option(struct env_list *l, const char *arg, char *err, size_t errsize);
int env_add_file(struct env_list *l, const char *path, char *err, size_t errsize);
void env_free(struct env_list *l);

#endif
