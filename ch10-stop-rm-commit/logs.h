/* logs.h: a detached container's output, one file per stream in its directory.
 *
 * Interface: logs_create() makes the empty files when the container is created;
 * logs_attach() runs in the container's init and makes fd 1 and fd 2 those files;
 * cmd_logs() is `mydocker logs`. */
#ifndef MYDOCKER_LOGS_H
#define MYDOCKER_LOGS_H

#include <sys/types.h>

int logs_create(const char *dir);
int logs_attach(const char *dir);
off_t tail_start(int fd, long long lines);
int cmd_logs(int argc, char **argv);

#endif
