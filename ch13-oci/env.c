/* env.c: the variables `run -e` and `--env-file` give a container, in Docker's format and with
 * Docker's rules. An env file has one variable per line:
 *
 *   # a comment            skipped, as are blank lines
 *   KEY=some value         KEY is "some value": the rest of the line, quotes and spaces kept
 *   KEY                    KEY takes its value from mydocker's environment (left out if unset)
 *
 * Leading white space is dropped, nothing else: Docker does no quote processing, so
 * KEY="x" gives the value "x" with its quotes. A key with white space in it, a line with no
 * key, bytes that are not UTF-8 and NUL bytes are refused, naming the line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "utf8.h"
#include "util.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

enum env_line parse_env_line(const char *line, size_t len, struct env_entry *e, char *err,
			     size_t errsize)
{
	memset(e, 0, sizeof *e);
	/* A line read from a file ending in CRLF: the CR goes with the LF, as Go's scanner has it. */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (memchr(line, '\0', len)) {
		snprintf(err, errsize, "contains a NUL byte");
		return ENV_LINE_BAD;
	}
	if (!utf8_valid((const unsigned char *)line, len)) {
		snprintf(err, errsize, "contains invalid utf8 bytes");
		return ENV_LINE_BAD;
	}
	while (len > 0 && is_space(*line))
		line++, len--;
	if (len == 0 || *line == '#')
		return ENV_LINE_SKIP;
	const char *eq = memchr(line, '=', len);
	size_t keylen = eq ? (size_t)(eq - line) : len;
	for (size_t i = 0; i < keylen; i++) {
		if (line[i] == ' ' || line[i] == '\t') {
			snprintf(err, errsize, "variable '%.*s' contains whitespaces", (int)keylen,
				 line);
			return ENV_LINE_BAD;
		}
	}
	if (keylen == 0) {
		snprintf(err, errsize, "no variable name on line '%.*s'", (int)len, line);
		return ENV_LINE_BAD;
	}
	e->key = line;
	e->keylen = keylen;
	if (!eq)
		return ENV_LINE_INHERIT;
	e->value = eq + 1;
	e->valuelen = len - keylen - 1;
	return ENV_LINE_SET;
}

/* The entry of L for KEY, whether "KEY=VALUE" or a bare "KEY" (remove it); or L->n. */
static size_t env_find(const struct env_list *l, const char *key, size_t keylen)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(l->v[i], key, keylen) && (l->v[i][keylen] == '=' || !l->v[i][keylen]))
			return i;
	return l->n;
}

/* KEY=VALUE, or with VALUE NULL the bare KEY: init removes KEY from the environment then. */
void env_put(struct env_list *l, const char *key, size_t keylen, const char *value, size_t valuelen)
{
	char *kv = value ? xasprintf("%.*s=%.*s", (int)keylen, key, (int)valuelen, value)
			 : xasprintf("%.*s", (int)keylen, key);
	size_t i = env_find(l, key, keylen);
	if (i < l->n) {
		free(l->v[i]);
		l->v[i] = kv;
		return;
	}
	l->v = xrealloc(l->v, (l->n + 2) * sizeof *l->v);
	l->v[l->n++] = kv;
	l->v[l->n] = NULL;
}

/* One -e, as Docker's ValidateEnv reads it: KEY=VAL as given, KEY with mydocker's own value
 * of KEY. A KEY that mydocker does not have is removed from the container's environment,
 * defaults included, as the Docker daemon does with a bare KEY. */
int env_add_option(struct env_list *l, const char *arg, char *err, size_t errsize)
{
	const char *eq = strchr(arg, '=');
	size_t keylen = eq ? (size_t)(eq - arg) : strlen(arg);
	if (keylen == 0) {
		snprintf(err, errsize, "invalid environment variable: %s", arg);
		return -1;
	}
	if (eq) {
		env_put(l, arg, keylen, eq + 1, strlen(eq + 1));
		return 0;
	}
	const char *value = getenv(arg);
	env_put(l, arg, keylen, value, value ? strlen(value) : 0);
	return 0;
}

/* An environment larger than this could not be passed to execve() anyway (ARG_MAX is about
 * 2 MiB for the arguments and the environment together); the bound keeps /dev/zero out. */
#define ENV_FILE_MAX (1024 * 1024)

/* Every line of the env file PATH, in order. A KEY line whose KEY mydocker does not have is
 * skipped (Docker's rule for files, unlike -e). */
int env_add_file(struct env_list *l, const char *path, char *err, size_t errsize)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	char *text = fd >= 0 ? read_at_most(fd, ENV_FILE_MAX, &len) : NULL;
	if (!text && errno == EFBIG) {
		snprintf(err, errsize, "%s is larger than %d MiB", path, ENV_FILE_MAX >> 20);
		close(fd);
		return -1;
	}
	if (!text) {
		snprintf(err, errsize, "open %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	const char *p = text, *end = text + len;
	/* A UTF-8 byte order mark at the very start is no part of the first key. */
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	int rc = 0;
	for (int lineno = 1; p < end && rc == 0; lineno++) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct env_entry e;
		char why[512];
		switch (parse_env_line(p, n, &e, why, sizeof why)) {
		case ENV_LINE_BAD:
			snprintf(err, errsize, "%s line %d: %s", path, lineno, why);
			rc = -1;
			break;
		case ENV_LINE_SET:
			env_put(l, e.key, e.keylen, e.value, e.valuelen);
			break;
		case ENV_LINE_INHERIT: {
			char *key = xasprintf("%.*s", (int)e.keylen, e.key);
			const char *value = getenv(key);
			if (value)
				env_put(l, e.key, e.keylen, value, strlen(value));
			free(key);
			break;
		}
		case ENV_LINE_SKIP:
			break;
		}
		p += n + 1;
	}
	free(text);
	return rc;
}

void env_free(struct env_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
