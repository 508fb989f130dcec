/* container.h: the container object. struct run_opts is what the user asked for; struct
 * container is what `mydocker run` made of it: every resource a container holds is a field
 * here. run.c builds it, start.c starts and supervises its first process, init.c is that
 * process, and lifecycle.c takes it down again. */
#ifndef MYDOCKER_CONTAINER_H
#define MYDOCKER_CONTAINER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"

/* A container ID: random hex digits, as Docker's short IDs. */
#define ID_LEN 12

/* Everything `mydocker run` was asked to do. */
struct run_opts {
	bool interactive;     /* -i: keep stdin attached to the container */
	bool tty;	      /* -t: the container shares mydocker's terminal */
	const char *hostname; /* -h: hostname inside the new UTS namespace */
	struct limits limits; /* -m, --cpu-shares, --cpus, --cpuset-cpus, --pids-limit */
	char **argv;	      /* the command and its arguments */
};

/* One container while mydocker runs it. */
struct container {
	const struct run_opts *opts; /* what it was asked to be */
	char id[ID_LEN + 1];	     /* names its cgroup */
	pid_t pid;		     /* its first process; 0 before it starts and once reaped */
	struct cgroup cgroup;	     /* its limits; no directories until cgroup_create() */
	sigset_t sigmask;	     /* mydocker's signal mask before run blocked signals */
};

/* A container with nothing made yet, for the options O. */
#define CONTAINER_EMPTY(o)                                                                         \
	{                                                                                          \
		.opts = (o)                                                                        \
	}

#endif
