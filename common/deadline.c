/* deadline.c: the sleeps of a polling loop with a deadline. They grow from 0.1 to 10 ms: what
 * is usually over in a moment is seen in the first few rounds, and what takes long does not
 * cost a busy loop. */
#include <errno.h>
#include <time.h>

#include "deadline.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

struct deadline deadline_in(int timeout_ms)
{
	return (struct deadline){ .end_ms = now_ms() + timeout_ms, .sleep_ns = 100 * 1000 };
}

int deadline_sleep(struct deadline *d)
{
	if (now_ms() > d->end_ms)
		return errno = ETIMEDOUT, -1;
	nanosleep(&(struct timespec){ 0, d->sleep_ns }, NULL);
	if (d->sleep_ns < 10 * 1000 * 1000)
		d->sleep_ns *= 2;
	return 0;
}
