/* common_test.c: unit tests (cmocka) for the helpers in common/: strings, paths, files (an
 * atomic replace among them), RFC 3339 times there and back (and regressions found by make
 * fuzz), and a process's start time from /proc/PID/stat when its command name is hostile. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc.h"
#include "rfc3339.h"
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

/* write_file_atomic: the new text replaces the old whole, and no temporary file stays. */
static void test_write_file_atomic(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/common_test.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *file = path_join(tmpl, "f.json"), buf[64];
	assert_int_equal(write_file_atomic(file, "a longer old text\n"), 0);
	assert_int_equal(write_file_atomic(file, "new\n"), 0);
	assert_int_equal(read_file(file, buf, sizeof buf), 4);
	assert_string_equal(buf, "new\n");
	char *dir = path_join(tmpl, "missing/f");
	assert_int_equal(write_file_atomic(dir, "x"), -1);
	assert_int_equal(errno, ENOENT);
	char *ls = xasprintf("ls -A %s | wc -l | grep -qx 1", tmpl);
	assert_int_equal(system(ls), 0);
	assert_int_equal(remove_tree(tmpl), 0);
	free(ls);
	free(dir);
	free(file);
}

static void test_time_round_trip(void **state)
{
	(void)state;
	struct timespec t = { 1714564800, 123456789 }, back;
	char text[64];
	time_format(&t, text, sizeof text);
	assert_string_equal(text, "2024-05-01T12:00:00.123456789Z");
	assert_int_equal(time_parse(text, &back), 0);
	assert_int_equal(back.tv_sec, t.tv_sec);
	assert_int_equal(back.tv_nsec, t.tv_nsec);
	static const char *bad[] = { "", "2024-05-01", "2024-05-01T12:00:00Z",
				     "2024-05-01T12:00:00.1+02:00", "2024-05-01T12:00:00.5Zx" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(time_parse(bad[i], &back), -1);
}

/* Found by make fuzz (tests/fuzz/time.c): ".5" was read as 5 ns, and a sign or a space was
 * taken in the fraction. */
static void test_time_fraction(void **state)
{
	(void)state;
	struct timespec t;
	assert_int_equal(time_parse("2024-05-01T12:00:00.5Z", &t), 0);
	assert_int_equal(t.tv_nsec, 500000000);
	assert_int_equal(time_parse("2024-05-01T12:00:00.000001Z", &t), 0);
	assert_int_equal(t.tv_nsec, 1000);
	static const char *bad[] = { "2024-05-01T12:00:00.-5Z", "2024-05-01T12:00:00.+5Z",
				     "2024-05-01T12:00:00. 5Z", "2024-05-01T12:00:00.Z",
				     "2024-05-01T12:00:00.1234567890Z" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(time_parse(bad[i], &t), -1);
}

/* Found by make fuzz (tests/fuzz/time.c): a leap second at the end of 9999 was accepted and
 * printed back as year 10000, which was refused. Only dates the calendar has, years 1970 to
 * 9999, and the digits exactly where time_format() puts them. */
static void test_time_calendar(void **state)
{
	(void)state;
	struct timespec t;
	assert_int_equal(time_parse("9999-12-31T23:59:59.999999999Z", &t), 0);
	assert_int_equal(time_parse("2024-02-29T00:00:00.0Z", &t), 0);
	static const char *bad[] = { "9999-12-31T23:59:60.999999999Z", "2016-12-31T23:59:60.5Z",
				     "10000-01-01T00:00:00.1Z",	       "2023-02-29T00:00:00.0Z",
				     "2024-04-31T00:00:00.0Z",	       "0000-01-01T00:00:00.1Z",
				     "1969-12-31T23:59:59.9Z",	       "2024-5-01T12:00:00.5Z",
				     " 2024-05-01T12:00:00.5Z",	       "2024-05-01T24:00:00.5Z" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(time_parse(bad[i], &t), -1);
}

/* A command name may contain ") " and digits: field 22 is still found. */
static void test_start_time_hostile_name(void **state)
{
	(void)state;
	int go[2];
	assert_int_equal(pipe(go), 0);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(go[1]);
		prctl(PR_SET_NAME, "x) 1 2 3 (y");
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	unsigned long long before, after;
	assert_int_equal(proc_start_time(pid, &before, NULL), 0);
	usleep(100000); /* the child has renamed itself by now */
	char comm[64];
	snprintf(comm, sizeof comm, "/proc/%d/comm", pid);
	char name[64];
	assert_true(read_file(comm, name, sizeof name) > 0);
	assert_string_equal(name, "x) 1 2 3 (y\n");
	char st;
	assert_int_equal(proc_start_time(pid, &after, &st), 0);
	assert_int_equal(after, before);
	assert_int_equal(st, 'S');
	assert_true(process_runs(pid, before));
	assert_false(process_runs(pid, before + 1));
	/* A zombie is still the same process, in state Z; reaped, it is gone. */
	close(go[1]);
	siginfo_t info;
	waitid(P_PID, pid, &info, WEXITED | WNOWAIT);
	assert_int_equal(proc_start_time(pid, &after, &st), 0);
	assert_int_equal(st, 'Z');
	assert_false(process_runs(pid, before));
	waitpid(pid, NULL, 0);
	assert_int_equal(proc_start_time(pid, &after, NULL), -1);
	assert_int_equal(proc_start_time(-1, &after, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_str_helpers),
		cmocka_unit_test(test_random_hex),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_read_write_all),
		cmocka_unit_test(test_read_at_most),
		cmocka_unit_test(test_path_absolute),
		cmocka_unit_test(test_run_quietly),
		cmocka_unit_test(test_write_file_atomic),
		cmocka_unit_test(test_time_round_trip),
		cmocka_unit_test(test_time_fraction),
		cmocka_unit_test(test_time_calendar),
		cmocka_unit_test(test_start_time_hostile_name),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
