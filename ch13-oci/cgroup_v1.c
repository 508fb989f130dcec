/* cgroup_v1.c: cgroup v1 (also the "hybrid" layout): every controller is a hierarchy of its
 * own, mounted somewhere under /sys/fs/cgroup. The container gets a directory named after its
 * ID in each hierarchy it needs: <mount>/mydocker/<id> (mydocker: cgroup_parent()). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "die.h"
#include "util.h"

static const char *const controller_name[CG_NCONTROLLERS] = {
	[CG_MEMORY] = "memory",
	[CG_CPU] = "cpu",
	[CG_CPUSET] = "cpuset",
	[CG_PIDS] = "pids",
	/* No limit: commit pauses the container with it (freezer.c). */
	[CG_FREEZER] = "freezer",
	/* ch13: config.json's device rules (none for an image's container: its parent's). */
	[CG_DEVICES] = "devices",
};

/* The devices every container may use whatever its rules say, as runc allows them after the
 * rules of config.json: mknod of any node, the null, zero, full, random, urandom and tty
 * devices, ptys, the pty multiplexer and the tun device. */
static const struct device_rule default_devices[] = {
	{ true, 'c', -1, -1, "m" }, { true, 'b', -1, -1, "m" },	   { true, 'c', 1, 3, "rwm" },
	{ true, 'c', 1, 8, "rwm" }, { true, 'c', 1, 7, "rwm" },	   { true, 'c', 5, 0, "rwm" },
	{ true, 'c', 1, 5, "rwm" }, { true, 'c', 1, 9, "rwm" },	   { true, 'c', 136, -1, "rwm" },
	{ true, 'c', 5, 2, "rwm" }, { true, 'c', 10, 200, "rwm" },
};

/* Write rule D into DIR's devices.allow or devices.deny: "c 1:3 rwm", "a" for all. */
static int write_device_rule(const char *dir, const struct device_rule *d)
{
	char text[80], major[24] = "*", minor[24] = "*";
	if (d->major >= 0)
		snprintf(major, sizeof major, "%ld", d->major);
	if (d->minor >= 0)
		snprintf(minor, sizeof minor, "%ld", d->minor);
	if (d->type == 'a')
		snprintf(text, sizeof text, "a");
	else
		snprintf(text, sizeof text, "%c %s:%s %s", d->type, major, minor, d->access);
	return cg_write(dir, d->allow ? "devices.allow" : "devices.deny", text);
}

/* Is NAME one of the comma-separated words in LIST? */
static bool has_word(const char *list, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = list; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (!strncmp(p, name, len) && (p[len] == ',' || p[len] == '\0'))
			return true;
	}
	return false;
}

/* Where is the v1 hierarchy of CONTROLLER mounted? Read from /proc/self/mountinfo, whose
 * lines end in "- cgroup cgroup rw,memory": fstype, source, super options. */
static char *v1_mount_point(const char *controller)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	char *line = NULL, *found = NULL;
	size_t cap = 0;
	while (!found && getline(&line, &cap, f) > 0) {
		char mnt[4096], fstype[32], super[1024];
		char *tail = strstr(line, " - ");
		if (!tail || sscanf(tail, " - %31s %*s %1023s", fstype, super) != 2)
			continue;
		if (strcmp(fstype, "cgroup") || !has_word(super, controller))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1)
			found = xstrdup(mnt);
	}
	free(line);
	fclose(f);
	return found;
}

/* A new cpuset cgroup starts with no CPUs and no memory nodes, and joining it then fails with
 * "No space left on device". Copy the parent's values into an empty child. */
static int cpuset_inherit(const char *parent, const char *dir)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	for (int i = 0; i < 2; i++) {
		char value[256];
		char *path = path_join(dir, files[i]);
		ssize_t n = read_file(path, value, sizeof value);
		free(path);
		if (n < 0) {
			warn_errno("cgroup: read %s/%s", dir, files[i]);
			return -1;
		}
		if (*str_trim(value))
			continue;
		path = path_join(parent, files[i]);
		n = read_file(path, value, sizeof value);
		free(path);
		if (n < 0) {
			warn_errno("cgroup: read %s/%s", parent, files[i]);
			return -1;
		}
		if (cg_write(dir, files[i], str_trim(value)) < 0)
			return -1;
	}
	return 0;
}

