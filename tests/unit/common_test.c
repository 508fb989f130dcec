/* common_test.c: unit tests (cmocka) for the helpers in common/: strings, paths, files (an
 * atomic replace among them), RFC 3339 times there and back (and regressions found by make
 * fuzz), a process's start time from /proc/PID/stat when its command name is hostile, a
 * descriptor passed over a socket, the command-line frame, flock() locks and the sweep of what
 * nobody holds, temporaries renamed into place, the sleeps of a wait with a deadline, and UTF-8. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "deadline.h"
#include "lock.h"
#include "opts.h"
#include "proc.h"
#include "rfc3339.h"
#include "sendfd.h"
#include "stage.h"
#include "utf8.h"
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

/* send_fd/recv_fd: the message arrives, and the descriptor is the same open file (a pipe). */
static void test_send_fd(void **state)
{
	(void)state;
	int sv[2], p[2], fd;
	char msg[6], c;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(send_fd(sv[0], "hello", 6, p[0]), 0);
	assert_int_equal(recv_fd(sv[1], msg, sizeof msg, &fd), 0);
	assert_string_equal(msg, "hello");
	assert_true(fd >= 0 && fd != p[0]);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(read(fd, &c, 1), 1);
	assert_int_equal(c, 'x');
	close(fd);
	/* No descriptor: *FD is -1. A sender gone before the whole message: EPIPE. */
	assert_int_equal(send_fd(sv[0], "world", 6, -1), 0);
	assert_int_equal(recv_fd(sv[1], msg, sizeof msg, &fd), 0);
	assert_string_equal(msg, "world");
	assert_int_equal(fd, -1);
	assert_int_equal(send_fd(sv[0], "ab", 2, p[0]), 0);
	close(sv[0]);
	assert_int_equal(recv_fd(sv[1], msg, sizeof msg, &fd), -1);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(fd, -1);
	assert_int_equal(recv_fd(sv[1], msg, sizeof msg, &fd), -1);
	assert_int_equal(errno, EPIPE);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

static void test_parse_bool(void **state)
{
	(void)state;
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		assert_int_equal(parse_bool(yes[i]), 1);
		assert_int_equal(parse_bool(no[i]), 0);
	}
	static const char *const neither[] = { "", "yes", "no", "tRUE", "2", " true", "false " };
	for (size_t i = 0; i < sizeof neither / sizeof neither[0]; i++)
		assert_int_equal(parse_bool(neither[i]), -1);
}

/* next_option() in a child, with ARGS; its exit status, and in OUT what it printed (stdout
 * and stderr), or "options: LIST" for the options it returned, and the first argument. */
static int options(char *const args[], char *out, size_t size)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		static const struct option longopts[] = {
			{ "all", no_argument, NULL, 'a' },
			{ "tail", required_argument, NULL, 'n' },
			OPT_HELP,
			{ 0 },
		};
		char *argv[8];
		int argc = 0, c;
		while (args[argc])
			argv[argc] = args[argc], argc++;
		argv[argc] = NULL;
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		printf("options:");
		optind = 0;
		while ((c = next_option(argc, argv, "+:an:", longopts, "the help\n", "cmd [-a]")) !=
		       -1)
			printf(" %c%s", c, c == 'n' ? optarg : "");
		printf(" then %s\n", optind < argc ? argv[optind] : "nothing");
		exit(0);
	}
	close(p[1]);
	size_t len;
	char *text = read_all(p[0], &len);
	assert_non_null(text);
	text[len] = '\0';
	snprintf(out, size, "%s", text);
	free(text);
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_next_option(void **state)
{
	(void)state;
	char out[256];
	char *const plain[] = { "cmd", "-a", "--tail", "5", "-n7", "arg", "-a", NULL };
	assert_int_equal(options(plain, out, sizeof out), 0);
	assert_string_equal(out, "options: a n5 n7 then arg\n");
	char *const help[] = { "cmd", "-a", "--help", "arg", NULL };
	assert_int_equal(options(help, out, sizeof out), 0);
	assert_string_equal(out, "options: athe help\n");
	char *const unknown[] = { "cmd", "--bogus", NULL };
	assert_int_equal(options(unknown, out, sizeof out), 125);
	assert_string_equal(out, "options:mydocker: unknown option --bogus (usage: cmd [-a])\n");
	char *const novalue[] = { "cmd", "--tail", NULL };
	assert_int_equal(options(novalue, out, sizeof out), 125);
	assert_string_equal(out,
			    "options:mydocker: option needs a value: --tail (usage: cmd [-a])\n");
}

