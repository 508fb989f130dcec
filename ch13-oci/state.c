/* state.c: config.json and state.json of every container, in JSON through json-c, pretty-printed
 * so a person can read them with cat. Every write goes to a temporary file in the same
 * directory, is flushed to disk and then renamed over the old file: rename(2) replaces a name
 * in one step, so `ps` reading at the same moment gets the old file or the new one, never a
 * half-written one. Also: which process is the container (liveness), and finding a container
 * by ID, name or ID prefix. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "container.h"
#include "bundle.h"
#include "die.h"
#include "image.h"
#include "name.h"
#include "state.h"
#include "util.h"

static const char *const status_names[] = {
	[STATUS_CREATED] = "created",
	[STATUS_RUNNING] = "running",
	[STATUS_EXITED] = "exited",
};

bool valid_id(const char *s)
{
	size_t n = strlen(s);
	/* ch13: `create ID` takes runc's IDs too: letters, digits, "_+-.", not "." or "..". */
	return n > 0 && n <= ID_LEN && strcmp(s, ".") && strcmp(s, "..") &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.") == n;
}

char *container_dir(const char *root, const char *id)
{
	return xasprintf("%s/containers/%s", root, id);
}

/* The records decide what later commands signal, enter and remove, so only root may write
 * them: a state root (or its containers and names directories) owned by another user or
 * writable by group or others could be filled with forged records. One that does not exist
 * yet is made by the first `run`, as root. */
void require_safe_root(void)
{
	static const char *const parts[] = { NULL, "containers", "names" };
	for (int i = 0; i < 3; i++) {
		char *path = parts[i] ? path_join(state_root, parts[i]) : xstrdup(state_root);
		struct stat st;
		int rc = stat(path, &st);
		if (rc < 0 && errno != ENOENT)
			die_errno("%s", path);
		if (rc == 0 && (st.st_uid != 0 || (st.st_mode & 022)))
			die("%s is %s: only root may write the state root, or its records could be forged (chown root and chmod go-w)",
			    path,
			    st.st_uid != 0 ? "not owned by root" : "writable by group or others");
		free(path);
	}
}

/* --- Writing ---------------------------------------------------------------------------- */

/* DIR/FILE := OBJ, atomically (write_file_atomic), pretty-printed, a newline at the end. */
static int write_json(const char *dir, const char *file, struct json_object *obj)
{
	char *path = path_join(dir, file);
	int flags =
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE;
	char *text = xasprintf("%s\n", json_object_to_json_string_ext(obj, flags));
	int rc = write_file_atomic(path, text);
	if (rc < 0)
		warn_errno("write %s", path);
	free(text);
	free(path);
	return rc;
}

/* A time, or JSON null for "not yet". */
static struct json_object *json_time(const struct timespec *ts)
{
	if (!ts->tv_sec && !ts->tv_nsec)
		return NULL;
	char text[64];
	time_format(ts, text, sizeof text);
	return json_object_new_string(text);
}

static struct json_object *json_limits(const struct limits *lim)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "memory", json_object_new_int64(lim->memory));
	json_object_object_add(o, "cpu_shares", json_object_new_int64(lim->cpu_shares));
	json_object_object_add(o, "cpu_quota", json_object_new_int64(lim->cpu_quota));
	json_object_object_add(o, "cpu_period", json_object_new_int64(lim->cpu_period));
	json_object_object_add(o, "cpuset_cpus",
			       lim->cpuset_cpus ? json_object_new_string(lim->cpuset_cpus) : NULL);
	json_object_object_add(o, "pids_limit", json_object_new_int64(lim->pids_max));
	return o;
}

static struct json_object *json_volumes(const struct volume *vols, size_t n)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_new_object();
		json_object_object_add(
		    v, "source",
		    json_object_new_string(*vols[i].name ? vols[i].name : vols[i].host));
		json_object_object_add(v, "named", json_object_new_boolean(*vols[i].name));
		json_object_object_add(v, "target", json_object_new_string(vols[i].target));
		json_object_object_add(v, "readonly", json_object_new_boolean(vols[i].readonly));
		json_object_array_add(a, v);
	}
	return a;
}

/* What the container may do, as exec needs it to give its commands the same (record_security). */
static struct json_object *json_security(const struct security *sec)
{
	struct json_object *j = json_object_new_object();
	json_object_object_add(j, "privileged", json_object_new_boolean(sec->privileged));
	json_object_object_add(j, "capabilities", json_object_new_uint64(sec->caps));
	json_object_object_add(j, "no_new_privileges", json_object_new_boolean(sec->no_new_privs));
	json_object_object_add(j, "seccomp_unconfined", json_object_new_boolean(sec->unconfined));
	json_object_object_add(j, "seccomp",
			       sec->seccomp ? json_object_new_string(sec->seccomp) : NULL);
	json_object_object_add(j, "user", sec->user ? json_object_new_string(sec->user) : NULL);
	return j;
}

