/* cgroup.h: one small interface to control groups. The container's resource limits are
 * written into a cgroup of its own; cgroup_v1.c and cgroup_v2.c hold the two kernel APIs. */
#ifndef MYDOCKER_CGROUP_H
#define MYDOCKER_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

/* ch13: a rule of the devices controller, as config.json's linux.resources.devices has it:
 * allow or deny TYPE ('a' all, 'c', 'b') MAJOR:MINOR (-1: any) for ACCESS (of "rwm"). */
struct device_rule {
	bool allow;
	char type;
	long major, minor;
	char access[4];
};

/* What the user asked for; 0 (or NULL) means "no limit". */
struct limits {
	long long memory;	 /* -m: bytes */
	long long cpu_shares;	 /* --cpu-shares: relative weight, 1024 is Docker's default */
	long long cpu_quota;	 /* --cpus: microseconds of CPU time per period */
	long long cpu_period;	 /* the CFS period the quota is measured against */
	const char *cpuset_cpus; /* --cpuset-cpus: a CPU list such as "0-1,3" */
	const char *cpuset_mems; /* ch13: config.json's cpu.mems, the memory nodes ("0") */
	const struct device_rule *devices; /* ch13: in order; then runc's defaults are allowed */
	size_t ndevices;
	long long pids_max; /* --pids-limit: at most this many tasks; -1 = unlimited */
};

/* The v1 controllers a container is put under; v2 has one directory for all of them. The
 * freezer sets no limit: `commit` pauses the container with it (freezer.c). Only the processes
 * of a freezer cgroup can be frozen, and moving a running container's processes into one would
 * race with their forks, so every container is in one from the start. */
enum { CG_MEMORY, CG_CPU, CG_CPUSET, CG_PIDS, CG_FREEZER, CG_DEVICES, CG_NCONTROLLERS };

struct cgroup {
	bool v2;
	char *dir[CG_NCONTROLLERS]; /* v1: one directory per controller; v2: dir[0] only */
};

int parse_memory(const char *s, long long *bytes);
int parse_cpus(const char *s, long long period, long long *quota);
int parse_cpuset(const char *s, int ncpus);
long long shares_to_weight(long long shares);

const char *cgroup_parent(void);
const char *cgroup_parent_quiet(void);
int cgroup_create(struct cgroup *cg, const char *id, const struct limits *lim);
int cgroup_find(struct cgroup *cg, const char *id);
void cgroup_free(struct cgroup *cg);
int cgroup_join(struct cgroup *cg, pid_t pid);
int kill_cgroup(struct cgroup *cg);
void cgroup_destroy(struct cgroup *cg);

/* The two implementations behind the interface. */
int cgroup_v1_create(struct cgroup *cg, const char *id, const struct limits *lim);
int cgroup_v2_create(struct cgroup *cg, const char *id, const struct limits *lim);
void cgroup_v1_find(struct cgroup *cg, const char *parent, const char *id);
void cgroup_v2_find(struct cgroup *cg, const char *parent, const char *id);

/* Helpers both implementations use (cgroup.c). */
int cg_write(const char *dir, const char *file, const char *value);
int cg_write_number(const char *dir, const char *file, long long value);
int cg_mkdir(const char *dir);
int cg_mkdir_levels(const char *root, const char *parent, int (*level)(const char *, const char *),
		    char **out);
void cgroup_use_parent(const char *parent);
void cg_rmdir(char **dir);

#endif
