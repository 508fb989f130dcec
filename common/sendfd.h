/* sendfd.h: handing an open descriptor to another process over a Unix socket (SCM_RIGHTS),
 * with a small fixed-size message beside it. Plumbing, no container concept. */
#ifndef MYDOCKER_SENDFD_H
#define MYDOCKER_SENDFD_H

#include <stddef.h>

/* Send the LEN bytes at BUF on SOCK, with descriptor FD attached unless FD is -1: the receiver
 * gets a descriptor of its own for the same open file. 0, or -1 with errno. */
int send_fd(int sock, const void *buf, size_t len, int fd);

/* Receive what send_fd() sent: LEN bytes into BUF, and into *FD the descriptor attached
 * (close-on-exec), or -1 if none was. 0, or -1 with errno (EPIPE: the sender closed its end
 * without sending the whole message). */
int recv_fd(int sock, void *buf, size_t len, int *fd);

#endif
