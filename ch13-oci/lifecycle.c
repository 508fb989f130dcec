/* lifecycle.c: a container's life, in one place.
 *
 *   (nothing) --container_create--> created --start--> running --exit--> exited
 *                                       |                                  (kept, as Docker
 *                                       +--- run failed or was killed --->  keeps it)
 *                                            container_teardown: removed
 *
 * The lock. A container's directory, <root>/containers/ID, is made first and locked
 * (flock, exclusive) before anything else of it exists, both under a lock on <root>/containers,
 * so that no one sees the directory unlocked. Its supervisor (mydocker in the
 * foreground, with its reaper; the monitor of `run -d`) holds that lock for as long as it lives,
 * and the records are written only under it. However the supervisor dies, the kernel drops the
 * lock with its last descriptor: a container whose lock is free and whose record does not say
 * "exited" lost its supervisor, and whoever takes the lock next finishes its work
 * (container_abandoned). Commands that only report (ps, logs) take no lock and write nothing.
 *
 * The teardown. container_teardown() removes a container knowing only its ID, in an order that
 * may be cut anywhere and is finished by calling it again: its processes, its cgroup, its
 * directory, and its name last, so a name never points at a container half removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "cgroup.h"
#include "container.h"
#include "die.h"
#include "image.h"
#include "lifecycle.h"
#include "lock.h"
#include "name.h"
#include "network.h"
#include "reaper.h"
#include "state.h"
#include "util.h"

/* The locks are flocks (lock_open(), common/lock.c): a container's directory, exclusive, held by
 * its supervisor; and <root>/containers itself, shared by container_lock() and exclusive while
 * `run` makes and locks a new directory (create_dir), so that nobody finds a container's
 * directory before its creator holds its lock. -1 with errno EWOULDBLOCK for LOCK_NB and a lock
 * someone holds, ENOENT for no such directory. */
#define lock_dir(dir, how) lock_open(dir, O_DIRECTORY, how)

/* Open <root>/containers/ID and take its lock without waiting: the descriptor, or -1 with errno
 * EWOULDBLOCK (someone holds it) or ENOENT (no such container). */
int container_lock(const char *root, const char *id)
{
	char *containers = path_join(root, "containers");
	int all = lock_dir(containers, LOCK_SH);
	free(containers);
	if (all < 0)
		return -1;
	char *dir = container_dir(root, id);
	int fd = lock_dir(dir, LOCK_EX | LOCK_NB), err = errno;
	free(dir);
	close(all);
	errno = err;
	return fd;
}

/* Does a supervisor hold container ID's lock (it runs, or is being created)? */
bool container_lock_busy(const char *root, const char *id)
{
	int fd = container_lock(root, id);
	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == EWOULDBLOCK;
}

/* Kill every process in container ID's cgroup, for up to ten seconds (the kernel may take a
 * moment to let the last of them go), then remove the cgroup. The cgroup is found from the ID,
 * under mydocker's own cgroup parent, never from a record (cgroup_find). */
