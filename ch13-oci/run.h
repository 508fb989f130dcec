/* run.h: the `mydocker run` command. */
#ifndef MYDOCKER_RUN_H
#define MYDOCKER_RUN_H

/* Run a command in a new container and return its exit status (125 for mydocker's own errors). */
int cmd_run(int argc, char **argv);

#endif