/* Write config.json (what was asked for and what was made: everything later commands need to
 * know about the container) and its first state.json, "created". A bundle's container has its
 * ID for a name, its bundle for an image and the bundle's rootfs for a lower layer. */
int record_create(const struct container *c)
{
	const struct run_opts *o = c->opts;
	struct timespec now;
	time_now(&now);
	struct json_object *j = json_object_new_object();
	json_object_object_add(j, "id", json_object_new_string(c->id));
	json_object_object_add(j, "name", json_object_new_string(o->bundle ? c->id : c->name));
	json_object_object_add(j, "image",
			       json_object_new_string(o->bundle ? o->bundle->dir : o->image));
	json_object_object_add(j, "lower_dir",
			       json_object_new_string(o->bundle ? o->bundle->rootfs : c->lower));
	if (o->bundle)
		json_object_object_add(j, "bundle", json_object_new_string(o->bundle->dir));
	struct json_object *hooks;
	if (o->bundle && json_object_object_get_ex(o->bundle->json, "hooks", &hooks))
		json_object_object_add(j, "hooks", json_object_get(hooks));
	if (o->bundle && o->bundle->annotations)
		json_object_object_add(j, "annotations", json_object_get(o->bundle->annotations));
	char *upper = path_join(c->dir, "upper");
	json_object_object_add(j, "upper_dir", json_object_new_string(upper));
	free(upper);
	struct json_object *argv = json_object_new_array();
	for (char **a = o->argv; *a; a++)
		json_object_array_add(argv, json_object_new_string(*a));
	json_object_object_add(j, "command", argv);
	json_object_object_add(j, "created", json_time(&now));
	char *hostname =
	    o->hostname ? xstrdup(o->hostname) : xasprintf("%.*s", SHORT_ID_LEN, c->id);
	json_object_object_add(j, "hostname", json_object_new_string(hostname));
	free(hostname);
	json_object_object_add(j, "detach", json_object_new_boolean(o->detach));
	json_object_object_add(j, "interactive", json_object_new_boolean(o->interactive));
	json_object_object_add(j, "tty", json_object_new_boolean(o->tty));
	json_object_object_add(j, "limits", json_limits(&o->limits));
	json_object_object_add(j, "volumes", json_volumes(o->vols, o->nvols));
	struct json_object *env = json_object_new_array();
	for (size_t i = 0; i < o->env.n; i++)
		json_object_array_add(env, json_object_new_string(o->env.v[i]));
	json_object_object_add(j, "env", env);
	json_object_object_add(j, "auto_remove", json_object_new_boolean(o->auto_remove));
	json_object_object_add(j, "network",
			       o->network ? json_object_new_string(o->network) : NULL);
	/* The published ports as ps shows them, Docker's way: 0.0.0.0:8080->80/tcp. */
	struct json_object *ports = json_object_new_array();
	for (size_t i = 0; i < o->nports; i++) {
		const struct port *p = &o->ports[i];
		char ip[INET_ADDRSTRLEN] = "0.0.0.0";
		if (!p->any_ip)
			inet_ntop(AF_INET, &p->host_ip, ip, sizeof ip);
		char *text = xasprintf("%s:%u->%u/%s", ip, p->host_port, p->container_port,
				       p->udp ? "udp" : "tcp");
		json_object_array_add(ports, json_object_new_string(text));
		free(text);
	}
	json_object_object_add(j, "ports", ports);
	json_object_object_add(j, "security", json_security(&o->sec));
	struct json_object *dirs = json_object_new_array();
	for (int i = 0; i < CG_NCONTROLLERS; i++)
		if (c->cgroup.dir[i])
			json_object_array_add(dirs, json_object_new_string(c->cgroup.dir[i]));
	json_object_object_add(j, "cgroup", dirs);
	int rc = write_json(c->dir, "config.json", j);
	json_object_put(j);
	struct state created = { .status = STATUS_CREATED };
	return rc < 0 ? -1 : state_write(c->dir, &created);
}

int state_write(const char *dir, const struct state *st)
{
	struct json_object *s = json_object_new_object();
	json_object_object_add(s, "status", json_object_new_string(status_names[st->status]));
	json_object_object_add(s, "pid", json_object_new_int(st->pid));
	json_object_object_add(s, "pid_start_time", json_object_new_uint64(st->pid_start));
	json_object_object_add(s, "exit_code",
			       st->status == STATUS_EXITED && st->exit_code != EXIT_UNKNOWN
				   ? json_object_new_int(st->exit_code)
				   : NULL);
	json_object_object_add(s, "started", json_time(&st->started));
	json_object_object_add(s, "finished", json_time(&st->finished));
	json_object_object_add(s, "monitor_pid", json_object_new_int(st->monitor_pid));
	json_object_object_add(s, "monitor_start_time", json_object_new_uint64(st->monitor_start));
	int rc = write_json(dir, "state.json", s);
	json_object_put(s);
	return rc;
}

