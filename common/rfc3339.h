/* rfc3339.h: times as Docker writes them in its records, RFC 3339 in UTC with nanoseconds
 * (2024-05-01T12:00:00.123456789Z). Plumbing, no container concept. */
#ifndef MYDOCKER_RFC3339_H
#define MYDOCKER_RFC3339_H

#include <stddef.h>
#include <time.h>

/* The wall clock now (CLOCK_REALTIME): what a record's "created" time is. */
void time_now(struct timespec *ts);

/* TS as RFC 3339 text into BUF (at least 31 bytes for any time before year 10000). */
void time_format(const struct timespec *ts, char *buf, size_t size);

/* S, as time_format() writes it, into TS: 0, or -1 with errno EINVAL. */
int time_parse(const char *s, struct timespec *ts);

#endif
