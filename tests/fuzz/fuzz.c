/* fuzz.c: the helpers every fuzz target shares (fuzz.h). Linked into each target. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "util.h"

char *fuzz_str(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t len = nul ? (size_t)(nul - data) : size;
	char *s = malloc(len + 1);
	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

uint64_t fuzz_take(const uint8_t **data, size_t *size, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && i < 8 && *size > 0; i++) {
		v |= (uint64_t) * *data << (8 * i);
		(*data)++;
		(*size)--;
	}
	return v;
}

/* stderr as libFuzzer had it, while fuzz_quiet() has it on /dev/null. */
static int saved_stderr = -1;

void fuzz_fail(const char *fmt, ...)
{
	fuzz_quiet(false);
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "fuzz: property failed: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

void fuzz_quiet(bool on)
{
	fflush(stderr);
	if (on && saved_stderr < 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		saved_stderr = dup(STDERR_FILENO);
		if (null < 0 || saved_stderr < 0 || dup2(null, STDERR_FILENO) < 0)
			abort();
		close(null);
	} else if (!on && saved_stderr >= 0) {
		if (dup2(saved_stderr, STDERR_FILENO) < 0)
			abort();
		close(saved_stderr);
		saved_stderr = -1;
	}
}

/* On tmpfs: the records are fsync()ed, which costs nothing there. */
static char tmpdir[] = "/dev/shm/mydocker-fuzz.XXXXXX";

static void remove_tmpdir(void)
{
	remove_tree(tmpdir);
}

const char *fuzz_tmpdir(void)
{
	static bool made;
	if (!made) {
		if (!mkdtemp(tmpdir))
			abort();
		atexit(remove_tmpdir);
		made = true;
	}
	return tmpdir;
}
