/* oci.c: runc's command line (ch13). An engine (Podman's conmon, containerd's shim) does not
 * run images: it prepares a *bundle*, a directory with a root filesystem and a config.json,
 * and drives a runtime through a container's life with these commands:
 *
 *   create ID   set the container up from the bundle; its process waits   -> "created"
 *   start ID    let that process run the program of config.json            -> "running"
 *   state ID    print the OCI state JSON; kill ID [SIGNAL]; list
 *   delete ID   remove what is left once it has stopped                    -> (gone)
 *
 * The internals are the Docker-like commands' own: config.json is read into the same struct
 * run_opts that run's flags fill (plus the bundle itself, for what no flag says), and the
 * container is made, started and torn down by the same lifecycle (lifecycle.c). What differs
 * is who supervises: nobody in mydocker. `create` exits while the container's first process
 * waits on exec.fifo for `start` (runc's way); that process is left to the caller, which (as
 * conmon does, being a child subreaper) reaps it and learns its exit status. So a bundle's
 * container is "stopped" when its process is gone, seen from its PID and start time, and stays
 * until `delete`. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bundle.h"
#include "caps.h"
#include "cgroup.h"
#include "container.h"
#include "die.h"
#include "hooks.h"
#include "image.h"
#include "lifecycle.h"
#include "oci.h"
#include "opts.h"
#include "privs.h"
#include "proc.h"
#include "rfc3339.h"
#include "start.h"
#include "state.h"
#include "stop.h"
#include "util.h"

/* The version of the runtime spec that `state` reports, as runc 1.1 does. */
#define OCI_VERSION "1.0.2"

/* How long `start` and `delete --force` wait for a container's process, in milliseconds. */
#define WAIT_MS 10000

/* runc exits 1 on every error; so do these commands (the Docker-like ones exit 125). */
#define EXIT_OCI 1

/* --- Reading a container's state ------------------------------------------------------------ */

/* The container ID as config.json of its record says it was made from a bundle: its records,
 * or -1 after saying why. */
static int load_bundle_record(const char *id, struct record *r)
{
	if (record_load(state_root, id, r) == 0) {
		if (json_object_object_get_ex(r->config, "bundle", NULL))
			return 0;
		record_free(r);
		errno = ENOENT;
	}
	if (errno == ENOENT)
		warn("container \"%s\" does not exist", id);
	else
		warn_errno("read the records of container %s", id);
	return -1;
}

/* R's cgroup directories, as its record keeps them (where config.json put them), into CG; the
 * caller frees them (cgroup_free). */
static void record_cgroup(const struct record *r, struct cgroup *cg)
{
	struct json_object *dirs;
	*cg = (struct cgroup){ 0 };
	if (json_object_object_get_ex(r->config, "cgroup", &dirs))
		for (size_t i = 0; i < json_object_array_length(dirs) && i < CG_NCONTROLLERS; i++)
			cg->dir[i] =
			    xstrdup(json_object_get_string(json_object_array_get_idx(dirs, i)));
}

/* The file that freezes R's processes: v1's freezer.state, or v2's cgroup.freeze; NULL if its
 * record names neither (the caller frees it). */
static char *freeze_file(const struct record *r)
{
	struct cgroup cg;
	char *found = NULL;
	record_cgroup(r, &cg);
	for (int i = 0; i < CG_NCONTROLLERS && cg.dir[i] && !found; i++)
		for (int v2 = 0; v2 < 2 && !found; v2++) {
			char *file = path_join(cg.dir[i], v2 ? "cgroup.freeze" : "freezer.state");
			if (access(file, F_OK) == 0)
				found = file;
			else
				free(file);
		}
	cgroup_free(&cg);
	return found;
}

/* Is R frozen (pause)? */
static bool frozen(const struct record *r)
{
	char *file = freeze_file(r), text[32] = "";
	bool v2 = file && str_starts_with(strrchr(file, '/'), "/cgroup.");
	bool yes = file && read_file(file, text, sizeof text) > 0 &&
		   !strncmp(str_trim(text), v2 ? "1" : "FROZEN", v2 ? 1 : 6);
	free(file);
	return yes;
}

