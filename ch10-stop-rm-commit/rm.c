/* rm.c: `mydocker rm [-f] CONTAINER...`, as `docker rm`: remove containers that have exited,
 * with everything they kept on disk: records, logs, their own layer (what they wrote), and
 * their name, which another container may then take. A running container is refused unless
 * -f, which kills it first (SIGKILL, no grace period, as Docker does) and waits until its
 * exit is recorded, so nothing of it is still running when its files go. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "die.h"
#include "image.h"
#include "name.h"
#include "privs.h"
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

int container_remove(const char *root, const char *id, const char *name, const char *cmd)
{
	char *dir = container_dir(root, id);
	char suffix[9];
	random_hex(suffix, 8);
	/* A name record_find() never matches (not 64 hex digits), in the same directory, so
	 * rename(2) moves it in one step. */
	char *trash = xasprintf("%s/containers/.removing-%s-%s", root, id, suffix);
	int rc = 0;
	if (rename(dir, trash) < 0) {
		if (errno != ENOENT) {
			warn_errno("%s: rename %s to %s", cmd, dir, trash);
			rc = -1;
		}
	} else if (remove_tree(trash) < 0) {
		warn_errno("%s: remove %s", cmd, trash);
		rc = -1;
	}
	/* Only then is the name free: a name never points to a container half removed. */
	if (rc == 0)
		name_release(root, name, id);
	free(trash);
	free(dir);
	return rc;
}

/* A foreground container is removed by its own mydocker as soon as it exits: give it the time
 * (it is alive while its record's monitor, that mydocker, runs), then remove what is left. */
static void wait_foreground(const struct record *r)
{
	for (int i = 0; i < 1000 && process_runs(r->state.monitor_pid, r->state.monitor_start); i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
}

static int rm_one(const char *arg, bool force)
{
	char id[ID_LEN + 1];
	struct record r;
	if (record_find(state_root, arg, "rm", id) < 0)
		return -1;
	if (record_load(state_root, id, &r) < 0) {
		if (errno == ENOENT)
			warn("rm: No such container: %s", arg);
		else
			warn_errno("rm: read the records of container %s", arg);
		return -1;
	}
	int rc = -1;
	if (record_reconcile(&r) < 0) {
		rc = 0; /* removed meanwhile: what rm was asked for */
		goto out;
	}
	if (record_alive(&r) && !force) {
		warn("rm: container %s is running: stop it first, or use rm -f", arg);
		goto out;
	}
	if (end_container(&r, arg, 0, "rm") < 0)
		goto out;
	if (!r.detach)
		wait_foreground(&r);
	rc = container_remove(state_root, r.id, r.name, "rm");
out:
	record_free(&r);
	return rc;
}

int cmd_rm(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'H' },
		{ 0 },
	};
	bool force = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'H':
			fputs(rm_help, stdout);
			return 0;
		default:
			die("rm: unknown option %s (usage: " RM_USAGE ")", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		die("rm: no container given (usage: " RM_USAGE ")");
	require_root("rm");
	int code = 0;
	for (int i = optind; i < argc; i++) {
		if (rm_one(argv[i], force) < 0)
			code = EXIT_RUNTIME;
		else
			printf("%s\n", argv[i]);
		fflush(stdout);
	}
	return code;
}
