/* probe.c: a small static multi-call program that tests run inside containers, so assertions
 * are exact and independent of busybox or host tools. Operations are separated by a lone ",":
 *     probe wait-cgroup , cgroup , sleep 1 , exit 3
 * Each operation prints plain lines on stdout; a failed operation prints "probe: ..." on stderr
 * and exits 100. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* /proc/self/cgroup as it was at the very first instruction of main(), before anything else. */
static char first_cgroup[8192];

static void __attribute__((noreturn)) fail(const char *what)
{
	fprintf(stderr, "probe: %s: %s\n", what, strerror(errno));
	exit(100);
}

static void print_file(const char *path)
{
	char buf[65536];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		fail(path);
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		fwrite(buf, 1, n, stdout);
	if (n < 0)
		fail(path);
	close(fd);
}

static void read_first_cgroup(void)
{
	int fd = open("/proc/self/cgroup", O_RDONLY);
	if (fd < 0)
		return;
	ssize_t n = read(fd, first_cgroup, sizeof first_cgroup - 1);
	first_cgroup[n > 0 ? n : 0] = '\0';
	close(fd);
}

static long number(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end) {
		fprintf(stderr, "probe: not a number: %s\n", s);
		exit(100);
	}
	return v;
}

static void op_ns(void)
{
	static const char *names[] = { "uts", "pid", "mnt", "ipc", "net" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[64], link[128];
		snprintf(path, sizeof path, "/proc/self/ns/%s", names[i]);
		ssize_t n = readlink(path, link, sizeof link - 1);
		if (n < 0)
			fail(path);
		link[n] = '\0';
		printf("%s\n", link);
	}
}

/* Each argument on its own line, hex-encoded, so every byte can be compared exactly. */
static void op_args(int argc, char **argv)
{
	printf("argc %d\n", argc);
	for (int i = 0; i < argc; i++) {
		for (const unsigned char *p = (const unsigned char *)argv[i]; *p; p++)
			printf("%02x", *p);
		printf("\n");
	}
}

static void op_sleep(const char *secs)
{
	double s = atof(secs);
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Allocate MB mebibytes and touch every page, so the memory is really charged. */
static void op_alloc(const char *mb)
{
	size_t size = (size_t)number(mb) << 20;
	char *p = malloc(size);
	if (!p)
		fail("malloc");
	for (size_t i = 0; i < size; i += 4096)
		p[i] = 1;
	printf("allocated %s MB\n", mb);
	fflush(stdout);
	free(p);
}

/* Fork up to N children that wait; report how many forks succeeded, then clean up. */
static void op_forkbomb(const char *n)
{
	long max = number(n), made = 0;
	pid_t *kids = calloc(max, sizeof *kids);
	if (!kids)
		fail("calloc");
	for (; made < max; made++) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			pause();
			_exit(0);
		}
		kids[made] = pid;
	}
	printf("forked %ld\n", made);
	fflush(stdout);
	for (long i = 0; i < made; i++)
		kill(kids[i], SIGKILL);
	for (long i = 0; i < made; i++)
		waitpid(kids[i], NULL, 0);
	free(kids);
}

static void op_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) < 0)
		fail("sched_getaffinity");
	const char *sep = "";
	for (int i = 0; i < CPU_SETSIZE; i++) {
		if (CPU_ISSET(i, &set)) {
			printf("%s%d", sep, i);
			sep = ",";
		}
	}
	printf("\n");
}

/* Interface names from /proc/net/dev (skipping its two header lines). */
static void op_netdevs(void)
{
	FILE *f = fopen("/proc/net/dev", "r");
	if (!f)
		fail("/proc/net/dev");
	char line[512];
	for (int i = 0; fgets(line, sizeof line, f); i++) {
		char name[64];
		if (i >= 2 && sscanf(line, " %63[^:]:", name) == 1)
			printf("%s\n", name);
	}
	fclose(f);
}

static void op_procs(void)
{
	DIR *d = opendir("/proc");
	if (!d)
		fail("/proc");
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
			printf("%s\n", e->d_name);
	closedir(d);
}

