/* rm.h: the `mydocker rm` command: a container that has ended is removed with
 * container_teardown() (lifecycle.c), under its lock. */
#ifndef MYDOCKER_RM_H
#define MYDOCKER_RM_H

int cmd_rm(int argc, char **argv);

#endif
