/* hooks.c: config.json's hooks (hooks.h): programs an engine asks the runtime to run at points
 * of a container's life, each given the container's state JSON on its stdin. Podman's
 * engine-side hooks, NVIDIA's device set-up and network plugins have used them; runtime-tools
 * checks that each kind runs when the spec says. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "die.h"
#include "hooks.h"
#include "util.h"

/* Run one hook with STATE on its stdin; wait for it, at most its timeout. 0 if it exited 0. */
static int run_hook(const struct bundle_hook *h, const char *state, const char *kind)
{
	int in[2];
	if (pipe2(in, O_CLOEXEC) < 0) {
		warn_errno("%s hook %s: pipe", kind, h->path);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (dup2(in[0], STDIN_FILENO) < 0)
			_exit(127);
		execve(h->path, h->args[0] ? h->args : (char *[]){ (char *)h->path, NULL }, h->env);
		dprintf(STDERR_FILENO, "mydocker: %s hook %s: %s\n", kind, h->path,
			strerror(errno));
		_exit(127);
	}
	close(in[0]);
	if (pid < 0) {
		warn_errno("%s hook %s: fork", kind, h->path);
		close(in[1]);
		return -1;
	}
	/* The state is small (well under a pipe's buffer): written at once, then EOF. */
	signal(SIGPIPE, SIG_IGN);
	write_all(in[1], state, strlen(state));
	close(in[1]);
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), status = 0;
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	if (pidfd >= 0 && h->timeout > 0 && poll(&p, 1, h->timeout * 1000) == 0) {
		kill(pid, SIGKILL);
		warn("%s hook %s: timed out after %d s", kind, h->path, h->timeout);
		waitpid(pid, NULL, 0);
		close(pidfd);
		return -1;
	}
	if (pidfd >= 0)
		close(pidfd);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		warn("%s hook %s failed (%s %d)", kind, h->path,
		     WIFSIGNALED(status) ? "signal" : "exit status",
		     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		return -1;
	}
	return 0;
}

int run_hooks(const struct bundle_hooks *hooks, int kind, struct json_object *state)
{
	const char *text = json_object_to_json_string_ext(state, JSON_C_TO_STRING_PLAIN);
	int rc = 0;
	/* In order; the first failure stops the rest, as runc does. */
	for (size_t i = 0; i < hooks->n[kind] && rc == 0; i++)
		rc = run_hook(&hooks->list[kind][i], text, hook_names[kind]);
	return rc;
}
