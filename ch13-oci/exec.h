/* exec.h: the `mydocker exec` command: run a command inside a running container.
 *
 * Interface: cmd_exec() finds the container (by name, ID or ID prefix, as every command does),
 * opens every namespace of its first process and the cgroup.procs file of every cgroup it is
 * in, checks that the process is still the container's (PID and start time), and only then
 * enters: setns() into each namespace, fork(), and in the child join the cgroups and execve.
 * It returns the command's exit status (N, or 128+S for signal S), 127 or 126 when the command
 * cannot be found or run, and 125 for errors of mydocker itself, such as a container that is
 * not running. The exec'd process lives in the container for good: it ends with the container
 * (the kernel kills a PID namespace's processes when its first process exits) or with
 * mydocker exec. */
#ifndef MYDOCKER_EXEC_H
#define MYDOCKER_EXEC_H

int cmd_exec(int argc, char **argv);

#endif
