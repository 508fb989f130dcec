/* cpuset.c: fuzz parse_cpuset(), the --cpuset-cpus parser (cgroup.c), for any number of CPUs
 * from 1 to 4096. Properties: it accepts exactly a comma-separated list of N and N-M (N <= M),
 * as the rule below writes it out independently; and a list it accepts never names a CPU at or
 * above the number it was given. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "fuzz.h"

/* One decimal number at *P, saturating (a huge number is simply too big); -1 if none. */
static long long number(const char **p)
{
	long long v = 0;
	if (!isdigit((unsigned char)**p))
		return -1;
	for (; isdigit((unsigned char)**p); (*p)++)
		v = v > 1000000 ? v : v * 10 + (**p - '0');
	return v;
}

static int reference(const char *s, int ncpus)
{
	const char *p = s;
	for (;;) {
		long long lo = number(&p), hi = lo;
		if (lo < 0)
			return -1;
		if (*p == '-') {
			p++;
			if ((hi = number(&p)) < 0)
				return -1;
		}
		if (lo > hi || hi >= ncpus)
			return -1;
		if (!*p)
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ncpus = 1 + (int)(fuzz_take(&data, &size, 2) % 4096);
	char *s = fuzz_str(data, size);
	int rc = parse_cpuset(s, ncpus), ref = reference(s, ncpus);
	if (rc != ref)
		fuzz_fail("parse_cpuset(\"%s\", %d) returned %d, the rule says %d", s, ncpus, rc,
			  ref);
	if (rc == 0)
		for (const char *p = s; *p;) {
			long long cpu = number(&p);
			if (cpu >= ncpus)
				fuzz_fail("parse_cpuset(\"%s\", %d) accepted CPU %lld", s, ncpus,
					  cpu);
			if (cpu < 0)
				p++;
		}
	free(s);
	return 0;
}
