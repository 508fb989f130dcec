/* freezer.h: pause every process of a container and resume them, with the cgroup freezer, as
 * `docker commit` does by default (its --pause) while it archives a container's filesystem.
 * A frozen process holds still: it cannot create, write or delete a file while tar reads the
 * tree, so the archive is one moment of the container, and tar does not fail on a file that
 * changed or vanished under it.
 *
 * cgroup v1 has a controller of its own for it, "freezer" (cgroup_v1.c puts every container
 * into a freezer cgroup for this): FROZEN or THAWED written to freezer.state. cgroup v2 has it
 * in every cgroup: 1 or 0 written to cgroup.freeze, and cgroup.events says "frozen 1" once
 * every process has stopped. Either way the write only asks; freezer_freeze() waits until the
 * kernel says the processes are frozen, for a bounded time.
 *
 * Interface: freezer_freeze() finds the container's freezer among its cgroup directories and
 * freezes it; freezer_thaw() resumes it, and must be called on every path
 * after a freeze, error paths included (it does nothing if nothing is frozen, also with a
 * struct freezer that is all zero and never went through freezer_freeze()). If mydocker
 * dies in between, even by SIGKILL, a guard process it started thaws the container. */
#ifndef MYDOCKER_FREEZER_H
#define MYDOCKER_FREEZER_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"

struct freezer {
	char *dir;    /* the cgroup directory that is frozen: v1's freezer one, or v2's only one */
	bool v2;      /* cgroup.freeze and cgroup.events (v2), or freezer.state (v1) */
	int lock_fd;  /* DIR, flock()ed while frozen: one freezer of a container at a time */
	int guard_fd; /* the write end of the guard's pipe */
	pid_t guard;  /* the process that thaws the container if mydocker dies */
};

/* Freeze container ID (its cgroup is found from the ID: cgroup_find). WHAT starts each error
 * message, such as "commit: container web". Returns 0 once every process of it is frozen; -2, printing
 * nothing, if its cgroup is gone (the container has exited); -1 after printing why, with
 * nothing left frozen. */
int freezer_freeze(struct freezer *fz, const char *id, const char *what);

/* Thaw what freezer_freeze() froze and release it; nothing if nothing is frozen. Returns 0,
 * or -1 after printing why (the guard then tries once more). */
int freezer_thaw(struct freezer *fz, const char *what);

#endif