/* What the OCI spec calls its status: "creating" until `create` has recorded its process,
 * "created" until `start`, "running", "paused" while frozen, "stopped" once its process is
 * gone (or is a zombie nobody has reaped yet). */
static const char *status_of(const struct record *r)
{
	const struct state *st = &r->state;
	unsigned long long start;
	char state;
	if (st->pid == 0)
		return st->status == STATUS_EXITED ? "stopped" : "creating";
	if (proc_start_time(st->pid, &start, &state) < 0 || start != st->pid_start || state == 'Z')
		return "stopped";
	if (st->status == STATUS_CREATED)
		return "created";
	return frozen(r) ? "paused" : "running";
}

/* The OCI state of R, as `state` prints it and hooks read it on stdin. */
static struct json_object *state_json(const struct record *r)
{
	const char *status = status_of(r);
	struct json_object *j = json_object_new_object(), *v;
	char created[64];
	time_format(&r->created, created, sizeof created);
	json_object_object_add(j, "ociVersion", json_object_new_string(OCI_VERSION));
	json_object_object_add(j, "id", json_object_new_string(r->id));
	json_object_object_add(j, "pid",
			       json_object_new_int(strcmp(status, "stopped") ? r->state.pid : 0));
	json_object_object_add(j, "status", json_object_new_string(status));
	json_object_object_add(j, "bundle", json_object_new_string(r->image));
	json_object_object_add(j, "rootfs", json_object_new_string(r->lower));
	json_object_object_add(j, "created", json_object_new_string(created));
	json_object_object_add(j, "owner", json_object_new_string(""));
	if (json_object_object_get_ex(r->config, "annotations", &v))
		json_object_object_add(j, "annotations", json_object_get(v));
	return j;
}

static void print_json(struct json_object *j)
{
	puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
}

/* Run the hooks of KIND kept in R's record (config.json's), with R's state on their stdin. */
static int record_hooks(const struct record *r, int kind)
{
	struct json_object *hooks;
	struct bundle b;
	char why[512];
	if (!json_object_object_get_ex(r->config, "hooks", &hooks))
		return 0;
	if (bundle_load_hooks(hooks, &b, why, sizeof why) < 0) {
		warn("%s", why);
		return -1;
	}
	/* The status each kind is run in, as the spec has it, whatever the process did since (a
	 * short program may have ended before its poststart hooks run). */
	struct json_object *state = state_json(r);
	json_object_object_add(state, "status",
			       json_object_new_string(kind == HOOK_POSTSTART  ? "running"
						      : kind == HOOK_POSTSTOP ? "stopped"
									      : "created"));
	if (kind != HOOK_POSTSTOP)
		json_object_object_add(state, "pid", json_object_new_int(r->state.pid));
	int rc = run_hooks(&b.hooks, kind, state);
	json_object_put(state);
	bundle_free(&b);
	return rc;
}

/* --- create ------------------------------------------------------------------------------- */

#define CREATE_USAGE                                                                               \
	"mydocker create [--bundle DIR] [--pid-file FILE] [--console-socket SOCKET] "              \
	"[--preserve-fds N] [--no-pivot] [--no-new-keyring] ID"

static const char create_help[] =
    "Usage: " CREATE_USAGE "\n"
    "\n"
    "Create the container ID from an OCI bundle, as runc does: its process is set up and waits;\n"
    "`mydocker start ID` lets it run the program config.json names.\n"
    "\n"
    "Options:\n"
    "  -b, --bundle DIR          the bundle: its config.json and root (default: .)\n"
    "      --pid-file FILE       write the container's process ID there\n"
    "      --console-socket SOCK with process.terminal, send the pty's master to this socket\n"
    "      --preserve-fds N      pass descriptors 3 to 3+N-1 on to the program\n"
    "      --no-pivot            accepted; mydocker always uses pivot_root\n"
    "      --no-new-keyring      keep the session keyring of the caller\n"
    "      --help                print this help\n";

