/* exec.c: `mydocker exec`: run a command inside a running container, as `docker exec` does.
 *
 * A container is its first process's namespaces and cgroups. /proc/PID/ns/ has one file per
 * namespace of process PID, and setns(2) on an open descriptor of such a file moves the caller
 * into that namespace; a namespace lives on while a descriptor of it is open. So exec first
 * takes hold of everything it needs while it still sees the host: every namespace file of the
 * container's first process, the cgroup.procs file of each of its cgroups and its environment.
 * Then it checks that the process is still the container's (its PID and start time), so a
 * PID given to another process since is never entered. Only then does it enter, one setns per
 * namespace, in this order:
 *
 *   user    first: the container's other namespaces belong to its user namespace, and setns
 *           into them checks the caller's capabilities there
 *   cgroup, ipc, uts, net
 *   pid     the caller keeps its own PID; only its children are born in the new namespace,
 *   time    (the same for the time namespace) so the fork comes after these
 *   mnt     last: it moves the caller's root and working directory into the container, so
 *           from here on no host path means what it did; -w is looked up after it
 *
 * Namespaces the container shares with mydocker (here its user, cgroup and time namespaces)
 * are left out: there is nothing to enter, and setns into one's own user namespace fails.
 *
 *   mydocker exec --setns x6--> fork --> child: join cgroups, terminal, env, chdir, execve
 *        \-- relays its stdin, stdout and stderr, waits, exits with the command's status
 *
 * The command never gets mydocker's own stdin, stdout or stderr, which may be the user's
 * terminal (ch12): with -t it gets a pty of its own, opened in the container's devpts by the
 * child (tty.c), whose master the child sends to mydocker exec; without, pipes. mydocker exec
 * relays them to its own (relay.c), as `run` does, but logs nothing.
 *
 * A C program has one thread, so it may setns into a mount namespace at any point; the book's
 * Go program has several and needs a C constructor that runs before Go starts. */
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"
#include "caps.h"
#include "container.h"
#include "die.h"
#include "exec.h"
#include "image.h"
#include "oci.h"
#include "opts.h"
#include "pipe.h"
#include "privs.h"
#include "relay.h"
#include "seccomp_filter.h"
#include "security.h"
#include "sendfd.h"
#include "start.h"
#include "state.h"
#include "tty.h"
#include "util.h"

#define EXEC_USAGE "mydocker exec [-i] [-t] [-e KEY=VAL]... [-w DIR] CONTAINER COMMAND [ARG...]"

static const char exec_help[] =
    "Usage: " EXEC_USAGE "\n"
    "\n"
    "Run COMMAND in a running container: in its namespaces and its cgroups, with its\n"
    "environment. CONTAINER is a name, an ID or a unique ID prefix.\n"
    "\n"
    "Options:\n"
    "  -i, --interactive      keep stdin attached (otherwise it reads /dev/null)\n"
    "  -t, --tty              give the command a terminal (a pty) of its own, relayed to\n"
    "                         this one\n"
    "  -e, --env KEY=VAL      set an environment variable (on top of the container's)\n"
    "  -w, --workdir DIR      working directory inside the container (default /)\n"
    "      --help             print this help\n";

/* Everything `mydocker exec` was asked to do. */
struct exec_opts {
	bool interactive;      /* -i: keep stdin attached to the command */
	bool tty;	       /* -t: the command gets a pty of its own */
	const char *workdir;   /* -w: where the command starts, inside the container */
	char **env;	       /* -e KEY=VAL, in the order given */
	size_t nenv;	       /* how many -e */
	const char *container; /* as the user named it */
	char **argv;	       /* the command and its arguments */
	/* ch13: runc's exec. --process FILE gives the whole process in config.json's form (its
	 * args, env, cwd, user, capabilities, terminal) instead of the container's; --detach
	 * returns once it runs, leaving it to the caller (conmon), with --pid-file for its PID. */
	const char *process, *pid_file, *console_socket;
	bool detach;
	struct bundle proc;
};

