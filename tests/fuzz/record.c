/* record.c: fuzz the way a container's records go to disk and come back (state.c):
 * record_create() and state_write(), then record_load(). The input gives the strings
 * (name, image, lower directory, hostname, command, cgroup directories: any bytes but NUL,
 * which JSON must carry), and the state's numbers and times. Property: what is read back is
 * what was written, every field; an exit code is kept only for an exited container. (The
 * cgroup directories written are for a person: no struct record carries them back.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "fuzz.h"
#include "state.h"
#include "util.h"

/* The next string of the input: up to its next NUL byte, or the rest. */
static char *next(const uint8_t **data, size_t *size)
{
	char *s = fuzz_str(*data, *size);
	size_t used = strlen(s) + (strlen(s) < *size);
	*data += used;
	*size -= used;
	return s;
}

static void same(const char *what, const char *got, const char *want)
{
	if (!got || strcmp(got, want))
		fuzz_fail("%s \"%s\" came back as \"%s\"", what, want, got ? got : "(null)");
}

static void same_time(const char *what, const struct timespec *got, const struct timespec *want)
{
	if (got->tv_sec != want->tv_sec || got->tv_nsec != want->tv_nsec)
		fuzz_fail("%s %lld.%09ld came back as %lld.%09ld", what, (long long)want->tv_sec,
			  want->tv_nsec, (long long)got->tv_sec, got->tv_nsec);
}

static struct timespec take_time(const uint8_t **data, size_t *size)
{
	struct timespec t = { (time_t)(fuzz_take(data, size, 5) % 253402300800ULL),
			      (long)(fuzz_take(data, size, 4) % 1000000000) };
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *root = fuzz_tmpdir();
	uint64_t flags = fuzz_take(&data, &size, 1);
	struct state st = {
		.status = (enum status)(flags % 3),
		.pid = (pid_t)fuzz_take(&data, &size, 4),
		.pid_start = fuzz_take(&data, &size, 8),
		.exit_code = (int)fuzz_take(&data, &size, 4),
		.monitor_pid = (pid_t)fuzz_take(&data, &size, 4),
		.monitor_start = fuzz_take(&data, &size, 8),
	};
	st.started = take_time(&data, &size);
	st.finished = take_time(&data, &size);
	size_t argc = 1 + (flags >> 2) % 4, ncg = (flags >> 4) % (CG_NCONTROLLERS + 1);
	char *image = next(&data, &size), *hostname = flags & 64 ? next(&data, &size) : NULL;
	char *argv[5] = { 0 }, *cg[CG_NCONTROLLERS] = { 0 };
	for (size_t i = 0; i < argc; i++)
		argv[i] = next(&data, &size);
	struct run_opts o = {
		.image = image, .hostname = hostname, .argv = argv, .detach = flags & 128
	};
	struct container c = CONTAINER_EMPTY(&o);
	c.name = next(&data, &size);
	c.lower = next(&data, &size);
	for (size_t i = 0; i < ncg; i++)
		c.cgroup.dir[i] = cg[i] = next(&data, &size);
	random_hex(c.id, ID_LEN);
	c.dir = container_dir(root, c.id);
	if (mkdir_p(c.dir, 0755) < 0 || record_create(&c) < 0 || state_write(c.dir, &st) < 0)
		fuzz_fail("the records could not be written");
	struct record r;
	if (record_load(root, c.id, &r) < 0)
		fuzz_fail("the records just written could not be read");
	same("name", r.name, c.name);
	same("image", r.image, image);
	same("lower dir", r.lower, c.lower);
	char short_id[SHORT_ID_LEN + 1];
	snprintf(short_id, sizeof short_id, "%s", c.id);
	same("hostname", r.hostname, hostname ? hostname : short_id);
	for (size_t i = 0; i <= argc; i++)
		if (i == argc ? r.argv[i] != NULL : (!r.argv[i] || strcmp(r.argv[i], argv[i])))
			fuzz_fail("argument %zu of %zu came back wrong", i, argc);
	if (r.detach != o.detach || r.state.status != st.status || r.state.pid != st.pid ||
	    r.state.pid_start != st.pid_start || r.state.monitor_pid != st.monitor_pid ||
	    r.state.monitor_start != st.monitor_start)
		fuzz_fail("the state's numbers came back wrong");
	int code = st.status == STATUS_EXITED ? st.exit_code : EXIT_UNKNOWN;
	if (r.state.exit_code != code)
		fuzz_fail("exit code %d came back as %d", code, r.state.exit_code);
	same_time("started", &r.state.started, &st.started);
	same_time("finished", &r.state.finished, &st.finished);
	if (!r.created.tv_sec)
		fuzz_fail("no creation time");
	record_free(&r);
	if (remove_tree(c.dir) < 0)
		abort();
	free(c.dir);
	for (size_t i = 0; i < ncg; i++)
		free(cg[i]);
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(c.lower);
	free(c.name);
	free(hostname);
	free(image);
	return 0;
}
