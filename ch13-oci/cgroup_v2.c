/* cgroup_v2.c: cgroup v2 ("unified"): one hierarchy holds every controller. The container gets
 * one directory, /sys/fs/cgroup/mydocker/<id> (mydocker: cgroup_parent()), and its parents
 * must hand the controllers down through cgroup.subtree_control. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "die.h"
#include "util.h"

#define V2_ROOT "/sys/fs/cgroup"

static const char *const needed[] = { "cpu", "cpuset", "memory", "pids" };

/* Let DIR's children use the controllers: each must be listed in DIR/cgroup.controllers.
 * DIR must hold no processes itself ("no internal processes"), except the root. */
static int enable_controllers(const char *dir)
{
	char avail[1024];
	char *path = path_join(dir, "cgroup.controllers");
	ssize_t n = read_file(path, avail, sizeof avail);
	free(path);
	if (n < 0) {
		warn_errno("cgroup: read %s/cgroup.controllers", dir);
		return -1;
	}
	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
		char word[32];
		snprintf(word, sizeof word, " %s ", needed[i]);
		char padded[1100];
		snprintf(padded, sizeof padded, " %s ", str_trim(avail));
		if (!strstr(padded, word)) {
			warn("cgroup: the %s controller is not available in %s", needed[i], dir);
			return -1;
		}
	}
	return cg_write(dir, "cgroup.subtree_control", "+cpu +cpuset +memory +pids");
}

static int v2_write_limits(const char *dir, const struct limits *lim)
{
	/* ch13: v2 has no devices controller; its rules are an eBPF program attached to the
	 * cgroup, which mydocker does not build. Refused, never left unenforced. */
	if (lim->ndevices) {
		warn("cgroup v2: linux.resources.devices needs an eBPF program, which mydocker "
		     "does not load");
		return -1;
	}
	if (lim->memory) {
		if (cg_write_number(dir, "memory.max", lim->memory) < 0)
			return -1;
		/* No swap, so the limit is the limit (docker's --memory-swap equal to --memory). */
		char *swap = path_join(dir, "memory.swap.max");
		int has_swap = access(swap, F_OK) == 0;
		free(swap);
		if (has_swap && cg_write(dir, "memory.swap.max", "0") < 0)
			return -1;
	}
	if (lim->cpu_shares &&
	    cg_write_number(dir, "cpu.weight", shares_to_weight(lim->cpu_shares)) < 0)
		return -1;
	if (lim->cpu_quota) {
		char max[64];
		snprintf(max, sizeof max, "%lld %lld", lim->cpu_quota, lim->cpu_period);
		if (cg_write(dir, "cpu.max", max) < 0)
			return -1;
	}
	if (lim->cpuset_mems && cg_write(dir, "cpuset.mems", lim->cpuset_mems) < 0)
		return -1;
	if (lim->cpuset_cpus && cg_write(dir, "cpuset.cpus", lim->cpuset_cpus) < 0)
		return -1;
	if (lim->pids_max > 0 && cg_write_number(dir, "pids.max", lim->pids_max) < 0)
		return -1;
	return 0;
}

/* The directory container ID was given, found again from its ID alone (cgroup_find). */
void cgroup_v2_find(struct cgroup *cg, const char *parent, const char *id)
{
	cg->dir[0] = xasprintf("%s/%s/%s", V2_ROOT, parent, id);
}

/* A new level's controllers, for cg_mkdir_levels(). */
static int enable_below(const char *above, const char *dir)
{
	(void)above;
	return enable_controllers(dir);
}

int cgroup_v2_create(struct cgroup *cg, const char *id, const struct limits *lim)
{
	const char *parent_name = cgroup_parent();
	if (!parent_name)
		return -1;
	char *parent = NULL;
	int rc = enable_controllers(V2_ROOT);
	if (rc == 0)
		rc = cg_mkdir_levels(V2_ROOT, parent_name, enable_below, &parent);
	char *dir = path_join(parent, id);
	free(parent);
	/* The container's own directory must be new: an existing one belongs to someone else. */
	if (rc == 0 && mkdir(dir, 0755) < 0) {
		warn_errno("cgroup: mkdir %s", dir);
		rc = -1;
	}
	if (rc < 0) {
		free(dir);
		return -1;
	}
	cg->dir[0] = dir;
	return v2_write_limits(dir, lim);
}
