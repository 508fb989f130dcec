/* stop.h: the `mydocker stop` command, and the one way any command ends a running container.
 *
 * Interface: end_container() ends the container of record R (ARG is how the user named it,
 * for messages): SIGTERM to its first process, up to TIMEOUT seconds for it to exit, then
 * SIGKILL; TIMEOUT 0 kills at once (rm -f). The process is named by a pidfd opened on the
 * recorded PID and checked against the recorded start time, so a PID the kernel has given to
 * another process since is never signalled. A container still being created is waited for.
 * It returns once the container's supervisor is gone, with the container's lock (lifecycle.c),
 * which the caller closes: the exit is then recorded (by the supervisor, or now, as unknown, if
 * the supervisor died), so a `ps -a` after it shows the exit status: 143 for a command that
 * ended on SIGTERM, 137 for SIGKILL. -1 with errno ENOENT if the container was removed
 * meanwhile (--rm), or after printing why. */
#ifndef MYDOCKER_STOP_H
#define MYDOCKER_STOP_H

#include "state.h"

/* Docker's grace period between SIGTERM and SIGKILL. */
#define STOP_TIMEOUT 10

int end_container(struct record *r, const char *arg, int timeout);

/* Wait up to MS milliseconds for the process of PIDFD to exit: 1 if it has, 0 if not yet
 * (ch13: `delete` waits with it too). */
int wait_exit(int pidfd, int ms);

/* ONE(ARG, OPT) for each of the N container arguments ARGS, as `docker stop` and `docker rm`
 * do it: every one is tried, one that fails does not keep the others from it, and each that
 * succeeded is printed. ONE returns 0, -1 (EXIT_RUNTIME) or an exit code. Returns the exit
 * code of the last failure, or 0. */
int each_container(int n, char **args, int (*one)(const char *arg, int opt), int opt);
int cmd_stop(int argc, char **argv);

#endif
