/* ch08_logs_test.c: unit tests (cmocka) for tail_start() of logs.c, where `logs --tail N`
 * starts: a last line without a newline counts, and files longer than one read buffer work.
 * Built against every chapter from ch08 on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "logs.h"

static int file_with(const char *text, size_t len)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fflush(f);
	return dup(fileno(f));
}

static void test_tail_start(void **state)
{
	(void)state;
	int fd = file_with("a\nb\nc\n", 6);
	assert_int_equal(tail_start(fd, -1), 0);
	assert_int_equal(tail_start(fd, 0), 6);
	assert_int_equal(tail_start(fd, 1), 4);
	assert_int_equal(tail_start(fd, 2), 2);
	assert_int_equal(tail_start(fd, 3), 0);
	assert_int_equal(tail_start(fd, 9), 0);
	close(fd);
	fd = file_with("a\nb\nlast", 8);
	assert_int_equal(tail_start(fd, 1), 4);
	assert_int_equal(tail_start(fd, 2), 2);
	close(fd);
	fd = file_with("\n\n", 2);
	assert_int_equal(tail_start(fd, 1), 1);
	close(fd);
	fd = file_with("", 0);
	assert_int_equal(tail_start(fd, 1), 0);
	close(fd);
	/* 200 000 bytes: three read buffers; one newline in the middle of the second. */
	static char big[200000];
	memset(big, 'x', sizeof big);
	big[100000] = '\n';
	fd = file_with(big, sizeof big);
	assert_int_equal(tail_start(fd, 1), 100001);
	assert_int_equal(tail_start(fd, 2), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tail_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