static void remove_cgroup(const char *id)
{
	struct cgroup cg;
	if (cgroup_find(&cg, id) < 0)
		return;
	for (int i = 0; i < 1000 && kill_cgroup(&cg) > 0; i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	cgroup_destroy(&cg);
}

int container_teardown(const char *root, const char *id)
{
	remove_cgroup(id);
	network_disconnect(id);
	/* Renamed first, to a name no lookup matches, so the directory disappears from every
	 * listing in one step; a teardown cut short after it is finished from that name. */
	char *dir = container_dir(root, id);
	char *trash = xasprintf("%s/containers/.removing-%s", root, id);
	int rc = 0;
	if (rename(dir, trash) < 0 && errno != ENOENT) {
		warn_errno("rename %s to %s", dir, trash);
		rc = -1;
	}
	if (rc == 0 && remove_tree(trash) < 0) {
		warn_errno("remove %s", trash);
		rc = -1;
	}
	if (rc == 0)
		name_release(root, id);
	free(trash);
	free(dir);
	return rc;
}

int container_abandoned(const char *root, const char *id)
{
	struct record r;
	if (record_load(root, id, &r) < 0) {
		/* Killed before its records were written: it never ran, nothing of it stays. */
		if (errno == ENOENT)
			return container_teardown(root, id);
		return -1;
	}
	int rc = 0;
	if (r.state.status == STATUS_CREATED) {
		rc = container_teardown(root, id);
	} else if (r.state.status == STATUS_RUNNING) {
		/* It ran, so it stays, as Exited: how it ended nobody saw. */
		remove_cgroup(id);
		network_disconnect(id);
		rc = state_set_exited(r.dir, &r.state, EXIT_UNKNOWN);
	}
	record_free(&r);
	return rc;
}

/* Is the container OWNER that holds a name only the remains of a `run` that was killed
 * before its container started (or of a teardown cut short)? Then finish it: the name is free.
 * Returns 1 if so, 0 if OWNER is a container, -1 on failure. */
static int name_owner_gone(const char *owner)
{
	if (!valid_id(owner)) /* not a link mydocker made: the name stays taken */
		return 0;
	int fd = container_lock(state_root, owner);
	if (fd < 0 && errno == EWOULDBLOCK)
		return 0;
	if (fd < 0 && errno != ENOENT)
		return -1;
	struct state st;
	char *dir = container_dir(state_root, owner);
	int gone =
	    fd < 0 || (state_load(dir, &st) < 0 ? errno == ENOENT : st.status == STATUS_CREATED);
	free(dir);
	int rc = gone ? container_teardown(state_root, owner) : 0;
	if (fd >= 0)
		close(fd);
	return rc < 0 ? -1 : gone;
}

/* Reserve the container's name; a name held only by the remains of a killed `run` is taken. */
static int reserve_name(struct container *c)
{
	for (int tries = 0; tries < 3 && !c->name; tries++) {
		char *owner;
		c->name = name_reserve(state_root, c->opts->name, c->id, &owner);
		if (!owner)
			return c->name ? 0 : -1;
		int gone = name_owner_gone(owner);
		if (gone == 0)
			warn("the container name \"%s\" is already in use by container %s",
			     c->opts->name, owner);
		free(owner);
		if (gone <= 0)
			return -1;
	}
	return c->name ? 0 : -1;
}

/* Make <root>/containers/ID, new, and lock it: the first thing of the container to exist. */
/* The remains of `run`s killed before their container had records: a directory whose lock is
 * free and that has no state.json. Nothing can name them (a name comes after the directory), so
 * the next `run` removes them. Called with <root>/containers locked exclusively: no directory
 * of a `run` still making its own is unlocked then. */
static void remove_remains(const char *root)
{
	char *containers = path_join(root, "containers");
	DIR *d = opendir(containers);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (!valid_id(e->d_name))
			continue;
		char *dir = path_join(containers, e->d_name);
		char *state = path_join(dir, "state.json");
		/* A look first, a lock only then: most directories have records, and a `run` scans
		 * them all. Looked at again under the lock. */
		bool bare = access(state, F_OK) < 0 && errno == ENOENT;
		int fd = bare ? lock_dir(dir, LOCK_EX | LOCK_NB) : -1;
		if (fd >= 0 && access(state, F_OK) < 0 && errno == ENOENT)
			container_teardown(root, e->d_name);
		if (fd >= 0)
			close(fd);
		free(state);
		free(dir);
	}
	if (d)
		closedir(d);
	free(containers);
}

/* Make the container's directory and lock it, both while <root>/containers is locked: a
 * directory appears only locked by its creator. */
static int create_dir(struct container *c)
{
	char *containers = path_join(state_root, "containers");
	char *dir = container_dir(state_root, c->id);
	int all = mkdir_p(containers, 0755) < 0 ? -1 : lock_dir(containers, LOCK_EX);
	if (all < 0) {
		warn_errno("lock %s", containers);
		free(dir);
		free(containers);
		return -1;
	}
	remove_remains(state_root);
	int rc = mkdir(dir, 0755);
	if (rc < 0) {
		warn_errno("mkdir %s", dir);
		free(dir);
	} else {
		c->dir = dir;
		c->lock_fd = lock_dir(dir, LOCK_EX | LOCK_NB);
		if (c->lock_fd < 0) {
			warn_errno("lock %s", dir);
			rc = -1;
		}
	}
	close(all);
	free(containers);
	return rc;
}

