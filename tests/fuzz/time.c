/* time.c: fuzz time_parse() and time_format() (common/rfc3339.c), the RFC 3339 times in config.json and
 * state.json. The input is a time as text, and also a time as numbers (any second from 1970
 * to 9999, any nanosecond). Properties: a text time_parse() accepts has a fraction of 1 to 9
 * digits meaning that many tenths, hundredths...: its nanoseconds are in [0, 1e9) and equal
 * the digits scaled; it prints back to the same date and time of day (a calendar date that does
 * not exist, such as second 60, is refused rather than moved) and to a text that parses to the
 * same time; and every time prints to a text that parses back to it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rfc3339.h"

static void round_trip(const struct timespec *ts, const char *from)
{
	char text[64];
	struct timespec back = { 0 };
	time_format(ts, text, sizeof text);
	if (time_parse(text, &back) < 0 || back.tv_sec != ts->tv_sec || back.tv_nsec != ts->tv_nsec)
		fuzz_fail("%lld.%09ld (from \"%s\") printed as %s parses to %lld.%09ld",
			  (long long)ts->tv_sec, ts->tv_nsec, from, text, (long long)back.tv_sec,
			  back.tv_nsec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timespec t = {
		.tv_sec = (time_t)(fuzz_take(&data, &size, 5) % 253402300800ULL),
		.tv_nsec = (long)(fuzz_take(&data, &size, 4) % 1000000000),
	};
	round_trip(&t, "numbers");
	char *s = fuzz_str(data, size);
	struct timespec ts = { 0 };
	if (time_parse(s, &ts) == 0) {
		const char *dot = strrchr(s, '.');
		size_t digits = dot ? strspn(dot + 1, "0123456789") : 0;
		long want = 0;
		for (size_t i = 0; i < 9; i++)
			want = want * 10 + (i < digits ? dot[1 + i] - '0' : 0);
		if (!dot || digits < 1 || digits > 9 || strcmp(dot + 1 + digits, "Z") ||
		    ts.tv_nsec != want)
			fuzz_fail("time_parse(\"%s\") accepted it with %ld ns", s, ts.tv_nsec);
		char text[64];
		time_format(&ts, text, sizeof text);
		if (strncmp(text, s, 19))
			fuzz_fail("time_parse(\"%s\") accepted it, and it prints as %s", s, text);
		round_trip(&ts, s);
	}
	free(s);
	return 0;
}
