/* relay.c: the supervisor's side of a container's stdin, stdout and stderr (relay.h says what
 * and why).
 *
 *   container --stdout pipe--+                      +--> ctr.log (CRI entries, O_APPEND)
 *    (or its pty's master)   +--> relay: read, time, +
 *   container --stderr pipe--+    split into lines   +--> the user: mydocker's stdout/stderr
 *                                                         (foreground), or an attach client
 *   container <--stdin pipe (or its pty's master)-- relay <-- the user's input
 *
 * What is read is written as it comes, one entry per line, with writev(): the entry's prefix
 * (time, stream, tag) and its text from the buffer it was read into, never copied. One chunk
 * at a time: while a chunk is being written nothing more is read, so a container that writes
 * faster than the disk blocks on its full pipe (backpressure), and nothing is dropped. If the
 * log cannot be written (a full disk), the relay says so once and tries again every 100 ms;
 * the container waits meanwhile, its output kept in order. The input goes the same way: one
 * piece of what the user typed at a time, written without blocking (the container may not be
 * reading), and nothing more is read from the user until it is all taken.
 *
 * The state is one static struct: a supervisor relays one container. Its buffers are small,
 * so that the monitor stays small (`ps -o rss`). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "attach.h"
#include "die.h"
#include "relay.h"
#include "rfc3339.h"
#include "tty.h"
#include "util.h"

#define CHUNK	65536 /* read at once from a pipe */
#define MAX_IOV 513   /* 171 entries of three parts (prefix, text, newline) per writev */

static struct {
	/* The container's output. */
	int in[2];	      /* read ends: stdout [0], stderr [1]; or the pty's master [0] */
	char *path;	      /* <dir>/ctr.log; NULL: nothing is logged (exec) */
	int log;	      /* ctr.log, opened for appending */
	long long size;	      /* ctr.log's size */
	struct log_opts opts; /* when to rotate */
	char chunk[CHUNK];    /* what was read */
	size_t len, pos;      /* its length, and how much of it is made into entries */
	char prefix[2][LOG_TEXT_AT + 1]; /* "TIME STREAM F " and "TIME STREAM P " for it */
	struct iovec iov[MAX_IOV];	 /* entries made and not yet written */
	int niov, next;			 /* how many, and the first not (wholly) written */
	bool stalled;			 /* the last write failed: try again before reading on */
	bool reported;			 /* that failure was said */
	/* The container's input: its stdin pipe's write end, or its pty's master (a copy), or -1
	 * (none, or closed); with a pty the end of the user's input is not the end of its. */
	int to;
	bool tty;
	bool input_ended;	/* the user's input ended: close the pipe once it is written */
	char input[ATTACH_MAX]; /* what the user typed and the container has not taken yet */
	size_t input_len, input_pos;
	/* The user. */
	int user_in;	 /* mydocker's stdin, in the foreground with -i; else -1 */
	int user_out[2]; /* mydocker's stdout and stderr, in the foreground; else -1 */
	int client;	 /* an attach client's socket (attach.h); -1: none */
	bool client_eof; /* the client ended its input; it still gets the output */
} relay = {
	.in = { -1, -1 }, .log = -1, .to = -1, .user_in = -1, .user_out = { -1, -1 }, .client = -1
};

/* OUT and ERR: the container's stdout and stderr, or with TTY its pty's master and -1. IN: its
 * stdin's pipe, or the pty's master again, or -1 (no -i). DIR: where ctr.log goes, or NULL for
 * no log. The relay owns the descriptors from now on. */
