/* ch08_name_test.c: unit tests (cmocka) for valid_name() of name.c, Docker's rule
 * [a-zA-Z0-9][a-zA-Z0-9_.-]+. Built against every chapter from ch08 on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "name.h"

static void test_valid_name(void **state)
{
	(void)state;
	static const char *good[] = { "ab", "web", "Web-1", "a.b_c-d", "0x", "brave_hopper" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(valid_name(good[i]));
	static const char *bad[] = {
		"", "a", "-web", ".x", "_x", "a/b", "..", "a b", "über", "a:b"
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(valid_name(bad[i]));
	char longest[256];
	memset(longest, 'n', 255);
	longest[255] = '\0';
	assert_true(valid_name(longest));
	char too_long[257];
	memset(too_long, 'n', 256);
	too_long[256] = '\0';
	assert_false(valid_name(too_long));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
