/* user.c: STUB, to be written (user.h). */
#include "user.h"

int user_check(const char *spec)
{
	(void)spec;
	return 0;
}

int user_switch(const char *spec, char *why, size_t size)
{
	(void)spec, (void)why, (void)size;
	return 0;
}
