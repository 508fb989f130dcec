/* ch08_state_test.c: unit tests (cmocka) for state.c: IDs, and a record written and read back
 * (and one with a null cgroup, found by make fuzz). Built against every chapter from ch08 on.
 * The times and start times it writes are tested with common/ (common_test.c). */
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

static void test_valid_id(void **state)
{
	(void)state;
	char id[ID_LEN + 1];
	random_hex(id, ID_LEN);
	assert_true(valid_id(id));
	/* Never a path out of <root>/containers, in any chapter. */
	assert_false(valid_id("../../../../../../../../../../../../../../../../../../../../etc"));
	assert_false(valid_id(".."));
	assert_false(valid_id(""));
#if __has_include("bundle.h")
	/* ch13 on: runc's IDs too (create ID), at most 64 characters. */
	assert_true(valid_id("abc") && valid_id("My_Box-1.2+x"));
	assert_false(valid_id("a/b") || valid_id("a b") || valid_id("."));
	char long_id[ID_LEN + 2];
	memset(long_id, 'a', ID_LEN + 1);
	long_id[ID_LEN + 1] = '\0';
	assert_false(valid_id(long_id));
#else
	/* Docker's: 64 hex digits, lower case. */
	id[5] = 'A';
	assert_false(valid_id(id));
	assert_false(valid_id("abc"));
#endif
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
	/* The list is not read at all: a cgroup is always found from the ID (cgroup_find). */
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
		cmocka_unit_test(test_valid_id),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_null_cgroup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