/* The container's first process PID runs, and MONITOR is the process that waits for it. */
int state_set_running(const char *dir, struct state *st, pid_t pid, pid_t monitor)
{
	st->status = STATUS_RUNNING;
	st->pid = pid;
	st->monitor_pid = monitor;
	if (proc_start_time(pid, &st->pid_start, NULL) < 0 ||
	    proc_start_time(monitor, &st->monitor_start, NULL) < 0) {
		warn_errno("read the start time of process %d", pid);
		return -1;
	}
	time_now(&st->started);
	return state_write(dir, st);
}

/* ch13: a bundle's first process PID is set up and waits for `start`; nobody supervises it. */
int state_set_created(const char *dir, struct state *st, pid_t pid)
{
	*st = (struct state){ .status = STATUS_CREATED, .pid = pid };
	if (proc_start_time(pid, &st->pid_start, NULL) < 0) {
		warn_errno("read the start time of process %d", pid);
		return -1;
	}
	return state_write(dir, st);
}

/* The container's first process has exited with CODE (N, or 128+S for signal S). */
int state_set_exited(const char *dir, struct state *st, int code)
{
	st->status = STATUS_EXITED;
	st->exit_code = code;
	time_now(&st->finished);
	return state_write(dir, st);
}

/* --- Reading ---------------------------------------------------------------------------- */

static struct json_object *read_json(const char *dir, const char *file)
{
	char *path = path_join(dir, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return NULL;
	struct json_object *obj = json_object_from_fd(fd);
	close(fd);
	if (!obj || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		errno = EINVAL;
		return NULL;
	}
	return obj;
}

/* Member KEY of OBJ if it has TYPE, else NULL (missing, null or another type). */
static struct json_object *member(struct json_object *obj, const char *key, json_type type)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static const char *member_string(struct json_object *obj, const char *key)
{
	struct json_object *v = member(obj, key, json_type_string);
	return v ? json_object_get_string(v) : NULL;
}

static void member_time(struct json_object *obj, const char *key, struct timespec *ts)
{
	const char *text = member_string(obj, key);
	if (!text || time_parse(text, ts) < 0)
		*ts = (struct timespec){ 0 };
}

int state_load(const char *dir, struct state *st)
{
	struct json_object *s = read_json(dir, "state.json");
	if (!s)
		return -1;
	memset(st, 0, sizeof *st);
	const char *status = member_string(s, "status");
	int found = -1;
	for (int i = 0; status && i < 3; i++)
		if (!strcmp(status, status_names[i]))
			found = i;
	struct json_object *v;
	if (found >= 0) {
		st->status = found;
		st->exit_code = (v = member(s, "exit_code", json_type_int)) ? json_object_get_int(v)
									    : EXIT_UNKNOWN;
		st->pid = (v = member(s, "pid", json_type_int)) ? json_object_get_int(v) : 0;
		st->pid_start = (v = member(s, "pid_start_time", json_type_int))
				    ? json_object_get_uint64(v)
				    : 0;
		st->monitor_pid =
		    (v = member(s, "monitor_pid", json_type_int)) ? json_object_get_int(v) : 0;
		st->monitor_start = (v = member(s, "monitor_start_time", json_type_int))
					? json_object_get_uint64(v)
					: 0;
		member_time(s, "started", &st->started);
		member_time(s, "finished", &st->finished);
	}
	json_object_put(s);
	if (found < 0)
		return errno = EINVAL, -1;
	return 0;
}

/* Read container ID's records. -1 with errno ENOENT if it does not exist (or is being created
 * or removed right now), EINVAL if a record does not make sense. */
int record_load(const char *root, const char *id, struct record *r)
{
	memset(r, 0, sizeof *r);
	if (!valid_id(id))
		return errno = ENOENT, -1;
	snprintf(r->id, sizeof r->id, "%s", id);
	r->dir = container_dir(root, id);
	r->config = read_json(r->dir, "config.json");
	if (!r->config || state_load(r->dir, &r->state) < 0)
		goto bad;
	struct json_object *c = r->config, *argv = member(c, "command", json_type_array);
	r->name = member_string(c, "name");
	r->image = member_string(c, "image");
	r->lower = member_string(c, "lower_dir");
	r->hostname = member_string(c, "hostname");
	member_time(c, "created", &r->created);
	struct json_object *v = member(c, "detach", json_type_boolean);
	r->detach = v && json_object_get_boolean(v);
	v = member(c, "tty", json_type_boolean);
	r->tty = v && json_object_get_boolean(v);
	if (!r->name || !r->image || !r->lower || !argv || !json_object_array_length(argv)) {
		errno = EINVAL;
		goto bad;
	}
	size_t argc = json_object_array_length(argv);
	r->argv = xmalloc((argc + 1) * sizeof *r->argv);
	for (size_t i = 0; i < argc; i++) {
		const char *arg = json_object_get_string(json_object_array_get_idx(argv, i));
		r->argv[i] = (char *)(arg ? arg : "");
	}
	r->argv[argc] = NULL;
	return 0;
bad:;
	int err = errno;
	record_free(r);
	errno = err;
	return -1;
}

/* Read R's state.json again: its supervisor may have written the exit since R was loaded. */
int record_refresh(struct record *r)
{
	return state_load(r->dir, &r->state);
}

void record_free(struct record *r)
{
	json_object_put(r->config);
	free(r->dir);
	free(r->argv);
	memset(r, 0, sizeof *r);
}

/* Every container with readable records. A container created or removed while the directory
 * is read is simply not listed; a record that cannot be read is reported and skipped. */
int record_list(const char *root, struct record **records, size_t *n)
{
	char *dir = path_join(root, "containers");
	DIR *d = opendir(dir);
	*records = NULL;
	*n = 0;
	if (!d) {
		int err = errno;
		free(dir);
		return err == ENOENT ? 0 : (errno = err, -1);
	}
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!valid_id(e->d_name))
			continue;
		if (*n == cap)
			*records =
			    xrealloc(*records, (cap = cap ? 2 * cap : 16) * sizeof **records);
		if (record_load(root, e->d_name, &(*records)[*n]) == 0)
			(*n)++;
		else if (errno != ENOENT)
			warn_errno("skipping container %s/%s", dir, e->d_name);
	}
	closedir(d);
	free(dir);
	return 0;
}

