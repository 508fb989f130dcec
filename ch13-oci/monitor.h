/* monitor.h: the process that supervises a detached container (what conmon is for Podman).
 *
 * Interface: monitor_start() is called by `run -d` once the container exists on disk (name,
 * cgroup, layer, records) and with run's signals blocked. It returns the exit status for the
 * user: 0 once the command runs (the ID has been printed), or the start failure's code after
 * everything is removed again. The monitor itself lives on until the container exits; then
 * its cgroup goes and its directory (layer, records, logs) and name stay; with --rm they go
 * too, once the exit is recorded. */
#ifndef MYDOCKER_MONITOR_H
#define MYDOCKER_MONITOR_H

#include <signal.h>

#include "container.h"

int monitor_start(struct container *c, const sigset_t *handled);

#endif
