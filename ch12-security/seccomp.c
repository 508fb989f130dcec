/* seccomp.c: STUB, to be written (seccomp.h). */
#include "seccomp.h"

int seccomp_prepare(const char *path, uint64_t caps, struct sock_fprog *prog, char *why,
		    size_t size)
{
	(void)path, (void)caps, (void)prog, (void)why, (void)size;
	return 0;
}

int seccomp_load(const struct sock_fprog *prog)
{
	(void)prog;
	return 0;
}
