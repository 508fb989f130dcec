/* common_test.c: unit tests (cmocka) for the pure helpers in common/. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

static void test_parse_long(void **state)
{
	(void)state;
	long long v;
	assert_int_equal(parse_long("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_long("-7", -10, 10, &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(parse_long("", 0, 100, &v), -1);
	assert_int_equal(parse_long(" 1", 0, 100, &v), -1);
	assert_int_equal(parse_long("12x", 0, 100, &v), -1);
	assert_int_equal(parse_long("101", 0, 100, &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_long("99999999999999999999", 0, 100, &v), -1);
}

static void test_path_join(void **state)
{
	(void)state;
	char *p = path_join("/a/b/", "/c");
	assert_string_equal(p, "/a/b/c");
	free(p);
	p = path_join("/", "x");
	assert_string_equal(p, "/x");
	free(p);
	p = path_join("rel", "y/z");
	assert_string_equal(p, "rel/y/z");
	free(p);
}

static void test_str_helpers(void **state)
{
	(void)state;
	char buf[] = "  \tvalue with space \n";
	assert_string_equal(str_trim(buf), "value with space");
	assert_true(str_starts_with("memory.max", "memory."));
	assert_false(str_starts_with("mem", "memory"));
}

static void test_random_hex(void **state)
{
	(void)state;
	char a[17], b[17];
	random_hex(a, 16);
	random_hex(b, 16);
	assert_int_equal(strlen(a), 16);
	assert_int_equal(strspn(a, "0123456789abcdef"), 16);
	assert_string_not_equal(a, b);
	char odd[6];
	random_hex(odd, 5);
	assert_int_equal(strlen(odd), 5);
}

static void test_files(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/common_test.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *deep = path_join(tmpl, "a/b/c");
	assert_int_equal(mkdir_p(deep, 0755), 0);
	assert_int_equal(mkdir_p(deep, 0755), 0); /* existing is fine */
	char *file = path_join(deep, "f");
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(write_file(file, "hello\n"), 0);
	char buf[16];
	assert_int_equal(read_file(file, buf, sizeof buf), 6);
	assert_string_equal(buf, "hello\n");
	assert_int_equal(read_file(file, buf, 4), 3); /* truncated, still terminated */
	assert_string_equal(buf, "hel");
	assert_int_equal(mkdir_p(file, 0755), -1); /* a file is in the way */
	assert_int_equal(errno, ENOTDIR);
	char *link = path_join(tmpl, "a/link");
	assert_int_equal(symlink("/etc", link), 0); /* remove_tree must not follow it */
	assert_int_equal(remove_tree(tmpl), 0);
	assert_int_equal(access(tmpl, F_OK), -1);
	assert_int_equal(access("/etc/passwd", F_OK), 0);
	assert_int_equal(remove_tree(tmpl), 0); /* missing is fine */
	free(deep);
	free(file);
	free(link);
}

/* read_all and write_all move whole buffers through a pipe, larger than the pipe itself. */
static void test_read_write_all(void **state)
{
	(void)state;
	size_t size = 300000, len;
	char *data = malloc(size);
	assert_non_null(data);
	for (size_t i = 0; i < size; i++)
		data[i] = (char)(i * 7);
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(write_all(p[1], data, size) == 0 ? 0 : 1);
	}
	close(p[1]);
	char *got = read_all(p[0], &len);
	close(p[0]);
	assert_non_null(got);
	assert_int_equal(len, size);
	assert_memory_equal(got, data, size);
	got[len] = '\0'; /* there is room for a terminator */
	free(got);
	free(data);
	assert_null(read_all(-1, &len));
	assert_int_equal(errno, EBADF);
	int fd = 99;
	close_fd(&fd);
	assert_int_equal(fd, -1);
	close_fd(&fd); /* twice is harmless */
}

/* read_at_most takes a file of exactly MAX bytes and refuses one byte more with EFBIG, and
 * stops reading an endless file at once. */
static void test_read_at_most(void **state)
{
	(void)state;
	size_t len;
	int fd = open("/dev/zero", O_RDONLY);
	assert_true(fd >= 0);
	assert_null(read_at_most(fd, 100000, &len));
	assert_int_equal(errno, EFBIG);
	close(fd);
	for (int extra = 0; extra <= 1; extra++) {
		int p[2];
		char data[5000] = { 0 };
		assert_int_equal(pipe(p), 0);
		assert_int_equal(write_all(p[1], data, 4096 + extra), 0);
		close(p[1]);
		char *got = read_at_most(p[0], 4096, &len);
		close(p[0]);
		if (extra) {
			assert_null(got);
			assert_int_equal(errno, EFBIG);
		} else {
			assert_non_null(got);
			assert_int_equal(len, 4096);
		}
		free(got);
	}
}

static void test_path_absolute(void **state)
{
	(void)state;
	char *p = path_absolute("/already/absolute");
	assert_string_equal(p, "/already/absolute");
	free(p);
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof cwd));
	p = path_absolute("rel/dir");
	char *want = path_join(cwd, "rel/dir");
	assert_string_equal(p, want);
	free(p);
	free(want);
}

/* run_quietly: success is exit 0 and silence; otherwise WHY says the first line of stderr. */
static void test_run_quietly(void **state)
{
	(void)state;
	char why[256];
	char *quiet[] = { "sh", "-c", "echo ignored; exit 0", NULL };
	assert_int_equal(run_quietly("/bin/sh", quiet, -1, why, sizeof why), 0);
	char *loud[] = { "sh", "-c", "echo first >&2; echo second >&2", NULL };
	assert_int_equal(run_quietly("/bin/sh", loud, -1, why, sizeof why), -1);
	assert_string_equal(why, "first");
	char *fails[] = { "sh", "-c", "exit 3", NULL };
	assert_int_equal(run_quietly("/bin/sh", fails, -1, why, sizeof why), -1);
	assert_string_equal(why, "/bin/sh failed (wait status 768)");
	char *none[] = { "nosuch", NULL };
	assert_int_equal(run_quietly("/nonexistent/nosuch", none, -1, why, sizeof why), -1);
	assert_string_equal(why, "/nonexistent/nosuch: No such file or directory");
	/* DIR_FD is the working directory of the program. */
	int dir = open("/", O_PATH | O_DIRECTORY);
	char *pwd[] = { "sh", "-c", "test \"$(pwd)\" = / || echo elsewhere >&2", NULL };
	assert_int_equal(run_quietly("/bin/sh", pwd, dir, why, sizeof why), 0);
	close(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_long),   cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_str_helpers),  cmocka_unit_test(test_random_hex),
		cmocka_unit_test(test_files),	     cmocka_unit_test(test_read_write_all),
		cmocka_unit_test(test_read_at_most), cmocka_unit_test(test_path_absolute),
		cmocka_unit_test(test_run_quietly),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