/* What create and run take. */
struct create_opts {
	const char *bundle, *pid_file, *console_socket, *id;
	long long preserve_fds;
	bool no_new_keyring, detach;
};

static void parse_create(int argc, char **argv, struct create_opts *co, const char *help,
			 const char *usage, bool run)
{
	enum { PID_FILE = 1000, CONSOLE, PRESERVE, NO_PIVOT, NO_KEYRING };
	static const struct option longopts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, PID_FILE },
		{ "console-socket", required_argument, NULL, CONSOLE },
		{ "preserve-fds", required_argument, NULL, PRESERVE },
		{ "no-pivot", no_argument, NULL, NO_PIVOT },
		{ "no-new-keyring", no_argument, NULL, NO_KEYRING },
		{ "detach", no_argument, NULL, 'd' },
		OPT_HELP,
		{ 0 },
	};
	int c;
	*co = (struct create_opts){ .bundle = "." };
	while ((c = next_option(argc, argv, run ? ":b:d" : ":b:", longopts, help, usage)) != -1)
		switch (c) {
		case 'b':
			co->bundle = optarg;
			break;
		case 'd':
			co->detach = true;
			break;
		case PID_FILE:
			co->pid_file = optarg;
			break;
		case CONSOLE:
			co->console_socket = optarg;
			break;
		case PRESERVE:
			if (parse_long(optarg, 0, 1000, &co->preserve_fds) < 0)
				die("invalid --preserve-fds \"%s\" (want 0 to 1000)", optarg);
			break;
		case NO_KEYRING:
			co->no_new_keyring = true;
			break;
		}
	if (optind != argc - 1)
		die("want exactly one container ID (usage: %s)", usage);
	co->id = argv[optind];
	if (!valid_id(co->id))
		die("invalid container ID \"%s\" (letters, digits and _+-. only, at most 64)",
		    co->id);
}

/* config.json's process and limits as the options of `run` would give them. */
static void bundle_to_opts(const struct bundle *b, const struct create_opts *co, struct run_opts *o)
{
	*o = (struct run_opts){ .bundle = b,
				.argv = b->args,
				.tty = b->terminal,
				.interactive = b->terminal,
				.limits = b->limits,
				.console_socket = co->console_socket,
				.preserve_fds = (int)co->preserve_fds,
				.no_new_keyring = co->no_new_keyring };
	struct security *sec = &o->sec;
	sec->numeric = true;
	sec->uid = b->uid;
	sec->gid = b->gid;
	sec->groups = b->groups;
	sec->ngroups = b->ngroups;
	memcpy(sec->sets, b->caps, sizeof sec->sets);
	sec->caps = b->caps[CAPS_BOUNDING];
	sec->no_new_privs = b->no_new_privs;
	sec->read_only = b->readonly;
	sec->unconfined = !b->seccomp;
}

/* Make container CO->id from its bundle, up to its process waiting for `start`. On success C
 * holds it (the caller forgets or supervises it); on failure nothing is left. */
static int create_container(const struct create_opts *co, struct bundle *b, struct run_opts *o,
			    struct container *c)
{
	char why[1024];
	struct state st = { 0 };
	if (bundle_load(co->bundle, b, why, sizeof why) < 0) {
		warn("%s", why);
		return EXIT_OCI;
	}
	char *dir = container_dir(state_root, co->id);
	bool exists = access(dir, F_OK) == 0;
	free(dir);
	if (exists) {
		warn("container with id exists: %s", co->id);
		return EXIT_OCI;
	}
	bundle_to_opts(b, co, o);
	*c = (struct container)CONTAINER_EMPTY(o);
	/* A write to the pipe of an init that died must fail with EPIPE, not kill mydocker. */
	signal(SIGPIPE, SIG_IGN);
	int code = container_create_bundle(c, co->id) < 0 ? EXIT_OCI : start_container(c, &st);
	if (code == 0 && co->pid_file && write_pid(co->pid_file, c->pid) < 0)
		code = EXIT_OCI;
	/* The hooks of creation, now that the container is set up and waits. */
	struct record r;
	if (code == 0 && record_load(state_root, c->id, &r) == 0) {
		for (int kind = HOOK_PRESTART; kind <= HOOK_CREATE_CONTAINER && code == 0; kind++)
			if (record_hooks(&r, kind) < 0)
				code = EXIT_OCI;
		record_free(&r);
	}
	if (code) {
		container_destroy(c);
		return code == EXIT_RUNTIME ? EXIT_OCI : code;
	}
	return 0;
}