/* Make <mount>/mydocker/<id> for one controller. */
static int v1_make_dir(struct cgroup *cg, int c, const char *id)
{
	const char *parent_name = cgroup_parent();
	if (!parent_name)
		return -1;
	char *mnt = v1_mount_point(controller_name[c]);
	if (!mnt) {
		warn("cgroup: no cgroup v1 hierarchy has the %s controller", controller_name[c]);
		return -1;
	}
	char *parent;
	int rc = cg_mkdir_levels(mnt, parent_name, c == CG_CPUSET ? cpuset_inherit : NULL, &parent);
	char *dir = path_join(parent, id);
	/* The container's own directory must be new: an existing one belongs to someone else. */
	if (rc == 0 && mkdir(dir, 0755) < 0) {
		warn_errno("cgroup: mkdir %s", dir);
		rc = -1;
	}
	if (rc == 0)
		cg->dir[c] = dir;
	else
		free(dir);
	if (rc == 0 && c == CG_CPUSET)
		rc = cpuset_inherit(parent, dir);
	free(parent);
	free(mnt);
	return rc;
}

static int v1_write_limits(struct cgroup *cg, const struct limits *lim)
{
	if (lim->memory) {
		if (cg_write_number(cg->dir[CG_MEMORY], "memory.limit_in_bytes", lim->memory) < 0)
			return -1;
		/* With swap accounting on, memory+swap gets the same limit: no swap, as with
		 * `docker run --memory-swap` equal to --memory. */
		char *memsw = path_join(cg->dir[CG_MEMORY], "memory.memsw.limit_in_bytes");
		int has_memsw = access(memsw, F_OK) == 0;
		free(memsw);
		if (has_memsw && cg_write_number(cg->dir[CG_MEMORY], "memory.memsw.limit_in_bytes",
						 lim->memory) < 0)
			return -1;
	}
	if (lim->cpu_shares && cg_write_number(cg->dir[CG_CPU], "cpu.shares", lim->cpu_shares) < 0)
		return -1;
	if (lim->cpu_quota) {
		if (cg_write_number(cg->dir[CG_CPU], "cpu.cfs_period_us", lim->cpu_period) < 0 ||
		    cg_write_number(cg->dir[CG_CPU], "cpu.cfs_quota_us", lim->cpu_quota) < 0)
			return -1;
	}
	if (lim->cpuset_mems && cg_write(cg->dir[CG_CPUSET], "cpuset.mems", lim->cpuset_mems) < 0)
		return -1;
	if (lim->cpuset_cpus && cg_write(cg->dir[CG_CPUSET], "cpuset.cpus", lim->cpuset_cpus) < 0)
		return -1;
	if (lim->pids_max > 0 && cg_write_number(cg->dir[CG_PIDS], "pids.max", lim->pids_max) < 0)
		return -1;
	for (size_t i = 0; i < lim->ndevices; i++)
		if (write_device_rule(cg->dir[CG_DEVICES], &lim->devices[i]) < 0)
			return -1;
	for (size_t i = 0; lim->ndevices && i < sizeof default_devices / sizeof default_devices[0];
	     i++)
		if (write_device_rule(cg->dir[CG_DEVICES], &default_devices[i]) < 0)
			return -1;
	return 0;
}

/* The directories container ID was given, found again from its ID alone (cgroup_find). */
void cgroup_v1_find(struct cgroup *cg, const char *parent, const char *id)
{
	for (int c = 0; c < CG_NCONTROLLERS; c++) {
		char *mnt = v1_mount_point(controller_name[c]);
		cg->dir[c] = mnt ? xasprintf("%s/%s/%s", mnt, parent, id) : NULL;
		free(mnt);
	}
}

int cgroup_v1_create(struct cgroup *cg, const char *id, const struct limits *lim)
{
	for (int c = 0; c < CG_NCONTROLLERS; c++)
		if (v1_make_dir(cg, c, id) < 0)
			return -1;
	return v1_write_limits(cg, lim);
}
