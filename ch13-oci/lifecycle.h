/* lifecycle.h: a container's life (lifecycle.c): the lock, the states and the teardown.
 *
 * Interface: container_create() makes everything a container holds, its locked directory
 * first; container_exited() records how it ended; container_destroy() releases whatever this
 * process made, once, however far it got (a container that never ran is removed whole, one that
 * ran stays as Exited), and container_forget() only this process's copy, for `run -d` once the
 * monitor has it. For later commands: container_lock() takes a container's lock,
 * container_abandoned() finishes the work of a supervisor that died (under the lock), and
 * container_teardown() removes a container from its ID alone. container_reaper() starts the
 * reaper (reaper.c), which finishes the container if mydocker dies. */
#ifndef MYDOCKER_LIFECYCLE_H
#define MYDOCKER_LIFECYCLE_H

#include <stdbool.h>

#include "container.h"

struct state;

int container_create(struct container *c);
int container_create_bundle(struct container *c, const char *id);
int container_exited(struct container *c, struct state *st, int code);
void container_destroy(struct container *c);
int container_reaper(struct container *c);
void container_forget(struct container *c);

int container_lock(const char *root, const char *id);
bool container_lock_busy(const char *root, const char *id);
int container_abandoned(const char *root, const char *id);
int container_teardown(const char *root, const char *id);

#endif
