/* relay.c: the supervisor's side of a container's output (relay.h says what and why).
 *
 *   container --stdout pipe--+                      +--> ctr.log (CRI entries, O_APPEND)
 *                            +--> relay: read, time, +
 *   container --stderr pipe--+    split into lines   +--> mydocker's stdout/stderr (foreground)
 *
 * What is read is written as it comes, one entry per line, with writev(): the entry's prefix
 * (time, stream, tag) and its text from the buffer it was read into, never copied. One chunk
 * at a time: while a chunk is being written nothing more is read, so a container that writes
 * faster than the disk blocks on its full pipe (backpressure), and nothing is dropped. If the
 * log cannot be written (a full disk), the relay says so once and tries again every 100 ms;
 * the container waits meanwhile, its output kept in order.
 *
 * The state is one static struct: a supervisor relays one container. Its buffers are small,
 * so that the monitor stays small (`ps -o rss`). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "die.h"
#include "relay.h"
#include "rfc3339.h"
#include "util.h"

#define CHUNK	65536 /* read at once from a pipe */
#define MAX_IOV 513   /* 171 entries of three parts (prefix, text, newline) per writev */

static struct {
	int in[2];	      /* the read ends of stdout [0] and stderr [1]; -1 at their end */
	char *path;	      /* <dir>/ctr.log */
	int log;	      /* ctr.log, opened for appending */
	long long size;	      /* ctr.log's size */
	struct log_opts opts; /* when to rotate */
	bool echo;	      /* also write to mydocker's own stdout and stderr (foreground) */
	char chunk[CHUNK];    /* what was read */
	size_t len, pos;      /* its length, and how much of it is made into entries */
	char prefix[2][LOG_TEXT_AT + 1]; /* "TIME STREAM F " and "TIME STREAM P " for it */
	struct iovec iov[MAX_IOV];	 /* entries made and not yet written */
	int niov, next;			 /* how many, and the first not (wholly) written */
	bool stalled;			 /* the last write failed: try again before reading on */
	bool reported;			 /* that failure was said */
} relay = { .in = { -1, -1 }, .log = -1 };

