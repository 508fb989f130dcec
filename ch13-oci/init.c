/* init.c: the container's first process. clone(2) starts it inside the new namespaces; it
 * finishes setting up the container from the inside and then becomes the user's command. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <sched.h>

#include <json-c/json.h>
#include <unistd.h>

#include "bundle.h"
#include "container.h"
#include "die.h"
#include "hooks.h"
#include "init.h"
#include "netlink.h"
#include "pipe.h"
#include "rootfs.h"
#include "security.h"
#include "sendfd.h"
#include "tty.h"
#include "util.h"

/* The environment a container starts with, as Docker gives it: nothing leaks in from the host
 * but what -e and --env-file name, and those go on top of the defaults. With -u, HOME comes
 * with the user (user.c), unless -e sets it. */
static void set_environment(const struct run_opts *o)
{
	char host[256];
	clearenv();
	/* A bundle's process has exactly the environment of its config.json (user.c adds HOME if
	 * it has none, as runc does). */
	for (char **e = o->bundle ? o->bundle->env : NULL; e && *e; e++)
		if (putenv(*e) < 0)
			fail("set the environment variable %s", *e);
	if (o->bundle)
		return;
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	if (gethostname(host, sizeof host) == 0)
		setenv("HOSTNAME", host, 1);
	if (!o->sec.user)
		setenv("HOME", "/root", 1);
	if (o->tty)
		setenv("TERM", "xterm", 1);
	/* putenv keeps the string itself: it lives in this process's copy of the options. A
	 * bare KEY (-e KEY that mydocker has no value for) removes KEY. */
	for (size_t i = 0; i < o->env.n; i++)
		if (strchr(o->env.v[i], '=') ? putenv(o->env.v[i]) < 0 : unsetenv(o->env.v[i]) < 0)
			fail("set the environment variable %s", o->env.v[i]);
}

/* With -t the container's terminal is a pty of its own, opened once its root is set up, so
 * that /dev/ptmx is the container's devpts (tty.c): its stdin, stdout and stderr and its
 * controlling terminal, and bound over /dev/console, as runc does, for programs that write to
 * the console. The master goes to the supervisor, which relays it to the user; init keeps no
 * copy, so the container's processes hold the slave only. */
static void take_pty(struct container *c)
{
	char slave[64];
	const char *what;
	int master = tty_take_pty(slave, sizeof slave, &what);
	if (master < 0)
		fail("%s", what);
	/* /dev is the container's own tmpfs (rootfs.c): the mount point is made here. */
	int fd = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		fail("create /dev/console");
	close(fd);
	if (mount(slave, "/dev/console", NULL, MS_BIND, NULL) < 0)
		fail("bind %s on /dev/console", slave);
	if (send_fd(c->console_socket[1], "t", 1, master) < 0)
		fail("send the pty to the supervisor");
	close(master);
	close_fd(&c->console_socket[1]);
}

/* Without -i the container reads from /dev/null, as `docker run` without -i does. */
static void detach_stdin(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		fail("redirect stdin to /dev/null");
	close(fd);
}

/* --- ch13: a bundle's process -------------------------------------------------------------- */

/* A bundle's process may wait for `start` for long: it keeps nothing its caller had open but
 * stdin, stdout, stderr, the --preserve-fds and its own pipes, socket and FIFO (a test
 * harness's pipe held here would never see its end). */
static void close_inherited(const struct container *c)
{
	int keep[] = { c->command_pipe[0], c->error_pipe[1], c->fifo_fd, c->console_socket[1] };
	int n = sizeof keep / sizeof keep[0];
	/* Sorted, so the gaps between them can be closed in order. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && keep[j] < keep[j - 1]; j--) {
			int t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	unsigned from = 3 + (unsigned)c->opts->preserve_fds;
	for (int i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned)keep[i] < from)
			continue;
		if ((unsigned)keep[i] > from && close_range(from, keep[i] - 1, 0) < 0)
			fail("close inherited descriptors");
		from = keep[i] + 1;
	}
	if (close_range(from, ~0U, 0) < 0)
		fail("close inherited descriptors");
}

static const struct {
	int type;
	int flag;
} ns_flags[NS_COUNT] = {
	{ NS_PID, CLONE_NEWPID }, { NS_NET, CLONE_NEWNET },  { NS_IPC, CLONE_NEWIPC },
	{ NS_UTS, CLONE_NEWUTS }, { NS_MOUNT, CLONE_NEWNS }, { NS_CGROUP, CLONE_NEWCGROUP },
};

/* The namespaces config.json names by path (e.g. another container's /proc/PID/ns/net) are
 * joined first, before anything is set up in them. The PID namespace is not: only children
 * enter a PID namespace, so `create` joined it before cloning this process. */
static void join_namespaces(const struct bundle *b)
{
	for (int i = 0; i < NS_COUNT; i++) {
		const struct bundle_ns *ns = &b->ns[ns_flags[i].type];
		if (!ns->wanted || !ns->path || ns_flags[i].type == NS_PID)
			continue;
		int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, ns_flags[i].flag) < 0)
			fail("join the namespace %s", ns->path);
		close(fd);
	}
}

