/* run.h: the `mydocker run` command.
 *
 * Interface: cmd_run() is the command. start_container() and supervise() are the two halves
 * of a container's life that a detached container's monitor (monitor.c) runs in its own
 * process: start the command of a container made on disk, then wait for its end. */
#ifndef MYDOCKER_RUN_H
#define MYDOCKER_RUN_H

#include <signal.h>

#include "container.h"
#include "state.h"

/* Run a command in a new container and return its exit status (125 for mydocker's own errors). */
int cmd_run(int argc, char **argv);
int start_container(struct container *c, struct state *st);
int supervise(struct container *c, const sigset_t *handled);

#endif
