/* pipe.h: the two pipes between mydocker and the container's init (the format is in pipe.c).
 *
 * Interface: the parent sends the command with send_command() and closes the pipe: that EOF
 * is init's start signal. Init either reaches execve, which closes the close-on-exec error
 * pipe, or reports with report_failure(); the parent learns which from receive_failure(). */
#ifndef MYDOCKER_PIPE_H
#define MYDOCKER_PIPE_H

int send_command(int fd, char **argv);
char **receive_command(int fd);
void report_failure(int fd, int code, int err, const char *what) __attribute__((noreturn));
int receive_failure(int fd);

extern int failure_fd;
void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
