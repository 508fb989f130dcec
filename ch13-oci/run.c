/* run.c: `mydocker run`: parse the options, clone the container's first process into new
 * namespaces, supervise it and exit with its status; with -d, hand it to a monitor (monitor.c)
 * and return once it runs. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "caps.h"
#include "container.h"
#include "die.h"
#include "image.h"
#include "lifecycle.h"
#include "monitor.h"
#include "name.h"
#include "opts.h"
#include "privs.h"
#include "rootfs.h"
#include "run.h"
#include "start.h"
#include "state.h"
#include "tty.h"
#include "user.h"
#include "util.h"

#define RUN_USAGE                                                                                  \
	"mydocker run [-d] [-i] [-t] [--rm] [--name NAME] [-h NAME] [-e KEY[=VAL]]... [--env-file FILE]... [--log-opt OPT]... [--network NET] [-p PORT]... [SECURITY] [LIMITS] [-v VOLUME]... [--] IMAGE [COMMAND [ARG...]]"

static const char run_help[] =
    "Usage: " RUN_USAGE "\n"
    "\n"
    "Run COMMAND (default: sh) in a new container made from IMAGE, in new UTS, PID, mount, IPC\n"
    "and network namespaces. IMAGE is NAME or NAME:TAG (NAME alone is NAME:latest).\n"
    "\n"
    "Options:\n"
    "  -d, --detach           run in the background: print the container's ID and return\n"
    "      --rm               remove the container when it exits\n"
    "      --name NAME        the container's name (default: a generated one)\n"
    "  -i, --interactive      keep stdin attached (otherwise it reads /dev/null)\n"
    "  -t, --tty              give the container a terminal (a pty) of its own, relayed to\n"
    "                         this one; with -d, `mydocker attach` connects to it later\n"
    "  -h, --hostname NAME    hostname inside the container\n"
    "  -e, --env KEY[=VAL]    set an environment variable; a KEY alone takes its value\n"
    "                         from mydocker's environment (and is removed if it has none)\n"
    "      --env-file FILE    read variables from FILE: KEY=VAL or KEY lines, '#' comments;\n"
    "                         -e wins over every file, a later setting over an earlier one\n"
    "      --log-opt max-size=SIZE  rotate the log once it would pass SIZE (such as 10m)\n"
    "      --log-opt max-file=N     with max-size: keep N log files (default 1)\n"
    "      --network NET      none (the default: a loopback only), host, bridge (a default\n"
    "                         network, made on first use) or a network's name; --net too\n"
    "  -p, --publish [IP:]HOST:CTR[/tcp|udp]\n"
    "                         publish the container's port CTR on the host's port HOST\n"
    "      --help             print this help\n"
    "\n"
    "Security:\n"
    "      --cap-add CAP      add a capability to Docker's default 14 (ALL: every one)\n"
    "      --cap-drop CAP     drop a capability (ALL: every one); drops go before adds\n"
    "      --privileged       every capability, no masked paths, no seccomp, /sys writable\n"
    "      --security-opt seccomp=FILE|unconfined\n"
    "                         the seccomp profile (default: " SECCOMP_DEFAULT_PROFILE ")\n"
    "      --security-opt no-new-privileges\n"
    "                         no process of the container can gain privileges (setuid)\n"
    "  -u, --user USER[:GROUP]\n"
    "                         run as USER (a name of the image's /etc/passwd, or a UID)\n"
    "      --read-only        mount the container's root filesystem read-only\n"
    "      --tmpfs PATH[:OPTS] mount a tmpfs at PATH (OPTS: such as size=64m,mode=1777)\n"
    "\n"
    "Limits (a cgroup of the container's own):\n"
    "  -m, --memory SIZE      memory, such as 64m or 1g (at least 6m)\n"
    "      --cpu-shares N     relative CPU weight, 1 to 262144 (1024 is the default)\n"
    "      --cpus N           CPU time, in CPUs, such as 0.5\n"
    "      --cpuset-cpus LIST CPUs it may run on, such as 0-1 or 0,2\n"
    "      --pids-limit N     at most N processes (-1: no limit)\n"
    "\n"
    "Volumes (repeatable):\n"
    "  -v, --volume HOST:CTR[:ro|rw]\n"
    "                         mount HOST at CTR in the container; HOST is an absolute host\n"
    "                         path (a missing directory is created) or a volume name, kept\n"
    "                         in the state root; ro makes it read-only\n";

static void __attribute__((noreturn)) usage_error(const char *what, const char *arg)
{
	die("%s%s%s (usage: " RUN_USAGE ")", what, arg ? " " : "", arg ? arg : "");
}

/* The options with a long name only. */
enum {
	OPT_CAP_ADD = 256,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_SECURITY_OPT,
	OPT_READ_ONLY,
	OPT_TMPFS
};

