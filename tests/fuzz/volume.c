/* volume.c: fuzz parse_volume() and add_volume(), the -v parsers (volume.c), against the
 * contract in book/ch07-volumes.md ("For the fuzzer"). The input is one spec, and also a list
 * of specs, one a line, given to add_volume() in turn. Properties: a refusal is one line in
 * ERR, which is never overrun, whatever its size; an accepted spec has exactly one of a host
 * path and a volume name, a clean absolute target other than /, readonly exactly for ":ro",
 * and parses to the same volume when rebuilt; no target is /proc or inside it; the list has no
 * two volumes at one target and never a volume before its parent. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "volume.h"

static void check_volume(const struct volume *v, const char *spec)
{
	size_t tlen = strlen(v->target);
	if (!*v->host == !*v->name)
		fuzz_fail("\"%s\": host \"%s\" and name \"%s\": exactly one must be set", spec,
			  v->host, v->name);
	if (*v->host && v->host[0] != '/')
		fuzz_fail("\"%s\": host path \"%s\" is not absolute", spec, v->host);
	if (*v->name && (strlen(v->name) > VOLUME_NAME_MAX || !isalnum((unsigned char)v->name[0]) ||
			 strspn(v->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789_.-") != strlen(v->name)))
		fuzz_fail("\"%s\": bad volume name \"%s\"", spec, v->name);
	if (v->target[0] != '/' || tlen < 2 || v->target[tlen - 1] == '/' ||
	    strstr(v->target, "//") || strstr(v->target, "/./") || strstr(v->target, "/../") ||
	    (tlen >= 2 && !strcmp(v->target + tlen - 2, "/.")) ||
	    (tlen >= 3 && !strcmp(v->target + tlen - 3, "/..")))
		fuzz_fail("\"%s\": target \"%s\" is not a clean absolute path other than /", spec,
			  v->target);
	if (!strncmp(v->target, "/proc", 5) && (v->target[5] == '\0' || v->target[5] == '/'))
		fuzz_fail("\"%s\": target \"%s\" is in /proc", spec, v->target);
	size_t slen = strlen(spec);
	bool ro = slen >= 3 && !strcmp(spec + slen - 3, ":ro");
	if (v->readonly != ro)
		fuzz_fail("\"%s\": readonly is %d", spec, v->readonly);
}

/* ERR of ERRSIZE bytes (exactly: ASan sees any write past it) holds one line. */
static void check_error(const char *err, size_t errsize, const char *spec)
{
	const char *nul = memchr(err, '\0', errsize);
	if (!nul)
		fuzz_fail("\"%s\": the error is not NUL-terminated within %zu bytes", spec,
			  errsize);
	if (errsize > 20 && nul == err)
		fuzz_fail("\"%s\" was refused without a reason", spec);
	if (!strchr(spec, '\n') && memchr(err, '\n', nul - err))
		fuzz_fail("\"%s\": the error \"%s\" is more than one line", spec, err);
}

static void one(const char *spec, size_t errsize)
{
	struct volume *v = malloc(sizeof *v), *again = malloc(sizeof *again);
	char *err = malloc(errsize);
	if (!v || !again || !err)
		abort();
	if (parse_volume(spec, v, err, errsize) == 0) {
		check_volume(v, spec);
		size_t size = 2 * sizeof v->host + 8;
		char *rebuilt = malloc(size);
		if (!rebuilt)
			abort();
		snprintf(rebuilt, size, "%s:%s%s", *v->name ? v->name : v->host, v->target,
			 v->readonly ? ":ro" : "");
		if (parse_volume(rebuilt, again, err, errsize) < 0 ||
		    strcmp(v->host, again->host) || strcmp(v->name, again->name) ||
		    strcmp(v->target, again->target) || v->readonly != again->readonly)
			fuzz_fail("\"%s\" rebuilt as \"%s\" does not parse to the same volume",
				  spec, rebuilt);
		free(rebuilt);
	} else {
		check_error(err, errsize, spec);
	}
	free(err);
	free(again);
	free(v);
}

/* The specs of S, one a line, through add_volume(). */
static void list(char *s)
{
	struct volume *vols = NULL;
	size_t n = 0;
	char err[256];
	for (char *line; (line = strsep(&s, "\n"));) {
		size_t before = n;
		if (add_volume(&vols, &n, line, err, sizeof err) == 0) {
			if (n != before + 1)
				fuzz_fail("add_volume(\"%s\") added %zu volumes", line, n - before);
		} else if (n != before) {
			fuzz_fail("add_volume(\"%s\") failed but changed the list", line);
		}
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			size_t lj = strlen(vols[j].target);
			if (!strcmp(vols[i].target, vols[j].target))
				fuzz_fail("two volumes at %s", vols[i].target);
			if (!strncmp(vols[i].target, vols[j].target, lj) &&
			    vols[i].target[lj] == '/')
				fuzz_fail("%s is mounted before its parent %s", vols[i].target,
					  vols[j].target);
		}
	free(vols);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t errsize = 1 + fuzz_take(&data, &size, 1);
	char *spec = fuzz_str(data, size);
	one(spec, errsize);
	list(spec);
	free(spec);
	return 0;
}
