/* oci.h: runc's command line on an OCI bundle (oci.c, ch13): create, start, state, kill,
 * delete, list, and run with --bundle. */
#ifndef MYDOCKER_OCI_H
#define MYDOCKER_OCI_H

#include <stdbool.h>
#include <sys/types.h>

int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);

/* Where runc's commands keep containers by default (runc: /run/runc). */
#define OCI_DEFAULT_ROOT "/run/mydocker"

/* Write PID into FILE (--pid-file), whole or not at all; -1 after saying why. exec, which
 * enters the container's mount namespace first, opens FILE's directory before (pid_file_dir,
 * with *NAME its last part) and writes into it after (write_pid_at). */
int write_pid(const char *file, pid_t pid);
int pid_file_dir(const char *file, const char **name);
int write_pid_at(int dir, const char *name, pid_t pid);

/* Is ARGV (from the command's name on) one of runc's commands (exec with --process too)? */
bool oci_command(int argc, char **argv);

/* Does `ps` name a container (runc's ps ID)? Then it is cmd_ps_bundle(). */
bool oci_ps_wanted(int argc, char **argv);
int cmd_ps_bundle(int argc, char **argv);

/* Does `run` name a bundle (-b, --bundle)? Then it is runc's run, cmd_run_bundle(). */
bool oci_run_wanted(int argc, char **argv);
int cmd_run_bundle(int argc, char **argv);

#endif
