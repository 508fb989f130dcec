/* attach.c: `mydocker attach` and the monitor's side of it (attach.h says what travels).
 *
 *   user's terminal (raw) <-> mydocker attach <-attach.sock-> monitor (relay.c) <-> pty master
 *
 * The client never gets the container's pty or pipes, only messages: the monitor keeps them,
 * and the log, whether a client is attached or not. Ctrl-P Ctrl-Q (Docker's keys) detaches:
 * the client closes its socket, and the container goes on. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "attach.h"
#include "die.h"
#include "image.h"
#include "opts.h"
#include "privs.h"
#include "relay.h"
#include "state.h"
#include "tty.h"
#include "util.h"

#define ATTACH_USAGE "mydocker attach CONTAINER"

static const char attach_help[] =
    "Usage: " ATTACH_USAGE "\n"
    "\n"
    "Connect this terminal to a running container started with -d and -t or -i: what it\n"
    "writes is shown here, what is typed here goes to its stdin. Ctrl-P Ctrl-Q detaches and\n"
    "leaves it running; if it exits meanwhile, attach exits with its exit code. One attach\n"
    "at a time per container.\n"
    "\n"
    "Options:\n"
    "      --help             print this help\n";

/* Docker's default detach keys. */
#define CTRL_P 0x10
#define CTRL_Q 0x11

/* Send one message: TYPE, then the LEN bytes at BUF. 0, or -1 with errno. */
int attach_send(int sock, char type, const void *buf, size_t len)
{
	struct iovec iov[2] = { { .iov_base = &type, .iov_len = 1 },
				{ .iov_base = (void *)buf, .iov_len = len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;
	/* MSG_NOSIGNAL: a peer that is gone is an EPIPE, not a SIGPIPE. */
	while ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n < 0 ? -1 : 0;
}

/* The socket's address, through the container's directory DIR_FD: sun_path holds 108 bytes,
 * and <root>/containers/ID/attach.sock alone may be longer (the ID is 64 digits). */
static void socket_address(struct sockaddr_un *addr, int dir_fd)
{
	*addr = (struct sockaddr_un){ .sun_family = AF_UNIX };
	snprintf(addr->sun_path, sizeof addr->sun_path, "/proc/self/fd/%d/" ATTACH_SOCKET, dir_fd);
}

/* The monitor: listen on attach.sock in the container's directory DIR_FD. Returns the
 * listening socket, or -1 (said). */
int attach_listen(int dir_fd)
{
	struct sockaddr_un addr;
	socket_address(&addr, dir_fd);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	/* The mode of a socket's file is its inode's when it is bound (less the umask): set
	 * first, the file is never there with a wider one. */
	if (fd < 0 || fchmod(fd, 0600) < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    listen(fd, 4) < 0) {
		warn_errno("listen on %s", ATTACH_SOCKET);
		close_fd(&fd);
	}
	return fd;
}

/* The monitor: a client is at the listening socket. It becomes the user (relay.c), unless
 * another one is. */
void attach_accept(int listen_fd)
{
	static const char busy[] = "another client is attached to the container";
	int sock = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (sock < 0)
		return; /* gone before it was taken */
	if (relay_attached()) {
		attach_send(sock, ATTACH_BUSY, busy, strlen(busy));
		close(sock);
		return;
	}
	/* A client that does not take the output within 5 s is let go (relay.c): the monitor
	 * must not be held up for ever by a terminal that was stopped. */
	struct timeval limit = { .tv_sec = 5 };
	setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
	relay_attach(sock);
}

/* The monitor, once the container has exited: nobody can attach any more. */
void attach_close(int dir_fd, int *listen_fd)
{
	if (*listen_fd < 0)
		return;
	close_fd(listen_fd);
	if (unlinkat(dir_fd, ATTACH_SOCKET, 0) < 0)
		warn_errno("remove %s", ATTACH_SOCKET);
}

/* --- The client --------------------------------------------------------------------------- */

/* The client's state: its socket, and the user's terminal while it is in raw mode. */
static struct {
	int sock;
	bool raw; /* stdin is a terminal in raw mode, saved in `saved` */
	struct termios saved;
	bool ctrl_p; /* the last key was Ctrl-P: is Ctrl-Q next? */
	bool tty;    /* the container has a pty: the detach keys work */
} client = { .sock = -1 };

/* Connect to the monitor of the container NAME (its record R). Returns the socket, or -1 with
 * the reason said. */
static int connect_monitor(const struct record *r, const char *name)
{
	int dir = open(r->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		warn_errno("open %s", r->dir);
		return -1;
	}
	struct sockaddr_un addr;
	socket_address(&addr, dir);
	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	int rc = sock < 0 ? -1 : connect(sock, (struct sockaddr *)&addr, sizeof addr);
	int err = errno;
	close(dir);
	if (rc == 0)
		return sock;
	if (err == ENOENT)
		warn("container %s cannot be attached: only one started with -d and -t or -i can",
		     name);
	else if (err == ECONNREFUSED)
		warn("container %s is not running", name);
	else
		warn_errno("connect to the monitor of container %s", name);
	close_fd(&sock);
	return -1;
}

/* The user's terminal's size, to the monitor (for the container's pty). */
static void send_size(void)
{
	struct winsize ws;
	if (client.tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		attach_send(client.sock, ATTACH_SIZE, &ws, sizeof ws);
}

/* What the user typed, N bytes in BUF, to the container, the detach keys taken out. Returns 1
 * when they were typed (what came before them is sent), 0 otherwise, -1 if the monitor is
 * gone. Ctrl-P followed by another key is sent as typed. */
static int send_input(const char *buf, size_t n)
{
	char out[2 * ATTACH_MAX]; /* each key, and a Ctrl-P held back before it */
	size_t len = 0;
	int detach = 0;
	for (size_t i = 0; i < n && !detach; i++) {
		unsigned char key = buf[i];
		if (client.tty && client.ctrl_p && key == CTRL_Q) {
			detach = 1;
			continue;
		}
		if (client.ctrl_p)
			out[len++] = CTRL_P;
		client.ctrl_p = client.tty && key == CTRL_P;
		if (!client.ctrl_p)
			out[len++] = key;
	}
	for (size_t at = 0; at < len; at += ATTACH_MAX)
		if (attach_send(client.sock, ATTACH_INPUT, out + at,
				len - at < ATTACH_MAX ? len - at : ATTACH_MAX) < 0)
			return -1;
	return detach;
}

/* A message from the monitor: output is shown; returns -1 to go on, or the exit code of
 * attach once the monitor says the container exited or turns the client away. */
static int take_message(const char *msg, ssize_t n)
{
	char text[ATTACH_MAX + 1];
	long long code;
	if (n <= 0) {
		/* The monitor went without saying how the container ended (killed). */
		warn("the monitor of the container has gone");
		return EXIT_RUNTIME;
	}
	snprintf(text, sizeof text, "%.*s", (int)(n - 1), msg + 1);
	switch (msg[0]) {
	case ATTACH_STDOUT:
	case ATTACH_STDERR:
		write_all(msg[0] == ATTACH_STDOUT ? STDOUT_FILENO : STDERR_FILENO, msg + 1, n - 1);
		return -1;
	case ATTACH_EXIT:
		return parse_long(text, -1, 255, &code) < 0 ? EXIT_RUNTIME : (int)(code & 0xff);
	case ATTACH_BUSY:
		warn("%s", text);
		return EXIT_RUNTIME;
	default:
		return -1;
	}
}

/* Relay between the user and the monitor until the container exits (its code), the user
 * detaches (1, as Docker), or a signal ends attach (128+S). */
static int relay_loop(int sfd)
{
	static char msg[1 + ATTACH_MAX];
	char buf[ATTACH_MAX];
	int in = STDIN_FILENO;
	for (;;) {
		struct pollfd p[3] = { { .fd = sfd, .events = POLLIN },
				       { .fd = client.sock, .events = POLLIN },
				       { .fd = in, .events = POLLIN } };
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			warn_errno("poll");
			return EXIT_RUNTIME;
		}
		if (p[0].revents) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) != sizeof si)
				continue;
			if (si.ssi_signo != SIGWINCH)
				return 128 + si.ssi_signo;
			send_size();
		}
		if (p[1].revents) {
			ssize_t n = recv(client.sock, msg, sizeof msg, 0);
			if (n < 0 && errno == EINTR)
				continue;
			int code = take_message(msg, n);
			if (code >= 0)
				return code;
		}
		if (p[2].revents) {
			ssize_t n = read(in, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				/* The end of the user's input; the output still comes. */
				shutdown(client.sock, SHUT_WR);
				in = -1;
				continue;
			}
			int detach = send_input(buf, n);
			if (detach < 0)
				continue; /* the monitor is gone: its socket says why */
			if (detach) {
				if (client.raw)
					tty_restore(STDIN_FILENO, &client.saved);
				client.raw = false;
				fputs("read escape sequence\n", stderr);
				return 1;
			}
		}
	}
}

