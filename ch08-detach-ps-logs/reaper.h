/* reaper.h: cleanup that survives a killed mydocker (see reaper.c).
 *
 * Interface: start_reaper() forks the reaper once the container's cgroup exists and BEFORE
 * the pipes to init are made, so the reaper holds no end of them (it would keep init's
 * command pipe from reaching EOF). stop_reaper(), called by container_destroy() after
 * everything else is released, tells it to exit without doing anything. kill_cgroup() is the
 * reaper's way to find a container's processes without being their parent; the teardown of
 * a container whose supervisor died (container.c) uses it too. */
#ifndef MYDOCKER_REAPER_H
#define MYDOCKER_REAPER_H

#include "container.h"

int start_reaper(struct container *c);
void stop_reaper(struct container *c);
int kill_cgroup(struct cgroup *cg);

#endif
