/* tty.h: a terminal of the container's own (ch12), and the user's terminal while mydocker
 * relays to it (tty.c).
 *
 * Until ch11, `run -t` handed the container the user's own terminal. Whatever holds a terminal
 * can push bytes into its input with the TIOCSTI ioctl, as if the user had typed them: a
 * process in the container could type a command into the user's shell, to be run on the host
 * once the container exits. So, as runc and Docker do, the container gets a pseudo-terminal
 * (pty) of its own, from the devpts instance mounted at its /dev/pts (rootfs.c): its processes
 * hold only the pty's slave end; mydocker holds the master and copies bytes between it and the
 * user's terminal (relay.c), which the container never touches.
 *
 * Interface: tty_take_pty(), in the container (init, exec's child): a new pty, made this
 * process's controlling terminal and its stdin, stdout and stderr; the master is returned, for
 * the supervisor. tty_raw() and tty_restore(), in mydocker: the user's terminal in raw mode
 * while it is relayed (every key, Ctrl-C too, goes to the container's pty, whose own line
 * discipline does what a terminal does), and as it was afterwards. tty_copy_size(): the user's
 * terminal's size onto the pty, at the start and on every SIGWINCH; tty_set_size(): a size
 * an attach client sent (attach.h). */
#ifndef MYDOCKER_TTY_H
#define MYDOCKER_TTY_H

#include <stddef.h>
#include <sys/ioctl.h>
#include <termios.h>

int tty_take_pty(char *slave_name, size_t size, const char **what);
int tty_raw(int fd, struct termios *saved);
void tty_restore(int fd, const struct termios *saved);
int tty_set_size(int pty, const struct winsize *ws);
int tty_copy_size(int from, int pty);

#endif
