/* memory.c: fuzz parse_memory(), the -m parser (cgroup.c). Properties: it accepts exactly
 * DIGITS with at most one unit letter b, k, m or g (any case) for a positive number of bytes
 * below 2^63, with that value; and the size it returns, printed back (plain, and in its largest
 * exact unit), parses to the same number of bytes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "cgroup.h"
#include "fuzz.h"

/* The rule, written out independently of parse_memory(). */
static int reference(const char *s, long long *bytes)
{
	unsigned __int128 v = 0, big = (unsigned __int128)INT64_MAX + 1;
	size_t i = 0;
	for (; isdigit((unsigned char)s[i]); i++)
		if ((v = v * 10 + (s[i] - '0')) > big)
			v = big; /* stays too big, whatever follows */
	if (i == 0)
		return -1;
	int shift;
	switch (tolower((unsigned char)s[i])) {
	case '\0':
	case 'b':
		shift = 0;
		break;
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	default:
		return -1;
	}
	if (s[i] && s[i + 1])
		return -1;
	v <<= shift;
	if (v == 0 || v > INT64_MAX)
		return -1;
	*bytes = (long long)v;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	long long got = 0, want = 0;
	int rc = parse_memory(s, &got), ref = reference(s, &want);
	if (rc != ref)
		fuzz_fail("parse_memory(\"%s\") returned %d, the rule says %d", s, rc, ref);
	if (rc == 0 && got != want)
		fuzz_fail("parse_memory(\"%s\") = %lld bytes, the rule says %lld", s, got, want);
	if (rc == 0) {
		static const char units[] = "gmkb";
		static const int shifts[] = { 30, 20, 10, 0 };
		int u = 0;
		while (got & ((1LL << shifts[u]) - 1))
			u++;
		char plain[32], unit[32];
		long long back1 = 0, back2 = 0;
		snprintf(plain, sizeof plain, "%lld", got);
		snprintf(unit, sizeof unit, "%lld%c", got >> shifts[u], units[u]);
		if (parse_memory(plain, &back1) < 0 || back1 != got ||
		    parse_memory(unit, &back2) < 0 || back2 != got)
			fuzz_fail(
			    "%lld bytes (from \"%s\") printed as \"%s\" and \"%s\" parse to %lld and %lld",
			    got, s, plain, unit, back1, back2);
	}
	free(s);
	return 0;
}
