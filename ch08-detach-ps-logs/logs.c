/* logs.c: `mydocker logs`. A detached container's fd 1 and fd 2 are the files stdout.log and
 * stderr.log in its directory, opened by its init with O_APPEND before the command starts:
 * what the container writes goes straight into them through the kernel. No process copies
 * anything, so nothing is lost when the container (or its monitor) dies, and the two streams
 * stay apart: `logs` copies stdout.log to its stdout and stderr.log to its stderr, byte for
 * byte. With -f it keeps copying what is appended until the container's first process is gone. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container.h"
#include "die.h"
#include "image.h"
#include "logs.h"
#include "privs.h"
#include "state.h"
#include "util.h"

#define LOGS_USAGE "mydocker logs [-f] [--tail N] CONTAINER"

static const char logs_help[] =
    "Usage: " LOGS_USAGE "\n"
    "\n"
    "Print what a detached container wrote: its stdout to stdout, its "
    "stderr to stderr.\n"
    "\n"
    "Options:\n"
    "  -f, --follow           keep printing until the container exits\n"
    "  -n, --tail N           only the last N lines of each stream (or all)\n"
    "      --help             print this help\n";

static const char *const log_names[2] = { "stdout.log", "stderr.log" };

int logs_create(const char *dir)
{
	for (int i = 0; i < 2; i++) {
		char *path = path_join(dir, log_names[i]);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (fd < 0)
			warn_errno("create %s", path);
		free(path);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

/* In the container's init, before the command: fd 1 and fd 2 become the log files. O_APPEND
 * makes every write land at the end, even with several processes writing. */
int logs_attach(const char *dir)
{
	for (int i = 0; i < 2; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, log_names[i]);
		int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || dup2(fd, i + 1) < 0)
			return -1;
		close(fd);
	}
	return 0;
}

/* Where the last LINES lines of FD begin (LINES < 0: all of it). A last line without a newline
 * is a line too, as `tail -n` counts it. */
off_t tail_start(int fd, long long lines)
{
	off_t size = lseek(fd, 0, SEEK_END), pos = size;
	if (size < 0 || lines < 0)
		return 0;
	if (lines == 0)
		return size;
	char buf[65536];
	long long seen = 0;
	while (pos > 0) {
		size_t len = pos < (off_t)sizeof buf ? (size_t)pos : sizeof buf;
		pos -= len;
		if (pread(fd, buf, len, pos) != (ssize_t)len)
			return 0;
		for (size_t i = len; i-- > 0;) {
			/* The file's last newline ends the last line; every other one starts a line. */
			if (buf[i] == '\n' && pos + (off_t)i != size - 1 && ++seen == lines)
				return pos + i + 1;
		}
	}
	return 0;
}

/* Copy everything from IN's position to its end onto OUT. */
static void drain(int in, int out)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("read");
		if (write_all(out, buf, n) < 0)
			die_errno("write");
	}
}

/* A pidfd for process PID if it is still the one that started at START, else -1. A pidfd
 * becomes readable when its process exits. It is checked against the start time after it is
 * opened, so it names that process and not a later one that got its PID. */
static int open_pidfd(pid_t pid, unsigned long long start)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 && errno != ESRCH && errno != EINVAL)
		die_errno("pidfd_open %d", pid);
	if (fd >= 0 && !process_runs(pid, start))
		close_fd(&fd);
	return fd;
}

/* -f: wait for either more output (inotify reports every write to the files) or the end of
 * the container's first process; then for its monitor, which records the end and exits, so
 * that a `ps` right after `logs -f` shows the container as exited. */
static void follow(const struct record *r, const int fds[2])
{
	int pidfd = record_alive(r) ? open_pidfd(r->state.pid, r->state.pid_start) : -1;
	if (pidfd < 0)
		return;
	int in = inotify_init1(IN_CLOEXEC);
	if (in < 0)
		die_errno("inotify_init1");
	for (int i = 0; i < 2; i++) {
		char *path = path_join(r->dir, log_names[i]);
		if (inotify_add_watch(in, path, IN_MODIFY) < 0)
			die_errno("watch %s", path);
		free(path);
	}
	for (;;) {
		for (int i = 0; i < 2; i++)
			drain(fds[i], i + 1);
		struct pollfd p[2] = { { .fd = in, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			die_errno("poll");
		if (p[1].revents)
			break;
		char events[4096];
		if (p[0].revents && read(in, events, sizeof events) < 0 && errno != EINTR)
			die_errno("read inotify events");
	}
	close(in);
	close(pidfd);
	/* The monitor is done within moments; a hung one does not keep logs waiting long. */
	int monitor = open_pidfd(r->state.monitor_pid, r->state.monitor_start);
	if (monitor >= 0) {
		poll(&(struct pollfd){ .fd = monitor, .events = POLLIN }, 1, 5000);
		close(monitor);
	}
}

static void __attribute__((noreturn)) usage_error(const char *what, const char *arg)
{
	die("%s%s%s (usage: " LOGS_USAGE ")", what, arg ? " " : "", arg ? arg : "");
}

int cmd_logs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "tail", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'H' },
		{ 0 },
	};
	bool follow_output = false;
	long long lines = -1;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fn:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			follow_output = true;
			break;
		case 'n':
			if (strcmp(optarg, "all") && parse_long(optarg, 0, 1LL << 62, &lines) < 0)
				die("invalid --tail \"%s\" (want a number of lines, or all)",
				    optarg);
			break;
		case 'H':
			fputs(logs_help, stdout);
			return 0;
		case ':':
			usage_error("option needs a value:", argv[optind - 1]);
		default:
			usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		usage_error(optind < argc ? "one container at a time" : "no container given", NULL);
	require_root();
	require_safe_root();

	char id[ID_LEN + 1];
	struct record r;
	if (record_find(state_root, argv[optind], id) < 0)
		exit(EXIT_NOT_FOUND);
	if (record_load(state_root, id, &r) < 0)
		die_errno("read the records of container %s", argv[optind]);
	if (!r.detach)
		die("container %s runs in the foreground: its output goes to its terminal, "
		    "not to a log",
		    argv[optind]);
	int fds[2];
	for (int i = 0; i < 2; i++) {
		char *path = path_join(r.dir, log_names[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			die_errno("open %s", path);
		free(path);
		if (lseek(fds[i], tail_start(fds[i], lines), SEEK_SET) < 0)
			die_errno("seek in %s", log_names[i]);
		drain(fds[i], i + 1);
	}
	if (follow_output)
		follow(&r, fds);
	/* The last output before the exit, written after the last drain. */
	for (int i = 0; i < 2; i++) {
		drain(fds[i], i + 1);
		close(fds[i]);
	}
	record_free(&r);
	return 0;
}