int cmd_create(int argc, char **argv)
{
	die_status = EXIT_OCI;
	struct create_opts co;
	struct bundle b;
	struct run_opts o;
	struct container c;
	parse_create(argc, argv, &co, create_help, CREATE_USAGE, false);
	require_root();
	require_safe_root();
	int code = create_container(&co, &b, &o, &c);
	if (code == 0)
		container_forget(&c); /* its process is the caller's now */
	bundle_free(&b);
	return code;
}

/* --- start -------------------------------------------------------------------------------- */

/* Let the process of R run: one byte into exec.fifo, whose read end it holds while it lives
 * (so the open fails, ENXIO, once it has died). */
static int release(const struct record *r)
{
	char *fifo = path_join(r->dir, "exec.fifo");
	int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC), rc = -1;
	if (fd < 0 && errno == ENXIO)
		warn("container %s exited before it could start", r->id);
	else if (fd < 0 || write(fd, "0", 1) != 1)
		warn_errno("write %s", fifo);
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		unlink(fifo);
	free(fifo);
	return rc;
}

/* Start container ID: from "created" only, as the spec says. */
static int start_one(const char *id)
{
	struct record r;
	int lock = container_lock(state_root, id);
	if (lock < 0 && errno == EWOULDBLOCK) {
		warn("container %s is being created or changed", id);
		return EXIT_OCI;
	}
	if (load_bundle_record(id, &r) < 0) {
		if (lock >= 0)
			close(lock);
		return EXIT_OCI;
	}
	const char *status = status_of(&r);
	int code = EXIT_OCI;
	if (!strcmp(status, "created")) {
		if (release(&r) == 0) {
			r.state.status = STATUS_RUNNING;
			time_now(&r.state.started);
			code = state_write(r.dir, &r.state) < 0 ? EXIT_OCI : 0;
			/* A poststart hook that fails is a warning: the program runs. */
			if (code == 0)
				record_hooks(&r, HOOK_POSTSTART);
		}
	} else if (!strcmp(status, "stopped")) {
		warn("cannot start a container that has stopped");
	} else {
		warn("cannot start a container in the %s state", status);
	}
	record_free(&r);
	close(lock);
	return code;
}

#define START_USAGE "mydocker start ID"

static const char start_help[] = "Usage: " START_USAGE "\n"
				 "\n"
				 "Run the program of the created container ID (see create).\n";

int cmd_start(int argc, char **argv)
{
	die_status = EXIT_OCI;
	no_options(argc, argv, start_help, START_USAGE);
	if (optind != argc - 1)
		die("want exactly one container ID (usage: " START_USAGE ")");
	require_root();
	require_safe_root();
	return start_one(argv[optind]);
}

/* --- state, list ---------------------------------------------------------------------------- */

#define STATE_USAGE "mydocker state ID"

static const char state_help[] =
    "Usage: " STATE_USAGE "\n"
    "\n"
    "Print the state of container ID as the OCI runtime spec has it.\n";

int cmd_state(int argc, char **argv)
{
	die_status = EXIT_OCI;
	struct record r;
	no_options(argc, argv, state_help, STATE_USAGE);
	if (optind != argc - 1)
		die("want exactly one container ID (usage: " STATE_USAGE ")");
	if (load_bundle_record(argv[optind], &r) < 0)
		return EXIT_OCI;
	print_json(state_json(&r));
	record_free(&r);
	return 0;
}

