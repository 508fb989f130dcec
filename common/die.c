/* die.c: one-line error messages on stderr, with errno text where a system call failed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"

/* The command that runs, for the prefix; NULL before main() knows it. */
static const char *command;

int die_status = EXIT_RUNTIME;

void report_command(const char *name)
{
	command = name;
}

/* Print "mydocker CMD: MESSAGE[: strerror]" as a single write, so lines from two processes never
 * mix. */
static void vreport(int err, const char *fmt, va_list ap)
{
	char line[1024];
	int n = command ? snprintf(line, sizeof line, "mydocker %s: ", command)
			: snprintf(line, sizeof line, "mydocker: ");
	n += vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (n < (int)sizeof line && err)
		n += snprintf(line + n, sizeof line - n, ": %s", strerror(err));
	if (n >= (int)sizeof line - 1)
		n = sizeof line - 2;
	line[n++] = '\n';
	fflush(stdout);
	fwrite(line, 1, n, stderr);
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(0, fmt, ap);
	va_end(ap);
}

void warn_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vreport(err, fmt, ap);
	va_end(ap);
	errno = err;
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(0, fmt, ap);
	va_end(ap);
	exit(die_status);
}

void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vreport(err, fmt, ap);
	va_end(ap);
	exit(die_status);
}
