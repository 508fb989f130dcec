/* ch08_lifecycle_test.c: unit tests (cmocka) for lifecycle.c's container_forget(): `run -d`
 * lets go of its copy of the container once the monitor has it (LeakSanitizer found that it
 * did not: `make test-sanitize`), and must leave the monitor everything on disk: the name,
 * the directory. Built against every chapter from ch08 on. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Before cmocka.h, whose fail() macro would rename init.c's fail(). */
#include "container.h"
#include "lifecycle.h"
#include "name.h"
#include "state.h"
#include "util.h"

#include <cmocka.h>

static void test_forget_keeps_the_container(void **state)
{
	(void)state;
	char root[] = "/tmp/mydocker-unit.XXXXXX";
	assert_non_null(mkdtemp(root));
	struct run_opts o = { 0 };
	struct container c = CONTAINER_EMPTY(&o);
	random_hex(c.id, ID_LEN);
	char *taken;
	c.name = name_reserve(root, "keep-me", c.id, &taken);
	assert_non_null(c.name);
	assert_null(taken);
	c.dir = container_dir(root, c.id);
	assert_int_equal(mkdir_p(c.dir, 0755), 0);
	c.lower = xstrdup("/some/lower");
	c.cgroup.dir[0] = xstrdup("/sys/fs/cgroup/memory/mydocker/x");
	c.image_fd = open("/", O_RDONLY | O_CLOEXEC);
	assert_true(c.image_fd >= 0);
	assert_int_equal(pipe(c.command_pipe), 0);
	c.lock_fd = open(c.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(c.lock_fd >= 0);
	char *dir = xstrdup(c.dir);

	container_forget(&c);
	assert_null(c.name);
	assert_null(c.dir);
	assert_null(c.lower);
	assert_null(c.cgroup.dir[0]);
	assert_int_equal(c.image_fd, -1);
	assert_int_equal(c.lock_fd, -1);
	assert_int_equal(c.command_pipe[0], -1);
	assert_int_equal(c.command_pipe[1], -1);
	/* What is on disk is the monitor's now: still there. */
	assert_int_equal(access(dir, F_OK), 0);
	char *owner = name_resolve(root, "keep-me");
	assert_non_null(owner);
	assert_string_equal(owner, c.id);
	/* And a second call finds nothing to free. */
	container_forget(&c);

	free(owner);
	free(dir);
	assert_int_equal(remove_tree(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forget_keeps_the_container),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
