/* die.h: error reporting shared by every chapter. Messages start with "mydocker: ". */
#ifndef MYDOCKER_DIE_H
#define MYDOCKER_DIE_H

/* Exit status for errors of mydocker itself, as Docker uses it (125). */
#define EXIT_RUNTIME 125

void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
