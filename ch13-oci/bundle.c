/* bundle.c: an OCI bundle's config.json, read with json-c into a struct bundle (bundle.h).
 *
 * The spec asks a runtime to ignore properties it does not know. It does not ask it to ignore
 * ones it knows and cannot do: a runtime that skipped linux.uidMappings or an AppArmor profile
 * would run the container with more power than its engine asked for. So each such field,
 * when set, is refused by name; a field that only informs is kept or left alone. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/capability.h>

#include <json-c/json.h>

#include "bundle.h"
#include "caps.h"
#include "die.h"
#include "opts.h"
#include "util.h"

/* N bytes of zeroes. */
static void *zalloc(size_t n)
{
	void *p = xmalloc(n);
	return memset(p, 0, n);
}

/* What reading one config.json needs at every step. */
struct reader {
	struct bundle *b;
	char *why;
	size_t size;
};

/* Say why config.json is refused: "config.json: FIELD: what". Returns -1. */
static int __attribute__((format(printf, 3, 4)))
refuse(struct reader *r, const char *field, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(r->why, r->size, "config.json: %s: %s", field, what);
	return -1;
}

/* OBJ's member KEY, or NULL if it is missing or null. */
static struct json_object *get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;
	if (!obj || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

/* OBJ's member KEY into *OUT if it is of TYPE (NULL if missing); -1 if it is another type. */
static int typed(struct reader *r, struct json_object *obj, const char *key, const char *field,
		 json_type type, struct json_object **out)
{
	*out = get(obj, key);
	if (*out && !json_object_is_type(*out, type))
		return refuse(r, field, "wrong type (want %s)", json_type_to_name(type));
	return 0;
}

static int string_field(struct reader *r, struct json_object *obj, const char *key,
			const char *field, const char **out)
{
	struct json_object *v;
	if (typed(r, obj, key, field, json_type_string, &v) < 0)
		return -1;
	*out = v ? json_object_get_string(v) : NULL;
	return 0;
}

/* An integer member; json-c says json_type_int for every whole number. */
static int int_field(struct reader *r, struct json_object *obj, const char *key, const char *field,
		     bool *has, long long *out)
{
	struct json_object *v;
	if (typed(r, obj, key, field, json_type_int, &v) < 0)
		return -1;
	*has = v != NULL;
	*out = v ? json_object_get_int64(v) : 0;
	return 0;
}

/* Is V set to something: a true, a non-zero number, a non-empty string, array or object? */
static bool is_set(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return false;
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_object:
		return json_object_object_length(v) > 0;
	default:
		return true;
	}
}

/* The fields mydocker refuses when set: what each would have done. */
static int refuse_unsupported(struct reader *r, struct json_object *obj, const char *where,
			      const char *const *keys)
{
	for (; *keys; keys += 2)
		if (is_set(get(obj, keys[0]))) {
			char field[128];
			snprintf(field, sizeof field, "%s.%s", where, keys[0]);
			return refuse(r, field, "%s is not supported", keys[1]);
		}
	return 0;
}

/* A NULL-terminated copy of an array of strings (the strings stay in the JSON). */
static int string_array(struct reader *r, struct json_object *obj, const char *key,
			const char *field, char ***out, size_t *n)
{
	struct json_object *a;
	if (typed(r, obj, key, field, json_type_array, &a) < 0)
		return -1;
	size_t len = a ? json_object_array_length(a) : 0;
	*out = xmalloc((len + 1) * sizeof **out);
	for (size_t i = 0; i < len; i++) {
		struct json_object *s = json_object_array_get_idx(a, i);
		if (!json_object_is_type(s, json_type_string))
			return refuse(r, field, "entry %zu is not a string", i);
		(*out)[i] = (char *)json_object_get_string(s);
	}
	(*out)[len] = NULL;
	if (n)
		*n = len;
	return 0;
}

/* --- process -------------------------------------------------------------------------------- */

