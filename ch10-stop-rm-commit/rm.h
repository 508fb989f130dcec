/* rm.h: the `mydocker rm` command, and the removal of a container that has ended.
 *
 * Interface: container_remove() deletes container ID's directory (records, logs, layer) and
 * then frees its NAME. The directory is first renamed out of sight in one step, so of two
 * removers at once (rm and the monitor of a `run -d --rm` container) exactly one removes it
 * and the other finds nothing to do; a container is never seen half removed. Call it only
 * once the container's first process is gone and its cgroup removed. Returns 0, or -1 after
 * printing why (CMD: ...). */
#ifndef MYDOCKER_RM_H
#define MYDOCKER_RM_H

int container_remove(const char *root, const char *id, const char *name, const char *cmd);
int cmd_rm(int argc, char **argv);

#endif
