/* ps.h: `mydocker ps`, and the text of its columns in Docker's words.
 *
 * Interface: cmd_ps() is the command; human_duration() and command_column() are the pure
 * parts, kept apart so the unit tests can check them against Docker's output. */
#ifndef MYDOCKER_PS_H
#define MYDOCKER_PS_H

#include <stdbool.h>
#include <stddef.h>

void human_duration(double seconds, char *buf, size_t size);
char *command_column(char **argv, bool trunc);
int cmd_ps(int argc, char **argv);

#endif