static int read_capabilities(struct reader *r, struct json_object *caps)
{
	static const char *const sets[5] = { "bounding", "effective", "inheritable", "permitted",
					     "ambient" };
	for (int i = 0; i < 5; i++) {
		char field[64], **names;
		snprintf(field, sizeof field, "process.capabilities.%s", sets[i]);
		if (string_array(r, caps, sets[i], field, &names, NULL) < 0)
			return -1;
		r->b->caps[i] = 0;
		for (char **n = names; *n; n++) {
			uint64_t bit;
			if (caps_parse(*n, &bit) < 0 || !strcasecmp(*n, "ALL")) {
				refuse(r, field, "unknown capability \"%s\"", *n);
				free(names);
				return -1;
			}
			r->b->caps[i] |= bit;
		}
		free(names);
	}
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

static int read_rlimits(struct reader *r, struct json_object *a)
{
	struct bundle *b = r->b;
	size_t n = json_object_array_length(a);
	b->rlimits = xmalloc((n + 1) * sizeof *b->rlimits);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		const char *type;
		bool has_soft, has_hard;
		long long soft, hard;
		if (string_field(r, e, "type", "process.rlimits[].type", &type) < 0 ||
		    int_field(r, e, "soft", "process.rlimits[].soft", &has_soft, &soft) < 0 ||
		    int_field(r, e, "hard", "process.rlimits[].hard", &has_hard, &hard) < 0)
			return -1;
		size_t k = 0;
		while (k < sizeof rlimit_names / sizeof rlimit_names[0] &&
		       (!type || strcmp(rlimit_names[k].name, type)))
			k++;
		if (k == sizeof rlimit_names / sizeof rlimit_names[0])
			return refuse(r, "process.rlimits", "unknown type \"%s\"",
				      type ? type : "");
		b->rlimits[i] = (struct bundle_rlimit){
			.resource = rlimit_names[k].resource,
			.limit = { .rlim_cur = (rlim_t)soft, .rlim_max = (rlim_t)hard },
		};
	}
	b->nrlimits = n;
	return 0;
}

static int read_user(struct reader *r, struct json_object *user)
{
	struct bundle *b = r->b;
	static const char *const refused[] = { "username", "a user by name (Windows)", NULL };
	bool has;
	long long v;
	struct json_object *gids;
	if (refuse_unsupported(r, user, "process.user", refused) < 0 ||
	    int_field(r, user, "uid", "process.user.uid", &has, &v) < 0)
		return -1;
	b->uid = (uid_t)v;
	if (int_field(r, user, "gid", "process.user.gid", &has, &v) < 0)
		return -1;
	b->gid = (gid_t)v;
	if (int_field(r, user, "umask", "process.user.umask", &b->has_umask, &v) < 0)
		return -1;
	b->umask = (mode_t)v;
	if (typed(r, user, "additionalGids", "process.user.additionalGids", json_type_array,
		  &gids) < 0)
		return -1;
	b->ngroups = gids ? json_object_array_length(gids) : 0;
	b->groups = xmalloc((b->ngroups + 1) * sizeof *b->groups);
	for (size_t i = 0; i < b->ngroups; i++)
		b->groups[i] = (gid_t)json_object_get_int64(json_object_array_get_idx(gids, i));
	return 0;
}

static int read_process(struct reader *r, struct json_object *p)
{
	static const char *const refused[] = {
		"apparmorProfile", "AppArmor",	   "selinuxLabel", "SELinux",
		"ioPriority",	   "ioPriority",   "scheduler",	   "a scheduling policy",
		"execCPUAffinity", "CPU affinity", NULL,
	};
	struct bundle *b = r->b;
	struct json_object *v;
	bool has;
	long long n;
	if (!p)
		return refuse(r, "process", "missing");
	if (refuse_unsupported(r, p, "process", refused) < 0 ||
	    typed(r, p, "terminal", "process.terminal", json_type_boolean, &v) < 0)
		return -1;
	b->terminal = v && json_object_get_boolean(v);
	if (typed(r, p, "consoleSize", "process.consoleSize", json_type_object, &v) < 0)
		return -1;
	if (v) {
		bool h1, h2;
		long long rows, cols;
		if (int_field(r, v, "height", "process.consoleSize.height", &h1, &rows) < 0 ||
		    int_field(r, v, "width", "process.consoleSize.width", &h2, &cols) < 0)
			return -1;
		b->rows = (unsigned short)rows, b->cols = (unsigned short)cols;
	}
	if (string_array(r, p, "args", "process.args", &b->args, NULL) < 0 ||
	    string_array(r, p, "env", "process.env", &b->env, NULL) < 0 ||
	    string_field(r, p, "cwd", "process.cwd", &b->cwd) < 0)
		return -1;
	if (!b->args[0])
		return refuse(r, "process.args", "missing or empty");
	if (!b->cwd || b->cwd[0] != '/')
		return refuse(r, "process.cwd", "missing or not absolute");
	if (typed(r, p, "user", "process.user", json_type_object, &v) < 0 ||
	    (v && read_user(r, v) < 0))
		return -1;
	if (!v)
		b->groups = xmalloc(sizeof *b->groups);
	if (typed(r, p, "capabilities", "process.capabilities", json_type_object, &v) < 0 ||
	    (v && read_capabilities(r, v) < 0))
		return -1;
	if (typed(r, p, "rlimits", "process.rlimits", json_type_array, &v) < 0 ||
	    (v && read_rlimits(r, v) < 0))
		return -1;
	if (typed(r, p, "noNewPrivileges", "process.noNewPrivileges", json_type_boolean, &v) < 0)
		return -1;
	b->no_new_privs = v && json_object_get_boolean(v);
	if (int_field(r, p, "oomScoreAdj", "process.oomScoreAdj", &has, &n) < 0)
		return -1;
	b->has_oom_score_adj = has;
	b->oom_score_adj = (int)n;
	return 0;
}