#define LIST_USAGE "mydocker list [-f table|json] [-q]"

static const char list_help[] = "Usage: " LIST_USAGE "\n"
				"\n"
				"List the containers made from bundles (create, run --bundle).\n"
				"\n"
				"Options:\n"
				"  -f, --format FORMAT  table (default) or json\n"
				"  -q, --quiet          only their IDs\n"
				"      --help           print this help\n";

int cmd_list(int argc, char **argv)
{
	die_status = EXIT_OCI;
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		OPT_HELP,
		{ 0 },
	};
	bool json = false, quiet = false;
	int c;
	while ((c = next_option(argc, argv, ":f:q", longopts, list_help, LIST_USAGE)) != -1)
		if (c == 'q')
			quiet = true;
		else if (!strcmp(optarg, "json") || !strcmp(optarg, "table"))
			json = !strcmp(optarg, "json");
		else
			die("invalid --format \"%s\" (table or json)", optarg);
	if (optind < argc)
		die("unexpected argument %s (usage: " LIST_USAGE ")", argv[optind]);
	struct record *all;
	size_t n;
	if (record_list(state_root, &all, &n) < 0)
		die_errno("list %s/containers", state_root);
	struct json_object *array = json_object_new_array();
	if (!json && !quiet)
		printf("%-24s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++) {
		if (!json_object_object_get_ex(all[i].config, "bundle", NULL))
			continue;
		struct json_object *s = state_json(&all[i]);
		if (json)
			json_object_array_add(array, json_object_get(s));
		else if (quiet)
			puts(all[i].id);
		else
			printf("%-24s %-8d %-10s %-40s %-32s %s\n", all[i].id,
			       json_object_get_int(json_object_object_get(s, "pid")),
			       json_object_get_string(json_object_object_get(s, "status")),
			       all[i].image,
			       json_object_get_string(json_object_object_get(s, "created")),
			       "root");
		json_object_put(s);
	}
	if (json)
		print_json(array);
	else
		json_object_put(array);
	for (size_t i = 0; i < n; i++)
		record_free(&all[i]);
	free(all);
	return 0;
}

/* --- kill --------------------------------------------------------------------------------- */

/* SIGNAL as runc takes it: a number, or a name with or without SIG, in any case. */
static int parse_signal(const char *s)
{
	long long n;
	if (parse_long(s, 1, 64, &n) == 0)
		return (int)n;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *name = sigabbrev_np(sig);
		if (name && !strcasecmp(name, s))
			return sig;
	}
	return -1;
}

/* Send SIG to every process of R's cgroups (kill --all); -1 if its record names none. */
static int kill_all(const struct record *r, int sig)
{
	struct cgroup cg;
	record_cgroup(r, &cg);
	int rc = cg.dir[0] ? 0 : -1;
	for (int i = 0; i < CG_NCONTROLLERS && cg.dir[i]; i++) {
		char *procs = path_join(cg.dir[i], "cgroup.procs");
		FILE *f = fopen(procs, "re");
		free(procs);
		int pid;
		while (f && fscanf(f, "%d", &pid) == 1)
			kill(pid, sig);
		if (f)
			fclose(f);
	}
	cgroup_free(&cg);
	return rc;
}

#define KILL_USAGE "mydocker kill [--all] ID [SIGNAL]"

static const char kill_help[] =
    "Usage: " KILL_USAGE "\n"
    "\n"
    "Send SIGNAL (default SIGTERM; a name or a number) to the process of container ID.\n"
    "\n"
    "Options:\n"
    "  -a, --all   to every process of the container\n"
    "      --help  print this help\n";