/* lock_open: a lock excludes every other open of the file, in this process too. */
static void test_lock_open(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/common_test.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	int held = lock_open(tmpl, O_DIRECTORY, LOCK_EX);
	assert_true(held >= 0);
	assert_true(fcntl(held, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(lock_open(tmpl, O_DIRECTORY, LOCK_SH | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(held);
	held = lock_open(tmpl, O_DIRECTORY, LOCK_SH | LOCK_NB);
	int shared = lock_open(tmpl, O_DIRECTORY, LOCK_SH | LOCK_NB);
	assert_true(held >= 0 && shared >= 0);
	close(held);
	close(shared);
	char *missing = path_join(tmpl, "missing");
	assert_int_equal(lock_open(missing, 0, LOCK_EX), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(remove_tree(tmpl), 0);
	free(missing);
}

/* Make DIR/NAME, a directory with a file in it if IS_DIR, else an empty file. */
static char *make_entry(const char *dir, const char *name, bool is_dir)
{
	char *path = path_join(dir, name);
	if (is_dir) {
		assert_int_equal(mkdir(path, 0755), 0);
		char *file = path_join(path, "f");
		assert_int_equal(write_file_atomic(file, "x"), 0);
		free(file);
	} else {
		assert_int_equal(write_file_atomic(path, ""), 0);
	}
	return path;
}

/* remove_unlocked: what starts with the prefix and nobody holds goes; the rest stays. */
static void test_remove_unlocked(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/common_test.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *stale_dir = make_entry(tmpl, ".t-a", true),
	     *stale_file = make_entry(tmpl, ".t-b", false);
	char *busy = make_entry(tmpl, ".t-c", true), *other = make_entry(tmpl, "other", true);
	char *keep = make_entry(tmpl, "keep", false), *dot = make_entry(tmpl, ".dot", false);
	int held = lock_open(busy, O_DIRECTORY, LOCK_SH);
	remove_unlocked(tmpl, ".t-", NULL);
	assert_int_equal(access(stale_dir, F_OK), -1);
	assert_int_equal(access(stale_file, F_OK), -1);
	assert_int_equal(access(busy, F_OK), 0);
	assert_int_equal(access(other, F_OK), 0);
	/* PREFIX "": every entry but KEEP and dot files. */
	remove_unlocked(tmpl, "", "keep");
	assert_int_equal(access(other, F_OK), -1);
	assert_int_equal(access(keep, F_OK), 0);
	assert_int_equal(access(dot, F_OK), 0);
	assert_int_equal(access(busy, F_OK), 0);
	/* PREFIX ".": the dot files, never the directory itself (".") or its parent (".."). */
	remove_unlocked(tmpl, ".", NULL);
	assert_int_equal(access(dot, F_OK), -1);
	assert_int_equal(access(keep, F_OK), 0);
	assert_int_equal(access(busy, F_OK), 0);
	close(held);
	remove_unlocked(tmpl, ".t-", NULL);
	assert_int_equal(access(busy, F_OK), -1);
	remove_unlocked("/nonexistent", "", NULL);
	assert_int_equal(remove_tree(tmpl), 0);
	free(stale_dir);
	free(stale_file);
	free(busy);
	free(other);
	free(keep);
	free(dot);
}

/* stage: a temporary file is locked, given its mode, and renamed over the old file; one that
 * failed is removed; the temporary of a dead process is swept by the next one, a live one not. */
static void test_stage(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/common_test.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *dir = path_join(tmpl, "made/here"), *dest = path_join(dir, "dest"), buf[16];
	struct stage s;
	assert_int_equal(stage_create(&s, dir, ".s-", "name", S_IFREG | 0644), 0);
	char *prefix = path_join(dir, ".s-name-");
	assert_true(str_starts_with(s.path, prefix));
	struct stat st;
	assert_int_equal(fstat(s.fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(lock_open(s.path, 0, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(write_file_atomic(dest, "old"), 0);
	assert_int_equal(write_all(s.fd, "new", 3), 0);
	char *tmp = xstrdup(s.path);
	assert_int_equal(stage_finish(&s, dest), 0);
	stage_end(&s);
	assert_int_equal(read_file(dest, buf, sizeof buf), 3);
	assert_string_equal(buf, "new");
	assert_int_equal(access(tmp, F_OK), -1);
	free(tmp);
	/* A directory, given up: removed with what is in it. */
	assert_int_equal(stage_create(&s, dir, ".s-", "d", S_IFDIR | 0755), 0);
	assert_int_equal(fstat(s.fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
	free(make_entry(s.path, "inside", true));
	tmp = xstrdup(s.path);
	stage_end(&s);
	assert_int_equal(access(tmp, F_OK), -1);
	free(tmp);
	/* A live temporary stays; once its lock is free, the next stage_create() sweeps it. */
	struct stage live, next;
	assert_int_equal(stage_create(&live, dir, ".s-", "live", S_IFREG | 0600), 0);
	char *other = make_entry(dir, ".other-x", true);
	assert_int_equal(stage_create(&next, dir, ".s-", "next", S_IFREG | 0600), 0);
	assert_int_equal(access(live.path, F_OK), 0);
	stage_end(&next);
	tmp = xstrdup(live.path);
	close_fd(&live.fd);
	assert_int_equal(stage_create(&next, dir, ".s-", "next", S_IFREG | 0600), 0);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(access(other, F_OK), 0);
	stage_end(&next);
	free(live.path);
	free(tmp);
	free(other);
	/* Nothing made when DIR cannot be: stage_end() is still safe. */
	char *blocked = path_join(dest, "sub");
	assert_int_equal(stage_create(&s, blocked, ".s-", "x", S_IFREG | 0600), -1);
	assert_null(s.path);
	stage_end(&s);
	assert_int_equal(remove_tree(tmpl), 0);
	free(blocked);
	free(prefix);
	free(dest);
	free(dir);
}

/* deadline_sleep: sleeps that grow, until the deadline has passed. */
static void test_deadline(void **state)
{
	(void)state;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct deadline d = deadline_in(50);
	int rounds = 0;
	while (deadline_sleep(&d) == 0)
		rounds++;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(errno, ETIMEDOUT);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 50 && ms < 1000);
	/* 50 ms take far fewer rounds than a busy loop would make. */
	assert_true(rounds > 3 && rounds < 40);
	d = deadline_in(0);
	d.end_ms -= 1;
	assert_int_equal(deadline_sleep(&d), -1);
}

static void test_utf8_valid(void **state)
{
	(void)state;
	static const char *const good[] = {
		"", "plain", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(utf8_valid((const unsigned char *)good[i], strlen(good[i])));
	/* Overlong, a surrogate, above U+10FFFF, cut short, a stray continuation, a bad lead. */
	static const char *const bad[] = { "\xc0\xaf",	   "\xe0\x80\xaf",
					   "\xed\xa0\x80", "\xf4\x90\x80\x80",
					   "\xe2\x82",	   "\x80",
					   "a\xbf",	   "\xf8\x88\x80\x80\x80" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(utf8_valid((const unsigned char *)bad[i], strlen(bad[i])));
	/* Only LEN bytes count: a character cut off by LEN is invalid. */
	assert_false(utf8_valid((const unsigned char *)"\xc3\xa9", 1));
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
		cmocka_unit_test(test_send_fd),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_next_option),
		cmocka_unit_test(test_lock_open),
		cmocka_unit_test(test_remove_unlocked),
		cmocka_unit_test(test_stage),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_utf8_valid),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
