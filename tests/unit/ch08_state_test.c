/* ch08_state_test.c: unit tests (cmocka) for state.c: RFC 3339 times there and back (and their
 * fractions, a regression found by make fuzz), IDs,
 * the start time from /proc/PID/stat when the command name is hostile, and a record written
 * and read back (and one with a null cgroup, also found by make fuzz). Built against every chapter from ch08 on. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Before cmocka.h, whose fail() macro would rename init.c's fail(). */
#include "container.h"
#include "state.h"
#include "util.h"

#include <cmocka.h>

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

static void test_valid_id(void **state)
{
	(void)state;
	char id[ID_LEN + 1];
	random_hex(id, ID_LEN);
	assert_true(valid_id(id));
	id[5] = 'A';
	assert_false(valid_id(id));
	assert_false(valid_id("abc"));
	assert_false(valid_id("../../../../../../../../../../../../../../../../../../../../etc"));
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

static void test_record_round_trip(void **state)
{
	(void)state;
	char root[] = "/tmp/mydocker-unit.XXXXXX";
	assert_non_null(mkdtemp(root));
	char *argv[] = { "sh", "-c", "echo \"a b\"\n\xff", NULL };
	struct volume vol = { .host = "/srv/data", .target = "/data", .readonly = true };
	struct run_opts o = { .hostname = "host",
			      .image = "img",
			      .argv = argv,
			      .detach = true,
			      .vols = &vol,
			      .nvols = 1 };
	o.limits.memory = 64 << 20;
	struct container c = CONTAINER_EMPTY(&o);
	c.name = "my-name";
	c.lower = "/some/lower";
	random_hex(c.id, ID_LEN);
	c.dir = container_dir(root, c.id);
	assert_int_equal(mkdir_p(c.dir, 0755), 0);
	c.cgroup.dir[0] = "/sys/fs/cgroup/memory/mydocker/x";
	c.cgroup.dir[1] = "/sys/fs/cgroup/pids/x";
	assert_int_equal(record_create(&c), 0);
	struct state st = { .status = STATUS_EXITED,
			    .pid = 42,
			    .pid_start = 99,
			    .exit_code = 137,
			    .monitor_pid = 41,
			    .monitor_start = 98 };
	time_now(&st.started);
	time_now(&st.finished);
	assert_int_equal(state_write(c.dir, &st), 0);

	struct record r;
	assert_int_equal(record_load(root, c.id, &r), 0);
	assert_string_equal(r.id, c.id);
	assert_string_equal(r.name, "my-name");
	assert_string_equal(r.image, "img");
	assert_string_equal(r.lower, "/some/lower");
	assert_string_equal(r.hostname, "host");
	assert_true(r.detach);
	for (int i = 0; argv[i]; i++)
		assert_string_equal(r.argv[i], argv[i]);
	assert_null(r.argv[3]);
	/* The cgroup comes from the ID under mydocker's parent, never from config.json. */
	struct cgroup found;
	assert_int_equal(cgroup_find(&found, r.id), 0);
	for (int i = 0; i < CG_NCONTROLLERS; i++) {
		if (found.dir[i])
			assert_string_equal(r.cg.dir[i], found.dir[i]);
		free(found.dir[i]);
	}
	assert_int_equal(r.state.status, STATUS_EXITED);
	assert_int_equal(r.state.exit_code, 137);
	assert_int_equal(r.state.pid, 42);
	assert_int_equal(r.state.pid_start, 99);
	assert_int_equal(r.state.monitor_pid, 41);
	assert_int_equal(r.state.finished.tv_nsec, st.finished.tv_nsec);
	assert_true(r.created.tv_sec > 0);
	assert_false(record_alive(&r));
	record_free(&r);

	/* Unknown exit codes are null on disk and come back unknown. */
	st.exit_code = EXIT_UNKNOWN;
	assert_int_equal(state_write(c.dir, &st), 0);
	assert_int_equal(record_load(root, c.id, &r), 0);
	assert_int_equal(r.state.exit_code, EXIT_UNKNOWN);
	record_free(&r);

	/* A missing container is ENOENT, a broken record EINVAL; no temporary file is left. */
	char other[ID_LEN + 1];
	random_hex(other, ID_LEN);
	assert_int_equal(record_load(root, other, &r), -1);
	assert_int_equal(errno, ENOENT);
	char *path = path_join(c.dir, "state.json");
	assert_int_equal(write_file(path, "{ \"status\": \"sleeping\" }"), 0);
	assert_int_equal(record_load(root, c.id, &r), -1);
	assert_int_equal(errno, EINVAL);
	free(path);
	char *cmd = xasprintf(
	    "test $(ls -A %s | wc -l) = 2 && grep -q \"/srv/data\" %s/config.json && rm -r %s",
	    c.dir, c.dir, root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(c.dir);
}

/* Found by make fuzz (tests/fuzz/state.c): a null in config.json's cgroup list was passed to
 * strdup(); such a record is refused as one that does not make sense. */
static void test_record_null_cgroup(void **state)
{
	(void)state;
	char root[] = "/tmp/mydocker-unit.XXXXXX";
	assert_non_null(mkdtemp(root));
	char id[ID_LEN + 1];
	random_hex(id, ID_LEN);
	char *dir = container_dir(root, id), *config = path_join(dir, "config.json"),
	     *st = path_join(dir, "state.json");
	assert_int_equal(mkdir_p(dir, 0755), 0);
	char *cmd = xasprintf("echo '{ \"name\": \"n\", \"image\": \"i\", \"lower_dir\": \"/l\", "
			      "\"command\": [ \"sh\" ], \"cgroup\": [ \"/a\", null ] }' >%s && "
			      "echo '{ \"status\": \"running\" }' >%s",
			      config, st);
	assert_int_equal(system(cmd), 0);
	struct record r;
	/* The list is not read at all: the cgroup is found from the ID (cgroup_find). */
	assert_int_equal(record_load(root, id, &r), 0);
	record_free(&r);
	assert_int_equal(remove_tree(root), 0);
	free(cmd);
	free(st);
	free(config);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_round_trip),
		cmocka_unit_test(test_time_fraction),
		cmocka_unit_test(test_time_calendar),
		cmocka_unit_test(test_valid_id),
		cmocka_unit_test(test_start_time_hostile_name),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_null_cgroup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
