/* container.h: the container object. struct run_opts is what the user asked for; struct
 * container is what `mydocker run` made of it. run.c builds it, start.c starts and supervises
 * its first process, init.c is that process, and lifecycle.c holds its life: the lock, the
 * states and the teardown. */
#ifndef MYDOCKER_CONTAINER_H
#define MYDOCKER_CONTAINER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "env.h"
#include "nat.h"
#include "relay.h"
#include "security.h"
#include "volume.h"

/* A container ID: 64 random hex digits, as Docker's; the first 12 are its short form, used
 * for its hostname and wherever a person reads it. */
#define ID_LEN	     64
#define SHORT_ID_LEN 12

/* Everything `mydocker run` was asked to do. */
struct run_opts {
	bool interactive;     /* -i: keep stdin attached to the container */
	bool tty;	      /* -t: the container gets a terminal (a pty) of its own */
	bool detach;	      /* -d: a monitor supervises the container, mydocker returns */
	bool auto_remove;     /* --rm: removed when it exits (a detached one by its monitor) */
	const char *name;     /* --name, or NULL for a generated one */
	const char *hostname; /* -h: hostname inside the new UTS namespace */
	struct limits limits; /* -m, --cpu-shares, --cpus, --cpuset-cpus, --pids-limit */
	struct log_opts log;  /* --log-opt max-size=N, max-file=K */
	struct volume *vols;  /* -v, in mounting order: parents before what lies inside */
	size_t nvols;	      /* how many -v */
	struct env_list env;  /* --env-file, then -e: KEY=VALUE, or KEY to remove it */
	const char *network;  /* --network: none (NULL), host, bridge or a network's name */
	struct port *ports;   /* -p, in the order given */
	size_t nports;	      /* how many -p */
	struct security sec;  /* capabilities, seccomp, -u, --read-only... (security.h) */
	const char *image;    /* the image to run */
	char **argv;	      /* the command and its arguments */
	/* ch13: a container of an OCI bundle (oci.c) instead of an image: its config.json. */
	const struct bundle *bundle;
	const char *console_socket; /* create --console-socket: where the pty's master goes */
	int preserve_fds;	    /* create --preserve-fds N: fds 3 to 3+N-1 reach the command */
	bool no_new_keyring;	    /* create --no-new-keyring: keep the caller's session keyring */
};

/* A container's place on a bridge network, decided before it starts (network_prepare). */
struct netcfg {
	bool bridged;		/* on a bridge network: a veth pair, eth0, an address */
	bool host;		/* --network host: the host's network namespace */
	struct in_addr addr;	/* its address on the network, and the network's gateway */
	struct in_addr gateway; /* and prefix length */
	int prefix;
	char bridge[16];  /* the network's bridge */
	char host_if[16]; /* the veth pair: the host's end, vm + 12 hex digits of the ID */
	char peer_if[16]; /* the container's end until it is eth0, vp + 12 hex digits */
};

/* One container while mydocker runs it. */
struct container {
	const struct run_opts *opts; /* what it was asked to be */
	char id[ID_LEN + 1];	     /* names its cgroup, its directory and (short) its hostname */
	char *name;		     /* its name, reserved in <root>/names (name.c) */
	pid_t pid;		     /* its first process; 0 before it starts and once reaped */
	struct cgroup cgroup;	     /* its limits; no directories until cgroup_create() */
	sigset_t sigmask;	     /* mydocker's signal mask before run blocked signals */
	int command_pipe[2];	     /* init reads the command from [0]; EOF is the start signal */
	int error_pipe[2];	     /* init reports a failure into [1]; execve closes it */
	int output_pipe[2][2];	     /* its stdout [0] and stderr [1]: init writes into [i][1] */
	int reaper_fd;		     /* mydocker's end of the reaper's pipe (reaper.c) */
	int image_fd;		     /* holds the unpacked image while the container uses it */
	char *lower;		     /* the image, unpacked: the read-only lower layer */
	char *dir;		     /* its own directory: records, upper, work and merged */
	int lock_fd;		     /* that directory, locked while this process supervises it */
	bool ran;		     /* its command ran: it is kept when it ends */
	struct netcfg net;	     /* its place on a network (network.c); none: all zero */
	struct sock_fprog seccomp;   /* its seccomp filter, made before it starts; none: empty */
	int console_socket[2];	     /* -t: init sends its pty's master over [1] (tty.c) */
	int input_pipe[2];	     /* -i without -t: its stdin, init's [0], the relay's [1] */
	int attach_fd;		     /* -d: its attach.sock, listening (attach.c); or -1 */
	int fifo_fd;		     /* a bundle's: exec.fifo, which init opens to wait for start */
};

/* A container with nothing made yet, for the options O: no process, no cgroup, no descriptor. */
#define CONTAINER_EMPTY(o)                                                                         \
	{                                                                                          \
		.opts = (o), .command_pipe = { -1, -1 }, .error_pipe = { -1, -1 },                 \
		.output_pipe = { { -1, -1 }, { -1, -1 } }, .reaper_fd = -1, .image_fd = -1,        \
		.lock_fd = -1, .console_socket = { -1, -1 }, .input_pipe = { -1, -1 },             \
		.attach_fd = -1, .fifo_fd = -1                                                     \
	}

#endif