int relay_start(const char *dir, const struct log_opts *o, int out, int err, int in, bool tty)
{
	relay.in[0] = out;
	relay.in[1] = err;
	relay.tty = tty;
	/* One descriptor for each use: the output side closes its own at the pty's end. */
	relay.to = in >= 0 && in == out ? fcntl(in, F_DUPFD_CLOEXEC, 0) : in;
	/* Non-blocking: a container that does not read its stdin must not stop the supervisor
	 * (a pty's master shares the flag with the output side, which reads only when poll()
	 * said it can). */
	if (in >= 0 && (relay.to < 0 || fcntl(relay.to, F_SETFL, O_NONBLOCK) < 0)) {
		warn_errno("set up the container's stdin");
		return -1;
	}
	if (!dir)
		return 0;
	relay.path = path_join(dir, LOG_FILE);
	relay.log = open(relay.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	struct stat st;
	if (relay.log < 0 || fstat(relay.log, &st) < 0) {
		warn_errno("open %s", relay.path);
		return -1;
	}
	relay.size = st.st_size;
	relay.opts = *o;
	return 0;
}

/* In the foreground the user is mydocker's own: IN (its stdin, with -i; or -1), OUT and ERR. */
void relay_user(int in, int out, int err)
{
	relay.user_in = in;
	relay.user_out[0] = out;
	relay.user_out[1] = err;
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

/* The attach client is gone, or could not take the output: it is let go (the container goes
 * on, and its output still goes into the log). */
static void drop_client(void)
{
	close_fd(&relay.client);
	relay.client_eof = false;
}

/* Show what stream S of the container wrote, N bytes at BUF, to the user. The user's terminal
 * or pipe may be gone (closed): the log is kept all the same. */
static void show(int s, const char *buf, size_t n)
{
	if (relay.user_out[s] >= 0)
		write_all(relay.user_out[s], buf, n);
	for (size_t at = 0; relay.client >= 0 && at < n; at += ATTACH_MAX) {
		size_t part = n - at < ATTACH_MAX ? n - at : ATTACH_MAX;
		char type = s ? ATTACH_STDERR : ATTACH_STDOUT;
		if (attach_send(relay.client, type, buf + at, part) < 0)
			drop_client();
	}
}

/* Read one chunk from stream S, show it, and log it. */
static void read_chunk(int s)
{
	ssize_t n = read(relay.in[s], relay.chunk, sizeof relay.chunk);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	/* A pty's master reads EIO, not EOF, once no process holds its slave any more. */
	if (n < 0 && errno == EIO && relay.tty)
		n = 0;
	if (n <= 0) { /* the end: every writer has closed it (or it failed) */
		if (n < 0)
			warn_errno("read the container's %s", s ? "stderr" : "stdout");
		close_fd(&relay.in[s]);
		return;
	}
	show(s, relay.chunk, n);
	if (!relay.path)
		return;
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

/* Write what the user typed into the container's stdin, as much as it takes now; the rest
 * waits for poll() to say it can take more. Once the user's input has ended and all is
 * written, a pipe is closed: the container reads its end. */
static void write_input(void)
{
	while (relay.to >= 0 && relay.input_pos < relay.input_len) {
		ssize_t w = write(relay.to, relay.input + relay.input_pos,
				  relay.input_len - relay.input_pos);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		/* EPIPE: the container closed its stdin (SIGPIPE is blocked); EIO: its pty is
		 * gone. What the user types from now on goes nowhere. */
		if (w < 0)
			close_fd(&relay.to);
		else
			relay.input_pos += w;
	}
	relay.input_len = relay.input_pos = 0;
	if (relay.input_ended && !relay.tty)
		close_fd(&relay.to);
}

/* N bytes the user typed, in relay.input: for the container's stdin, if it has one. */
static void take_input(size_t n)
{
	relay.input_len = relay.to >= 0 ? n : 0;
	relay.input_pos = 0;
	write_input();
}

/* mydocker's stdin has something, or its end. Its end ends the container's stdin, as it does
 * for `docker run -i`; with a pty the user ends input with Ctrl-D, which the pty reads. */
static void read_user(void)
{
	ssize_t n = read(relay.user_in, relay.input, sizeof relay.input);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		take_input(n);
		return;
	}
	relay.user_in = -1; /* mydocker's own: not closed */
	relay.input_ended = true;
	write_input();
}

/* A message from the attach client (attach.h): what the user typed, or the size of the user's
 * terminal. Its end (0) is the end of its input (shutdown) or the client's (close, detach):
 * the container's stdin stays open for the next client, as Docker keeps it. */
static void read_client(short revents)
{
	char msg[1 + ATTACH_MAX];
	ssize_t n = recv(relay.client, msg, sizeof msg, MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (n < 0 || (revents & POLLHUP))
			drop_client();
		else
			relay.client_eof = true;
		return;
	}
	if (msg[0] == ATTACH_INPUT) {
		memcpy(relay.input, msg + 1, n - 1);
		take_input(n - 1);
	} else if (msg[0] == ATTACH_SIZE && n == 1 + sizeof(struct winsize) && relay.tty &&
		   relay.in[0] >= 0) {
		struct winsize ws;
		memcpy(&ws, msg + 1, sizeof ws);
		tty_set_size(relay.in[0], &ws);
	}
}

/* Is an attach client attached? One at a time (attach.c turns others away). */
bool relay_attached(void)
{
	return relay.client >= 0;
}

/* SOCK, an attach client's socket, is the user from now on. */
void relay_attach(int sock)
{
	relay.client = sock;
	relay.client_eof = false;
}

/* The user's terminal FD changed its size (SIGWINCH): so does the container's pty. */
void relay_resize_from(int fd)
{
	if (relay.tty && relay.in[0] >= 0)
		tty_copy_size(fd, relay.in[0]);
}

/* The container's output descriptors, into P (none while a write to the log waits to be
 * tried again). Returns how many. */
static int output_poll(struct pollfd *p)
{
	int n = 0;
	for (int s = 0; s < 2 && !relay.stalled; s++)
		if (relay.in[s] >= 0)
			p[n++] = (struct pollfd){ .fd = relay.in[s], .events = POLLIN };
	return n;
}

/* The descriptors supervise() waits on, into P (at most RELAY_POLL_MAX), and how long it may
 * wait: -1 for ever, or 100 ms until the next try of a waiting write. Returns how many. While
 * the container has not taken all the user typed, the relay waits for it to, not for more. */
int relay_poll(struct pollfd *p, int *timeout)
{
	int n = output_poll(p);
	bool waiting = relay.input_pos < relay.input_len;
	*timeout = relay.stalled ? 100 : -1;
	if (waiting)
		p[n++] = (struct pollfd){ .fd = relay.to, .events = POLLOUT };
	else if (relay.user_in >= 0)
		p[n++] = (struct pollfd){ .fd = relay.user_in, .events = POLLIN };
	/* A client is watched even when it is not read from: POLLHUP says it has gone. */
	if (relay.client >= 0)
		p[n++] = (struct pollfd){ .fd = relay.client,
					  .events = waiting || relay.client_eof ? 0 : POLLIN };
	return n;
}

/* After poll(): try the waiting write to the log again, then act on what the N descriptors of
 * P reported. */
void relay_ready(const struct pollfd *p, int n)
{
	if (relay.stalled)
		write_waiting();
	for (int i = 0; i < n; i++) {
		int fd = p[i].fd;
		if (!p[i].revents)
			continue;
		if ((fd == relay.in[0] || fd == relay.in[1]) && !relay.stalled)
			read_chunk(fd == relay.in[0] ? 0 : 1);
		else if (fd == relay.to)
			write_input();
		else if (fd == relay.user_in)
			read_user();
		else if (fd == relay.client && p[i].events)
			read_client(p[i].revents);
		else if (fd == relay.client)
			drop_client(); /* gone while not read from */
	}
}

/* Once the container has exited: read to the end of its output (every writer is gone with
 * its PID namespace), then close the log and its stdin. An exit is not kept waiting for ever:
 * ten seconds without an end of the output, or of a failing write, and what is left is given
 * up, said. An attach client stays, for relay_exit(). */
void relay_drain(void)
{
	for (int stalls = 0; stalls < 100;) {
		struct pollfd p[2];
		int n = output_poll(p);
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
	close_fd(&relay.to);
	close_fd(&relay.log);
}

/* The container ended with CODE: an attached client is told, and let go. */
void relay_exit(int code)
{
	char text[16];
	int n = snprintf(text, sizeof text, "%d", code);
	if (relay.client >= 0)
		attach_send(relay.client, ATTACH_EXIT, text, n);
	drop_client();
}
