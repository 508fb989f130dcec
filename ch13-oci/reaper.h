/* reaper.h: cleanup that survives a killed mydocker (see reaper.c).
 *
 * Interface: start_reaper() forks the reaper, which calls CLEANUP(ARG) if mydocker dies before
 * it has called stop_reaper() with the descriptor start_reaper() returned. Fork it once the
 * container's cgroup exists and BEFORE the pipes to init are made, so the reaper holds no end
 * of them (it would keep init's command pipe from reaching EOF). stop_reaper(), called by
 * container_destroy() after everything else is released, tells it to exit without doing
 * anything. */
#ifndef MYDOCKER_REAPER_H
#define MYDOCKER_REAPER_H

int start_reaper(void (*cleanup)(void *arg), void *arg);
void stop_reaper(int *fd);

#endif
