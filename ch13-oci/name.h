/* name.h: container names. A name is reserved by creating <root>/names/NAME, a symbolic
 * link whose target is the container's ID: symlink(2) either creates it or fails with EEXIST,
 * so of two containers asking for one name at the same instant exactly one gets it.
 *
 * Interface: name_reserve() before the container is created (a NULL name asks for a generated
 * one; a name taken returns its owner, for the caller to judge); name_release() frees every
 * name of a container that is removed; name_resolve() for lookups. */
#ifndef MYDOCKER_NAME_H
#define MYDOCKER_NAME_H

#include <stdbool.h>

bool valid_name(const char *name);
char *name_reserve(const char *root, const char *wanted, const char *id, char **owner);
void name_release(const char *root, const char *id);
char *name_resolve(const char *root, const char *name);

#endif
