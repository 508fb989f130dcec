/* container.h: the container object. struct run_opts is what the user asked for; struct
 * container is what `mydocker run` made of it. run.c builds it, start.c starts and supervises
 * its first process, and init.c is that process. */
#ifndef MYDOCKER_CONTAINER_H
#define MYDOCKER_CONTAINER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* Everything `mydocker run` was asked to do. */
struct run_opts {
	bool interactive;     /* -i: keep stdin attached to the container */
	bool tty;	      /* -t: the container shares mydocker's terminal */
	const char *hostname; /* -h: hostname inside the new UTS namespace */
	char **argv;	      /* the command and its arguments */
};

/* One container while mydocker runs it. */
struct container {
	const struct run_opts *opts; /* what it was asked to be */
	pid_t pid;		     /* its first process; 0 before it starts and once reaped */
	sigset_t sigmask;	     /* mydocker's signal mask before run blocked signals */
};

#endif
