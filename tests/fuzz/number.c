/* number.c: fuzz parse_long() (common/util.c), behind --cpu-shares, --pids-limit, logs --tail,
 * the command pipe's count and the monitor's exit code file, for any range. Properties: it
 * accepts exactly an optional sign and decimal digits for a value in [MIN, MAX], with that
 * value, and says why not in errno (EINVAL or ERANGE); the value printed back parses to it. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "util.h"

static int reference(const char *s, long long min, long long max, long long *out)
{
	__int128 v = 0, big = (__int128)1 << 64;
	int sign = 1;
	size_t i = 0;
	if (s[i] == '+' || s[i] == '-')
		sign = s[i++] == '-' ? -1 : 1;
	size_t first = i;
	for (; isdigit((unsigned char)s[i]); i++)
		if ((v = v * 10 + (s[i] - '0')) > big)
			v = big;
	if (i == first || s[i])
		return -1;
	v *= sign;
	if (v < min || v > max)
		return -1;
	*out = (long long)v;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long long a = (long long)fuzz_take(&data, &size, 8),
		  b = (long long)fuzz_take(&data, &size, 8);
	long long min = a < b ? a : b, max = a < b ? b : a;
	char *s = fuzz_str(data, size);
	long long got = 0, want = 0;
	errno = 0;
	int rc = parse_long(s, min, max, &got), err = errno, ref = reference(s, min, max, &want);
	if (rc != ref)
		fuzz_fail("parse_long(\"%s\", %lld, %lld) returned %d, the rule says %d", s, min,
			  max, rc, ref);
	if (rc < 0 && err != EINVAL && err != ERANGE)
		fuzz_fail("parse_long(\"%s\") failed with errno %d", s, err);
	if (rc == 0) {
		char text[32];
		long long back = 0;
		snprintf(text, sizeof text, "%lld", got);
		if (got != want || parse_long(text, min, max, &back) < 0 || back != got)
			fuzz_fail(
			    "parse_long(\"%s\") = %lld, the rule says %lld; printed back: %lld", s,
			    got, want, back);
	}
	free(s);
	return 0;
}
