/* ch05_pipe_test.c: unit tests (cmocka) for pipe.c: a command goes through the command pipe
 * intact, and anything but a whole, well-formed command is refused, so nothing runs. The
 * refusals are the regression tests for what `make fuzz` found (tests/fuzz/pipe.c). Built
 * against every chapter from ch05 on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Before cmocka.h, whose fail() macro would rename init.c's fail(). */
#include "pipe.h"
#include "util.h"

#include <cmocka.h>

/* receive_command() on exactly LEN bytes of BUF. */
static char **receive_bytes(const char *buf, size_t len)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write_all(p[1], buf, len), 0);
	close(p[1]);
	char **argv = receive_command(p[0]);
	close(p[0]);
	return argv;
}

static void test_round_trip(void **state)
{
	(void)state;
	char *argv[] = { "sh", "-c", "echo 'a b'\n\tc", "", NULL };
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(send_command(p[1], argv), 0);
	close(p[1]);
	char **got = receive_command(p[0]);
	close(p[0]);
	assert_non_null(got);
	for (int i = 0; argv[i]; i++)
		assert_string_equal(got[i], argv[i]);
	assert_null(got[4]);
	/* The arguments point into one buffer that starts with the count line "4\n". */
	free(got[0] - 2);
	free(got);
}

static void test_refused(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		size_t len;
	} bad[] = {
		{ "", 0 },		 /* the parent gave up before writing */
		{ "2\nsh\0", 5 },	 /* cut short */
		{ "1\nsh", 4 },		 /* an argument without its NUL */
		{ "1\nsh\0x", 6 },	 /* bytes after the last argument */
		{ "0\n", 2 },		 /* no command */
		{ "x\nsh\0", 5 },	 /* no count */
		{ "1\0junk\nsh\0", 10 }, /* found by make fuzz: a NUL in the count line */
		{ "3\0\0\n\0\0\0", 8 },	 /* the same, as the fuzzer wrote it */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_null(receive_bytes(bad[i].bytes, bad[i].len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