/* The namespaces exec enters, in the order it enters them (see the top of this file). */
static const struct {
	const char *name; /* the file in /proc/PID/ns/ */
	int type;	  /* setns(2)'s check that the file is that kind of namespace */
} ns_kinds[] = {
	{ "user", CLONE_NEWUSER }, { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },   { "net", CLONE_NEWNET },	  { "pid", CLONE_NEWPID },
	{ "time", CLONE_NEWTIME }, { "mnt", CLONE_NEWNS },
};
#define NS_KINDS (sizeof ns_kinds / sizeof ns_kinds[0])

/* Hierarchies a process can be in: one on cgroup v2, about a dozen on v1. */
#define MAX_HIERARCHIES 32

/* What exec holds of the container before it enters it. */
struct target {
	pid_t pid;			/* the container's first process, as the host sees it */
	int ns_fd[NS_KINDS];		/* its namespaces; -1 for one it shares with us */
	int cgroup_fd[MAX_HIERARCHIES]; /* cgroup.procs of each of its cgroups */
	size_t ncgroups;		/* how many of those */
	char *environ_text;		/* /proc/PID/environ: NUL-terminated KEY=VALUEs */
	char **env;			/* the command's environment, NULL-terminated */
	size_t nenv;			/* entries in env */
	int error_pipe[2];		/* the child reports a failure into [1] */
	int console[2];			/* -t: the child sends its pty's master over [1] */
	int input[2];			/* -i without -t: the command's stdin, from [1] */
	int output[2][2];		/* without -t: its stdout [0] and stderr [1], into [i][1] */
	char failed[128];		/* the file that could not be opened */
	struct security sec;		/* what the container may do: the command may do no more */
	struct sock_fprog filter;	/* its seccomp filter, compiled on the host; none: empty */
};

/* ch13: --process FILE: the command, its environment, directory and terminal from the file. */
static void read_process_file(struct exec_opts *o)
{
	char why[1024];
	if (bundle_load_process(o->process, &o->proc, why, sizeof why) < 0)
		die("%s", why);
	o->argv = o->proc.args;
	o->workdir = o->proc.cwd;
	o->tty = o->proc.terminal;
	if (o->tty && !o->console_socket)
		die("a process with a terminal needs --console-socket");
}

static void parse_exec_options(int argc, char **argv, struct exec_opts *o)
{
	static const struct option longopts[] = {
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "env", required_argument, NULL, 'e' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "process", required_argument, NULL, 'p' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "console-socket", required_argument, NULL, 'C' },
		{ "detach", no_argument, NULL, 'd' },
		OPT_HELP,
		{ 0 },
	};
	int c;
	o->env = xmalloc(argc * sizeof *o->env);
	/* "+": stop at the container's name, so the command's own options are left alone. */
	while ((c = next_option(argc, argv, "+:ite:w:p:d", longopts, exec_help, EXEC_USAGE)) !=
	       -1) {
		switch (c) {
		case 'p':
			o->process = optarg;
			break;
		case 'P':
			o->pid_file = optarg;
			break;
		case 'C':
			o->console_socket = optarg;
			break;
		case 'd':
			o->detach = true;
			break;
		case 'i':
			o->interactive = true;
			break;
		case 't':
			o->tty = true;
			break;
		case 'e':
			if (optarg[0] == '=' || !strchr(optarg, '='))
				die("invalid --env \"%s\" (want KEY=VALUE)", optarg);
			o->env[o->nenv++] = optarg;
			break;
		case 'w':
			/* Relative to what? Docker refuses it too. */
			if (optarg[0] != '/')
				die("invalid --workdir \"%s\" (want an absolute path)", optarg);
			o->workdir = optarg;
			break;
		}
	}
	if (optind >= argc)
		die("no container given (usage: " EXEC_USAGE ")");
	o->container = argv[optind++];
	if (o->process)
		return read_process_file(o);
	if (optind >= argc)
		die("no command given (usage: " EXEC_USAGE ")");
	o->argv = argv + optind;
	if (o->tty && !isatty(STDIN_FILENO))
		die("-t needs a terminal on stdin (the input device is not a TTY)");
}