/* How many System V message queues, shared memory segments and semaphores this IPC ns has. */
static void op_ipc(void)
{
	static const char *kinds[] = { "msg", "shm", "sem" };
	for (int i = 0; i < 3; i++) {
		char path[64], line[512];
		snprintf(path, sizeof path, "/proc/sysvipc/%s", kinds[i]);
		FILE *f = fopen(path, "r");
		if (!f)
			fail(path);
		int n = -1; /* the first line is a header */
		while (fgets(line, sizeof line, f))
			n++;
		fclose(f);
		printf("%s %d\n", kinds[i], n);
	}
}

/* Is this process in mydocker's cgroup yet, in every hierarchy mydocker uses? On v1 those are
 * the memory, cpu, cpuset and pids lines; on v2 the single "0::" line. The container's cgroup
 * is PARENT/ID, PARENT being "mydocker" or a test's own "mydocker-test-XXXXXX". */
static int in_container_cgroup(void)
{
	char buf[8192], *save = NULL;
	int fd = open("/proc/self/cgroup", O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	int v1_lines = 0, ok = 1;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctl = strchr(line, ':');
		char *path = ctl ? strchr(ctl + 1, ':') : NULL;
		if (!path)
			continue;
		*path++ = '\0';
		ctl++;
		int wanted = !strcmp(ctl, "memory") || !strcmp(ctl, "cpu") ||
			     !strcmp(ctl, "cpuset") || !strcmp(ctl, "pids") ||
			     strstr(ctl, "cpu,") || strstr(ctl, ",cpu");
		if (*ctl)
			v1_lines++;
		int mine = !strncmp(path, "/mydocker", 9) && (path[9] == '/' || path[9] == '-') &&
			   strchr(path + 1, '/');
		if ((wanted || (!*ctl && v1_lines == 0)) && !mine)
			ok = 0;
	}
	return ok;
}

/* Wait (up to 5 s) until the parent has moved this process into the container's cgroup. */
static void op_wait_cgroup(void)
{
	for (int i = 0; i < 5000 && !in_container_cgroup(); i++)
		usleep(1000);
	if (!in_container_cgroup()) {
		errno = ETIMEDOUT;
		fail("wait-cgroup");
	}
}

static void op_wait_stdin(void)
{
	char c;
	while (read(0, &c, 1) == 1 && c != '\n')
		;
}

static void op_tty(void)
{
	int fd = open("/dev/tty", O_RDWR);
	printf("tty %s\n", fd >= 0 ? "ok" : strerror(errno));
	if (fd >= 0)
		close(fd);
	printf("stdin %s\n", isatty(0) ? "tty" : "notty");
}

static void op_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail(path);
	if (write(fd, text, strlen(text)) < 0)
		fail(path);
	close(fd);
}

/* BYTES bytes of 100-byte lines (99 digits and a newline; the last line cut short) on stdout,
 * in writes of 64 KiB: a generator that costs next to nothing, for the log benchmark. */
static void op_lines(const char *arg)
{
	static char buf[65500]; /* 655 lines */
	long long left = atoll(arg);
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = i % 100 == 99 ? '\n' : '0' + i % 10;
	while (left > 0) {
		ssize_t n = write(1, buf, left < (long long)sizeof buf ? (size_t)left : sizeof buf);
		if (n < 0)
			fail("write");
		left -= n;
	}
}

/* A UDP server on PORT of every address: it answers each datagram with TEXT, for ever (busybox's
 * nc has no UDP). */
static void op_udp_echo(const char *port, const char *text)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		fail("udp-echo");
	for (;;) {
		char buf[512];
		struct sockaddr_in peer;
		socklen_t len = sizeof peer;
		if (recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &len) >= 0)
			sendto(fd, text, strlen(text), 0, (struct sockaddr *)&peer, len);
	}
}

/* The names in a directory, sorted, one per line ("." and ".." left out). */
static void op_ls(const char *path)
{
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		fail(path);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			printf("%s\n", names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

static void op_exists(const char *path)
{
	struct stat st;
	printf("%s %s\n", path, lstat(path, &st) == 0 ? "yes" : "no");
}

/* The open file descriptors, one per line, except the one that reads /proc/self/fd. */
static void op_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		fail("/proc/self/fd");
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			printf("%s\n", e->d_name);
	closedir(d);
}

/* ids: the real, effective and saved user and group IDs and the supplementary groups, on one
 * line: "uid=R/E/S gid=R/E/S groups=A,B". */
static void op_ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, groups[64];
	if (getresuid(&r, &e, &s) < 0 || getresgid(&gr, &ge, &gs) < 0)
		fail("getresuid");
	int n = getgroups(64, groups);
	if (n < 0)
		fail("getgroups");
	printf("uid=%u/%u/%u gid=%u/%u/%u groups=", r, e, s, gr, ge, gs);
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	printf("\n");
}