/* The CFS period --cpus is measured against: 100 ms, as Docker uses. */
#define CPU_PERIOD_US 100000

/* Docker's smallest memory limit: below it a container is killed before it can start. */
#define MIN_MEMORY (6LL << 20)

static void __attribute__((noreturn))
bad_value(const char *flag, const char *value, const char *want)
{
	die("invalid %s \"%s\" (want %s)", flag, value, want);
}

/* Check a limit flag's value now, before anything is created. */
static void parse_limit(int c, const char *value, struct limits *lim)
{
	long long n;
	switch (c) {
	case 'm':
		if (parse_memory(value, &lim->memory) < 0)
			bad_value("--memory", value, "a positive size such as 64m or 1g");
		if (lim->memory < MIN_MEMORY)
			die("invalid --memory \"%s\": Minimum memory limit allowed is 6MB", value);
		break;
	case 'S':
		if (parse_long(value, 1, 262144, &lim->cpu_shares) < 0)
			bad_value("--cpu-shares", value, "a whole number from 1 to 262144");
		break;
	case 'C':
		lim->cpu_period = CPU_PERIOD_US;
		if (parse_cpus(value, lim->cpu_period, &lim->cpu_quota) < 0)
			bad_value("--cpus", value, "a positive number of CPUs such as 0.5");
		/* The kernel takes a quota of more CPUs than there are, and the container then
		 * never gets it; Docker refuses it, and so does mydocker. */
		n = get_nprocs();
		if (lim->cpu_quota > n * lim->cpu_period)
			die("invalid --cpus \"%s\": more than the %lld CPU%s of this machine (want at most %lld)",
			    value, n, n == 1 ? "" : "s", n);
		break;
	case 'P':
		if (parse_cpuset(value, get_nprocs_conf()) < 0)
			die("invalid --cpuset-cpus \"%s\" (want CPUs such as 0-1 or 0,1 among the %d of this machine)",
			    value, get_nprocs_conf());
		lim->cpuset_cpus = value;
		break;
	case 'L':
		if (parse_long(value, -1, 1LL << 31, &n) < 0 || n == 0)
			bad_value("--pids-limit", value, "a positive whole number, or -1");
		lim->pids_max = n;
		break;
	}
}

/* --log-opt KEY=VALUE, as Docker's json-file driver takes them. */
static void parse_log_opt(const char *opt, struct log_opts *log)
{
	const char *value = strchr(opt, '=');
	if (value && str_starts_with(opt, "max-size=")) {
		if (parse_memory(value + 1, &log->max_size) < 0)
			die("invalid --log-opt %s (want a size such as 10m)", opt);
	} else if (value && str_starts_with(opt, "max-file=")) {
		if (parse_long(value + 1, 1, 1000000, &log->max_file) < 0)
			die("invalid --log-opt %s (want a whole number of files, at least 1)", opt);
	} else {
		die("unknown --log-opt %s (want max-size=SIZE or max-file=N)", opt);
	}
}

/* --security-opt, as Docker spells it: seccomp=FILE|unconfined, no-new-privileges[=true|false]
 * (":" for "=" too, Docker's older spelling). */
static void parse_security_opt(const char *opt, struct security *sec)
{
	size_t key = strcspn(opt, "=:");
	const char *value = opt[key] ? opt + key + 1 : NULL;
	int on = value ? parse_bool(value) : 1;
	if (key == strlen("seccomp") && !strncmp(opt, "seccomp", key) && value && *value)
		sec->seccomp = value;
	else if (key == strlen("no-new-privileges") && !strncmp(opt, "no-new-privileges", key) &&
		 on >= 0)
		sec->no_new_privs = on;
	else
		die("invalid --security-opt \"%s\" (want seccomp=FILE, seccomp=unconfined or no-new-privileges)",
		    opt);
}

/* The options that need the whole command line: capabilities (drops before adds, as Docker). */
static void finish_security(struct security *sec, char **add, size_t nadd, char **drop,
			    size_t ndrop)
{
	char why[256];
	sec->caps = sec->privileged ? caps_all() : caps_default();
	if (!sec->privileged &&
	    caps_compute(&sec->caps, add, nadd, drop, ndrop, why, sizeof why) < 0)
		die("%s", why);
	if (sec->privileged || (sec->seccomp && !strcmp(sec->seccomp, "unconfined")))
		sec->seccomp = NULL, sec->unconfined = true;
}