/* Find the container the user named and check that it runs. On failure the reason has been
 * printed (one line) and the exit code is returned: EXIT_NOT_FOUND or EXIT_RUNTIME. */
static int find_running(const char *name, struct record *r)
{
	char id[ID_LEN + 1];
	if (record_find(state_root, name, id) < 0)
		return EXIT_NOT_FOUND;
	if (record_load(state_root, id, r) < 0) {
		warn_errno("read the records of container %s", name);
		return EXIT_RUNTIME;
	}
	if (!record_alive(r)) {
		warn("container %s is not running", name);
		record_free(r);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* Remember which file could not be opened, for the error message; returns -1, errno kept. */
static int failed_on(struct target *t, const char *path)
{
	snprintf(t->failed, sizeof t->failed, "%s", path);
	return -1;
}

/* Open the container's namespaces, every one before the first setns. A descriptor that did
 * not open is never passed to setns: the book's exec ran in the host's namespaces then. */
static int open_namespaces(struct target *t)
{
	for (size_t i = 0; i < NS_KINDS; i++) {
		char path[64];
		struct stat ours, theirs;
		snprintf(path, sizeof path, "/proc/self/ns/%s", ns_kinds[i].name);
		if (stat(path, &ours) < 0)
			continue; /* a namespace this kernel does not have */
		snprintf(path, sizeof path, "/proc/%d/ns/%s", t->pid, ns_kinds[i].name);
		t->ns_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (t->ns_fd[i] < 0 || fstat(t->ns_fd[i], &theirs) < 0)
			return failed_on(t, path);
		/* A namespace is one inode of the nsfs file system: the same inode, the same one. */
		if (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino)
			close_fd(&t->ns_fd[i]);
	}
	return 0;
}

/* Where the cgroup hierarchy with CONTROLLERS is mounted: "memory" or "cpu,cpuacct" or
 * "name=systemd" on v1, "" for the v2 hierarchy. A controller is in one hierarchy only, so
 * the first one names it. NULL if the hierarchy is not mounted here. */
static char *hierarchy_mount(const char *controllers)
{
	char first[64];
	snprintf(first, sizeof first, "%.*s", (int)strcspn(controllers, ","), controllers);
	FILE *mounts = setmntent("/proc/self/mounts", "re");
	char *dir = NULL;
	for (struct mntent *m; mounts && !dir && (m = getmntent(mounts));) {
		bool v1 = !strcmp(m->mnt_type, "cgroup"), v2 = !strcmp(m->mnt_type, "cgroup2");
		if (*first ? v1 && hasmntopt(m, first) : v2)
			dir = xstrdup(m->mnt_dir);
	}
	if (mounts)
		endmntent(mounts);
	return dir;
}

/* Open cgroup.procs of every cgroup the container's first process is in. /proc/PID/cgroup has
 * one line per hierarchy, "ID:CONTROLLERS:PATH" (v2: "0::PATH"), PATH from the hierarchy's
 * root. Joining them all puts the command exactly where the container is, so its limits
 * bind the command too, and whatever ends the container's cgroup ends the command. */
static int open_cgroups(struct target *t)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cgroup", t->pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return failed_on(t, path);
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (rc == 0 && getline(&line, &cap, f) > 0) {
		char *controllers = strchr(line, ':');
		char *cgroup = controllers ? strchr(controllers + 1, ':') : NULL;
		if (!cgroup)
			continue;
		*controllers++ = '\0';
		*cgroup++ = '\0';
		cgroup[strcspn(cgroup, "\n")] = '\0';
		char *mnt = hierarchy_mount(controllers);
		if (!mnt)
			continue; /* not mounted: there is no way to join it, nor a limit in it */
		char *procs =
		    xasprintf("%s%s/cgroup.procs", mnt, strcmp(cgroup, "/") ? cgroup : "");
		free(mnt);
		if (t->ncgroups == MAX_HIERARCHIES) {
			errno = E2BIG;
			rc = failed_on(t, procs);
		} else if ((t->cgroup_fd[t->ncgroups] = open(procs, O_WRONLY | O_CLOEXEC)) < 0) {
			rc = failed_on(t, procs);
		} else {
			t->ncgroups++;
		}
		free(procs);
	}
	free(line);
	fclose(f);
	return rc;
}

/* Set KV ("KEY=VALUE") in the command's environment: it replaces an entry with that KEY. */
static void env_set(struct target *t, char *kv)
{
	size_t keylen = strcspn(kv, "=") + 1;
	for (size_t i = 0; i < t->nenv; i++) {
		if (!strncmp(t->env[i], kv, keylen)) {
			t->env[i] = kv;
			return;
		}
	}
	t->env = xrealloc(t->env, (t->nenv + 2) * sizeof *t->env);
	t->env[t->nenv++] = kv;
	t->env[t->nenv] = NULL;
}

/* The command's environment: the container's (its first process's, as it was started), then
 * -e on top, and with -t a TERM if it has none, as Docker does. None of mydocker's own. */
static int read_environment(struct target *t, const struct exec_opts *o)
{
	char path[64];
	size_t len;
	snprintf(path, sizeof path, "/proc/%d/environ", t->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		t->environ_text = read_all(fd, &len);
	int err = errno;
	close_fd(&fd);
	if (!t->environ_text) {
		errno = err;
		return failed_on(t, path);
	}
	t->env = xmalloc(sizeof *t->env);
	t->env[0] = NULL;
	/* With --process the environment is the file's, all of it. */
	for (char **e = o->process ? o->proc.env : NULL; e && *e; e++)
		env_set(t, *e);
	for (size_t i = 0; !o->process && i < len; i += strnlen(t->environ_text + i, len - i) + 1) {
		/* The last entry ends with a NUL too, unless the process wrote over its own. */
		if (memchr(t->environ_text + i, '\0', len - i) && strchr(t->environ_text + i, '='))
			env_set(t, t->environ_text + i);
	}
	for (size_t i = 0; i < o->nenv; i++)
		env_set(t, o->env[i]);
	bool has_term = false;
	for (size_t i = 0; i < t->nenv; i++)
		has_term |= str_starts_with(t->env[i], "TERM=");
	if (o->tty && !has_term)
		env_set(t, "TERM=xterm");
	return 0;
}

/* Release what exec held; safe on a target only partly set up. */
static void target_close(struct target *t)
{
	for (size_t i = 0; i < NS_KINDS; i++)
		close_fd(&t->ns_fd[i]);
	for (size_t i = 0; i < t->ncgroups; i++)
		close_fd(&t->cgroup_fd[i]);
	for (int i = 0; i < 2; i++) {
		close_fd(&t->error_pipe[i]);
		close_fd(&t->console[i]);
		close_fd(&t->input[i]);
		close_fd(&t->output[i][0]);
		close_fd(&t->output[i][1]);
	}
	free(t->environ_text);
	free(t->env);
	free(t->filter.filter);
}

/* Take hold of the container: its namespaces, cgroups and environment. Then, with all of them
 * held, check that its first process is still the one its record names: a process does not
 * come back, so if it is still there now, what was opened was its. */
static int hold_container(struct target *t, const struct record *r, const struct exec_opts *o)
{
	int held = open_namespaces(t) == 0 && open_cgroups(t) == 0 && read_environment(t, o) == 0;
	int err = errno;
	/* An exiting process has no namespaces any more: its files are gone (ENOENT). */
	if (!process_runs(r->state.pid, r->state.pid_start) || (!held && err == ENOENT)) {
		warn("container %s is not running", o->container);
		return -1;
	}
	if (!held) {
		errno = err;
		warn_errno("open %s", t->failed);
		return -1;
	}
	return 0;
}

/* What container R may do, and its seccomp filter, compiled while the host's profile can still
 * be read. */
static int prepare_security(struct target *t, const struct record *r, const struct exec_opts *o)
{
	char why[512];
	if (record_security(r, &t->sec) < 0) {
		warn("container %s: its record does not say what it may do", r->id);
		return -1;
	}
	/* ch13: --process says who the command is and what it may do, as config.json would. */
	if (o->process) {
		const struct bundle *p = &o->proc;
		t->sec.numeric = true;
		t->sec.uid = p->uid, t->sec.gid = p->gid;
		t->sec.groups = p->groups, t->sec.ngroups = p->ngroups;
		memcpy(t->sec.sets, p->caps, sizeof t->sec.sets);
		t->sec.caps = p->caps[CAPS_BOUNDING];
		t->sec.no_new_privs = p->no_new_privs;
	}
	if (!t->sec.unconfined &&
	    seccomp_prepare(t->sec.seccomp, t->sec.caps, &t->filter, why, sizeof why) < 0) {
		warn("%s", why);
		return -1;
	}
	return 0;
}

/* setns into every namespace held, in the order of ns_kinds. */
static int enter_namespaces(struct target *t)
{
	for (size_t i = 0; i < NS_KINDS; i++) {
		if (t->ns_fd[i] < 0)
			continue;
		if (setns(t->ns_fd[i], ns_kinds[i].type) < 0) {
			warn_errno("enter the container's %s namespace", ns_kinds[i].name);
			return -1;
		}
		close_fd(&t->ns_fd[i]);
	}
	return 0;
}

/* The child failed at WHAT: report it to mydocker exec with errno's text, and exit CODE. */
static void __attribute__((noreturn)) child_failed(int fd, int code, const char *what)
{
	report_failure(fd, code, errno, what);
}

/* -t, in the child: a pty of the command's own, from the container's devpts (the mount
 * namespace is the container's already), as its controlling terminal and stdin, stdout and
 * stderr; the master goes to mydocker exec. A failure is reported into FD. */
static void take_pty(struct target *t, int fd)
{
	char slave[64];
	const char *what;
	int master = tty_take_pty(slave, sizeof slave, &what);
	if (master < 0)
		child_failed(fd, EXIT_RUNTIME, what);
	if (send_fd(t->console[1], "t", 1, master) < 0)
		child_failed(fd, EXIT_RUNTIME, "send the pty to mydocker exec");
	close(master);
}

/* The child, born in the container's PID namespace (and all its others): join the cgroups,
 * set up stdin, the terminal, the directory and the environment, and become the command. A
 * failure goes to mydocker exec over the close-on-exec error pipe, as init's does. */
static void __attribute__((noreturn))
exec_child(struct target *t, const struct exec_opts *o, const sigset_t *mask)
{
	int fd = t->error_pipe[1];
	close_fd(&t->error_pipe[0]);
	/* The command ends with mydocker exec: nobody else would wait for it and report how it
	 * ended. A parent that died before the prctl sends no signal; then its end of the error
	 * pipe is closed, which poll() shows as POLLERR on ours. (getppid() cannot tell: the
	 * parent is outside the container's PID namespace, so it is 0 either way.) */
	if (!o->detach && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_failed(fd, EXIT_RUNTIME, "prctl(PR_SET_PDEATHSIG)");
	struct pollfd parent = { .fd = fd };
	if (poll(&parent, 1, 0) == 1 && (parent.revents & POLLERR))
		_exit(EXIT_RUNTIME);
	/* "0" is the writing process itself. The files were opened on the host, before setns. */
	for (size_t i = 0; i < t->ncgroups; i++)
		if (write_all(t->cgroup_fd[i], "0", 1) < 0)
			child_failed(fd, EXIT_RUNTIME, "join the container's cgroup");
	/* A session of its own, out of mydocker's: the terminal's Ctrl-C goes to mydocker, which
	 * passes it on; with -t the command gets a terminal of its own. */
	if (setsid() < 0)
		child_failed(fd, EXIT_RUNTIME, "setsid");
	if (o->tty)
		take_pty(t, fd);
	else if (o->interactive && !o->detach && dup2(t->input[0], STDIN_FILENO) < 0)
		child_failed(fd, EXIT_RUNTIME, "make stdin the pipe from mydocker");
	if (!o->tty && !o->interactive && !o->detach) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0)
			child_failed(fd, EXIT_RUNTIME, "redirect stdin to /dev/null");
		close_fd(&null);
	}
	for (int i = 0; i < 2 && !o->tty && !o->detach; i++)
		if (dup2(t->output[i][1], STDOUT_FILENO + i) < 0)
			child_failed(fd, EXIT_RUNTIME, "make stdout and stderr pipes to mydocker");
	/* The mount namespace is the container's now: DIR is a path in the container. A
	 * directory that is not there means the command cannot be run: 126, as for a file that
	 * is not executable. */
	const char *dir = o->workdir ? o->workdir : "/";
	if (chdir(dir) < 0) {
		int err = errno;
		char what[512];
		snprintf(what, sizeof what, "chdir to \"%s\"", dir);
		report_failure(fd, 126, err, what);
	}
	/* execvp looks the command up in the PATH of environ: the container's, from here on. */
	environ = t->env;
	sigprocmask(SIG_SETMASK, mask, NULL);
	/* The command gives up what the container's first process gave up, in the same order
	 * (security.c): capabilities, user, no_new_privs, the seccomp filter. */
	failure_fd = fd;
	security_apply(&t->sec, t->filter.filter ? &t->filter : NULL);
	/* The command gets stdin, stdout and stderr, nothing else of mydocker's. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		child_failed(fd, EXIT_RUNTIME, "close inherited descriptors");
	execvp(o->argv[0], o->argv);
	int err = errno;
	char what[512];
	snprintf(what, sizeof what, "exec \"%s\"", o->argv[0]);
	report_failure(fd, err == ENOENT ? 127 : 126, err, what);
}

/* The ends of the command's stdin, stdout and stderr, made before the fork: with -t a socket
 * for the pty's master, without pipes (stdin's with -i only). */
static int make_stdio(struct target *t, const struct exec_opts *o)
{
	/* Detached, its stdin, stdout and stderr are exec's own (conmon's pipes). */
	if (o->detach && !o->tty)
		return 0;
	if (o->tty)
		return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, t->console);
	if (pipe2(t->output[0], O_CLOEXEC) < 0 || pipe2(t->output[1], O_CLOEXEC) < 0)
		return -1;
	return o->interactive ? pipe2(t->input, O_CLOEXEC) : 0;
}

/* The parent's ends to the relay (relay.c, with no log): the pty's master, which the child
 * sent before execve, or the pipes. The user is mydocker exec's own stdin (-i), stdout and
 * stderr. */
static int connect_stdio(struct target *t, const struct exec_opts *o)
{
	int rc, master;
	char byte;
	if (o->tty) {
		if (recv_fd(t->console[0], &byte, 1, &master) < 0) {
			warn_errno("receive the command's pty");
			return -1;
		}
		rc = relay_start(NULL, NULL, master, -1, o->interactive ? master : -1, true);
	} else {
		rc = relay_start(NULL, NULL, t->output[0][0], t->output[1][0], t->input[1], false);
		t->output[0][0] = t->output[1][0] = t->input[1] = -1;
	}
	relay_user(o->interactive ? STDIN_FILENO : -1, STDOUT_FILENO, STDERR_FILENO);
	return rc;
}

/* ch13: the pty's master, which the child sent, on to the socket --console-socket names. */
static int hand_over_pty(struct target *t, const struct exec_opts *o)
{
	int master, sock = -1;
	char byte;
	if (recv_fd(t->console[0], &byte, 1, &master) < 0) {
		warn_errno("receive the command's pty");
		return -1;
	}
	sock = connect_unix(o->console_socket);
	int rc = sock < 0 || send_fd(sock, "t", 1, master) < 0 ? -1 : 0;
	if (rc < 0)
		warn_errno("send the pty to %s", o->console_socket);
	if (sock >= 0)
		close(sock);
	close(master);
	return rc;
}

static int exec_in_container(const struct exec_opts *o)
{
	struct record r;
	struct target t = { .error_pipe = { -1, -1 },
			    .console = { -1, -1 },
			    .input = { -1, -1 },
			    .output = { { -1, -1 }, { -1, -1 } } };
	for (size_t i = 0; i < NS_KINDS; i++)
		t.ns_fd[i] = -1;
	int found = find_running(o->container, &r);
	if (found)
		return found;
	t.pid = r.state.pid;
	int code = EXIT_RUNTIME;
	sigset_t handled, old;
	sigemptyset(&handled);
	sigaddset(&handled, SIGCHLD);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGQUIT);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGHUP);
	sigaddset(&handled, SIGWINCH);
	sigset_t blocked = handled;
	/* SIGPIPE: a write to a pipe whose reader died fails with EPIPE instead. */
	sigaddset(&blocked, SIGPIPE);
	/* Blocked signals wait in the queue for supervise()'s signalfd: no handler, no race. */
	if (sigprocmask(SIG_BLOCK, &blocked, &old) < 0) {
		warn_errno("sigprocmask");
		goto out;
	}
	/* Non-dumpable, inherited by the child until its execve: no process of the container may
	 * open /proc/CHILD/exe, mydocker's binary, or its memory (CVE-2019-5736; sealed.c). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		warn_errno("prctl(PR_SET_DUMPABLE)");
		goto out;
	}
	if (prepare_security(&t, &r, o) < 0 || hold_container(&t, &r, o) < 0)
		goto out;
	if (pipe2(t.error_pipe, O_CLOEXEC) < 0 || make_stdio(&t, o) < 0) {
		warn_errno("pipe");
		goto out;
	}
	/* --pid-file is a host path: its directory is held before entering the namespaces. */
	const char *pid_name = NULL;
	int pid_dir = o->pid_file ? pid_file_dir(o->pid_file, &pid_name) : -1;
	if ((o->pid_file && pid_dir < 0) || enter_namespaces(&t) < 0)
		goto out;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		exec_child(&t, o, &old);
	if (pid < 0) {
		/* A PID namespace whose first process is gone takes no new process (ENOMEM). */
		if (!process_runs(r.state.pid, r.state.pid_start))
			warn("container %s is not running", o->container);
		else
			warn_errno("fork");
		goto out;
	}
	close_fd(&t.error_pipe[1]);
	close_fd(&t.console[1]);
	close_fd(&t.input[0]);
	for (int i = 0; i < 2; i++)
		close_fd(&t.output[i][1]);
	/* The error pipe stays empty until execve closes it, or holds why the child failed. */
	code = receive_failure(t.error_pipe[0]);
	/* ch13: detached, it is the caller's from now on: its PID, and with a terminal the pty's
	 * master to the console socket. */
	if (code == 0 && o->detach) {
		if ((o->tty && hand_over_pty(&t, o) < 0) ||
		    (pid_dir >= 0 && write_pid_at(pid_dir, pid_name, pid) < 0)) {
			kill(pid, SIGKILL);
			code = EXIT_RUNTIME;
		}
		goto out;
	}
	if (code == 0 && connect_stdio(&t, o) < 0) {
		kill(pid, SIGKILL);
		code = EXIT_RUNTIME;
	}
	/* -it: the user's terminal in raw mode while the command runs, as for `run -it`, and as
	 * it was afterwards, however the command ends. */
	bool raw = code == 0 && o->tty && o->interactive;
	struct termios saved;
	if (raw && tty_raw(STDIN_FILENO, &saved) < 0) {
		warn_errno("put the terminal in raw mode");
		kill(pid, SIGKILL);
		code = EXIT_RUNTIME;
		raw = false;
	}
	if (code == 0)
		code = supervise(pid, &handled, -1);
	if (raw)
		tty_restore(STDIN_FILENO, &saved);
	waitpid(pid, NULL, 0);
out:
	target_close(&t);
	record_free(&r);
	return code;
}

int cmd_exec(int argc, char **argv)
{
	struct exec_opts o = { 0 };
	parse_exec_options(argc, argv, &o);
	require_root();
	require_safe_root();
	int code = exec_in_container(&o);
	free(o.env);
	if (o.process)
		bundle_free(&o.proc);
	return code;
}
