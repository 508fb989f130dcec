/* ch10_env_test.c: unit tests (cmocka) for env.c: parse_env_line(), Docker's env-file format,
 * and the list rules (a later setting wins; -e KEY takes mydocker's value or removes KEY).
 * Built against every chapter from ch10 on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "env.h"

/* Parse the NUL-terminated LINE; the key and value as strings in KEY and VALUE. */
static enum env_line parse(const char *line, char *key, char *value, char *err)
{
	struct env_entry e;
	enum env_line kind = parse_env_line(line, strlen(line), &e, err, 256);
	snprintf(key, 256, "%.*s", (int)e.keylen, e.key ? e.key : "");
	snprintf(value, 256, "%.*s", (int)e.valuelen, e.value ? e.value : "");
	return kind;
}

static void test_skipped_lines(void **state)
{
	(void)state;
	char key[256], value[256], err[256];
	static const char *skip[] = { "",   "   ", "\t", "#", "# KEY=x", "   # indented comment",
				      "\r", " \r" };
	for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
		assert_int_equal(parse(skip[i], key, value, err), ENV_LINE_SKIP);
}

static void test_values_kept_as_written(void **state)
{
	(void)state;
	char key[256], value[256], err[256];
	static const struct {
		const char *line, *key, *value;
	} cases[] = {
		{ "A=1", "A", "1" },
		{ "  B=two words  ", "B", "two words  " },
		{ "Q=\"quoted\"", "Q", "\"quoted\"" },
		{ "S='single'", "S", "'single'" },
		{ "E=", "E", "" },
		{ "X=a=b=c", "X", "a=b=c" },
		{ "H=#not a comment", "H", "#not a comment" },
		{ "DOS=crlf\r", "DOS", "crlf" },
		{ "U=\xc3\xbc", "U", "\xc3\xbc" },
		{ "lower.dots-ok=1", "lower.dots-ok", "1" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(parse(cases[i].line, key, value, err), ENV_LINE_SET);
		assert_string_equal(key, cases[i].key);
		assert_string_equal(value, cases[i].value);
	}
	assert_int_equal(parse("  INHERIT", key, value, err), ENV_LINE_INHERIT);
	assert_string_equal(key, "INHERIT");
}

static void test_bad_lines(void **state)
{
	(void)state;
	char key[256], value[256], err[256];
	assert_int_equal(parse("BAD KEY=x", key, value, err), ENV_LINE_BAD);
	assert_string_equal(err, "variable 'BAD KEY' contains whitespaces");
	assert_int_equal(parse("TAB\tKEY", key, value, err), ENV_LINE_BAD);
	assert_int_equal(parse("=x", key, value, err), ENV_LINE_BAD);
	assert_string_equal(err, "no variable name on line '=x'");
	assert_int_equal(parse("A=\xff", key, value, err), ENV_LINE_BAD);
	assert_string_equal(err, "contains invalid utf8 bytes");
	/* Overlong, surrogate, truncated sequences. */
	static const char *bad_utf8[] = { "A=\xc0\xaf", "A=\xed\xa0\x80", "A=\xe2\x82",
					  "A=\xf4\x90\x80\x80" };
	for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++)
		assert_int_equal(parse(bad_utf8[i], key, value, err), ENV_LINE_BAD);
	/* A NUL byte inside the line, which a C string cannot carry into the environment. */
	struct env_entry e;
	assert_int_equal(parse_env_line("A=x\0y", 5, &e, err, sizeof err), ENV_LINE_BAD);
	assert_string_equal(err, "contains a NUL byte");
}

static void test_not_nul_terminated(void **state)
{
	(void)state;
	/* LEN bounds the line: nothing after it is read. */
	char buf[] = { 'K', '=', 'v', 'X', 'Y' };
	struct env_entry e;
	char err[64];
	assert_int_equal(parse_env_line(buf, 3, &e, err, sizeof err), ENV_LINE_SET);
	assert_int_equal(e.valuelen, 1);
	assert_int_equal(parse_env_line(buf, 1, &e, err, sizeof err), ENV_LINE_INHERIT);
	assert_int_equal(e.keylen, 1);
	assert_int_equal(parse_env_line(buf, 0, &e, err, sizeof err), ENV_LINE_SKIP);
}

static void test_list_rules(void **state)
{
	(void)state;
	struct env_list l = { 0 };
	char err[256];
	assert_int_equal(env_add_option(&l, "A=1", err, sizeof err), 0);
	assert_int_equal(env_add_option(&l, "AB=2", err, sizeof err), 0);
	assert_int_equal(env_add_option(&l, "A=3", err, sizeof err), 0);
	setenv("CH10_TEST_SET", "from here", 1);
	unsetenv("CH10_TEST_UNSET");
	assert_int_equal(env_add_option(&l, "CH10_TEST_SET", err, sizeof err), 0);
	assert_int_equal(env_add_option(&l, "CH10_TEST_UNSET", err, sizeof err), 0);
	assert_int_equal(env_add_option(&l, "=x", err, sizeof err), -1);
	assert_string_equal(err, "invalid environment variable: =x");
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0], "A=3");
	assert_string_equal(l.v[1], "AB=2");
	assert_string_equal(l.v[2], "CH10_TEST_SET=from here");
	assert_string_equal(l.v[3], "CH10_TEST_UNSET");
	assert_null(l.v[4]);
	/* A file: KEY lines take mydocker's value, and are skipped when it has none. */
	char path[] = "/tmp/ch10_env_test.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "\xef\xbb\xbf"
			    "AB=file\n# c\nCH10_TEST_SET\nCH10_TEST_NONE\nLAST=no newline";
	assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(fd);
	unsetenv("CH10_TEST_NONE");
	assert_int_equal(env_add_file(&l, path, err, sizeof err), 0);
	assert_string_equal(l.v[1], "AB=file");
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[4], "LAST=no newline");
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "OK=1\n\nX Y=2\n", 12), 12);
	close(fd);
	assert_int_equal(env_add_file(&l, path, err, sizeof err), -1);
	char want[256];
	snprintf(want, sizeof want, "%s line 3: variable 'X Y' contains whitespaces", path);
	assert_string_equal(err, want);
	unlink(path);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skipped_lines), cmocka_unit_test(test_values_kept_as_written),
		cmocka_unit_test(test_bad_lines),     cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_list_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
