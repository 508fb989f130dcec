/* start.h: the container's first process, from mydocker's side (start.c).
 *
 * Interface: run.c calls clone_container(), and in the child container_init() (init.c);
 * the parent then calls supervise() with the signals it handles blocked. */
#ifndef MYDOCKER_START_H
#define MYDOCKER_START_H

#include <signal.h>
#include <sys/types.h>

#include "container.h"

int supervise(struct container *c, const sigset_t *handled);
pid_t clone_container(void);

#endif
