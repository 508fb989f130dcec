/* ch08_ps_test.c: unit tests (cmocka) for the columns of ps.c: Docker's words for durations
 * (the cases of go-units' own tests) and the COMMAND column's truncation and quoting; and ps
 * in a state root without containers (UBSan found qsort() given NULL there: the sanitized
 * build of this test fails if it comes back). Built against every chapter from ch08 on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "image.h"
#include "ps.h"
#include "util.h"

static void expect_duration(double seconds, const char *words)
{
	char buf[64];
	human_duration(seconds, buf, sizeof buf);
	assert_string_equal(buf, words);
}

static void test_human_duration(void **state)
{
	(void)state;
	const double minute = 60, hour = 3600, day = 24 * hour, week = 7 * day, month = 30 * day,
		     year = 365 * day;
	expect_duration(-3, "Less than a second");
	expect_duration(0.45, "Less than a second");
	expect_duration(1, "1 second");
	expect_duration(45, "45 seconds");
	expect_duration(59, "59 seconds");
	expect_duration(60, "About a minute");
	expect_duration(3 * minute, "3 minutes");
	expect_duration(35 * minute + 40, "35 minutes");
	expect_duration(59 * minute, "59 minutes");
	expect_duration(hour, "About an hour");
	expect_duration(hour + 29 * minute, "About an hour");
	expect_duration(hour + 31 * minute, "2 hours");
	expect_duration(3 * hour + 31 * minute, "4 hours");
	expect_duration(24 * hour, "24 hours");
	expect_duration(day + 12 * hour, "36 hours");
	expect_duration(2 * day, "2 days");
	expect_duration(13 * day + 5 * hour, "13 days");
	expect_duration(2 * week, "2 weeks");
	expect_duration(month, "4 weeks");
	expect_duration(month + 2 * week, "6 weeks");
	expect_duration(2 * month, "2 months");
	expect_duration(24 * month, "24 months");
	expect_duration(24 * month + 2 * week, "2 years");
	expect_duration(3 * year + 2 * month, "3 years");
}

static void expect_command(char **argv, int trunc, const char *column)
{
	char *text = command_column(argv, trunc);
	assert_string_equal(text, column);
	free(text);
}

static void test_command_column(void **state)
{
	(void)state;
	char *exact[] = { "/bin/probe", "sleep", "100", NULL }; /* 20 characters: kept whole */
	expect_command(exact, 1, "\"/bin/probe sleep 100\"");
	char *longer[] = { "/bin/probe", "sleep", "1000", NULL };
	expect_command(longer, 1, "\"/bin/probe sleep 10…\"");
	expect_command(longer, 0, "\"/bin/probe sleep 1000\"");
	char *quotes[] = { "sh", "-c", "echo \"hi\"\t\\\n\x01", NULL };
	expect_command(quotes, 0, "\"sh -c echo \\\"hi\\\"\\t\\\\\\n\\x01\"");
	/* Characters, not bytes, are counted, and a character is never cut in half. */
	char *utf8[] = { "échoéééééééééééééééééééé", NULL };
	expect_command(utf8, 1, "\"échoééééééééééééééé…\"");
}

static void test_ps_without_containers(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip(); /* ps requires root */
	char root[] = "/tmp/mydocker-unit.XXXXXX";
	assert_non_null(mkdtemp(root));
	state_root = root;
	char *argv[] = { "ps", "-a", NULL };
	assert_int_equal(cmd_ps(2, argv), 0);
	fflush(stdout);
	assert_int_equal(remove_tree(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_human_duration),
		cmocka_unit_test(test_command_column),
		cmocka_unit_test(test_ps_without_containers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