/* --- mounts --------------------------------------------------------------------------------- */

/* runc's option words: those that are flags, set or cleared. */
static const struct {
	const char *word;
	bool clear;
	unsigned long flag;
} mount_flags[] = {
	{ "ro", false, MS_RDONLY },
	{ "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID },
	{ "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV },
	{ "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC },
	{ "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS },
	{ "async", true, MS_SYNCHRONOUS },
	{ "dirsync", false, MS_DIRSYNC },
	{ "remount", false, MS_REMOUNT },
	{ "mand", false, MS_MANDLOCK },
	{ "nomand", true, MS_MANDLOCK },
	{ "noatime", false, MS_NOATIME },
	{ "atime", true, MS_NOATIME },
	{ "nodiratime", false, MS_NODIRATIME },
	{ "diratime", true, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME },
	{ "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME },
	{ "nostrictatime", true, MS_STRICTATIME },
	{ "bind", false, MS_BIND },
	{ "rbind", false, MS_BIND | MS_REC },
	{ "silent", false, MS_SILENT },
	{ "loud", true, MS_SILENT },
};

/* The propagation words, for mounts and for linux.rootfsPropagation. */
static const struct {
	const char *word;
	unsigned long flag;
} propagations[] = {
	{ "private", MS_PRIVATE },	 { "rprivate", MS_PRIVATE | MS_REC },
	{ "slave", MS_SLAVE },		 { "rslave", MS_SLAVE | MS_REC },
	{ "shared", MS_SHARED },	 { "rshared", MS_SHARED | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

static unsigned long propagation_of(const char *word)
{
	for (size_t i = 0; i < sizeof propagations / sizeof propagations[0]; i++)
		if (!strcmp(word, propagations[i].word))
			return propagations[i].flag;
	return 0;
}

/* Words mydocker does not implement: refused, not passed to the kernel as data. */
static bool refused_word(const char *w)
{
	static const char *const words[] = { "tmpcopyup",
					     "idmap",
					     "ridmap",
					     "rro",
					     "rrw",
					     "rnosuid",
					     "rsuid",
					     "rnodev",
					     "rdev",
					     "rnoexec",
					     "rexec",
					     "rnoatime",
					     "ratime",
					     "rrelatime",
					     "rnorelatime",
					     "rstrictatime",
					     "rnostrictatime",
					     "rnodiratime",
					     "rdiratime",
					     "nosymfollow",
					     NULL };
	for (const char *const *p = words; *p; p++)
		if (!strcmp(w, *p))
			return true;
	return false;
}

static int read_mount(struct reader *r, struct json_object *e, struct bundle_mount *m)
{
	char **options;
	if (string_field(r, e, "destination", "mounts[].destination", &m->destination) < 0 ||
	    string_field(r, e, "type", "mounts[].type", &m->type) < 0 ||
	    string_field(r, e, "source", "mounts[].source", &m->source) < 0 ||
	    string_array(r, e, "options", "mounts[].options", &options, NULL) < 0)
		return -1;
	if (!m->destination || m->destination[0] != '/') {
		free(options);
		return refuse(r, "mounts[].destination", "missing or not absolute");
	}
	size_t len = 0;
	m->data = xmalloc(1);
	m->data[0] = '\0';
	for (char **o = options; *o; o++) {
		size_t k = 0;
		while (k < sizeof mount_flags / sizeof mount_flags[0] &&
		       strcmp(mount_flags[k].word, *o))
			k++;
		if (k < sizeof mount_flags / sizeof mount_flags[0]) {
			if (mount_flags[k].clear)
				m->flags &= ~mount_flags[k].flag;
			else
				m->flags |= mount_flags[k].flag;
		} else if (propagation_of(*o)) {
			m->propagation = propagation_of(*o);
		} else if (refused_word(*o)) {
			refuse(r, "mounts[].options", "\"%s\" (on %s) is not supported", *o,
			       m->destination);
			free(options);
			return -1;
		} else {
			size_t add = strlen(*o);
			m->data = xrealloc(m->data, len + add + 2);
			if (len)
				m->data[len++] = ',';
			memcpy(m->data + len, *o, add + 1);
			len += add;
		}
	}
	free(options);
	if (m->type && !strcmp(m->type, "bind"))
		m->flags |= MS_BIND;
	return 0;
}

static int read_mounts(struct reader *r, struct json_object *a)
{
	struct bundle *b = r->b;
	b->nmounts = a ? json_object_array_length(a) : 0;
	b->mounts = zalloc((b->nmounts + 1) * sizeof *b->mounts);
	for (size_t i = 0; i < b->nmounts; i++)
		if (read_mount(r, json_object_array_get_idx(a, i), &b->mounts[i]) < 0)
			return -1;
	return 0;
}

/* --- linux ---------------------------------------------------------------------------------- */

static int read_namespaces(struct reader *r, struct json_object *a)
{
	static const char *const names[NS_COUNT] = {
		[NS_PID] = "pid", [NS_NET] = "network", [NS_IPC] = "ipc",
		[NS_UTS] = "uts", [NS_MOUNT] = "mount", [NS_CGROUP] = "cgroup"
	};
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		const char *type, *path;
		if (string_field(r, e, "type", "linux.namespaces[].type", &type) < 0 ||
		    string_field(r, e, "path", "linux.namespaces[].path", &path) < 0)
			return -1;
		int k = 0;
		while (k < NS_COUNT && (!type || strcmp(names[k], type)))
			k++;
		if (type && (!strcmp(type, "user") || !strcmp(type, "time")))
			return refuse(r, "linux.namespaces", "%s namespaces are not supported",
				      type);
		if (k == NS_COUNT)
			return refuse(r, "linux.namespaces", "unknown type \"%s\"",
				      type ? type : "");
		if (r->b->ns[k].wanted)
			return refuse(r, "linux.namespaces", "\"%s\" twice", type);
		r->b->ns[k] =
		    (struct bundle_ns){ .wanted = true, .path = path && *path ? path : NULL };
	}
	return 0;
}

static int read_devices(struct reader *r, struct json_object *a)
{
	struct bundle *b = r->b;
	b->ndevices = a ? json_object_array_length(a) : 0;
	b->devices = zalloc((b->ndevices + 1) * sizeof *b->devices);
	for (size_t i = 0; i < b->ndevices; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		struct bundle_device *d = &b->devices[i];
		const char *type;
		bool has;
		long long major, minor, mode, uid, gid;
		if (string_field(r, e, "path", "linux.devices[].path", &d->path) < 0 ||
		    string_field(r, e, "type", "linux.devices[].type", &type) < 0 ||
		    int_field(r, e, "major", "linux.devices[].major", &has, &major) < 0 ||
		    int_field(r, e, "minor", "linux.devices[].minor", &has, &minor) < 0 ||
		    int_field(r, e, "fileMode", "linux.devices[].fileMode", &has, &mode) < 0 ||
		    int_field(r, e, "uid", "linux.devices[].uid", &has, &uid) < 0 ||
		    int_field(r, e, "gid", "linux.devices[].gid", &has, &gid) < 0)
			return -1;
		if (!d->path || d->path[0] != '/' || !type || !strchr("cbpu", type[0]) || type[1])
			return refuse(r, "linux.devices",
				      "an entry without an absolute path and a "
				      "type c, b, u or p");
		d->type = type[0] == 'u' ? 'c' : type[0];
		d->major = (unsigned)major, d->minor = (unsigned)minor;
		d->mode = (mode_t)(mode ? mode : 0666);
		d->uid = (uid_t)uid, d->gid = (gid_t)gid;
	}
	return 0;
}

static int read_device_rules(struct reader *r, struct json_object *a)
{
	struct bundle *b = r->b;
	b->ndevice_rules = a ? json_object_array_length(a) : 0;
	b->device_rules = zalloc((b->ndevice_rules + 1) * sizeof *b->device_rules);
	for (size_t i = 0; i < b->ndevice_rules; i++) {
		struct json_object *e = json_object_array_get_idx(a, i), *allow;
		struct device_rule *d = &b->device_rules[i];
		const char *type, *access;
		bool has_major, has_minor;
		long long major, minor;
		if (typed(r, e, "allow", "linux.resources.devices[].allow", json_type_boolean,
			  &allow) < 0 ||
		    string_field(r, e, "type", "linux.resources.devices[].type", &type) < 0 ||
		    string_field(r, e, "access", "linux.resources.devices[].access", &access) < 0 ||
		    int_field(r, e, "major", "linux.resources.devices[].major", &has_major,
			      &major) < 0 ||
		    int_field(r, e, "minor", "linux.resources.devices[].minor", &has_minor,
			      &minor) < 0)
			return -1;
		d->allow = allow && json_object_get_boolean(allow);
		d->type = type && *type ? type[0] : 'a';
		d->major = has_major ? major : -1;
		d->minor = has_minor ? minor : -1;
		snprintf(d->access, sizeof d->access, "%s", access ? access : "rwm");
	}
	return 0;
}

static int read_resources(struct reader *r, struct json_object *res)
{
	static const char *const refused[] = {
		"hugepageLimits",
		"hugepage limits",
		"blockIO",
		"blkio limits",
		"network",
		"network classes and priorities",
		"rdma",
		"RDMA limits",
		"unified",
		"cgroup v2 files by name",
		NULL,
	};
	static const char *const memory_refused[] = {
		"reservation", "a memory reservation",	    "kernel",	  "a kernel memory limit",
		"kernelTCP",   "a kernel TCP memory limit", "swappiness", "swappiness",
		NULL,
	};
	static const char *const cpu_refused[] = {
		"realtimeRuntime",
		"realtime scheduling",
		"realtimePeriod",
		"realtime scheduling",
		"idle",
		"the idle policy",
		NULL,
	};
	struct limits *lim = &r->b->limits;
	struct json_object *v, *devices;
	bool has;
	long long n;
	if (refuse_unsupported(r, res, "linux.resources", refused) < 0)
		return -1;
	if (typed(r, res, "memory", "linux.resources.memory", json_type_object, &v) < 0 ||
	    (v && refuse_unsupported(r, v, "linux.resources.memory", memory_refused) < 0))
		return -1;
	if (v) {
		bool has_swap;
		long long swap;
		if (int_field(r, v, "limit", "linux.resources.memory.limit", &has, &n) < 0 ||
		    int_field(r, v, "swap", "linux.resources.memory.swap", &has_swap, &swap) < 0)
			return -1;
		lim->memory = has && n > 0 ? n : 0;
		/* No swap is what mydocker does: a swap limit equal to the memory limit. */
		if (has_swap && swap != -1 && swap != 0 && swap != lim->memory)
			return refuse(r, "linux.resources.memory.swap",
				      "only the memory limit itself (no swap) is supported");
	}
	if (typed(r, res, "cpu", "linux.resources.cpu", json_type_object, &v) < 0 ||
	    (v && refuse_unsupported(r, v, "linux.resources.cpu", cpu_refused) < 0))
		return -1;
	if (v) {
		if (int_field(r, v, "shares", "linux.resources.cpu.shares", &has, &n) < 0)
			return -1;
		lim->cpu_shares = n;
		if (int_field(r, v, "quota", "linux.resources.cpu.quota", &has, &n) < 0)
			return -1;
		lim->cpu_quota = n > 0 ? n : 0;
		if (int_field(r, v, "period", "linux.resources.cpu.period", &has, &n) < 0)
			return -1;
		lim->cpu_period = n > 0 ? n : 100000;
		if (string_field(r, v, "cpus", "linux.resources.cpu.cpus", &lim->cpuset_cpus) < 0)
			return -1;
		if (lim->cpuset_cpus && !*lim->cpuset_cpus)
			lim->cpuset_cpus = NULL;
		if (string_field(r, v, "mems", "linux.resources.cpu.mems", &lim->cpuset_mems) < 0)
			return -1;
		if (lim->cpuset_mems && !*lim->cpuset_mems)
			lim->cpuset_mems = NULL;
	}
	if (typed(r, res, "pids", "linux.resources.pids", json_type_object, &v) < 0)
		return -1;
	if (v) {
		if (int_field(r, v, "limit", "linux.resources.pids.limit", &has, &n) < 0)
			return -1;
		lim->pids_max = n > 0 ? n : 0;
	}
	if (typed(r, res, "devices", "linux.resources.devices", json_type_array, &devices) < 0)
		return -1;
	return read_device_rules(r, devices);
}

/* An array of strings into a counted const array. */
static int path_list(struct reader *r, struct json_object *obj, const char *key, const char *field,
		     const char ***out, size_t *n)
{
	char **list;
	if (string_array(r, obj, key, field, &list, n) < 0)
		return -1;
	*out = (const char **)list;
	return 0;
}

static int read_linux(struct reader *r, struct json_object *l)
{
	static const char *const refused[] = {
		"uidMappings",	"user namespaces", "gidMappings", "user namespaces",
		"mountLabel",	"SELinux",	   "intelRdt",	  "Intel RDT",
		"personality",	"a personality",   "timeOffsets", "time namespaces",
		"memoryPolicy", "a memory policy", NULL,
	};
	struct bundle *b = r->b;
	struct json_object *v;
	const char *propagation;
	if (refuse_unsupported(r, l, "linux", refused) < 0)
		return -1;
	if (typed(r, l, "namespaces", "linux.namespaces", json_type_array, &v) < 0 ||
	    read_namespaces(r, v) < 0)
		return -1;
	if (typed(r, l, "devices", "linux.devices", json_type_array, &v) < 0 ||
	    read_devices(r, v) < 0)
		return -1;
	if (string_field(r, l, "cgroupsPath", "linux.cgroupsPath", &b->cgroups_path) < 0)
		return -1;
	if (b->cgroups_path && !*b->cgroups_path)
		b->cgroups_path = NULL;
	if (b->cgroups_path && strchr(b->cgroups_path, ':'))
		return refuse(r, "linux.cgroupsPath",
			      "systemd cgroups (slice:prefix:name) are not "
			      "supported");
	/* A relative path is taken from the root of the hierarchies too, as cgroupfs has no
	 * other place to start from for a runtime that keeps no cgroup of its own. */
	if (b->cgroups_path && strstr(b->cgroups_path, ".."))
		return refuse(r, "linux.cgroupsPath", "a path with \"..\"");
	if (typed(r, l, "resources", "linux.resources", json_type_object, &v) < 0 ||
	    (v && read_resources(r, v) < 0))
		return -1;
	if (!b->device_rules)
		b->device_rules = zalloc((1) * sizeof *b->device_rules);
	/* With rules, the nodes of linux.devices are allowed after them, as runc allows them. */
	if (b->ndevice_rules) {
		b->device_rules = xrealloc(b->device_rules, (b->ndevice_rules + b->ndevices + 1) *
								sizeof *b->device_rules);
		for (size_t i = 0; i < b->ndevices; i++)
			b->device_rules[b->ndevice_rules++] = (struct device_rule){
				.allow = true,
				.type = b->devices[i].type == 'b' ? 'b' : 'c',
				.major = (long)b->devices[i].major,
				.minor = (long)b->devices[i].minor,
				.access = "rwm",
			};
	}
	b->limits.devices = b->device_rules;
	b->limits.ndevices = b->ndevice_rules;
	if (path_list(r, l, "maskedPaths", "linux.maskedPaths", &b->masked, &b->nmasked) < 0 ||
	    path_list(r, l, "readonlyPaths", "linux.readonlyPaths", &b->readonly_paths,
		      &b->nreadonly) < 0)
		return -1;
	if (typed(r, l, "seccomp", "linux.seccomp", json_type_object, &v) < 0)
		return -1;
	b->seccomp = v;
	if (typed(r, l, "sysctl", "linux.sysctl", json_type_object, &v) < 0)
		return -1;
	b->nsysctl = v ? (size_t)json_object_object_length(v) : 0;
	b->sysctl = zalloc((b->nsysctl + 1) * sizeof *b->sysctl);
	size_t i = 0;
	if (v) {
		json_object_object_foreach(v, key, value)
		{
			if (!json_object_is_type(value, json_type_string) || strchr(key, '/'))
				return refuse(r, "linux.sysctl", "\"%s\": not a string value", key);
			b->sysctl[i++] = xasprintf("%s=%s", key, json_object_get_string(value));
		}
	}
	if (string_field(r, l, "rootfsPropagation", "linux.rootfsPropagation", &propagation) < 0)
		return -1;
	b->rootfs_propagation = MS_PRIVATE | MS_REC;
	if (propagation && *propagation && !(b->rootfs_propagation = propagation_of(propagation)))
		return refuse(r, "linux.rootfsPropagation", "unknown \"%s\"", propagation);
	return 0;
}

/* --- hooks ---------------------------------------------------------------------------------- */

const char *const hook_names[HOOK_KINDS] = {
	[HOOK_PRESTART] = "prestart",
	[HOOK_CREATE_RUNTIME] = "createRuntime",
	[HOOK_CREATE_CONTAINER] = "createContainer",
	[HOOK_START_CONTAINER] = "startContainer",
	[HOOK_POSTSTART] = "poststart",
	[HOOK_POSTSTOP] = "poststop",
};

static int read_hooks(struct reader *r, struct json_object *hooks)
{
	for (int k = 0; k < HOOK_KINDS; k++) {
		char field[64];
		struct json_object *a;
		snprintf(field, sizeof field, "hooks.%s", hook_names[k]);
		if (typed(r, hooks, hook_names[k], field, json_type_array, &a) < 0)
			return -1;
		size_t n = a ? json_object_array_length(a) : 0;
		r->b->hooks.list[k] = zalloc((n + 1) * sizeof *r->b->hooks.list[k]);
		r->b->hooks.n[k] = n;
		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(a, i);
			struct bundle_hook *h = &r->b->hooks.list[k][i];
			bool has;
			long long timeout;
			if (string_field(r, e, "path", field, &h->path) < 0 ||
			    string_array(r, e, "args", field, &h->args, NULL) < 0 ||
			    string_array(r, e, "env", field, &h->env, NULL) < 0 ||
			    int_field(r, e, "timeout", field, &has, &timeout) < 0)
				return -1;
			if (!h->path || h->path[0] != '/')
				return refuse(r, field, "a hook without an absolute path");
			if (has && timeout <= 0)
				return refuse(r, field, "timeout must be more than 0");
			h->timeout = (int)timeout;
		}
	}
	return 0;
}

/* --- the whole file ------------------------------------------------------------------------ */

static int read_config(struct reader *r, struct json_object *c)
{
	struct bundle *b = r->b;
	struct json_object *root, *v;
	const char *version, *path;
	if (!json_object_is_type(c, json_type_object))
		return refuse(r, "(top)", "not a JSON object");
	if (string_field(r, c, "ociVersion", "ociVersion", &version) < 0)
		return -1;
	if (!version || strncmp(version, "1.", 2))
		return refuse(r, "ociVersion", "\"%s\": want 1.x", version ? version : "");
	if (typed(r, c, "root", "root", json_type_object, &root) < 0)
		return -1;
	if (string_field(r, root, "path", "root.path", &path) < 0)
		return -1;
	if (!path || !*path)
		return refuse(r, "root.path", "missing");
	char *joined = path[0] == '/' ? xstrdup(path) : path_join(b->dir, path);
	b->rootfs = realpath(joined, NULL);
	free(joined);
	struct stat st;
	if (!b->rootfs || stat(b->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return refuse(r, "root.path", "%s: not a directory", path);
	if (typed(r, root, "readonly", "root.readonly", json_type_boolean, &v) < 0)
		return -1;
	b->readonly = v && json_object_get_boolean(v);
	if (string_field(r, c, "hostname", "hostname", &b->hostname) < 0 ||
	    string_field(r, c, "domainname", "domainname", &b->domainname) < 0)
		return -1;
	if (b->hostname && !*b->hostname)
		b->hostname = NULL;
	if (b->domainname && !*b->domainname)
		b->domainname = NULL;
	if (read_process(r, get(c, "process")) < 0)
		return -1;
	if (typed(r, c, "mounts", "mounts", json_type_array, &v) < 0 || read_mounts(r, v) < 0)
		return -1;
	if (typed(r, c, "linux", "linux", json_type_object, &v) < 0)
		return -1;
	if (!v)
		return refuse(r, "linux", "missing: mydocker runs Linux containers");
	if (read_linux(r, v) < 0)
		return -1;
	if (typed(r, c, "hooks", "hooks", json_type_object, &v) < 0 || read_hooks(r, v) < 0)
		return -1;
	if (typed(r, c, "annotations", "annotations", json_type_object, &b->annotations) < 0)
		return -1;
	return 0;
}

int bundle_load(const char *dir, struct bundle *b, char *why, size_t size)
{
	struct reader r = { .b = b, .why = why, .size = size };
	memset(b, 0, sizeof *b);
	b->dir = realpath(dir, NULL);
	if (!b->dir) {
		snprintf(why, size, "bundle %s: %s", dir, strerror(errno));
		return -1;
	}
	char *path = path_join(b->dir, "config.json");
	b->json = json_object_from_file(path);
	if (!b->json) {
		snprintf(why, size, "%s: %s", path,
			 access(path, R_OK) < 0 ? strerror(errno) : json_util_get_last_err());
		free(path);
		return -1;
	}
	free(path);
	return read_config(&r, b->json);
}

int bundle_load_hooks(struct json_object *hooks, struct bundle *b, char *why, size_t size)
{
	struct reader r = { .b = b, .why = why, .size = size };
	memset(b, 0, sizeof *b);
	return read_hooks(&r, hooks);
}

int bundle_load_process(const char *path, struct bundle *b, char *why, size_t size)
{
	struct reader r = { .b = b, .why = why, .size = size };
	memset(b, 0, sizeof *b);
	b->json = json_object_from_file(path);
	if (!b->json) {
		snprintf(why, size, "%s: %s", path,
			 access(path, R_OK) < 0 ? strerror(errno) : json_util_get_last_err());
		return -1;
	}
	if (read_process(&r, b->json) < 0) {
		char line[1024];
		snprintf(line, sizeof line, "%s", why);
		snprintf(why, size, "%s: %s", path, line + strlen("config.json: "));
		return -1;
	}
	return 0;
}

void bundle_free(struct bundle *b)
{
	free(b->dir);
	free(b->rootfs);
	free(b->args);
	free(b->env);
	free(b->groups);
	free(b->rlimits);
	for (size_t i = 0; b->mounts && i < b->nmounts; i++)
		free(b->mounts[i].data);
	free(b->mounts);
	free(b->masked);
	free(b->readonly_paths);
	for (size_t i = 0; b->sysctl && i < b->nsysctl; i++)
		free((char *)b->sysctl[i]);
	free(b->sysctl);
	free(b->devices);
	free(b->device_rules);
	for (int k = 0; k < HOOK_KINDS; k++) {
		for (size_t i = 0; b->hooks.list[k] && i < b->hooks.n[k]; i++) {
			free(b->hooks.list[k][i].args);
			free(b->hooks.list[k][i].env);
		}
		free(b->hooks.list[k]);
	}
	json_object_put(b->json);
	memset(b, 0, sizeof *b);
}

/* --- spec ----------------------------------------------------------------------------------- */

/* What `runc spec` writes (runc 1.1): busybox's sh with a terminal, in new PID, network, IPC,
 * UTS and mount namespaces, three capabilities, a read-only root, Docker's masked paths. Kept
 * as JSON text that json-c parses and writes out, so the file is json-c's, not hand-made. */
static const char default_spec[] =
    "{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},"
    "\"args\":[\"sh\"],\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:"
    "/bin\",\"TERM=xterm\"],\"cwd\":\"/\",\"capabilities\":{"
    "\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"ambient\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
    "\"noNewPrivileges\":true},\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"hostname\":\"runc\",\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\","
    "\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":["
    "\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":[\"nosuid\","
    "\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\",\"options\":["
    "\"nosuid\",\"noexec\",\"nodev\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\","
    "\"noexec\",\"nodev\",\"ro\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\",\"options\":["
    "\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
    "\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
    "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":"
    "\"uts\"},{\"type\":\"mount\"}],\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\","
    "\"/proc/kcore\",\"/proc/keys\",\"/proc/latency_stats\",\"/proc/timer_list\","
    "\"/proc/timer_stats\",\"/proc/sched_debug\",\"/sys/firmware\",\"/proc/scsi\"],"
    "\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
    "\"/proc/sysrq-trigger\"]}}";

#define SPEC_USAGE "mydocker spec [--bundle DIR]"

static const char spec_help[] =
    "Usage: " SPEC_USAGE "\n"
    "\n"
    "Write a config.json for a bundle into DIR (default: .), the one `runc spec` writes:\n"
    "put a root filesystem in DIR/rootfs and `mydocker run --bundle DIR ID` runs sh in it.\n"
    "\n"
    "Options:\n"
    "  -b, --bundle DIR  where to write it\n"
    "      --rootless    refused: mydocker has no rootless containers\n"
    "      --help        print this help\n";

int cmd_spec(int argc, char **argv)
{
	die_status = 1; /* runc exits 1 on an error */
	static const struct option longopts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, 'R' },
		OPT_HELP,
		{ 0 },
	};
	const char *dir = ".";
	int c;
	while ((c = next_option(argc, argv, ":b:", longopts, spec_help, SPEC_USAGE)) != -1)
		if (c == 'R')
			die("--rootless is not supported");
		else
			dir = optarg;
	if (optind < argc)
		die("unexpected argument %s (usage: " SPEC_USAGE ")", argv[optind]);
	char *path = path_join(dir, "config.json");
	if (access(path, F_OK) == 0)
		die("File %s exists. Remove it first", path);
	struct json_object *spec = json_tokener_parse(default_spec);
	if (!spec || json_object_to_file_ext(path, spec,
					     JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						 JSON_C_TO_STRING_NOSLASHESCAPE) < 0)
		die("write %s: %s", path, json_util_get_last_err());
	json_object_put(spec);
	free(path);
	return 0;
}

/* --- features ------------------------------------------------------------------------------- */

/* `mydocker features`: what this runtime understands of config.json, as runc 1.1's `features`
 * reports it, built from the tables above so that it cannot disagree with them. */
int cmd_features(int argc, char **argv)
{
	die_status = 1;
	no_options(argc, argv,
		   "Usage: mydocker features\n\nPrint what mydocker implements of "
		   "config.json (JSON).\n",
		   "mydocker features");
	struct json_object *f = json_object_new_object(), *a, *lin = json_object_new_object();
	json_object_object_add(f, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(f, "ociVersionMax", json_object_new_string("1.1.0"));
	a = json_object_new_array();
	for (int k = 0; k < HOOK_KINDS; k++)
		json_object_array_add(a, json_object_new_string(hook_names[k]));
	json_object_object_add(f, "hooks", a);
	a = json_object_new_array();
	for (size_t i = 0; i < sizeof mount_flags / sizeof mount_flags[0]; i++)
		json_object_array_add(a, json_object_new_string(mount_flags[i].word));
	for (size_t i = 0; i < sizeof propagations / sizeof propagations[0]; i++)
		json_object_array_add(a, json_object_new_string(propagations[i].word));
	json_object_object_add(f, "mountOptions", a);
	static const char *const namespaces[] = {
		"cgroup", "ipc", "mount", "network", "pid", "uts"
	};
	a = json_object_new_array();
	for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++)
		json_object_array_add(a, json_object_new_string(namespaces[i]));
	json_object_object_add(lin, "namespaces", a);
	a = json_object_new_array();
	for (int cap = 0; cap < 64; cap++) {
		char *name = CAP_IS_SUPPORTED(cap) ? cap_to_name(cap) : NULL;
		if (name && strncmp(name, "cap_", 4) == 0) {
			for (char *c = name; *c; c++)
				*c = (char)toupper((unsigned char)*c);
			json_object_array_add(a, json_object_new_string(name));
		}
		cap_free(name);
	}
	json_object_object_add(lin, "capabilities", a);
	struct json_object *cg = json_object_new_object();
	json_object_object_add(cg, "v1", json_object_new_boolean(1));
	json_object_object_add(cg, "v2", json_object_new_boolean(1));
	json_object_object_add(cg, "systemd", json_object_new_boolean(0));
	json_object_object_add(lin, "cgroup", cg);
	struct json_object *sc = json_object_new_object();
	json_object_object_add(sc, "enabled", json_object_new_boolean(1));
	json_object_object_add(lin, "seccomp", sc);
	struct json_object *off = json_object_new_object();
	json_object_object_add(off, "enabled", json_object_new_boolean(0));
	json_object_object_add(lin, "apparmor", json_object_get(off));
	json_object_object_add(lin, "selinux", off);
	json_object_object_add(f, "linux", lin);
	puts(json_object_to_json_string_ext(f, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	json_object_put(f);
	return 0;
}
