/* relay.h: a container's stdin, stdout and stderr, relayed by its supervisor: the output into
 * one log (relay.c), which `mydocker logs` reads (logs.c), and to the user; the user's input
 * into the container.
 *
 * The container's stdout and stderr are the write ends of two pipes; with -t (ch12) they are
 * one pty of its own instead (tty.c), whose master stands for stdout. Its supervisor (the
 * monitor of `run -d`, or mydocker itself in the foreground) reads the other ends and appends
 * what it reads to <root>/containers/ID/ctr.log, in the format conmon writes for Kubernetes
 * (CRI): one entry per line, with the time it was read, the stream and a tag:
 *
 *   2026-12-04T05:42:04.123456789Z stdout F a whole line, its newline not written
 *   2026-12-04T05:42:04.123456789Z stderr P the part of a line read so far
 *
 * F ends a line; P is a piece with no newline yet (the rest comes in later entries). The
 * text is the container's bytes unchanged, whatever they are but a newline, so `logs` gives
 * back exactly what was written (from a pty: its lines end in "\r", as the pty wrote them).
 *
 * The container's stdin (with -i) is the read end of a pipe, or the pty. The user is never
 * handed to the container: what the user types is read by the supervisor and written into the
 * pipe or the pty's master, and what the container writes is shown by the supervisor. The user
 * is mydocker's own stdin, stdout and stderr in the foreground, or a client of `mydocker
 * attach` (attach.h) for a detached container, or nobody.
 *
 * Interface: relay_start() opens the log and takes the container's ends; relay_user() or
 * relay_attach() says who the user is; supervise() (start.c) polls the descriptors relay_poll()
 * gives it and calls relay_ready() on what poll() reported; relay_drain() reads what is left
 * once the container has exited, and relay_exit() tells an attached client how it ended. */
#ifndef MYDOCKER_RELAY_H
#define MYDOCKER_RELAY_H

#include <poll.h>
#include <stdbool.h>

#define LOG_FILE "ctr.log"
/* An entry's time, as time_format() writes it: 2026-12-04T05:42:04.123456789Z. */
#define LOG_TIME_LEN 30
/* Where the tag is: after the time, a space, "stdout" or "stderr" and a space. */
#define LOG_TAG_AT (LOG_TIME_LEN + 8)
/* Where the text starts: after the tag and a space. */
#define LOG_TEXT_AT (LOG_TAG_AT + 2)
/* The most descriptors relay_poll() gives. */
#define RELAY_POLL_MAX 4

/* --log-opt: rotate ctr.log once it would grow past max_size bytes, keeping max_file files
 * (ctr.log, ctr.log.1, ...), as Docker's json-file driver does. 0: no limit. */
struct log_opts {
	long long max_size;
	long long max_file;
};

int relay_start(const char *dir, const struct log_opts *o, int out, int err, int in, bool tty);
void relay_user(int in, int out, int err);
bool relay_attached(void);
void relay_attach(int sock);
void relay_resize_from(int fd);
int relay_poll(struct pollfd *p, int *timeout);
void relay_ready(const struct pollfd *p, int n);
void relay_drain(void);
void relay_exit(int code);

#endif
