/* die.h: error reporting shared by every chapter. A message is one line on stderr that starts
 * with "mydocker CMD: " once main() has said which command runs (report_command), else with
 * "mydocker: ". Callers write only what went wrong; the prefix is made here, in one place. */
#ifndef MYDOCKER_DIE_H
#define MYDOCKER_DIE_H

/* Exit status for errors of mydocker itself, as Docker uses it (125). */
#define EXIT_RUNTIME 125

/* The exit status of die() and die_errno(): EXIT_RUNTIME unless a command says otherwise
 * (runc's commands exit 1, ch13). */
extern int die_status;

/* Every message from now on (also in the processes this one forks) names command NAME. */
void report_command(const char *name);

void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
