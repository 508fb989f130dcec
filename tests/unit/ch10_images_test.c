/* ch10_images_test.c: unit tests (cmocka) for human_size() of images.c, the SIZE column of
 * `docker images` (go-units' HumanSizeWithPrecision with 3 digits, decimal units). Built
 * against every chapter from ch10 on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "images.h"

static void test_human_size(void **state)
{
	(void)state;
	static const struct {
		double bytes;
		const char *text;
	} cases[] = {
		{ 0, "0B" },	       { 512, "512B" },	      { 999, "999B" },
		{ 1000, "1kB" },       { 12345, "12.3kB" },   { 3072000, "3.07MB" },
		{ 4260000, "4.26MB" }, { 1000000000, "1GB" }, { 1234567890123, "1.23TB" },
	};
	char buf[32];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		human_size(cases[i].bytes, buf, sizeof buf);
		assert_string_equal(buf, cases[i].text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_human_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
