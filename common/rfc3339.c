/* rfc3339.c: RFC 3339 times, written and read back exactly (rfc3339.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rfc3339.h"

void time_now(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

void time_format(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;
	gmtime_r(&ts->tv_sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%09ldZ", ts->tv_nsec);
}

/* Exactly the form time_format() writes, so whatever is accepted prints back the same: four
 * digit years (none past 9999), two digit fields, a fraction of 1 to 9 digits (".5" is half a
 * second, not 5 ns as a plain number would read it), no sign and no space. A date the calendar
 * does not have (February 30, or second 60: the leap seconds Docker and runc refuse too) would
 * be moved by timegm() to another day, so it is refused, and so is a time before 1970. */
int time_parse(const char *s, struct timespec *ts)
{
	static const char form[] = "dddd-dd-ddTdd:dd:dd";
	for (size_t i = 0; i < sizeof form - 1; i++)
		if (form[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != form[i])
			return errno = EINVAL, -1;
	struct tm tm = { 0 }, back;
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	size_t digits = p && *p == '.' ? strspn(p + 1, "0123456789") : 0;
	if (digits < 1 || digits > 9 || strcmp(p + 1 + digits, "Z"))
		return errno = EINVAL, -1;
	long nsec = 0;
	for (size_t i = 0; i < 9; i++)
		nsec = nsec * 10 + (i < digits ? p[1 + i] - '0' : 0);
	int sec = tm.tm_sec, min = tm.tm_min, hour = tm.tm_hour, mday = tm.tm_mday, mon = tm.tm_mon;
	time_t when = timegm(&tm);
	if (when < 0 || !gmtime_r(&when, &back) || back.tm_sec != sec || back.tm_min != min ||
	    back.tm_hour != hour || back.tm_mday != mday || back.tm_mon != mon)
		return errno = EINVAL, -1;
	ts->tv_sec = when;
	ts->tv_nsec = nsec;
	return 0;
}