/* try NAME: make one system call that a confined container must not be able to make, and print
 * "NAME ok" or "NAME ERRNO" (EPERM, ENOSYS...), never failing: the test reads the answer.
 *   unshare-user   unshare(CLONE_NEWUSER): needs no capability, so only seccomp stops it
 *   init-module    init_module() of an empty image: needs CAP_SYS_MODULE (EPERM without)
 *   mount          mount a tmpfs on /: needs CAP_SYS_ADMIN
 *   keyctl         keyctl(KEYCTL_JOIN_SESSION_KEYRING): refused by Docker's profile
 *   vmsplice       vmsplice() on no descriptor: EBADF, unless a filter refuses it first (the
 *                  default profile does, whatever the capabilities) */
static void op_try(const char *name)
{
	long rc;
	if (!strcmp(name, "unshare-user"))
		rc = unshare(CLONE_NEWUSER);
	else if (!strcmp(name, "init-module"))
		rc = syscall(SYS_init_module, "", 0UL, "");
	else if (!strcmp(name, "mount"))
		rc = syscall(SYS_mount, "none", "/", "tmpfs", 0UL, NULL);
	else if (!strcmp(name, "keyctl"))
		rc = syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, NULL);
	else if (!strcmp(name, "vmsplice"))
		rc = syscall(SYS_vmsplice, -1, NULL, 0UL, 0U);
	else {
		errno = EINVAL;
		fail(name);
	}
	static const char *const names[] = {
		[EPERM] = "EPERM",   [ENOENT] = "ENOENT", [ENOEXEC] = "ENOEXEC",
		[EACCES] = "EACCES", [EBADF] = "EBADF",	  [EFAULT] = "EFAULT",
		[EBUSY] = "EBUSY",   [EINVAL] = "EINVAL", [ENOSYS] = "ENOSYS",
	};
	int err = errno;
	if (rc >= 0)
		printf("%s ok\n", name);
	else if (err < (int)(sizeof names / sizeof names[0]) && names[err])
		printf("%s %s\n", name, names[err]);
	else
		printf("%s errno %d\n", name, err);
}

/* tiocsti FD TEXT: push TEXT into the input of the terminal open on FD, as an attacker in a
 * container would push a command into the user's shell. Prints "tiocsti ok" or the errno's
 * text, never failing. */
static void op_tiocsti(const char *fd_text, const char *text)
{
	int fd = (int)number(fd_text), failed = 0;
	for (const char *c = text; *c && !failed; c++)
		failed = ioctl(fd, TIOCSTI, c) < 0;
	if (failed)
		printf("tiocsti %s\n", strerror(errno));
	else
		printf("tiocsti ok\n");
}

static void usage(void)
{
	fputs(
	    "usage: probe OP [ARG...] [, OP [ARG...]]...\n"
	    "ops: pid ppid cwd uid hostname sethostname NAME ns mounts exit N args ARG... env\n"
	    "     sleep SECS alloc MB forkbomb N cgroup first-cgroup cpus netdevs procs ipc "
	    "wait-stdin\n"
	    "     wait-cgroup"
	    " tty cat FILE write FILE TEXT lines BYTES udp-echo PORT TEXT exists PATH ls DIR echo ARG... segv fds\n"
	    "     ids try unshare-user|init-module|mount|keyctl|vmsplice tiocsti FD TEXT\n",
	    stderr);
	exit(100);
}