/* hostname and domainname: only in a UTS namespace config.json names, a new one or one
 * joined (else they would be the host's). */
static void set_bundle_names(const struct bundle *b)
{
	if ((b->hostname || b->domainname) && !b->ns[NS_UTS].wanted) {
		errno = EINVAL;
		fail("config.json sets a hostname without a UTS namespace");
	}
	if (b->hostname && sethostname(b->hostname, strlen(b->hostname)) < 0)
		fail("sethostname");
	if (b->domainname && setdomainname(b->domainname, strlen(b->domainname)) < 0)
		fail("setdomainname");
}

/* The rest of config.json's process that is not about power: its working directory, resource
 * limits, OOM score, umask, and a session keyring of its own (runc's default), so that the
 * container does not share the keys of whoever started it. */
static void bundle_process(struct container *c)
{
	const struct bundle *b = c->opts->bundle;
	if (chdir(b->cwd) < 0)
		fail("chdir to %s", b->cwd);
	for (size_t i = 0; i < b->nrlimits; i++)
		if (setrlimit(b->rlimits[i].resource, &b->rlimits[i].limit) < 0)
			fail("setrlimit %d", b->rlimits[i].resource);
	if (b->has_oom_score_adj) {
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || dprintf(fd, "%d", b->oom_score_adj) < 0)
			fail("write oom_score_adj");
		close(fd);
	}
	if (b->has_umask)
		umask(b->umask);
	if (!c->opts->no_new_keyring &&
	    syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, c->id) < 0 && errno != ENOSYS)
		fail("join a session keyring of its own");
}

/* Tell `create` the container is set up (the error pipe closes without a word), then wait
 * until `start` writes into exec.fifo, whose read end this process has held since it was
 * cloned. (runc waits the other way round: its process opens the write end, which blocks
 * until `start` opens the read end, and `start` must watch meanwhile for a process that died.
 * Holding the read end, the process tells `start` that at once: its open fails with ENXIO.) */
static void wait_for_start(struct container *c)
{
	struct pollfd p = { .fd = c->fifo_fd, .events = POLLIN };
	char byte;
	close_fd(&c->error_pipe[1]);
	failure_fd = STDERR_FILENO; /* `create` has returned: what fails now is said there */
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	if (read(c->fifo_fd, &byte, 1) != 1) {
		dprintf(STDERR_FILENO, "mydocker: wait for start: %s\n",
			errno ? strerror(errno) : "no start");
		_exit(EXIT_RUNTIME);
	}
	close_fd(&c->fifo_fd);
}

/* startContainer hooks: paths in the container; the state they read is what this process
 * knows of it (its PID is the one it has in its own PID namespace). */
