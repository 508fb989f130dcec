/* ch04_cgroup_test.c: unit tests (cmocka) for the limit parsers and the shares-to-weight
 * conversion of cgroup.c. Built against every chapter from ch04 on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cgroup.h"

static void test_parse_memory(void **state)
{
	(void)state;
	long long b;
	assert_int_equal(parse_memory("1024", &b), 0);
	assert_int_equal(b, 1024);
	assert_int_equal(parse_memory("7b", &b), 0);
	assert_int_equal(b, 7);
	assert_int_equal(parse_memory("4k", &b), 0);
	assert_int_equal(b, 4096);
	assert_int_equal(parse_memory("64m", &b), 0);
	assert_int_equal(b, 64LL << 20);
	assert_int_equal(parse_memory("64M", &b), 0);
	assert_int_equal(b, 64LL << 20);
	assert_int_equal(parse_memory("2G", &b), 0);
	assert_int_equal(b, 2LL << 30);
	static const char *bad[] = { "",     "abc",  "0",  "-1",	  "12q",
				     "64mb", "1.5g", " 5", "99999999999g" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(parse_memory(bad[i], &b), -1);
}

static void test_parse_cpus(void **state)
{
	(void)state;
	long long q;
	assert_int_equal(parse_cpus("0.5", 100000, &q), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(parse_cpus("2", 100000, &q), 0);
	assert_int_equal(q, 200000);
	assert_int_equal(parse_cpus(".25", 100000, &q), 0);
	assert_int_equal(q, 25000);
	assert_int_equal(parse_cpus("0.001", 100000, &q), 0); /* the kernel decides on this one */
	assert_int_equal(q, 100);
	static const char *bad[] = { "", "0", "-1", "abc", "1x", "0.000001", "nan", "inf" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(parse_cpus(bad[i], 100000, &q), -1);
}

static void test_parse_cpuset(void **state)
{
	(void)state;
	assert_int_equal(parse_cpuset("0", 2), 0);
	assert_int_equal(parse_cpuset("0-1", 2), 0);
	assert_int_equal(parse_cpuset("0,1", 2), 0);
	assert_int_equal(parse_cpuset("0-3,6", 8), 0);
	static const char *bad[] = { "",     "2", "99",	 "0-", "-1", "1-0",
				     "0,,1", "a", "0 1", "0,", "0-2" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(parse_cpuset(bad[i], 2), -1);
}

static void test_shares_to_weight(void **state)
{
	(void)state;
	assert_int_equal(shares_to_weight(0), 0);
	assert_int_equal(shares_to_weight(2), 1);
	assert_int_equal(shares_to_weight(1024), 100);
	assert_int_equal(shares_to_weight(262144), 10000);
	assert_int_equal(shares_to_weight(500000), 10000);
	assert_int_equal(shares_to_weight(512), 59);
	assert_int_equal(shares_to_weight(2048), 174);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_memory),
		cmocka_unit_test(test_parse_cpus),
		cmocka_unit_test(test_parse_cpuset),
		cmocka_unit_test(test_shares_to_weight),
	};
	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
