/* tty.c: the container's own pty and the user's terminal around it (tty.h says why).
 *
 *   user's terminal (raw) <--mydocker: relay.c--> pty master | pty slave = the container's
 *                                                           | stdin, stdout, stderr, /dev/tty
 *
 * The slave's line discipline does for the container what the user's terminal did before:
 * echo, line editing, Ctrl-C into SIGINT for its foreground process group. The user's terminal
 * is put in raw mode meanwhile, so that it passes every byte through instead of doing the same
 * a second time. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "tty.h"
#include "util.h"

/* In the container, in a process that has just called setsid() (a session leader with no
 * controlling terminal): open a new pty from the container's own devpts (/dev/ptmx is its
 * pts/ptmx, rootfs.c), make its slave this process's controlling terminal and its stdin,
 * stdout and stderr. Returns the master (close-on-exec), with the slave's name (/dev/pts/N,
 * in the container) in SLAVE_NAME; or -1 with errno, and *WHAT naming the step that failed. */
int tty_take_pty(char *slave_name, size_t size, const char **what)
{
	int slave = -1, err;
	*what = "open /dev/ptmx";
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -1;
	/* A new pty's slave is locked until its master's owner unlocks it. */
	*what = "unlock the pty";
	if (unlockpt(master) < 0 || ptsname_r(master, slave_name, size) != 0)
		goto fail;
	/* TIOCGPTPEER opens the slave of exactly this master, with no path to look up that a
	 * process of the container could have replaced (exec runs beside them). */
	*what = "open the pty's slave";
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		goto fail;
	*what = "make the pty the controlling terminal";
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		goto fail;
	/* Its size is that of the terminal on stdin, if stdin still is the user's (a detached
	 * container's is not): the command starts with the right one. */
	tty_copy_size(STDIN_FILENO, slave);
	*what = "make the pty stdin, stdout and stderr";
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			goto fail;
	close(slave);
	return master;
fail:
	err = errno;
	close_fd(&slave);
	close(master);
	errno = err;
	return -1;
}

/* Put terminal FD in raw mode, its settings before that saved in SAVED for tty_restore(): no
 * echo, no line editing, no signals from keys, no output processing; each byte as it comes. */
int tty_raw(int fd, struct termios *saved)
{
	struct termios raw;
	if (tcgetattr(fd, saved) < 0)
		return -1;
	raw = *saved;
	cfmakeraw(&raw);
	return tcsetattr(fd, TCSANOW, &raw);
}

/* Give terminal FD back the settings tty_raw() saved. TCSADRAIN: what was written to it is
 * shown first, in the mode it was written for. */
void tty_restore(int fd, const struct termios *saved)
{
	while (tcsetattr(fd, TCSADRAIN, saved) < 0 && errno == EINTR)
		;
}

/* Give the pty the size WS: the kernel sends SIGWINCH to its foreground process group, so a
 * shell or an editor in the container redraws for it. */
int tty_set_size(int pty, const struct winsize *ws)
{
	return ioctl(pty, TIOCSWINSZ, ws);
}

/* Give the pty the size of terminal FROM (the user's). */
int tty_copy_size(int from, int pty)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) < 0)
		return -1;
	return tty_set_size(pty, &ws);
}
