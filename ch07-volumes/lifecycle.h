/* lifecycle.h: taking a container down again (lifecycle.c).
 *
 * Interface: container_destroy() releases every resource a container holds (container.h).
 * It accepts a container built only half way (a field not made yet is left alone) and can be
 * called twice, so every way out of `run` ends in that one call.
 * container_reaper() starts the reaper (reaper.c), which does it if mydocker dies. */
#ifndef MYDOCKER_LIFECYCLE_H
#define MYDOCKER_LIFECYCLE_H

#include "container.h"

void container_destroy(struct container *c);
int container_reaper(struct container *c);

#endif
