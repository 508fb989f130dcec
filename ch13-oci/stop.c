/* stop.c: `mydocker stop [-t SECONDS] CONTAINER...`, as `docker stop`: SIGTERM to the
 * container's first process, a grace period, then SIGKILL.
 *
 * Why not SIGTERM alone, as the book's stop does: the first process of a PID namespace is
 * that namespace's init, and the kernel delivers to an init only the signals it has a handler
 * for. A command that never asked for SIGTERM (a shell, sleep, most programs not written to
 * be PID 1) does not die of it. Only SIGKILL and SIGSTOP sent from an ancestor namespace (the
 * host) get through regardless. So a polite request first, then the one signal that always
 * works.
 *
 * Why a pidfd: the PID in state.json names the container only as long as that process lives;
 * once it is gone the kernel may give the number to anyone. pidfd_open() takes hold of the
 * process that has the PID now; if its start time is the recorded one, the descriptor is the
 * container's for good, and pidfd_send_signal() on it can never reach another process. The
 * descriptor also becomes readable when the process exits, so poll() is the wait.
 *
 * stop does not record the exit itself: the container's monitor (or its foreground mydocker)
 * is its parent and the only one that learns the status. stop waits until it has written it. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "die.h"
#include "image.h"
#include "opts.h"
#include "lifecycle.h"
#include "privs.h"
#include "state.h"
#include "stop.h"
#include "util.h"

#define STOP_USAGE "mydocker stop [-t SECONDS] CONTAINER..."

static const char stop_help[] =
    "Usage: " STOP_USAGE "\n"
    "\n"
    "Stop one or more running containers: SIGTERM to each one's first process, then SIGKILL\n"
    "if it has not exited after the grace period. CONTAINER is a name, an ID or a unique ID\n"
    "prefix. Stopping a container that has exited already does nothing.\n"
    "\n"
    "Options:\n"
    "  -t, --timeout SECONDS  grace period before SIGKILL (default 10; 0: SIGKILL at once)\n"
    "      --help             print this help\n";

/* How long a process killed with SIGKILL may take to be gone, and its supervisor to record
 * it: the kernel first kills every other process of its PID namespace. */
#define KILL_WAIT_MS 10000

int wait_exit(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int n;
	while ((n = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	return n > 0;
}

/* SIGTERM to the first process of R, up to TIMEOUT seconds, then SIGKILL, and wait until it
 * has exited. Does nothing if the recorded process is gone already. */
static int signal_container(const struct record *r, const char *arg, int timeout)
{
	const struct state *st = &r->state;
	int pidfd = pidfd_open(st->pid, 0);
	if (pidfd < 0 && errno != ESRCH) {
		warn_errno("pidfd_open %d (container %s)", st->pid, arg);
		return -1;
	}
	/* Checked after pidfd_open: if the recorded process still has the PID now, the pidfd is
	 * that process. A zombie has exited already: only the record is still to come. */
	int rc = 0;
	if (pidfd >= 0 && process_runs(st->pid, st->pid_start)) {
		bool gone = false;
		if (timeout > 0) {
			if (pidfd_send_signal(pidfd, SIGTERM, NULL, 0) < 0 && errno != ESRCH)
				warn_errno("send SIGTERM to container %s", arg);
			gone = wait_exit(pidfd, timeout * 1000);
		}
		if (!gone && pidfd_send_signal(pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH) {
			warn_errno("send SIGKILL to container %s", arg);
			rc = -1;
		} else if (!gone && !wait_exit(pidfd, KILL_WAIT_MS)) {
			warn("container %s did not exit after SIGKILL", arg);
			rc = -1;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

int end_container(struct record *r, const char *arg, int timeout)
{
	bool signalled = false;
	for (int waited = 0; waited < KILL_WAIT_MS; waited += 10) {
		/* Its lock free: no supervisor. Whatever one left undone is finished now. */
		int lock = container_lock(state_root, r->id);
		if (lock >= 0) {
			if (container_abandoned(state_root, r->id) < 0)
				warn("container %s: its records cannot be read", arg);
			return lock;
		}
		if (errno != EWOULDBLOCK)
			return -1; /* ENOENT: removed meanwhile (by --rm) */
		/* Its supervisor is there. A container still being created is waited for; once
		 * it runs it is signalled, once. */
		if (record_refresh(r) == 0 && r->state.status == STATUS_RUNNING && !signalled) {
			if (signal_container(r, arg, timeout) < 0)
				return -1;
			signalled = true;
		}
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	warn("container %s: its supervisor did not finish within %d seconds", arg,
	     KILL_WAIT_MS / 1000);
	errno = ETIMEDOUT;
	return -1;
}

int each_container(int n, char **args, int (*one)(const char *arg, int opt), int opt)
{
	int code = 0;
	for (int i = 0; i < n; i++) {
		int rc = one(args[i], opt);
		if (rc != 0)
			code = rc < 0 ? EXIT_RUNTIME : rc;
		else
			printf("%s\n", args[i]);
		fflush(stdout);
	}
	return code;
}

/* Stop the container ARG names: 0 if it is not running now, -1 or EXIT_NOT_FOUND if not. */
static int stop_one(const char *arg, int timeout)
{
	char id[ID_LEN + 1];
	struct record r;
	if (record_find(state_root, arg, id) < 0)
		return EXIT_NOT_FOUND;
	if (record_load(state_root, id, &r) < 0) {
		if (errno == ENOENT && container_lock_busy(state_root, id))
			warn("container %s is being created: its records are not written yet", arg);
		else
			warn_errno("read the records of container %s (rm -f removes it)", arg);
		return -1;
	}
	int lock = end_container(&r, arg, timeout);
	record_free(&r);
	if (lock < 0)
		return errno == ENOENT ? 0 : -1;
	close(lock);
	return 0;
}

int cmd_stop(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "time", required_argument, NULL, 't' }, /* Docker's older name for it */
		OPT_HELP,
		{ 0 },
	};
	long long timeout = STOP_TIMEOUT;
	/* -t (--timeout, --time) is the only option. */
	while (next_option(argc, argv, ":t:", longopts, stop_help, STOP_USAGE) != -1)
		if (parse_long(optarg, 0, 24 * 3600, &timeout) < 0)
			die("invalid --timeout \"%s\" (want whole seconds, 0 to 86400)", optarg);
	if (optind >= argc)
		die("no container given (usage: " STOP_USAGE ")");
	require_root();
	require_safe_root();
	return each_container(argc - optind, argv + optind, stop_one, timeout);
}
