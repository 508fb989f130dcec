/* state.h: a container's records on disk, the files that let it outlive the command that
 * started it. Every container has a directory under the state root:
 *
 *   <root>/containers/ID/config.json   written once, at creation: what was asked for
 *   <root>/containers/ID/state.json    rewritten at every change: created, running, exited
 *   <root>/containers/ID/ctr.log       what the container wrote (relay.c), unless it ran with -t
 *   <root>/containers/ID/{upper,work,merged}   its overlayfs layer (image.c)
 *
 * Interface: record_create() once, when the container is made; state_set_running() and
 * state_set_exited() by whoever supervises it (the monitor, or mydocker in the foreground).
 * Every write is atomic: a reader sees the old file or the new one, never half. For the
 * commands that read them: record_find() turns what the user typed into an ID,
 * record_load() reads both files into a struct record, record_alive() says whether the
 * container's process still runs, record_refresh() reads its state again. Only the process
 * that holds a container's lock writes its state (lifecycle.c). */
#ifndef MYDOCKER_STATE_H
#define MYDOCKER_STATE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "cgroup.h"
#include "container.h"
#include "proc.h"
#include "rfc3339.h"

/* The exit status of a command given a container that does not exist (Docker's). */
#define EXIT_NOT_FOUND 1

/* The exit code of a container that died without anyone seeing how (its monitor was gone). */
#define EXIT_UNKNOWN -1

enum status { STATUS_CREATED, STATUS_RUNNING, STATUS_EXITED };

/* state.json: what is true now. */
struct state {
	enum status status;
	pid_t pid;		      /* the container's first process, as the host sees it */
	unsigned long long pid_start; /* its start time (/proc/PID/stat field 22) */
	int exit_code;		      /* once exited: N, 128+signal, or EXIT_UNKNOWN */
	struct timespec started;      /* when the command started running */
	struct timespec finished;     /* when it was seen to exit */
	pid_t monitor_pid;	      /* the process that waits for it and writes this file */
	unsigned long long monitor_start;
};

struct json_object;

/* config.json and state.json of one container, as loaded by record_load(). The strings
 * point into the parsed JSON, which record_free() releases. */
struct record {
	struct json_object *config;
	char id[ID_LEN + 1];
	char *dir; /* <root>/containers/ID */
	const char *name, *image, *lower, *hostname;
	char **argv;
	struct timespec created;
	bool detach, tty;
	struct state state;
};

char *container_dir(const char *root, const char *id);
void require_safe_root(void);
int record_create(const struct container *c);
int state_write(const char *dir, const struct state *st);
int state_set_running(const char *dir, struct state *st, pid_t pid, pid_t monitor);
int state_set_exited(const char *dir, struct state *st, int code);
int state_set_created(const char *dir, struct state *st, pid_t pid);
int record_load(const char *root, const char *id, struct record *r);
void record_free(struct record *r);
int record_list(const char *root, struct record **records, size_t *n);
int record_find(const char *root, const char *arg, char id[ID_LEN + 1]);
/* What container R may do (config.json's "security"), for exec to give its command the same.
 * The strings point into R. -1 (EINVAL) for a record without it. */
int record_security(const struct record *r, struct security *sec);

bool record_alive(const struct record *r);
int record_refresh(struct record *r);
int state_load(const char *dir, struct state *st);

bool valid_id(const char *s);

#endif
