/* init.h: the container's first process.
 *
 * Interface: run.c clones a child into the new namespaces and calls container_init() in it.
 * It never returns: it ends in execve of the user's command, or in _exit with the status of
 * what failed (127 command not found, 126 not executable, 125 a setup step). */
#ifndef MYDOCKER_INIT_H
#define MYDOCKER_INIT_H

#include "container.h"

void container_init(struct container *c) __attribute__((noreturn));

#endif
