/* env.c: fuzz parse_env_line() and env_put(), the --env-file and -e parsers (env.c). The
 * input is one line of an env file: any bytes up to the first newline, as env_add_file() cuts
 * them. Properties: the verdict is the one Docker's rules give, computed here independently
 * (the UTF-8 check by the C library's mbrtowc() in a UTF-8 locale, up to U+10FFFF); a refusal
 * is one NUL-terminated line in ERR, never overrun; an accepted line points into the input, its
 * key has no white space and no '=', and SET's value is the rest of the line exactly; put
 * twice, a key is in the list once, with the later value. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "env.h"
#include "fuzz.h"

static bool utf8(const char *s, size_t len)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	while (len > 0) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, len, &st);
		if (n == (size_t)-1 || n == (size_t)-2)
			return false;
		/* glibc still takes the 5- and 6-byte forms of old; Unicode ends at U+10FFFF. */
		if ((unsigned)wc > 0x10ffff || ((unsigned)wc >= 0xd800 && (unsigned)wc <= 0xdfff))
			return false;
		s += n, len -= n;
	}
	return true;
}

/* Docker's rules for one line (opts.ParseEnvFile), as the book page states them. */
static enum env_line reference(const char *s, size_t len, size_t *keyoff, size_t *keylen)
{
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (memchr(s, '\0', len) || !utf8(s, len))
		return ENV_LINE_BAD;
	size_t i = 0;
	while (i < len && strchr(" \t\n\v\f\r", s[i]))
		i++;
	if (i == len || s[i] == '#')
		return ENV_LINE_SKIP;
	const char *eq = memchr(s + i, '=', len - i);
	*keyoff = i;
	*keylen = eq ? (size_t)(eq - (s + i)) : len - i;
	if (*keylen == 0 || memchr(s + i, ' ', *keylen) || memchr(s + i, '\t', *keylen))
		return ENV_LINE_BAD;
	return eq ? ENV_LINE_SET : ENV_LINE_INHERIT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool locale;
	if (!locale && !(locale = setlocale(LC_CTYPE, "C.UTF-8")))
		fuzz_fail("no C.UTF-8 locale for the reference");
	const uint8_t *nl = memchr(data, '\n', size);
	if (nl)
		size = nl - data;
	/* The line in a buffer of its own size, so ASan sees any read past its end. */
	char *line = malloc(size ? size : 1);
	memcpy(line, data, size);
	struct env_entry e;
	char err[64];
	memset(err, 'x', sizeof err);
	size_t keyoff = 0, keylen = 0;
	enum env_line want = reference(line, size, &keyoff, &keylen);
	enum env_line got = parse_env_line(line, size, &e, err, sizeof err);
	if (got != want)
		fuzz_fail("line of %zu bytes: parse_env_line says %d, Docker's rules %d", size, got,
			  want);
	if (got == ENV_LINE_BAD) {
		const char *nul = memchr(err, '\0', sizeof err);
		if (!nul || nul == err || memchr(err, '\n', nul - err))
			fuzz_fail("a refused line's reason is not one non-empty line");
	} else if (got != ENV_LINE_SKIP) {
		if (e.key != line + keyoff || e.keylen != keylen)
			fuzz_fail("key at %td (%zu bytes), not at %zu (%zu bytes)", e.key - line,
				  e.keylen, keyoff, keylen);
		if (got == ENV_LINE_SET) {
			size_t end = size > 0 && line[size - 1] == '\r' ? size - 1 : size;
			if (e.value != e.key + e.keylen + 1 || e.value + e.valuelen != line + end)
				fuzz_fail("the value is not the rest of the line");
			/* Put twice: one entry, the later value. */
			struct env_list l = { 0 };
			env_put(&l, e.key, e.keylen, "first", 5);
			env_put(&l, e.key, e.keylen, e.value, e.valuelen);
			if (l.n != 1 || strncmp(l.v[0], e.key, e.keylen) ||
			    l.v[0][e.keylen] != '=' ||
			    strlen(l.v[0]) != e.keylen + 1 + e.valuelen ||
			    memcmp(l.v[0] + e.keylen + 1, e.value, e.valuelen) || l.v[1])
				fuzz_fail("put twice, the key is not once with the later value");
			free(l.v[0]);
			free(l.v);
		}
	}
	free(line);
	return 0;
}