/* Docker's order: exact ID, exact name, then a unique ID prefix. On failure the reason is
 * printed in one line and -1 returned; the command then exits with EXIT_NOT_FOUND, as
 * Docker's do. */
int record_find(const char *root, const char *arg, char id[ID_LEN + 1])
{
	char *dir = container_dir(root, arg);
	bool exists = valid_id(arg) && access(dir, F_OK) == 0;
	free(dir);
	if (exists) {
		snprintf(id, ID_LEN + 1, "%s", arg);
		return 0;
	}
	char *owner = name_resolve(root, arg);
	if (owner && valid_id(owner)) {
		snprintf(id, ID_LEN + 1, "%s", owner);
		free(owner);
		return 0;
	}
	free(owner);
	int found = 0;
	char *containers = path_join(root, "containers");
	DIR *d = *arg ? opendir(containers) : NULL;
	free(containers);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (valid_id(e->d_name) && str_starts_with(e->d_name, arg)) {
			if (found++ == 0)
				snprintf(id, ID_LEN + 1, "%.*s", ID_LEN, e->d_name);
		}
	}
	if (d)
		closedir(d);
	if (found == 1)
		return 0;
	if (found > 1)
		warn("multiple IDs found with provided prefix: %s", arg);
	else /* Docker's very words, which scripts look for */
		fprintf(stderr, "Error: No such container: %s\n", arg);
	return -1;
}

/* --- Liveness ---------------------------------------------------------------------------- */

/* A container runs if its record says so and its first process is still the same process. A
 * zombie has exited: it counts as running only while its monitor is there, which records the
 * exit before it reaps the zombie; a zombie without its monitor waits for someone else to reap
 * it, maybe for long. */
bool record_alive(const struct record *r)
{
	const struct state *st = &r->state;
	unsigned long long start;
	char state;
	if (st->status != STATUS_RUNNING || proc_start_time(st->pid, &start, &state) < 0 ||
	    start != st->pid_start)
		return false;
	return state != 'Z' || process_runs(st->monitor_pid, st->monitor_start);
}

int record_security(const struct record *r, struct security *sec)
{
	struct json_object *j = member(r->config, "security", json_type_object), *v;
	*sec = (struct security){ 0 };
	if (!j || !(v = member(j, "capabilities", json_type_int)))
		return errno = EINVAL, -1;
	sec->caps = json_object_get_uint64(v);
	sec->privileged =
	    (v = member(j, "privileged", json_type_boolean)) && json_object_get_boolean(v);
	sec->no_new_privs =
	    (v = member(j, "no_new_privileges", json_type_boolean)) && json_object_get_boolean(v);
	sec->unconfined =
	    (v = member(j, "seccomp_unconfined", json_type_boolean)) && json_object_get_boolean(v);
	sec->seccomp = member_string(j, "seccomp");
	sec->user = member_string(j, "user");
	return 0;
}