int cmd_kill(int argc, char **argv)
{
	die_status = EXIT_OCI;
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		OPT_HELP,
		{ 0 },
	};
	bool all = false;
	while (next_option(argc, argv, "a", longopts, kill_help, KILL_USAGE) != -1)
		all = true;
	if (optind != argc - 1 && optind != argc - 2)
		die("want a container ID and maybe a signal (usage: " KILL_USAGE ")");
	int sig = optind == argc - 2 ? parse_signal(argv[optind + 1]) : SIGTERM;
	if (sig < 0)
		die("invalid signal \"%s\"", argv[optind + 1]);
	require_root();
	struct record r;
	if (load_bundle_record(argv[optind], &r) < 0)
		return EXIT_OCI;
	const char *status = status_of(&r);
	int code = EXIT_OCI;
	if (!strcmp(status, "stopped") || !strcmp(status, "creating"))
		warn("container %s is not running", r.id);
	else if (all ? kill_all(&r, sig) < 0 : kill(r.state.pid, sig) < 0)
		warn_errno("kill container %s", r.id);
	else
		code = 0;
	record_free(&r);
	return code;
}

/* --- ps ID ----------------------------------------------------------------------------------- */

#define PS_USAGE "mydocker ps [-f table|json] ID"

static const char ps_help[] =
    "Usage: " PS_USAGE "\n"
    "\n"
    "The processes of the container ID made from a bundle (its cgroup's), as runc ps: a table\n"
    "by ps(1), or their PIDs as JSON. (Without ID, `mydocker ps` lists containers, as Docker.)\n";

bool oci_ps_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-' && (i == 1 || strcmp(argv[i - 1], "-f")))
			return true;
	return false;
}

int cmd_ps_bundle(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		OPT_HELP,
		{ 0 },
	};
	bool json = false;
	die_status = EXIT_OCI;
	while (next_option(argc, argv, ":f:", longopts, ps_help, PS_USAGE) != -1)
		if (!strcmp(optarg, "json") || !strcmp(optarg, "table"))
			json = !strcmp(optarg, "json");
		else
			die("invalid --format \"%s\" (table or json)", optarg);
	if (optind != argc - 1)
		die("want exactly one container ID (usage: " PS_USAGE ")");
	struct record r;
	struct json_object *pids = json_object_new_array();
	struct cgroup cg;
	if (load_bundle_record(argv[optind], &r) < 0)
		return EXIT_OCI;
	record_cgroup(&r, &cg);
	char *list = xstrdup("");
	if (cg.dir[0]) {
		char *procs = path_join(cg.dir[0], "cgroup.procs");
		FILE *f = fopen(procs, "re");
		int pid;
		while (f && fscanf(f, "%d", &pid) == 1) {
			json_object_array_add(pids, json_object_new_int(pid));
			char *longer = xasprintf("%s%s%d", list, *list ? "," : "", pid);
			free(list);
			list = longer;
		}
		if (f)
			fclose(f);
		free(procs);
	}
	cgroup_free(&cg);
	record_free(&r);
	if (json || !*list) {
		if (json)
			print_json(pids);
		else
			json_object_put(pids);
		free(list);
		return 0;
	}
	json_object_put(pids);
	fflush(NULL);
	execlp("ps", "ps", "-o", "pid,user,stat,time,args", "-p", list, (char *)NULL);
	die_errno("run ps");
}

/* --- pause, resume ------------------------------------------------------------------------ */

/* Freeze (FREEZE) or thaw container ID with its cgroup's freezer, and wait until the kernel
 * says it is done (a frozen cgroup is one whose every process has stopped). */
