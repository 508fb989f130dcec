/* container.h: what the parent side (run.c) and the container's first process (init.c) share. */
#ifndef MYDOCKER_CONTAINER_H
#define MYDOCKER_CONTAINER_H

#include <signal.h>
#include <stdbool.h>

#include "cgroup.h"

/* A container ID: random hex digits, as Docker's short IDs. */
#define ID_LEN 12

/* Where images and containers are kept unless --root or $MYDOCKER_ROOT says otherwise. */
#define DEFAULT_ROOT "/var/lib/mydocker"
extern const char *state_root;

/* Everything `mydocker run` was asked to do. */
struct run_opts {
	bool interactive;     /* -i: keep stdin attached to the container */
	bool tty;	      /* -t: the container shares mydocker's terminal */
	const char *hostname; /* -h: hostname inside the new UTS namespace */
	struct limits limits; /* -m, --cpu-shares, --cpus, --cpuset-cpus, --pids-limit */
	char id[ID_LEN + 1];  /* names the container's cgroup, layer directory and hostname */
	const char *image;    /* the image to run */
	char *lower;	      /* the image, unpacked: the read-only lower layer */
	char *dir;	      /* the container's own directory: upper, work and merged */
	char **argv;	      /* the command and its arguments */
	sigset_t sigmask;     /* signal mask to restore in the container before exec */
	int command_pipe[2];  /* init reads the command from [0]; EOF is the start signal */
	int error_pipe[2];    /* init reports a failure into [1]; a successful execve closes it */
};

int cmd_run(int argc, char **argv);
int container_init(void *arg);
void fail(const char *step) __attribute__((noreturn));

/* pipe.c */
int send_command(int fd, char **argv);
char **receive_command(int fd);
void report_failure(int fd, int code, const char *what) __attribute__((noreturn));
int receive_failure(int fd);

/* reaper.c */
int start_reaper(struct cgroup *cg, const char *dir);
void stop_reaper(int fd);

/* image.c */
char *image_lower_dir(const char *root, const char *name);
char *layer_create(const char *root, const char *id);
void layer_remove(const char *dir);

/* rootfs.c */
void setup_rootfs(const struct run_opts *o);

#endif
