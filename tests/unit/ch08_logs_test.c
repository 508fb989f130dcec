/* ch08_logs_test.c: unit tests (cmocka) for tail_start() of logs.c, where `logs --tail N`
 * starts in a log of CRI entries (relay.h): only F entries end a line, a last piece (P) ends
 * one when the caller says it is the newest file's, and a log longer than one read buffer
 * works. Built against every chapter from ch08 on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "logs.h"
#include "relay.h"

#define T "2026-12-04T05:42:04.123456789Z "

static int file_with(const char *text, size_t len)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fflush(f);
	return dup(fileno(f));
}

/* tail_start with WANT, and what is left of WANT after it. */
static off_t tail(int fd, long long want, bool last, long long *left)
{
	off_t at = tail_start(fd, &want, last);
	*left = want;
	return at;
}

static void test_tail_start(void **state)
{
	(void)state;
	long long left;
	const char *abc = T "stdout F a\n" T "stderr F b\n" T "stdout F c\n";
	size_t e = strlen(T "stdout F a\n");
	assert_int_equal(e, LOG_TEXT_AT + 2);
	int fd = file_with(abc, strlen(abc));
	assert_int_equal(tail(fd, 1, true, &left), 3 * e); /* tail 0: at the end */
	assert_int_equal(tail(fd, 2, true, &left), 2 * e); /* tail 1: c */
	assert_int_equal(tail(fd, 3, true, &left), e);
	assert_int_equal(tail(fd, 4, true, &left), 0); /* all of it, and one more wanted */
	assert_int_equal(left, 1);
	assert_int_equal(tail(fd, 9, true, &left), 0);
	assert_int_equal(left, 6);
	close(fd);

	/* A line in two pieces, then one whole: x+y is one line. */
	const char *pieces = T "stdout P x\n" T "stdout F y\n" T "stdout F z\n";
	fd = file_with(pieces, strlen(pieces));
	assert_int_equal(tail(fd, 2, true, &left), 2 * e);
	assert_int_equal(tail(fd, 3, true, &left), 0);
	assert_int_equal(left, 1);
	close(fd);

	/* A last piece is a line of the newest file (tail counts a line without newline), and
	 * not of an older one, whose line goes on in the next file. */
	const char *open_line = T "stdout F a\n" T "stdout P b\n";
	fd = file_with(open_line, strlen(open_line));
	assert_int_equal(tail(fd, 2, true, &left), e);
	assert_int_equal(tail(fd, 2, false, &left), 0);
	assert_int_equal(left, 1);
	close(fd);

	fd = file_with("", 0);
	assert_int_equal(tail(fd, 2, true, &left), 0);
	assert_int_equal(left, 2);
	close(fd);

	/* 100,000 bytes of text in one entry, between two short ones: three read buffers. */
	static char big[200000];
	size_t n = snprintf(big, sizeof big, T "stdout F a\n" T "stdout F ");
	memset(big + n, 'x', 100000);
	n += 100000;
	n += snprintf(big + n, sizeof big - n, "\n" T "stdout F c\n");
	fd = file_with(big, n);
	assert_int_equal(tail(fd, 2, true, &left), n - e);
	assert_int_equal(tail(fd, 3, true, &left), e);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tail_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
