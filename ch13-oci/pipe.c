/* pipe.c: what travels over the two pipes between mydocker and the container's init process.
 *
 *   command pipe (parent -> init): "ARGC\n" then every argument followed by a NUL byte. NUL is
 *     the one byte an argument cannot contain, so any other bytes arrive unchanged. Closing the
 *     pipe is the start signal: init reads until EOF, and EOF before a whole command means the
 *     parent gave up or died, so nothing runs.
 *   error pipe (init -> parent), close-on-exec: empty if execve succeeded (the kernel closes it
 *     then); otherwise one record "CODE MESSAGE" saying what failed and the exit status. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "die.h"
#include "pipe.h"
#include "util.h"

/* Parent: send ARGV to init. */
int send_command(int fd, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	char head[32];
	int n = snprintf(head, sizeof head, "%d\n", argc);
	if (write_all(fd, head, n) < 0)
		return -1;
	for (int i = 0; i < argc; i++)
		if (write_all(fd, argv[i], strlen(argv[i]) + 1) < 0)
			return -1;
	return 0;
}

/* Init: wait for the whole command; NULL if the pipe closed before it was complete (or memory
 * ran out: init must not die of it, it reports). */
char **receive_command(int fd)
{
	size_t len;
	char *buf = read_all(fd, &len);
	if (!buf)
		return NULL;
	char *nl = memchr(buf, '\n', len);
	long long argc;
	/* The count line is digits only: a NUL in it would end the number early ("3\0junk"). */
	if (!nl || memchr(buf, '\0', nl - buf))
		goto incomplete;
	*nl = '\0';
	if (parse_long(buf, 1, 1 << 20, &argc) < 0)
		goto incomplete;
	char **argv = malloc((argc + 1) * sizeof *argv);
	if (!argv)
		goto incomplete;
	char *p = nl + 1, *end = buf + len;
	for (long long i = 0; i < argc; i++) {
		char *nul = memchr(p, '\0', end - p);
		if (!nul) {
			free(argv);
			goto incomplete;
		}
		argv[i] = p;
		p = nul + 1;
	}
	argv[argc] = NULL;
	if (p == end)
		return argv;
	free(argv);
incomplete:
	free(buf);
	return NULL;
}

/* Init: tell the parent what failed, with the text of ERR (the errno of the failed call), and
 * exit with CODE. */
void report_failure(int fd, int code, int err, const char *what)
{
	char record[1024];
	int n = snprintf(record, sizeof record, "%d %s: %s", code, what, strerror(err));
	if (n > (int)sizeof record - 1)
		n = sizeof record - 1;
	write_all(fd, record, n);
	_exit(code);
}

/* Parent: 0 if the child reached execve, else the exit code it reported; the reason is
 * printed. */
int receive_failure(int fd)
{
	size_t len;
	char *record = read_all(fd, &len);
	if (!record) {
		warn_errno("read from the error pipe");
		return EXIT_RUNTIME;
	}
	record[len] = '\0';
	int code = 0, skip = 0;
	if (len > 0) {
		if (sscanf(record, "%d %n", &code, &skip) < 1 || code == 0)
			code = EXIT_RUNTIME, skip = 0;
		warn("%s", record + skip);
	}
	free(record);
	return code;
}

/* Where the container's first process reports a failed setup step: its end of the error pipe,
 * set by init before its first step. */
int failure_fd = -1;

/* A setup step failed: tell the parent which, with errno's text, and exit 125 like every other
 * error of mydocker itself. */
void fail(const char *fmt, ...)
{
	int err = errno; /* saved before anything else can change it */
	char step[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(step, sizeof step, fmt, ap);
	va_end(ap);
	report_failure(failure_fd, EXIT_RUNTIME, err, step);
}