static int freeze(const char *id, bool freeze)
{
	struct record r;
	if (load_bundle_record(id, &r) < 0)
		return EXIT_OCI;
	const char *status = status_of(&r), *want = freeze ? "running" : "paused";
	char *file = freeze_file(&r);
	int code = EXIT_OCI;
	bool v2 = file && str_starts_with(strrchr(file, '/'), "/cgroup.");
	if (strcmp(status, want))
		warn("container %s is %s, not %s", id, status, want);
	else if (!file)
		warn("container %s has no freezer cgroup", id);
	else if (write_file(file, v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED")) < 0)
		warn_errno("write %s", file);
	else
		for (int waited = 0; waited < WAIT_MS && code; waited += 10) {
			if (frozen(&r) == freeze)
				code = 0;
			else
				nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
		}
	if (code && file && !strcmp(status, want))
		warn("container %s: the freezer did not finish in %d s", id, WAIT_MS / 1000);
	free(file);
	record_free(&r);
	return code;
}

static const char pause_help[] = "Usage: mydocker pause ID\n"
				 "\n"
				 "Freeze every process of container ID (cgroup freezer).\n";
static const char resume_help[] = "Usage: mydocker resume ID\n"
				  "\n"
				  "Thaw the processes of container ID, paused before.\n";

int cmd_pause(int argc, char **argv)
{
	die_status = EXIT_OCI;
	no_options(argc, argv, pause_help, "mydocker pause ID");
	if (optind != argc - 1)
		die("want exactly one container ID (usage: mydocker pause ID)");
	require_root();
	return freeze(argv[optind], true);
}

int cmd_resume(int argc, char **argv)
{
	die_status = EXIT_OCI;
	no_options(argc, argv, resume_help, "mydocker resume ID");
	if (optind != argc - 1)
		die("want exactly one container ID (usage: mydocker resume ID)");
	require_root();
	return freeze(argv[optind], false);
}

/* --- delete ------------------------------------------------------------------------------- */

/* Wait up to WAIT_MS for R's process to be gone. Its pidfd (stop.c says why) becomes readable
 * the moment it exits, so `delete --force` returns as soon as the kernel has killed it. */
static bool wait_stopped(const struct record *r)
{
	int pidfd = pidfd_open(r->state.pid, 0);
	/* Checked after pidfd_open: if the recorded process still runs now, the pidfd is it. */
	bool gone = !strcmp(status_of(r), "stopped");
	if (!gone && pidfd >= 0)
		gone = wait_exit(pidfd, WAIT_MS);
	if (pidfd >= 0)
		close(pidfd);
	return gone;
}

/* Remove R: its processes (a created one's is still waiting), its cgroups where config.json
 * put them, then the rest as every container goes (container_teardown). */
static int remove_container(const struct record *r)
{
	kill_all(r, SIGKILL);
	if (!wait_stopped(r)) {
		warn("container %s: its process has not exited after SIGKILL", r->id);
		return -1;
	}
	struct cgroup cg;
	record_cgroup(r, &cg);
	cgroup_destroy(&cg);
	/* poststop: warned about if it fails; the container goes all the same. */
	record_hooks(r, HOOK_POSTSTOP);
	return container_teardown(state_root, r->id);
}

#define DELETE_USAGE "mydocker delete [--force] ID..."

static const char delete_help[] =
    "Usage: " DELETE_USAGE "\n"
    "\n"
    "Remove containers made from bundles once they have stopped.\n"
    "\n"
    "Options:\n"
    "  -f, --force  kill a running one first (SIGKILL); no error for one that does not exist\n"
    "      --help   print this help\n";

static int delete_one(const char *id, bool force)
{
	struct record r;
	int lock = container_lock(state_root, id);
	if (lock < 0 && errno == EWOULDBLOCK) {
		warn("container %s is being created or changed", id);
		return EXIT_OCI;
	}
	if (lock < 0 && errno == ENOENT && force)
		return 0;
	if (lock < 0 || load_bundle_record(id, &r) < 0) {
		if (lock >= 0)
			close(lock);
		else if (errno != ENOENT)
			warn_errno("lock container %s", id);
		else
			warn("container \"%s\" does not exist", id);
		return EXIT_OCI;
	}
	const char *status = status_of(&r);
	int code = EXIT_OCI;
	/* Only a stopped one, the spec says (runc 1.1 also deletes a created one). */
	if (!force && strcmp(status, "stopped"))
		warn("cannot delete container %s that is not stopped: %s", id, status);
	else if (remove_container(&r) == 0)
		code = 0;
	record_free(&r);
	close(lock);
	return code;
}

int cmd_delete(int argc, char **argv)
{
	die_status = EXIT_OCI;
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		OPT_HELP,
		{ 0 },
	};
	bool force = false;
	while (next_option(argc, argv, "f", longopts, delete_help, DELETE_USAGE) != -1)
		force = true;
	if (optind >= argc)
		die("no container ID given (usage: " DELETE_USAGE ")");
	require_root();
	require_safe_root();
	int code = 0;
	for (int i = optind; i < argc; i++)
		if (delete_one(argv[i], force))
			code = EXIT_OCI;
	return code;
}

/* --- run --bundle --------------------------------------------------------------------------- */

#define RUN_USAGE                                                                                  \
	"mydocker run --bundle DIR [-d] [--pid-file FILE] [--console-socket SOCKET] "              \
	"[--preserve-fds N] [--no-new-keyring] ID"

static const char run_help[] =
    "Usage: " RUN_USAGE "\n"
    "\n"
    "create, then start, the container ID of the bundle DIR; without -d wait for it to exit\n"
    "and delete it, with its exit status as mydocker's. (Without --bundle, `mydocker run`\n"
    "runs an image, as Docker.)\n";

int pid_file_dir(const char *file, const char **name)
{
	const char *slash = strrchr(file, '/');
	char *dir = slash ? xasprintf("%.*s", (int)(slash - file + 1), file) : xstrdup(".");
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		warn_errno("open %s for the pid file", dir);
	free(dir);
	*name = slash ? slash + 1 : file;
	return fd;
}

int write_pid_at(int dir, const char *name, pid_t pid)
{
	char *tmp = xasprintf(".%s.%d", name, getpid());
	int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc = fd < 0 || dprintf(fd, "%d", (int)pid) < 0 || close(fd) < 0 ||
			 renameat(dir, tmp, dir, name) < 0
		     ? -1
		     : 0;
	if (rc < 0) {
		warn_errno("write the pid file %s", name);
		unlinkat(dir, tmp, 0);
	}
	free(tmp);
	return rc;
}

int write_pid(const char *file, pid_t pid)
{
	const char *name;
	int dir = pid_file_dir(file, &name);
	int rc = dir < 0 ? -1 : write_pid_at(dir, name, pid);
	if (dir >= 0)
		close(dir);
	return rc;
}

bool oci_command(int argc, char **argv)
{
	static const char *const names[] = { "spec",   "create", "start", "state",  "kill",
					     "delete", "list",	 "pause", "resume", NULL };
	for (const char *const *n = names; *n; n++)
		if (!strcmp(argv[0], *n))
			return true;
	if (!strcmp(argv[0], "exec"))
		for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
			if (!strncmp(argv[i], "--process", 9))
				return true;
	if (!strcmp(argv[0], "ps") && oci_ps_wanted(argc, argv))
		return true;
	return !strcmp(argv[0], "run") && oci_run_wanted(argc, argv);
}

bool oci_run_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-b") || !strcmp(argv[i], "--bundle") ||
		    !strncmp(argv[i], "--bundle=", 9))
			return true;
	return false;
}

int cmd_run_bundle(int argc, char **argv)
{
	die_status = EXIT_OCI;
	struct create_opts co;
	struct bundle b;
	struct run_opts o;
	struct container c;
	parse_create(argc, argv, &co, run_help, RUN_USAGE, true);
	require_root();
	require_safe_root();
	sigset_t handled;
	sigemptyset(&handled);
	sigaddset(&handled, SIGCHLD);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGHUP);
	sigaddset(&handled, SIGQUIT);
	sigprocmask(SIG_BLOCK, &handled, NULL);
	int code = create_container(&co, &b, &o, &c);
	/* start takes the container's lock, as it would from another process. */
	if (code == 0)
		close_fd(&c.lock_fd);
	if (code == 0 && (code = start_one(co.id)) != 0)
		container_destroy(&c);
	if (code == 0 && co.detach) {
		container_forget(&c);
	} else if (code == 0) {
		/* This process is the container's parent: it waits for it, passing signals on. */
		code = supervise(c.pid, &handled, -1);
		c.pid = 0;
		container_destroy(&c);
	}
	bundle_free(&b);
	return code;
}
