/* deadline.h: waiting for something the kernel does in its own time, by looking again and
 * again, for a bounded time. Plumbing, no container concept.
 *
 *	struct deadline d = deadline_in(TIMEOUT_MS);
 *	do {
 *		look; return if done
 *	} while (deadline_sleep(&d) == 0);
 *	errno is ETIMEDOUT here
 */
#ifndef MYDOCKER_DEADLINE_H
#define MYDOCKER_DEADLINE_H

struct deadline {
	long long end_ms; /* on CLOCK_MONOTONIC */
	long sleep_ns;	  /* the next sleep */
};

/* A deadline TIMEOUT_MS milliseconds from now. */
struct deadline deadline_in(int timeout_ms);

/* Sleep before the next look: 0; or -1 with errno ETIMEDOUT, without sleeping, once the
 * deadline has passed. */
int deadline_sleep(struct deadline *d);

#endif
