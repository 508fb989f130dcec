/* cpus.c: fuzz parse_cpus(), the --cpus parser (cgroup.c), for any CFS period the kernel
 * takes (1 ms to 1 s). Properties: a quota it accepts is positive and at most 1024 CPUs' worth;
 * only a number is accepted (digits, '.', an exponent, a hex float), never "inf", "nan" or
 * space; and the quota printed back as a number of CPUs parses to the same quota. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long long period = 1000 + (long long)(fuzz_take(&data, &size, 4) % 999001);
	char *s = fuzz_str(data, size);
	long long quota = 0;
	if (parse_cpus(s, period, &quota) == 0) {
		if (quota <= 0 || quota > 1024 * period)
			fuzz_fail("--cpus \"%s\" with period %lld gave the quota %lld", s, period,
				  quota);
		if (strspn(s, "0123456789.eE+-xXpPabcdefABCDEF") != strlen(s))
			fuzz_fail("--cpus \"%s\" is not a number, yet accepted", s);
		char text[64];
		long long back = 0;
		snprintf(text, sizeof text, "%.17g", (double)quota / period);
		if (parse_cpus(text, period, &back) < 0 || back != quota)
			fuzz_fail(
			    "quota %lld (from \"%s\", period %lld) printed as %s parses to %lld",
			    quota, s, period, text, back);
	}
	free(s);
	return 0;
}