int cmd_attach(int argc, char **argv)
{
	no_options(argc, argv, attach_help, ATTACH_USAGE);
	if (optind != argc - 1)
		die("%s (usage: " ATTACH_USAGE ")",
		    optind < argc ? "one container at a time" : "no container given");
	require_root();
	require_safe_root();
	const char *name = argv[optind];
	char id[ID_LEN + 1];
	struct record r;
	if (record_find(state_root, name, id) < 0)
		return EXIT_NOT_FOUND;
	if (record_load(state_root, id, &r) < 0)
		die_errno("read the records of container %s", name);
	if (!record_alive(&r)) {
		warn("container %s is not running", name);
		record_free(&r);
		return EXIT_RUNTIME;
	}
	client.tty = r.tty;
	client.sock = connect_monitor(&r, name);
	record_free(&r);
	if (client.sock < 0)
		return EXIT_RUNTIME;
	/* Signals come through a signalfd, in the loop: SIGWINCH is a resize; the others end
	 * attach (the container goes on), after the terminal is given back. */
	sigset_t handled;
	sigemptyset(&handled);
	sigaddset(&handled, SIGWINCH);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGHUP);
	sigaddset(&handled, SIGQUIT);
	int sfd =
	    sigprocmask(SIG_BLOCK, &handled, NULL) < 0 ? -1 : signalfd(-1, &handled, SFD_CLOEXEC);
	if (sfd < 0) {
		warn_errno("signalfd");
		close_fd(&client.sock);
		return EXIT_RUNTIME;
	}
	/* With a pty, the user's terminal passes every key (Ctrl-C too) to the container's. */
	if (client.tty && isatty(STDIN_FILENO)) {
		if (tty_raw(STDIN_FILENO, &client.saved) < 0) {
			warn_errno("put the terminal in raw mode");
			close_fd(&sfd);
			close_fd(&client.sock);
			return EXIT_RUNTIME;
		}
		client.raw = true;
	}
	send_size();
	int code = relay_loop(sfd);
	if (client.raw)
		tty_restore(STDIN_FILENO, &client.saved);
	close_fd(&sfd);
	close_fd(&client.sock);
	return code;
}
