/* rm.c: `mydocker rm [-f] CONTAINER...`, as `docker rm`: remove containers that have exited,
 * with everything they kept on disk: records, logs, their own layer (what they wrote), and
 * their name, which another container may then take. A running container is refused unless
 * -f, which kills it first (SIGKILL, no grace period, as Docker does) and waits until its
 * exit is recorded, so nothing of it is still running when its files go. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "die.h"
#include "image.h"
#include "opts.h"
#include "lifecycle.h"
#include "privs.h"
#include "reaper.h"
#include "rm.h"
#include "state.h"
#include "stop.h"
#include "util.h"

#define RM_USAGE "mydocker rm [-f] CONTAINER..."

static const char rm_help[] =
    "Usage: " RM_USAGE "\n"
    "\n"
    "Remove one or more containers that have exited: their records, logs and layer, and\n"
    "their name. CONTAINER is a name, an ID or a unique ID prefix.\n"
    "\n"
    "Options:\n"
    "  -f, --force            kill a running container (SIGKILL) and remove it\n"
    "      --help             print this help\n";

/* Take the lock of container ID, whose records cannot be read: whatever still runs in its
 * cgroup is killed until its supervisor, if any, lets go. */
static int lock_unreadable(const char *id, const char *arg)
{
	struct cgroup cg;
	cgroup_find(&cg, id);
	for (int i = 0; i < 1000; i++) {
		int lock = container_lock(state_root, id);
		if (lock >= 0 || errno != EWOULDBLOCK) {
			cgroup_free(&cg);
			return lock;
		}
		kill_cgroup(&cg);
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	cgroup_free(&cg);
	warn("container %s: its supervisor did not let go within 10 seconds", arg);
	return errno = ETIMEDOUT, -1;
}

/* Remove the container ARG names: 0, -1, or EXIT_NOT_FOUND. */
static int rm_one(const char *arg, int force)
{
	char id[ID_LEN + 1];
	struct record r;
	if (record_find(state_root, arg, id) < 0)
		return EXIT_NOT_FOUND;
	int lock;
	if (record_load(state_root, id, &r) < 0) {
		/* A record that cannot be read cannot say the container has ended: -f only. */
		if (!force && errno == ENOENT && container_lock_busy(state_root, id)) {
			warn("container %s is being created: wait for it, or use rm -f", arg);
			return -1;
		}
		if (!force) {
			warn_errno("read the records of container %s (rm -f removes it)", arg);
			return -1;
		}
		lock = lock_unreadable(id, arg);
	} else {
		if (!force && (record_alive(&r) || (r.state.status != STATUS_EXITED &&
						    container_lock_busy(state_root, id)))) {
			if (r.state.status == STATUS_CREATED)
				warn("container %s is being created: wait for it, or use rm -f",
				     arg);
			else
				warn("container %s is running: stop it first, or use rm -f", arg);
			record_free(&r);
			return -1;
		}
		lock = end_container(&r, arg, 0);
		record_free(&r);
	}
	/* No directory: removed meanwhile (by --rm), or a teardown cut short after its rename
	 * left the rest (containers/.removing-ID, the name). Finishing it is idempotent. */
	if (lock < 0)
		return errno == ENOENT ? container_teardown(state_root, id) : -1;
	int rc = container_teardown(state_root, id);
	close(lock);
	return rc;
}

int cmd_rm(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		OPT_HELP,
		{ 0 },
	};
	bool force = false;
	while (next_option(argc, argv, "f", longopts, rm_help, RM_USAGE) != -1)
		force = true; /* -f, the only option */
	if (optind >= argc)
		die("no container given (usage: " RM_USAGE ")");
	require_root();
	require_safe_root();
	return each_container(argc - optind, argv + optind, rm_one, force);
}
