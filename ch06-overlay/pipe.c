/* pipe.c: what travels over the two pipes between mydocker and the container's init process.
 *
 *   command pipe (parent -> init): "ARGC\n" then every argument followed by a NUL byte. NUL is
 *     the one byte an argument cannot contain, so any other bytes arrive unchanged. Closing the
 *     pipe is the start signal: init reads until EOF, and EOF before a whole command means the
 *     parent gave up or died, so nothing runs.
 *   error pipe (init -> parent), close-on-exec: empty if execve succeeded (the kernel closes it
 *     then); otherwise one record "CODE MESSAGE" saying what failed and the exit status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "die.h"
#include "util.h"

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Read FD to EOF into a buffer of its own; *LEN is the size. NULL on a read error. */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 4096;
	char *buf = xmalloc(cap);
	*len = 0;
	for (;;) {
		if (*len == cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t n = read(fd, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			return buf;
		*len += n;
	}
}

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

/* Init: wait for the whole command; NULL if the pipe closed before it was complete. */
char **receive_command(int fd)
{
	size_t len;
	char *buf = read_all(fd, &len);
	if (!buf)
		return NULL;
	char *nl = memchr(buf, '\n', len);
	long long argc;
	if (!nl)
		goto incomplete;
	*nl = '\0';
	if (parse_long(buf, 1, 1 << 20, &argc) < 0)
		goto incomplete;
	char **argv = xmalloc((argc + 1) * sizeof *argv);
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

/* Init: tell the parent what failed (errno text included) and exit with CODE. */
void report_failure(int fd, int code, const char *what)
{
	char record[1024];
	int n = snprintf(record, sizeof record, "%d %s: %s", code, what, strerror(errno));
	if (n > (int)sizeof record - 1)
		n = sizeof record - 1;
	write_all(fd, record, n);
	_exit(code);
}

/* Parent: 0 if init reached execve, else the exit code it reported; the reason is printed. */
int receive_failure(int fd)
{
	size_t len;
	char *record = read_all(fd, &len);
	if (!record)
		die_errno("run: read from the error pipe");
	if (len == 0) {
		free(record);
		return 0;
	}
	record = xrealloc(record, len + 1);
	record[len] = '\0';
	int code = EXIT_RUNTIME, skip = 0;
	if (sscanf(record, "%d %n", &code, &skip) < 1)
		skip = 0;
	warn("run: %s", record + skip);
	free(record);
	return code;
}