int relay_start(const char *dir, const struct log_opts *o, int out, int err, bool echo)
{
	relay.path = path_join(dir, LOG_FILE);
	relay.log = open(relay.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	struct stat st;
	if (relay.log < 0 || fstat(relay.log, &st) < 0) {
		warn_errno("open %s", relay.path);
		return -1;
	}
	relay.size = st.st_size;
	relay.opts = *o;
	relay.in[0] = out;
	relay.in[1] = err;
	relay.echo = echo;
	return 0;
}

/* ctr.log becomes ctr.log.1, ctr.log.1 becomes ctr.log.2 and so on, keeping max_file files in
 * all (the oldest is replaced by the rename), and a new, empty ctr.log takes its place. The new
 * file is made first, under another name: if it cannot be, nothing has moved. */
static int rotate(void)
{
	char *fresh = xasprintf("%s.new", relay.path);
	int fd = open(fresh, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0) {
		free(fresh);
		return -1;
	}
	for (long long i = relay.opts.max_file - 1; i >= 1; i--) {
		char *from = i == 1 ? xstrdup(relay.path) : xasprintf("%s.%lld", relay.path, i - 1);
		char *to = xasprintf("%s.%lld", relay.path, i);
		if (rename(from, to) < 0 && errno != ENOENT)
			warn_errno("rotate %s to %s", from, to);
		free(from);
		free(to);
	}
	/* With one file, the old one is simply replaced. */
	int rc = rename(fresh, relay.path);
	free(fresh);
	if (rc < 0) {
		close(fd);
		return -1;
	}
	close(relay.log);
	relay.log = fd;
	relay.size = 0;
	return 0;
}

/* Write the entries made and not yet written: 0 when all are, -1 with errno when a write
 * failed (what is left stays, for the next try). */
static int flush(void)
{
	while (relay.next < relay.niov) {
		int n = relay.niov - relay.next;
		ssize_t w = writev(relay.log, relay.iov + relay.next, n < IOV_MAX ? n : IOV_MAX);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		relay.size += w;
		/* Past what was written, also half an iovec. */
		for (; w > 0; relay.next++) {
			struct iovec *v = &relay.iov[relay.next];
			if ((size_t)w < v->iov_len) {
				v->iov_base = (char *)v->iov_base + w;
				v->iov_len -= w;
				break;
			}
			w -= v->iov_len;
		}
	}
	relay.niov = relay.next = 0;
	return 0;
}

static void add(const void *base, size_t len)
{
	relay.iov[relay.niov++] = (struct iovec){ .iov_base = (void *)base, .iov_len = len };
}

/* Make entries of the chunk, from where the last call stopped, and write them: 0 once the
 * whole chunk is in the log, -1 with errno if a write failed (the rest waits for the next
 * call). An entry that would take ctr.log past --log-opt max-size goes into a new file. */
static int write_chunk(void)
{
	for (;;) {
		if (flush() < 0)
			return -1;
		if (relay.pos == relay.len)
			return 0;
		long long pending = 0;
		while (relay.pos < relay.len && relay.niov + 3 <= MAX_IOV) {
			char *text = relay.chunk + relay.pos;
			char *nl = memchr(text, '\n', relay.len - relay.pos);
			size_t len = nl ? (size_t)(nl - text) : relay.len - relay.pos;
			long long entry = LOG_TEXT_AT + len + 1;
			if (relay.opts.max_size && relay.size + pending > 0 &&
			    relay.size + pending + entry > relay.opts.max_size) {
				if (pending) /* the entries before it are written first */
					break;
				if (rotate() < 0)
					return -1;
			}
			add(relay.prefix[nl ? 0 : 1], LOG_TEXT_AT);
			add(text, len);
			add("\n", 1);
			pending += entry;
			relay.pos += len + (nl != NULL);
		}
	}
}

/* Write what is waiting; say so once if the log cannot be written, and once when it can
 * again. */
static void write_waiting(void)
{
	relay.stalled = write_chunk() < 0;
	if (relay.stalled && !relay.reported)
		warn_errno("write %s (the container's output waits until it can be written)",
			   relay.path);
	else if (!relay.stalled && relay.reported)
		warn("write %s: it can be written again; nothing was lost", relay.path);
	relay.reported = relay.stalled;
}

/* Read one chunk from stream S, show it (foreground), and log it. */
static void read_chunk(int s)
{
	ssize_t n = read(relay.in[s], relay.chunk, sizeof relay.chunk);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) { /* the end: every writer has closed it (or it failed) */
		if (n < 0)
			warn_errno("read the container's %s", s ? "stderr" : "stdout");
		close_fd(&relay.in[s]);
		return;
	}
	/* mydocker's own output may be gone (a closed pipe): the log is kept all the same. */
	if (relay.echo)
		write_all(s + 1, relay.chunk, n);
	struct timespec now;
	time_now(&now);
	for (int tag = 0; tag < 2; tag++) {
		time_format(&now, relay.prefix[tag], LOG_TIME_LEN + 1);
		snprintf(relay.prefix[tag] + LOG_TIME_LEN, sizeof relay.prefix[tag] - LOG_TIME_LEN,
			 " %s %c ", s ? "stderr" : "stdout", tag ? 'P' : 'F');
	}
	relay.len = n;
	relay.pos = 0;
	write_waiting();
}

/* The descriptors supervise() waits on, into P (none while a write waits to be tried again),
 * and how long it may wait: -1 for ever, or 100 ms until the next try. Returns how many. */
int relay_poll(struct pollfd *p, int *timeout)
{
	int n = 0;
	*timeout = relay.stalled ? 100 : -1;
	for (int s = 0; s < 2 && !relay.stalled; s++)
		if (relay.in[s] >= 0)
			p[n++] = (struct pollfd){ .fd = relay.in[s], .events = POLLIN };
	return n;
}

/* After poll(): read what the N descriptors of P have, or try the waiting write again. */
void relay_ready(const struct pollfd *p, int n)
{
	if (relay.stalled) {
		write_waiting();
		return;
	}
	for (int i = 0; i < n && !relay.stalled; i++)
		if (p[i].revents)
			read_chunk(p[i].fd == relay.in[0] ? 0 : 1);
}

/* Once the container has exited: read to the end of both pipes (every writer is gone with
 * its PID namespace), then close the log. An exit is not kept waiting for ever: ten seconds
 * without an end of the pipes, or of a failing write, and what is left is given up, said. */
void relay_drain(void)
{
	for (int stalls = 0; stalls < 100;) {
		struct pollfd p[2];
		int timeout, n = relay_poll(p, &timeout);
		if (n == 0 && !relay.stalled)
			break;
		int ready = poll(p, n, relay.stalled ? 100 : 10000);
		if (ready == 0 && !relay.stalled) {
			warn("the container's output did not end within 10 s of its exit");
			break;
		}
		if (ready >= 0)
			relay_ready(p, n);
		stalls = relay.stalled ? stalls + 1 : 0;
	}
	if (relay.stalled)
		warn("%zu bytes of the container's last output could not be logged",
		     relay.len - relay.pos);
	close_fd(&relay.in[0]);
	close_fd(&relay.in[1]);
	close_fd(&relay.log);
}
