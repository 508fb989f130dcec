/* logs.h: `mydocker logs` (logs.c), which reads a container's log back (relay.h).
 *
 * Interface: cmd_logs() is the command; tail_start() finds where `--tail N` starts in one log
 * file. */
#ifndef MYDOCKER_LOGS_H
#define MYDOCKER_LOGS_H

#include <stdbool.h>
#include <sys/types.h>

off_t tail_start(int fd, long long *want, bool last);
int cmd_logs(int argc, char **argv);

#endif
