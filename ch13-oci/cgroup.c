/* cgroup.c: cgroup v1 or v2 is decided once, here; the rest of mydocker sees only
 * cgroup_create, cgroup_join and cgroup_destroy. Also the parsers for the limit flags. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include "cgroup.h"
#include "die.h"
#include "util.h"

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

/* -m: a positive number of bytes, optionally with b, k, m or g (any case), as Docker takes. */
int parse_memory(const char *s, long long *bytes)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	int shift = 0;
	switch (tolower((unsigned char)*end)) {
	case '\0':
	case 'b':
		break;
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	default:
		return -1;
	}
	if (*end && end[1])
		return -1;
	if (errno || v == 0 || v > (unsigned long long)(INT64_MAX >> shift))
		return -1;
	*bytes = (long long)(v << shift);
	return 0;
}

/* --cpus: a positive decimal number of CPUs, turned into a CFS quota for PERIOD microseconds. */
int parse_cpus(const char *s, long long period, long long *quota)
{
	char *end;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -1;
	errno = 0;
	double cpus = strtod(s, &end);
	if (errno || *end || !(cpus > 0) || cpus > 1024)
		return -1;
	*quota = llround(cpus * period);
	return *quota > 0 ? 0 : -1;
}

/* --cpuset-cpus: "N", "N-M" and commas between them, every CPU below NCPUS. */
int parse_cpuset(const char *s, int ncpus)
{
	const char *p = s;
	for (;;) {
		char *end;
		if (!isdigit((unsigned char)*p))
			return -1;
		long lo = strtol(p, &end, 10), hi = lo;
		p = end;
		if (*p == '-') {
			if (!isdigit((unsigned char)p[1]))
				return -1;
			hi = strtol(p + 1, &end, 10);
			p = end;
		}
		if (lo > hi || hi >= ncpus)
			return -1;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

/* cgroup v2 has cpu.weight (1..10000) instead of v1's cpu.shares (2..262144). This is the
 * conversion runc and crun use: it maps 2 to 1, 1024 (the default) to 100 and 262144 to 10000
 * along a curve, so the default stays the default. */
long long shares_to_weight(long long shares)
{
	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	double l = log2((double)shares);
	double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
	return (long long)ceil(pow(10, exponent));
}

/* Write VALUE into DIR/FILE; a refusal by the kernel is reported with the file and value. */
int cg_write(const char *dir, const char *file, const char *value)
{
	char *path = path_join(dir, file);
	int rc = write_file(path, value);
	if (rc < 0)
		warn_errno("cgroup: write \"%s\" to %s", value, path);
	free(path);
	return rc;
}

int cg_write_number(const char *dir, const char *file, long long value)
{
	char text[32];
	snprintf(text, sizeof text, "%lld", value);
	return cg_write(dir, file, text);
}

int cg_mkdir(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		warn_errno("cgroup: mkdir %s", dir);
		return -1;
	}
	return 0;
}

/* ch13: make ROOT/PARENT, PARENT being one or more levels ("a/b"), calling LEVEL(above, dir)
 * for each new level (v1's cpuset needs its parent's CPUs, v2 the controllers enabled). The
 * deepest directory is returned in *OUT. */
int cg_mkdir_levels(const char *root, const char *parent, int (*level)(const char *, const char *),
		    char **out)
{
	char *above = xstrdup(root), *copy = xstrdup(parent), *save = NULL;
	int rc = 0;
	for (char *part = strtok_r(copy, "/", &save); part && rc == 0;
	     part = strtok_r(NULL, "/", &save)) {
		char *dir = path_join(above, part);
		rc = cg_mkdir(dir);
		if (rc == 0 && level)
			rc = level(above, dir);
		free(above);
		above = dir;
	}
	free(copy);
	*out = above;
	return rc;
}

/* Remove a container's cgroup directory. Right after the last task exits the kernel may still
 * count it for a moment (EBUSY), so try again for up to a second. */
void cg_rmdir(char **dir)
{
	if (!*dir)
		return;
	for (int i = 0; rmdir(*dir) < 0; i++) {
		if (errno == ENOENT)
			break;
		if (errno != EBUSY || i == 1000) {
			warn_errno("cgroup: rmdir %s", *dir);
			break;
		}
		nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
	}
	free(*dir);
	*dir = NULL;
}

/* The directory under each hierarchy's root that holds every container's cgroup: "mydocker",
 * or $MYDOCKER_CGROUP_PARENT when set (one plain name), as Docker's --cgroup-parent. A test run
 * gives each test a parent of its own, so that it finds, checks and removes only its own
 * containers' cgroups and never another user's. */
const char *cgroup_parent(void)
{
	const char *name = cgroup_parent_quiet();
	if (!name)
		warn("cgroup: MYDOCKER_CGROUP_PARENT \"%s\" is not one plain name "
		     "([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 64 characters)",
		     getenv("MYDOCKER_CGROUP_PARENT"));
	return name;
}

/* The same without a word: NULL if $MYDOCKER_CGROUP_PARENT is not one plain name. For
 * cgroup_find(), which a teardown calls after `run` has said so once already. */
/* ch13: a bundle's linux.cgroupsPath, less its last part, in place of the parent. */
static const char *bundle_parent;

void cgroup_use_parent(const char *parent)
{
	bundle_parent = parent;
}

const char *cgroup_parent_quiet(void)
{
	if (bundle_parent)
		return bundle_parent;
	const char *name = getenv("MYDOCKER_CGROUP_PARENT");
	if (!name || !*name)
		return "mydocker";
	size_t n = strlen(name);
	if (n > 64 || !isalnum((unsigned char)name[0]) || strspn(name, NAME_CHARS) != n)
		return NULL;
	return name;
}

/* cgroup v2 mounts a filesystem of its own type on /sys/fs/cgroup; anything else there
 * (a tmpfs of v1 hierarchies, as on hybrid hosts) means the controllers live on v1. */
static bool cgroup_is_v2(void)
{
	struct statfs fs;
	return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

/* Make the container's cgroup and write its limits. On failure nothing is left behind. */
int cgroup_create(struct cgroup *cg, const char *id, const struct limits *lim)
{
	memset(cg, 0, sizeof *cg);
	cg->v2 = cgroup_is_v2();
	int rc = cg->v2 ? cgroup_v2_create(cg, id, lim) : cgroup_v1_create(cg, id, lim);
	if (rc < 0)
		cgroup_destroy(cg);
	return rc;
}

/* The cgroup of container ID, found again by a later command from the ID alone: under
 * mydocker's own parent, whatever a record on disk may say, so that no file in the state root
 * can point a command at anyone else's processes. Directories that do not exist (removed
 * already) are harmless: nothing is found in them and removing them does nothing. -1 if the
 * parent is not a valid name. */
int cgroup_find(struct cgroup *cg, const char *id)
{
	memset(cg, 0, sizeof *cg);
	const char *parent = cgroup_parent_quiet();
	if (!parent)
		return -1;
	cg->v2 = cgroup_is_v2();
	if (cg->v2)
		cgroup_v2_find(cg, parent, id);
	else
		cgroup_v1_find(cg, parent, id);
	return 0;
}

/* Free CG's paths, leaving its directories alone. */
void cgroup_free(struct cgroup *cg)
{
	for (int i = 0; i < CG_NCONTROLLERS; i++) {
		free(cg->dir[i]);
		cg->dir[i] = NULL;
	}
}

/* Move PID into the container's cgroup, in every hierarchy (one on v2); PID 0 is the caller.
 * ch13: the container's process joins by itself (init.c), and on v1 it writes "0" into each
 * hierarchy's `tasks`: moving one thread, the caller, the kernel takes none of the global lock
 * that writing a PID into cgroup.procs takes, whose first taking waits for an RCU grace period
 * (5 to 20 ms on the development VM, most of what `create` cost). Its one thread is all of it. */
int cgroup_join(struct cgroup *cg, pid_t pid)
{
	char text[32];
	snprintf(text, sizeof text, "%d", pid);
	const char *file = pid == 0 && !cg->v2 ? "tasks" : "cgroup.procs";
	for (int i = 0; i < CG_NCONTROLLERS; i++)
		if (cg->dir[i] && cg_write(cg->dir[i], file, text) < 0)
			return -1;
	return 0;
}

/* SIGKILL every process in the cgroup; returns how many there were. */
int kill_cgroup(struct cgroup *cg)
{
	int found = 0;
	for (int i = 0; i < CG_NCONTROLLERS; i++) {
		if (!cg->dir[i])
			continue;
		char *procs = path_join(cg->dir[i], "cgroup.procs");
		FILE *f = fopen(procs, "re");
		free(procs);
		if (!f)
			continue;
		int pid;
		while (fscanf(f, "%d", &pid) == 1) {
			kill(pid, SIGKILL);
			found++;
		}
		fclose(f);
	}
	return found;
}

/* Remove the cgroup; call it only after the container's last process is gone. */
void cgroup_destroy(struct cgroup *cg)
{
	for (int i = 0; i < CG_NCONTROLLERS; i++)
		cg_rmdir(&cg->dir[i]);
}
