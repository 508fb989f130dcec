/* pipe.c: fuzz the command pipe (pipe.c): receive_command() on any bytes, and send_command()
 * then receive_command() on any argument list. Properties: what was sent arrives intact, every
 * argument and nothing else; a command cut short anywhere, or with bytes after it, is refused;
 * and whatever receive_command() accepts from raw bytes is a well-formed command that goes
 * through the pipe again unchanged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "pipe.h"
#include "util.h"

/* receive_command() fed exactly LEN bytes of BUF through a pipe (the input is at most
 * -max_len, well below a pipe's 64 KiB, so one write fits). */
static char **receive_bytes(const void *buf, size_t len)
{
	int p[2];
	if (pipe(p) < 0 || write_all(p[1], buf, len) < 0)
		abort();
	close(p[1]);
	char **argv = receive_command(p[0]);
	close(p[0]);
	return argv;
}

/* The bytes send_command() writes for ARGV. */
static char *send_bytes(char **argv, size_t *len)
{
	int p[2];
	if (pipe(p) < 0 || send_command(p[1], argv) < 0)
		abort();
	close(p[1]);
	char *buf = read_all(p[0], len);
	close(p[0]);
	if (!buf)
		abort();
	return buf;
}

/* receive_command() returns arguments that point into its one buffer, which starts with the
 * count line: the caller (init) never frees it, it executes them. Here it is freed again. */
static void free_command(char **argv, const char *sent, size_t len)
{
	if (!argv)
		return;
	free(argv[0] - ((const char *)memchr(sent, '\n', len) - sent + 1));
	free(argv);
}

static void check_same(char **got, char **want, const char *what)
{
	size_t i = 0;
	for (; got[i] && want[i]; i++)
		if (strcmp(got[i], want[i]))
			fuzz_fail("%s: argument %zu arrived as \"%s\", sent \"%s\"", what, i,
				  got[i], want[i]);
	if (got[i] || want[i])
		fuzz_fail("%s: %s arguments arrived than were sent", what,
			  got[i] ? "more" : "fewer");
}

/* Any bytes: refused, or a command that is exactly what send_command() makes of it. */
static void raw(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	char **argv = receive_bytes(data, size);
	if (argv) {
		/* The count line is a number and nothing else; the arguments take up the rest. */
		size_t head = (const char *)memchr(in, '\n', size) - in + 1, used = head, argc = 0;
		if (memchr(in, '\0', head))
			fuzz_fail("a count line with a NUL byte in it was accepted");
		for (; argv[argc]; argc++)
			used += strlen(argv[argc]) + 1;
		if (used != size || (size_t)atoll(in) != argc)
			fuzz_fail(
			    "%zu arguments in %zu bytes accepted from %zu bytes, count line %.*s",
			    argc, used, size, (int)head - 1, in);
		size_t len;
		char *again = send_bytes(argv, &len);
		char **back = receive_bytes(again, len);
		if (!back)
			fuzz_fail("a command accepted from raw bytes is refused when sent again");
		check_same(back, argv, "raw bytes sent again");
		free_command(back, again, len);
		free(again);
	}
	free_command(argv, in, size);
}

/* The input as arguments, split at NUL bytes. */
static void arguments(const uint8_t *data, size_t size)
{
	size_t n = 1;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\0';
	char **argv = calloc(n + 1, sizeof *argv);
	if (!argv)
		abort();
	for (size_t i = 0, at = 0; i < n; i++) {
		argv[i] = fuzz_str(data + at, size - at);
		at += strlen(argv[i]) + 1;
	}
	size_t len;
	char *sent = send_bytes(argv, &len);
	char **got = receive_bytes(sent, len);
	if (!got)
		fuzz_fail("a command of %zu arguments (%zu bytes) was refused", n, len);
	check_same(got, argv, "send_command then receive_command");
	free_command(got, sent, len);
	/* Cut short anywhere (a parent that died mid-write): nothing may run. */
	size_t cuts[] = { 0, 1, len / 2, len - 1,
			  (const char *)memchr(sent, '\n', len) - sent + 1 };
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		if (cuts[i] >= len)
			continue;
		char **part = receive_bytes(sent, cuts[i]);
		if (part)
			fuzz_fail("the first %zu of %zu bytes of a command were accepted", cuts[i],
				  len);
	}
	/* And bytes after the last argument are not part of any command. */
	char *more = malloc(len + 1);
	if (!more)
		abort();
	memcpy(more, sent, len);
	more[len] = 'x';
	char **extra = receive_bytes(more, len + 1);
	if (extra)
		fuzz_fail("a command with a byte after its last argument was accepted");
	free(more);
	free(sent);
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		raw(data + 1, size - 1);
	else
		arguments(data + 1, size - 1);
	return 0;
}
