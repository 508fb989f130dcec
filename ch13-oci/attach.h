/* attach.h: `mydocker attach` (ch12): the user's terminal connected to a detached container
 * (`run -dit` or `run -di`), whose monitor holds its pty or stdin pipe and its output (relay.c).
 *
 * The monitor listens on a Unix socket in the container's directory,
 * <root>/containers/ID/attach.sock, mode 0600 (root only, as every command). It is a
 * SOCK_SEQPACKET socket: each message arrives whole, so a message is one byte saying what it
 * is, then what it carries:
 *
 *   client -> monitor   ATTACH_INPUT  bytes the user typed, for the container's stdin
 *                       ATTACH_SIZE   a struct winsize: the user's terminal's size
 *   monitor -> client   ATTACH_STDOUT, ATTACH_STDERR  bytes the container wrote
 *                       ATTACH_EXIT   the container's exit code, in decimal: the last message
 *                       ATTACH_BUSY   why the monitor turns this client away
 *
 * at most ATTACH_MAX bytes after the type byte. A client detaches by closing the socket; the
 * end of its stdin it says with shutdown(SHUT_WR), and still gets the output. One client at a
 * time: a second one is turned away while one is attached.
 *
 * Interface: the monitor calls attach_listen() once the container runs, supervise() (start.c)
 * calls attach_accept() when the socket has a client, and the monitor attach_close() once the
 * container has exited. attach_send() sends one message. cmd_attach() is the command. */
#ifndef MYDOCKER_ATTACH_H
#define MYDOCKER_ATTACH_H

#include <stddef.h>

#define ATTACH_SOCKET "attach.sock"
#define ATTACH_MAX    4096

enum {
	ATTACH_INPUT = 'i',
	ATTACH_SIZE = 'w',
	ATTACH_STDOUT = 'o',
	ATTACH_STDERR = 'e',
	ATTACH_EXIT = 'x',
	ATTACH_BUSY = '!',
};

int attach_send(int sock, char type, const void *buf, size_t len);
int attach_listen(int dir_fd);
void attach_accept(int listen_fd);
void attach_close(int dir_fd, int *listen_fd);
int cmd_attach(int argc, char **argv);

#endif
