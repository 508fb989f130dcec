/* state.c: fuzz record_load() (state.c) on any config.json and state.json: what `ps`, `logs`
 * and `exec` read from disk. The input is both files, split at its first two bytes.
 * Properties: a record it loads has a name, an image, a lower directory, a command of at least
 * one argument, a known status and times with nanoseconds in [0, 1e9); a record it refuses is
 * refused cleanly, with errno EINVAL (it does not make sense) or ENOENT (it is not there), and
 * nothing leaks either way. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "state.h"
#include "util.h"

static void put(const char *dir, const char *file, const uint8_t *data, size_t size)
{
	char *path = path_join(dir, file);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, data, size) < 0 || close(fd) < 0)
		abort();
	free(path);
}

static bool good_time(const struct timespec *t)
{
	return t->tv_nsec >= 0 && t->tv_nsec < 1000000000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	const char *root = fuzz_tmpdir();
	char *dir = container_dir(root, id);
	if (mkdir_p(dir, 0755) < 0)
		abort();
	size_t split = fuzz_take(&data, &size, 2);
	split = split > size ? size : split;
	put(dir, "config.json", data, split);
	put(dir, "state.json", data + split, size - split);
	struct record r;
	errno = 0;
	if (record_load(root, id, &r) == 0) {
		if (!r.name || !r.image || !r.lower || !r.argv || !r.argv[0])
			fuzz_fail(
			    "a record was loaded without a name, image, lower dir or command");
		for (char **a = r.argv; *a; a++)
			(void)strlen(*a);
		if (r.state.status > STATUS_EXITED || !good_time(&r.created) ||
		    !good_time(&r.state.started) || !good_time(&r.state.finished))
			fuzz_fail("a record was loaded with status %d or a time out of range",
				  (int)r.state.status);
		record_free(&r);
	} else if (errno != EINVAL && errno != ENOENT) {
		fuzz_fail("a record was refused with errno %d (%s)", errno, strerror(errno));
	}
	free(dir);
	return 0;
}