static void start_container_hooks(const struct container *c)
{
	const struct bundle *b = c->opts->bundle;
	if (!b->hooks.n[HOOK_START_CONTAINER])
		return;
	struct json_object *state = json_object_new_object();
	json_object_object_add(state, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(state, "id", json_object_new_string(c->id));
	json_object_object_add(state, "status", json_object_new_string("running"));
	json_object_object_add(state, "pid", json_object_new_int(getpid()));
	json_object_object_add(state, "bundle", json_object_new_string(b->dir));
	int rc = run_hooks(&b->hooks, HOOK_START_CONTAINER, state);
	json_object_put(state);
	if (rc < 0)
		_exit(EXIT_RUNTIME);
}

void container_init(struct container *c)
{
	const struct run_opts *o = c->opts;

	/* The child has a copy of every descriptor: close the parent's ends, or the command
	 * pipe would never reach EOF. */
	close_fd(&c->command_pipe[1]);
	close_fd(&c->error_pipe[0]);
	close_fd(&c->console_socket[0]);
	close_fd(&c->input_pipe[1]);
	failure_fd = c->error_pipe[1];
	if (o->bundle)
		close_inherited(c);
	/* If mydocker dies, the kernel kills this process (and so the whole PID namespace). Not a
	 * bundle's: `create` exits and leaves it to whoever runs the runtime (conmon, a shell). */
	if (!o->bundle && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		fail("prctl(PR_SET_PDEATHSIG)");
	/* Wait for the go: mydocker closes the command pipe after it has put this process in its
	 * cgroup. A mydocker that died before the prctl above closes it too, without a command,
	 * so this also catches a parent that is already gone. */
	char **argv = receive_command(c->command_pipe[0]);
	if (!argv)
		_exit(EXIT_RUNTIME);
	close_fd(&c->command_pipe[0]);
	/* Into its cgroup before anything else runs (cgroup.c says why the process moves itself);
	 * a bundle's new cgroup namespace then has that cgroup as its root. */
	if (cgroup_join(&c->cgroup, 0) < 0)
		fail("join the container's cgroup");
	if (o->bundle && o->bundle->ns[NS_CGROUP].wanted && !o->bundle->ns[NS_CGROUP].path &&
	    unshare(CLONE_NEWCGROUP) < 0)
		fail("make a cgroup namespace");

	/* The parent blocked signals to wait for them with sigwaitinfo(); the command must not
	 * inherit that mask. */
	sigprocmask(SIG_SETMASK, &c->sigmask, NULL);
	/* A session of its own: the container never shares the user's terminal (ch12), nor its
	 * Ctrl-C, which goes to mydocker. With -t it gets a terminal of its own (take_pty). */
	if (setsid() < 0)
		fail("setsid");
	/* Without -t, stdin is a pipe the supervisor writes what the user types into (-i), or
	 * /dev/null: never mydocker's own stdin, which may be the user's terminal. A bundle's
	 * process keeps the stdin, stdout and stderr of `create`: its engine's (runc does so). */
	if (o->bundle)
		join_namespaces(o->bundle);
	else if (!o->tty && o->interactive && dup2(c->input_pipe[0], STDIN_FILENO) < 0)
		fail("make stdin the pipe from mydocker");
	else if (!o->tty && !o->interactive)
		detach_stdin();
	/* On a network: its end of the veth pair becomes eth0, with its address and a default
	 * route (network.c made the pair while this process waited for the command). */
	if (c->net.bridged &&
	    container_net_setup(c->net.peer_if, &c->net.addr, c->net.prefix, &c->net.gateway) < 0)
		fail("set up eth0");
	/* Without -t, stdout and stderr are the pipes its supervisor relays into its log. */
	if (!o->tty && !o->bundle &&
	    (dup2(c->output_pipe[0][1], STDOUT_FILENO) < 0 ||
	     dup2(c->output_pipe[1][1], STDERR_FILENO) < 0))
		fail("make stdout and stderr the pipes to the log");
	if (o->bundle) {
		set_bundle_names(o->bundle);
		/* No mount namespace listed: the process stays in the caller's, root and all, as
		 * runc leaves it (pivot_root there would move the caller's root too). */
		if (o->bundle->ns[NS_MOUNT].wanted)
			setup_bundle_rootfs(c);
	} else {
		/* Mounts made from now on must not propagate back to the host: systemd makes /
		 * shared. */
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			fail("make / private");
		/* The hostname is the short container ID unless -h says otherwise, as in Docker. */
		const char *hostname = o->hostname ? o->hostname : c->id;
		if (sethostname(hostname, o->hostname ? strlen(hostname) : SHORT_ID_LEN) < 0)
			fail("sethostname");
		/* The image becomes the root, with a fresh /proc showing this PID namespace. */
		setup_rootfs(c);
	}
	if (o->tty)
		take_pty(c);
	set_environment(o);
	if (o->bundle)
		bundle_process(c);
	/* Root inside gives up what a container may not do (security.c), last before the command. */
	security_apply(&o->sec, c->seccomp.filter ? &c->seccomp : NULL);
	/* A bundle's process waits here for `start` (its setup is done: `create` returns), then
	 * runs the startContainer hooks, in the container. */
	if (o->bundle) {
		wait_for_start(c);
		start_container_hooks(c);
	}
	/* The command gets stdin, stdout and stderr, nothing else of whoever started mydocker:
	 * every other descriptor is closed by execve. (A bundle's process closed them at its
	 * start, and its seccomp profile need not allow close_range.) */
	if (!o->bundle && close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		fail("close inherited descriptors");

	execvp(argv[0], argv);
	int err = errno;
	char what[512];
	snprintf(what, sizeof what, "exec \"%s\"", argv[0]);
	/* A bundle's `create` has returned: the reason goes to the process's stderr. */
	if (o->bundle)
		dprintf(STDERR_FILENO, "mydocker: %s: %s\n", what, strerror(err));
	report_failure(failure_fd, err == ENOENT ? 127 : 126, err, what);
}
