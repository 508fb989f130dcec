/* caps.c: STUB, to be written (caps.h). */
#include "caps.h"

uint64_t caps_default(void)
{
	return 0;
}

uint64_t caps_all(void)
{
	return ~0ULL;
}

int caps_compute(uint64_t *set, char **add, size_t nadd, char **drop, size_t ndrop, char *why,
		 size_t size)
{
	(void)set, (void)add, (void)nadd, (void)drop, (void)ndrop, (void)why, (void)size;
	return 0;
}

int caps_drop_bounding(uint64_t keep)
{
	(void)keep;
	return 0;
}

int caps_set(uint64_t keep)
{
	(void)keep;
	return 0;
}
