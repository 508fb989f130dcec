/* monitor.c: `run -d`. The container needs a parent that outlives the command the user typed:
 * only a parent can wait for the container's first process, so only a parent learns how it
 * ended. mydocker forks twice; the grandchild, the monitor, lives in a session of its own with
 * no terminal and none of mydocker's descriptors, starts the container, reports the start to
 * the waiting mydocker over a pipe and then waits. When the container exits it removes the
 * cgroup, records the exit status and exits too. No daemon: one small monitor per container.
 *
 *   shell -> mydocker run -d -> (middle: setsid, fork, exit) -> monitor -> container init
 *
 * The result pipe carries one line from the monitor to mydocker: the exit code, 0 once the
 * command runs. Until then the monitor's stderr is still mydocker's, so the reason for a
 * failure reaches the user as it would without -d.
 *
 * With -t or -i (ch12) the monitor holds the container's pty or stdin pipe, as it holds its
 * output, and listens on attach.sock in the container's directory: `mydocker attach` connects
 * the user's terminal to them through it (attach.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "container.h"
#include "die.h"
#include "image.h"
#include "lifecycle.h"
#include "monitor.h"
#include "relay.h"
#include "start.h"
#include "state.h"
#include "util.h"

/* The monitor's descriptors above stderr: the result pipe; the image, which a running
 * container holds (image.c: an unpacked copy nobody holds may be removed); and the lock of the
 * container's directory, held for the container's life (lifecycle.c). */
#define RESULT_FD 3
#define IMAGE_FD  4
#define LOCK_FD	  5

static void report_start(int code)
{
	char line[16];
	int n = snprintf(line, sizeof line, "%d\n", code);
	/* mydocker may be gone already (killed while waiting): then nobody needs the answer. */
	if (write_all(RESULT_FD, line, n) < 0 && errno != EPIPE)
		warn_errno("monitor: report the start");
}

/* Keep nothing of the caller's: stdin and stdout are /dev/null, the working directory is /
 * (so no file system the user might unmount is kept busy), no descriptor but the result pipe,
 * the image and the lock. */
static int detach_from_caller(struct container *c, int result_fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    chdir("/") < 0)
		return -1;
	/* All move out of the way first, so that none lands on another. */
	int result = fcntl(result_fd, F_DUPFD_CLOEXEC, LOCK_FD + 1);
	int image = fcntl(c->image_fd, F_DUPFD_CLOEXEC, LOCK_FD + 1);
	int lock = fcntl(c->lock_fd, F_DUPFD_CLOEXEC, LOCK_FD + 1);
	if (result < 0 || image < 0 || lock < 0 || dup3(result, RESULT_FD, O_CLOEXEC) < 0 ||
	    dup3(image, IMAGE_FD, O_CLOEXEC) < 0 || dup3(lock, LOCK_FD, O_CLOEXEC) < 0)
		return -1;
	c->image_fd = IMAGE_FD;
	c->lock_fd = LOCK_FD;
	return close_range(LOCK_FD + 1, ~0U, 0);
}

/* The monitor's whole life: start the container, report, wait, record the end. */
static void __attribute__((noreturn))
monitor(struct container *c, const sigset_t *handled, int result_fd)
{
	struct state st = { 0 };
	int code = EXIT_RUNTIME;
	if (detach_from_caller(c, result_fd) < 0)
		warn_errno("monitor: detach from the caller");
	else
		code = start_container(c, &st);
	/* Attachable before mydocker returns: `run -dit` then `attach` at once works. */
	if (!code && (c->opts->tty || c->opts->interactive) &&
	    (c->attach_fd = attach_listen(LOCK_FD)) < 0)
		code = EXIT_RUNTIME;
	if (code) {
		/* Nothing may be left of a container that never ran. */
		container_destroy(c);
		report_start(code);
		_exit(code);
	}
	/* The command runs. Let go of the user's stderr before saying so: once mydocker exits,
	 * nothing of the monitor may hold the user's terminal or pipe open. What the monitor has
	 * to say from now on (a record it could not write) goes to monitor.log beside the
	 * container's records. */
	char *path = path_join(c->dir, "monitor.log");
	int log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log < 0 || dup2(log, STDERR_FILENO) < 0)
		warn_errno("monitor: open %s", path);
	/* 64 KiB set aside for it now (its size stays 0): a full disk, which the container's log
	 * may cause (relay.c), leaves the monitor room to say so. Where the file system cannot
	 * (fallocate fails), the monitor goes on without. */
	if (log >= 0)
		fallocate(log, FALLOC_FL_KEEP_SIZE, 0, 65536);
	if (log > STDERR_FILENO)
		close(log);
	free(path);
	report_start(0);
	close(RESULT_FD);

	code = supervise(c->pid, handled, c->attach_fd);
	attach_close(LOCK_FD, &c->attach_fd);
	container_exited(c, &st, code);
	/* An attached client exits with the container's code, once it is recorded. */
	relay_exit(code);
	/* Only now is PID 1 reaped: until then it is a zombie whose PID nobody else can get, so
	 * while the record says "running" its PID is the container's. The lock goes when the
	 * monitor exits. */
	waitpid(c->pid, NULL, 0);
	/* --rm: once its end is recorded (`stop` waits for that), the container goes. */
	if (c->opts->auto_remove)
		container_teardown(state_root, c->id);
	_exit(0);
}

/* mydocker's side: read the monitor's one line. EOF without it means the monitor died. */
static int wait_for_start(int fd)
{
	size_t len;
	char *line = read_all(fd, &len);
	long long code = -1;
	if (line) {
		line[len] = '\0';
		if (parse_long(str_trim(line), 0, 255, &code) < 0)
			code = -1;
	}
	free(line);
	return code;
}

int monitor_start(struct container *c, const sigset_t *handled)
{
	int result[2];
	pid_t middle = -1;
	if (pipe2(result, O_CLOEXEC) == 0)
		middle = fork();
	if (middle < 0) {
		warn_errno("start the monitor");
		container_destroy(c);
		return EXIT_RUNTIME;
	}
	if (middle == 0) {
		/* A new session: no controlling terminal, so no SIGHUP when the terminal closes and
		 * no Ctrl-C from it. Forking once more makes the monitor a process that is not a
		 * session leader (it can never get a terminal again) and whose parent is gone at
		 * once, so it is adopted by init, not left to the user's shell. */
		close(result[0]);
		pid_t pid = setsid() < 0 ? -1 : fork();
		if (pid == 0)
			monitor(c, handled, result[1]);
		if (pid < 0)
			warn_errno("start the monitor");
		_exit(pid < 0 ? EXIT_RUNTIME : 0);
	}
	close(result[1]);
	int status;
	while (waitpid(middle, &status, 0) < 0 && errno == EINTR)
		;
	bool forked = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	int code = forked ? wait_for_start(result[0]) : -1;
	close(result[0]);
	if (code < 0) {
		/* No monitor, or it died before it could answer: whatever it started died with it
		 * (PR_SET_PDEATHSIG), or is killed here, and nobody else will clean up. */
		if (forked)
			warn("the container's monitor died before the container started");
		container_destroy(c);
		return EXIT_RUNTIME;
	}
	if (code == 0)
		printf("%s\n", c->id);
	/* The monitor owns the container now (and removed it if it failed to start). */
	container_forget(c);
	return code;
}
