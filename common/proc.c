/* proc.c: a process's start time from /proc, to tell it from a later one with its PID. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "util.h"

/* Field 2 of /proc/PID/stat is the command name in parentheses, which may itself contain
 * spaces and ')', so the fields are counted from the last ')'. */
int proc_start_time(pid_t pid, unsigned long long *ticks, char *state)
{
	char path[64], buf[1024];
	if (pid <= 0)
		return errno = ESRCH, -1;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (read_file(path, buf, sizeof buf) < 0)
		return -1;
	char *p = strrchr(buf, ')');
	if (!p)
		return errno = EINVAL, -1;
	p++;
	if (state)
		*state = p[1];
	/* p is at " S PPID ...": field 3 is next. Skip fields 3 to 21. */
	for (int field = 3; field < 22; field++) {
		p += strspn(p, " ");
		p += strcspn(p, " ");
	}
	char *end;
	errno = 0;
	*ticks = strtoull(p, &end, 10);
	if (errno || end == p)
		return errno = EINVAL, -1;
	return 0;
}

bool process_runs(pid_t pid, unsigned long long start)
{
	unsigned long long now;
	char state;
	return proc_start_time(pid, &now, &state) == 0 && now == start && state != 'Z';
}
