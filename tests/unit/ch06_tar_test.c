/* ch06_tar_test.c: unit tests (cmocka) for tar_extract: archives made by GNU tar at test time
 * must unpack with every name, type, owner, mode and time intact. (Hostile archives are tested
 * end to end in tests/ch06-overlay.bats.) Needs root, like mydocker. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "tar.h"
#include "util.h"

static char work[] = "/tmp/tar_test.XXXXXX";

static void sh(const char *cmd)
{
	assert_int_equal(system(cmd), 0);
}

/* Build tree src/ with one of everything, archive it with FORMAT, unpack it into out/. */
static void roundtrip(const char *format)
{
	char cmd[4096];
	char longdir[200];
	memset(longdir, 'd', sizeof longdir - 1);
	longdir[sizeof longdir - 1] = '\0';
	snprintf(
	    cmd, sizeof cmd,
	    "set -e; cd %s; rm -rf src out a.tar; mkdir -p src/dir/sub src/%s; cd src;"
	    "printf hello > dir/file; chown 1234:4321 dir/file; chmod 4755 dir/file;"
	    "ln -s ../dir/file dir/sub/link; ln dir/file hard; mkfifo fifo; mknod null c 1 3;"
	    "printf long > %s/%s; chmod 2750 dir/sub; find . -exec touch -h -d @1200000000 {} +;"
	    "touch -d @1000000000 dir/file dir/sub;"
	    "touch -h -d @1100000000 dir/sub/link; cd ..;"
	    "tar --format=%s --numeric-owner -C src -cf a.tar .; mkdir out",
	    work, longdir, longdir, longdir + 50, format);
	sh(cmd);
	char path[512];
	snprintf(path, sizeof path, "%s/a.tar", work);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	char out[512], err[512];
	snprintf(out, sizeof out, "%s/out", work);
	int rc = tar_extract(fd, out, err, sizeof err);
	close(fd);
	if (rc < 0)
		fail_msg("tar_extract: %s", err);
	/* Every file's type, mode, owner, size, link target and time must match. */
	snprintf(
	    cmd, sizeof cmd,
	    "cd %s; for t in src out; do (cd $t && find . -mindepth 1 -printf '%%p %%y %%m %%U %%G "
	    "%%s %%l %%T@\\n' | grep -v ' d .* [0-9.]*$' | sort) > $t.list; done; diff src.list "
	    "out.list;"
	    "test \"$(stat -c %%i out/hard)\" = \"$(stat -c %%i out/dir/file)\";"
	    "test \"$(stat -c %%t:%%T out/null)\" = 1:3; test -p out/fifo;"
	    "test \"$(stat -c %%a:%%Y out/dir/sub)\" = 2750:1000000000",
	    work);
	sh(cmd);
}

static void test_gnu(void **state)
{
	(void)state;
	roundtrip("gnu");
}

static void test_pax(void **state)
{
	(void)state;
	roundtrip("posix");
}

static void test_ustar_prefix(void **state)
{
	(void)state;
	char cmd[1024];
	/* ustar splits names longer than 100 bytes into prefix and name. */
	snprintf(
	    cmd, sizeof cmd,
	    "set -e; cd %s; rm -rf u out u.tar; mkdir -p u/%060d/%060d; echo x > u/%060d/%060d/f;"
	    "tar --format=ustar -C u -cf u.tar .; mkdir out",
	    work, 0, 1, 0, 1);
	sh(cmd);
	char path[512], out[512], err[512];
	snprintf(path, sizeof path, "%s/u.tar", work);
	snprintf(out, sizeof out, "%s/out", work);
	int fd = open(path, O_RDONLY);
	assert_int_equal(tar_extract(fd, out, err, sizeof err), 0);
	close(fd);
	snprintf(path, sizeof path, "%s/out/%060d/%060d/f", work, 0, 1);
	assert_int_equal(access(path, F_OK), 0);
}

static void test_not_a_tar(void **state)
{
	(void)state;
	char cmd[512], path[512], out[512], err[512];
	snprintf(cmd, sizeof cmd, "cd %s; rm -rf out; mkdir out; head -c 1024 /dev/urandom > junk",
		 work);
	sh(cmd);
	snprintf(path, sizeof path, "%s/junk", work);
	snprintf(out, sizeof out, "%s/out", work);
	int fd = open(path, O_RDONLY);
	assert_int_equal(tar_extract(fd, out, err, sizeof err), -1);
	close(fd);
	assert_non_null(strstr(err, "checksum"));
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(work) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return remove_tree(work);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gnu),
		cmocka_unit_test(test_pax),
		cmocka_unit_test(test_ustar_prefix),
		cmocka_unit_test(test_not_a_tar),
	};
	return cmocka_run_group_tests_name("tar", tests, setup, teardown);
}
