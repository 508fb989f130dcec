/* start.h: the container's first process, from mydocker's side (start.c).
 *
 * Interface: start_container() starts the command of a container whose cgroup exists;
 * supervise() then waits for its end, with the signals it handles blocked, relaying its stdin,
 * stdout and stderr meanwhile. Both are called by mydocker in the foreground (run.c) and by a
 * detached container's monitor (monitor.c); exec (exec.c) supervises its command the same way. */
#ifndef MYDOCKER_START_H
#define MYDOCKER_START_H

#include <signal.h>

#include "container.h"
#include "state.h"

int supervise(pid_t pid, const sigset_t *handled, int attach_fd);
int start_container(struct container *c, struct state *st);

/* ch13: a stream socket connected to the Unix socket at PATH (an engine's --console-socket);
 * -1 with errno. */
int connect_unix(const char *path);

#endif
