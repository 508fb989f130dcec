/* proc.h: naming one process for good. A PID is reused once its process is gone; a PID
 * together with its start time (field 22 of /proc/PID/stat) names one process. Plumbing, no
 * container concept. */
#ifndef MYDOCKER_PROC_H
#define MYDOCKER_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/* The start time of process PID in clock ticks after boot, and, if STATE is not NULL, its
 * state (R, S, ..., Z for a zombie). 0, or -1 with errno (ENOENT: no such process). */
int proc_start_time(pid_t pid, unsigned long long *ticks, char *state);

/* Is process PID still the one that started at START, and not yet a zombie? */
bool process_runs(pid_t pid, unsigned long long start);

#endif