/* Run one operation of ARGC words; returns how many words it used (args uses the rest). */
static int run_op(int argc, char **argv)
{
	const char *op = argv[0];
#define NEED(n)                                                                                    \
	do {                                                                                       \
		if (argc < (n) + 1)                                                                \
			usage();                                                                   \
	} while (0)
	if (!strcmp(op, "pid"))
		printf("%d\n", getpid());
	else if (!strcmp(op, "ppid"))
		printf("%d\n", getppid());
	else if (!strcmp(op, "cwd")) {
		char dir[4096];
		if (!getcwd(dir, sizeof dir))
			fail("getcwd");
		printf("%s\n", dir);
	} else if (!strcmp(op, "uid"))
		printf("%d\n", getuid());
	else if (!strcmp(op, "hostname")) {
		char h[256];
		if (gethostname(h, sizeof h) < 0)
			fail("gethostname");
		printf("%s\n", h);
	} else if (!strcmp(op, "sethostname")) {
		NEED(1);
		if (sethostname(argv[1], strlen(argv[1])) < 0)
			fail("sethostname");
		return 2;
	} else if (!strcmp(op, "ns"))
		op_ns();
	else if (!strcmp(op, "mounts"))
		print_file("/proc/self/mountinfo");
	else if (!strcmp(op, "exit")) {
		NEED(1);
		fflush(stdout);
		exit((int)number(argv[1]));
	} else if (!strcmp(op, "args")) {
		op_args(argc - 1, argv + 1);
		return argc;
	} else if (!strcmp(op, "env")) {
		for (char **e = environ; *e; e++)
			printf("%s\n", *e);
	} else if (!strcmp(op, "sleep")) {
		NEED(1);
		op_sleep(argv[1]);
		return 2;
	} else if (!strcmp(op, "alloc")) {
		NEED(1);
		op_alloc(argv[1]);
		return 2;
	} else if (!strcmp(op, "forkbomb")) {
		NEED(1);
		op_forkbomb(argv[1]);
		return 2;
	} else if (!strcmp(op, "first-cgroup"))
		fputs(first_cgroup, stdout);
	else if (!strcmp(op, "cgroup"))
		print_file("/proc/self/cgroup");
	else if (!strcmp(op, "cpus"))
		op_cpus();
	else if (!strcmp(op, "netdevs"))
		op_netdevs();
	else if (!strcmp(op, "procs"))
		op_procs();
	else if (!strcmp(op, "ipc"))
		op_ipc();
	else if (!strcmp(op, "wait-cgroup"))
		op_wait_cgroup();
	else if (!strcmp(op, "wait-stdin"))
		op_wait_stdin();
	else if (!strcmp(op, "tty"))
		op_tty();
	else if (!strcmp(op, "fds"))
		op_fds();
	else if (!strcmp(op, "cat")) {
		NEED(1);
		print_file(argv[1]);
		return 2;
	} else if (!strcmp(op, "write")) {
		NEED(2);
		op_write(argv[1], argv[2]);
		return 3;
	} else if (!strcmp(op, "lines")) {
		NEED(1);
		op_lines(argv[1]);
		return 2;
	} else if (!strcmp(op, "udp-echo")) {
		NEED(2);
		op_udp_echo(argv[1], argv[2]);
		return 3;
	} else if (!strcmp(op, "exists")) {
		NEED(1);
		op_exists(argv[1]);
		return 2;
	} else if (!strcmp(op, "ls")) {
		NEED(1);
		op_ls(argv[1]);
		return 2;
	} else if (!strcmp(op, "echo")) {
		int n = 1;
		for (; n < argc && strcmp(argv[n], ","); n++)
			printf("%s%s", n > 1 ? " " : "", argv[n]);
		printf("\n");
		return n;
	} else if (!strcmp(op, "ids")) {
		op_ids();
	} else if (!strcmp(op, "try")) {
		NEED(1);
		op_try(argv[1]);
		return 2;
	} else if (!strcmp(op, "tiocsti")) {
		NEED(2);
		op_tiocsti(argv[1], argv[2]);
		return 3;
	} else if (!strcmp(op, "segv")) {
		/* A real fault: the kernel forces SIGSEGV even on PID 1, which ignores signals
		 * sent to it from inside its namespace. */
		fflush(stdout);
		*(volatile int *)0 = 1;
	} else
		usage();
	return 1;
#undef NEED
}

int main(int argc, char **argv)
{
	read_first_cgroup();
	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc;) {
		i += run_op(argc - i, argv + i);
		fflush(stdout);
		if (i < argc) {
			if (strcmp(argv[i], ","))
				usage();
			i++;
		}
	}
	return 0;
}
