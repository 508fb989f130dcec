/* bundle.h: an OCI bundle (bundle.c): a directory with a root filesystem and a config.json
 * that says, field by field, what `mydocker run`'s options say for an image. bundle_load()
 * reads config.json with json-c into a struct bundle: the container's process, root, mounts,
 * namespaces, cgroup, security and hooks. A field mydocker does not implement and that could
 * make the container less isolated than asked is refused by name, never skipped; a field that
 * only informs (annotations, a Windows or Solaris section) is kept or left alone. */
#ifndef MYDOCKER_BUNDLE_H
#define MYDOCKER_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "cgroup.h"

struct json_object;

/* One of config.json's mounts[]: mount(2)'s arguments, the options turned into flags. */
struct bundle_mount {
	const char *destination; /* absolute, inside the container */
	const char *type;	 /* "proc", "tmpfs", "bind"...; a bind may have none */
	const char *source;  /* for a bind: a host path, relative to the bundle if not absolute */
	unsigned long flags; /* MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC... */
	unsigned long propagation; /* MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE, or 0 */
	char *data;		   /* what is left of the options: "mode=755,size=65536k" */
};

/* The namespaces of linux.namespaces[]: which are new, which joined from a path. */
enum { NS_PID, NS_NET, NS_IPC, NS_UTS, NS_MOUNT, NS_CGROUP, NS_COUNT };
struct bundle_ns {
	bool wanted;	  /* listed: a new one, or PATH's */
	const char *path; /* join this one (e.g. /proc/PID/ns/net), or NULL: a new one */
};

/* A hook: a program run at one point of the container's life with the state JSON on stdin. */
struct bundle_hook {
	const char *path;
	char **args; /* NULL-terminated; args[0] is argv[0] */
	char **env;  /* NULL-terminated */
	int timeout; /* seconds, 0: none */
};
enum {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK_KINDS
};
extern const char *const hook_names[HOOK_KINDS]; /* as config.json names them */
struct bundle_hooks {
	struct bundle_hook *list[HOOK_KINDS];
	size_t n[HOOK_KINDS];
};

/* A device node of linux.devices[]. */
struct bundle_device {
	const char *path;
	char type; /* 'c', 'b', 'p' */
	unsigned major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

struct bundle_rlimit {
	int resource; /* RLIMIT_NOFILE... */
	struct rlimit limit;
};

struct bundle {
	struct json_object *json; /* config.json as parsed: every string below points into it */
	char *dir;		  /* the bundle, absolute */
	char *rootfs;		  /* root.path, absolute */
	bool readonly;		  /* root.readonly */
	const char *hostname;	  /* or NULL */
	const char *domainname;	  /* or NULL */
	/* process */
	bool terminal;
	unsigned short rows, cols; /* consoleSize, or 0 */
	char **args;		   /* NULL-terminated */
	char **env;		   /* NULL-terminated */
	const char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* additionalGids */
	size_t ngroups;
	bool has_umask;
	mode_t umask;
	uint64_t caps[5]; /* bounding, effective, inheritable, permitted, ambient */
	bool no_new_privs;
	struct bundle_rlimit *rlimits;
	size_t nrlimits;
	bool has_oom_score_adj;
	int oom_score_adj;
	/* linux */
	struct bundle_ns ns[NS_COUNT];
	struct bundle_mount *mounts;
	size_t nmounts;
	const char *cgroups_path; /* or NULL: under mydocker's cgroup parent, named by the ID */
	struct limits limits;	  /* linux.resources: memory, cpu, pids */
	struct device_rule *device_rules; /* linux.resources.devices, in order */
	size_t ndevice_rules;
	const char **masked; /* maskedPaths */
	size_t nmasked;
	const char **readonly_paths; /* readonlyPaths */
	size_t nreadonly;
	struct json_object *seccomp; /* linux.seccomp, or NULL */
	const char **sysctl;	     /* linux.sysctl as "key=value" */
	size_t nsysctl;
	struct bundle_device *devices;
	size_t ndevices;
	unsigned long rootfs_propagation; /* MS_PRIVATE... (default MS_PRIVATE | MS_REC) */
	struct bundle_hooks hooks;
	struct json_object *annotations; /* or NULL */
};

/* Read DIR/config.json. 0, or -1 with one line in WHY naming the file and the field. */
int bundle_load(const char *dir, struct bundle *b, char *why, size_t size);
void bundle_free(struct bundle *b);

/* The hooks of config.json's form in HOOKS (kept in a container's record) into B's. */
int bundle_load_hooks(struct json_object *hooks, struct bundle *b, char *why, size_t size);

/* A process of config.json's form (`exec --process FILE`): its fields into B's process part. */
int bundle_load_process(const char *path, struct bundle *b, char *why, size_t size);

/* `mydocker spec`: write config.json into the current directory, as `runc spec` does: sh as the
 * process, with a terminal, rootfs "rootfs". */
int cmd_spec(int argc, char **argv);

/* `mydocker features`: what mydocker implements of config.json, as JSON (runc features). */
int cmd_features(int argc, char **argv);

#endif