static void parse_run_options(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "detach", no_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'N' },
		{ "hostname", required_argument, NULL, 'h' },
		{ "memory", required_argument, NULL, 'm' },
		{ "cpu-shares", required_argument, NULL, 'S' },
		{ "cpus", required_argument, NULL, 'C' },
		{ "cpuset-cpus", required_argument, NULL, 'P' },
		{ "pids-limit", required_argument, NULL, 'L' },
		{ "volume", required_argument, NULL, 'v' },
		{ "env", required_argument, NULL, 'e' },
		{ "env-file", required_argument, NULL, 'F' },
		{ "rm", no_argument, NULL, 'R' },
		{ "log-opt", required_argument, NULL, 'O' },
		{ "network", required_argument, NULL, 'W' },
		{ "net", required_argument, NULL, 'W' },
		{ "publish", required_argument, NULL, 'p' },
		{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
		{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
		{ "privileged", no_argument, NULL, OPT_PRIVILEGED },
		{ "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
		{ "user", required_argument, NULL, 'u' },
		{ "read-only", no_argument, NULL, OPT_READ_ONLY },
		{ "tmpfs", required_argument, NULL, OPT_TMPFS },
		{ "help", no_argument, NULL, 'H' },
		{ 0 },
	};
	int c;
	char err[PATH_MAX + 256];
	/* Docker reads every --env-file before any -e: kept apart, added in that order below. */
	char **env_args = xmalloc(argc * sizeof *env_args),
	     **env_files = xmalloc(argc * sizeof *env_files);
	size_t nenv_args = 0, nenv_files = 0;
	char **cap_add = xmalloc(argc * sizeof *cap_add),
	     **cap_drop = xmalloc(argc * sizeof *cap_drop);
	size_t ncap_add = 0, ncap_drop = 0;
	struct security *sec = &o->sec;
	opterr = 0;
	/* "+": stop at the first non-option, so the command's own options are left alone. */
	while ((c = getopt_long(argc, argv, "+:itdh:m:v:e:p:u:", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->interactive = true;
			break;
		case 't':
			o->tty = true;
			break;
		case 'd':
			o->detach = true;
			break;
		case 'N':
			if (*optarg && !valid_name(optarg))
				die("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				    optarg);
			o->name = *optarg ? optarg : NULL; /* "": as if not given, as in Docker */
			break;
		case 'h':
			/* The kernel's limit; checked now, not when init calls sethostname. */
			if (strlen(optarg) > HOST_NAME_MAX)
				die("invalid --hostname \"%s\" (at most %d characters)", optarg,
				    HOST_NAME_MAX);
			o->hostname = optarg;
			break;
		case 'm':
		case 'S':
		case 'C':
		case 'P':
		case 'L':
			parse_limit(c, optarg, &o->limits);
			break;
		case 'v':
			if (add_volume(&o->vols, &o->nvols, optarg, err, sizeof err) < 0)
				die("%s", err);
			break;
		case 'e':
			env_args[nenv_args++] = optarg;
			break;
		case 'F':
			env_files[nenv_files++] = optarg;
			break;
		case 'R':
			o->auto_remove = true;
			break;
		case 'W':
			o->network = strcmp(optarg, "none") ? optarg : NULL;
			break;
		case 'p':
			o->ports = xrealloc(o->ports, (o->nports + 1) * sizeof *o->ports);
			if (parse_port(optarg, &o->ports[o->nports++]) < 0)
				die("invalid -p \"%s\" (want [IP:]HOST:CONTAINER[/tcp|udp], ports 1-65535)",
				    optarg);
			break;
		case 'O':
			parse_log_opt(optarg, &o->log);
			break;
		case OPT_CAP_ADD:
			cap_add[ncap_add++] = optarg;
			break;
		case OPT_CAP_DROP:
			cap_drop[ncap_drop++] = optarg;
			break;
		case OPT_PRIVILEGED:
			sec->privileged = true;
			break;
		case OPT_SECURITY_OPT:
			parse_security_opt(optarg, sec);
			break;
		case 'u':
			if (user_check(optarg) < 0)
				die("invalid --user \"%s\" (want USER, UID, USER:GROUP or UID:GID)",
				    optarg);
			sec->user = optarg;
			break;
		case OPT_READ_ONLY:
			sec->read_only = true;
			break;
		case OPT_TMPFS:
			if (tmpfs_check(optarg, err, sizeof err) < 0)
				die("%s", err);
			sec->tmpfs = xrealloc(sec->tmpfs, (sec->ntmpfs + 1) * sizeof *sec->tmpfs);
			sec->tmpfs[sec->ntmpfs++] = optarg;
			break;
		case 'H':
			fputs(run_help, stdout);
			exit(0);
		case ':':
			usage_error("option needs a value:", argv[optind - 1]);
		default:
			usage_error("unknown option", argv[optind - 1]);
		}
	}
	for (size_t i = 0; i < nenv_files; i++)
		if (env_add_file(&o->env, env_files[i], err, sizeof err) < 0)
			die("--env-file %s", err);
	for (size_t i = 0; i < nenv_args; i++)
		if (env_add_option(&o->env, env_args[i], err, sizeof err) < 0)
			die("%s", err);
	free(env_args);
	free(env_files);
	finish_security(sec, cap_add, ncap_add, cap_drop, ncap_drop);
	free(cap_add);
	free(cap_drop);
	if (optind >= argc)
		usage_error("no image given", NULL);
	o->image = argv[optind++];
	/* NAME or NAME:TAG, checked before anything is made (image.c looks it up). */
	struct image_ref ref;
	if (image_ref(o->image, &ref) < 0)
		die("invalid image name \"%s\" (want " IMAGE_RULE ")", o->image);
	static char *default_command[] = { "sh", NULL };
	o->argv = optind < argc ? argv + optind : default_command;
	/* -d with -t or -i: the monitor holds the pty or the stdin pipe, for `mydocker attach`. */
	if (o->tty && !o->detach && !isatty(STDIN_FILENO))
		die("-t needs a terminal on stdin (the input device is not a TTY)");
	if (o->log.max_file && !o->log.max_size)
		die("--log-opt max-file needs max-size too");
	if (!o->log.max_file)
		o->log.max_file = 1;
	/* Docker's rule: a port can only be published from a network with addresses. */
	if (o->nports && (!o->network || !strcmp(o->network, "host")))
		die("-p needs --network bridge or a network's name (the container's port must have an address)");
}

static int run_container(const struct run_opts *o)
{
	struct container c = CONTAINER_EMPTY(o);
	struct state st = { 0 };
	int code = EXIT_RUNTIME;
	sigset_t handled;
	sigemptyset(&handled);
	sigaddset(&handled, SIGCHLD);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGQUIT);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGHUP);
	sigaddset(&handled, SIGWINCH);
	/* Blocked signals wait in the queue for sigwaitinfo(): no handler, no race. */
	if (sigprocmask(SIG_BLOCK, &handled, &c.sigmask) < 0) {
		warn_errno("sigprocmask");
		return EXIT_RUNTIME;
	}
	/* A write to the pipe of an init that died must fail with EPIPE, not kill mydocker. */
	sigset_t pipe_signal;
	sigemptyset(&pipe_signal);
	sigaddset(&pipe_signal, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_signal, NULL);

	/* Its directory, name, image, volumes, cgroup and records (lifecycle.c). */
	if (container_create(&c) < 0)
		goto out;
	/* With -d a monitor process starts it and stays with it; mydocker returns. */
	if (o->detach)
		return monitor_start(&c, &handled);
	if (container_reaper(&c) < 0)
		goto out;
	code = start_container(&c, &st);
	if (code)
		goto out;

	/* -it: the user's terminal passes every key through to the container's pty, which does
	 * what a terminal does with them (tty.c); it is given back as it was however the
	 * container ends: exit, SIGKILL from outside, or mydocker's own SIGTERM or SIGHUP, which
	 * supervise() turns into the container's end. Only a SIGKILL of mydocker itself leaves
	 * it raw: then nothing runs to restore it (`stty sane` or `reset` does). */
	bool raw = o->tty && o->interactive;
	struct termios saved;
	if (raw && tty_raw(STDIN_FILENO, &saved) < 0) {
		warn_errno("put the terminal in raw mode");
		code = EXIT_RUNTIME;
		goto out;
	}
	code = supervise(c.pid, &handled, -1);
	if (raw)
		tty_restore(STDIN_FILENO, &saved);
	container_exited(&c, &st, code);
out:
	/* Every way out, after success or any failure: whatever was made is released. */
	container_destroy(&c);
	return code;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	parse_run_options(argc, argv, &o);
	require_root();
	require_safe_root();
	int code = run_container(&o);
	free(o.vols);
	free(o.ports);
	free(o.sec.tmpfs);
	env_free(&o.env);
	return code;
}