int container_create(struct container *c)
{
	const struct run_opts *o = c->opts;
	random_hex(c->id, ID_LEN);
	if (create_dir(c) < 0 || reserve_name(c) < 0)
		return -1;
	c->image_fd = image_open(state_root, o->image, &c->lower);
	if (c->image_fd < 0)
		return -1;
	/* Host directories and named volumes are the user's: made now, kept afterwards. */
	if (prepare_volumes(o->vols, o->nvols, state_root, c->lower) < 0)
		return -1;
	/* The cgroup and its limits exist before the container does... */
	if (cgroup_create(&c->cgroup, c->id, &o->limits) < 0 || layer_create(c->dir) < 0)
		return -1;
	/* Its network and its address on it, held under its ID (network.c). */
	if (network_prepare(c) < 0)
		return -1;
	/* ...and so do its records, so `ps` lists it. */
	return record_create(c);
}

/* ch13: a bundle's container: its ID is the caller's, its root the bundle's, its cgroup where
 * linux.cgroupsPath says (under the parent it names, the last part its own directory). */
int container_create_bundle(struct container *c, const char *id)
{
	const struct bundle *b = c->opts->bundle;
	snprintf(c->id, sizeof c->id, "%s", id);
	if (create_dir(c) < 0)
		return -1;
	const char *leaf = c->id;
	char *parent = NULL;
	if (b->cgroups_path) {
		parent = xstrdup(b->cgroups_path + strspn(b->cgroups_path, "/"));
		char *slash = strrchr(parent, '/');
		leaf =
		    b->cgroups_path + strlen(b->cgroups_path) - strlen(slash ? slash + 1 : parent);
		if (slash)
			*slash = '\0';
		cgroup_use_parent(slash ? parent : "");
	}
	int rc = cgroup_create(&c->cgroup, leaf, &c->opts->limits);
	cgroup_use_parent(NULL);
	free(parent);
	return rc < 0 ? -1 : record_create(c);
}

int container_exited(struct container *c, struct state *st, int code)
{
	/* PID 1 is gone, and with it its whole PID namespace. First the cgroup goes, then the
	 * record says "exited", so a container shown as exited has nothing left but its files. */
	cgroup_destroy(&c->cgroup);
	/* Its address and published ports go with it, as Docker's do when a container stops. */
	network_disconnect(c->id);
	c->ran = true;
	return state_set_exited(c->dir, st, code);
}

void container_destroy(struct container *c)
{
	/* The first process goes first: killing PID 1 of a PID namespace kills every process in
	 * it, and only an empty cgroup can be removed. */
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->pid = 0;
	}
	/* One that ran stays, as Exited (unless --rm); one that never ran is removed whole. The
	 * cgroup it made goes first: a bundle's may be where no ID would find it. */
	kill_cgroup(&c->cgroup);
	cgroup_destroy(&c->cgroup);
	if ((!c->ran || c->opts->auto_remove) && c->dir)
		container_teardown(state_root, c->id);
	container_forget(c);
	/* Last: until here the reaper would have cleaned up if mydocker had died. */
	stop_reaper(&c->reaper_fd);
}

void container_forget(struct container *c)
{
	free(c->name);
	c->name = NULL;
	free(c->dir);
	c->dir = NULL;
	free(c->lower);
	c->lower = NULL;
	free(c->seccomp.filter);
	c->seccomp = (struct sock_fprog){ 0 };
	for (int i = 0; i < CG_NCONTROLLERS; i++) {
		free(c->cgroup.dir[i]);
		c->cgroup.dir[i] = NULL;
	}
	close_fd(&c->image_fd);
	close_fd(&c->lock_fd);
	for (int i = 0; i < 2; i++) {
		close_fd(&c->command_pipe[i]);
		close_fd(&c->error_pipe[i]);
		close_fd(&c->output_pipe[i][0]);
		close_fd(&c->output_pipe[i][1]);
	}
}

/* What the reaper does if mydocker dies (reaper.c). Its container normally died with it. The
 * reaper holds the container's lock too (it shares mydocker's descriptor): it finishes what
 * mydocker left, as any later owner of the lock would. */
static void reap_container(void *arg)
{
	container_abandoned(state_root, ((struct container *)arg)->id);
}

/* Fork the reaper of container C (reaper.c): if mydocker dies, it cleans up in its place. */
int container_reaper(struct container *c)
{
	c->reaper_fd = start_reaper(reap_container, c);
	return c->reaper_fd < 0 ? -1 : 0;
}
