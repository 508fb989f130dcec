/* hooks.h: config.json's hooks (hooks.c, ch13). Where each kind runs in mydocker:
 *
 *   prestart, createRuntime, createContainer   by `create`, on the host, once the container
 *                                              is set up and waits (runc runs the last two a
 *                                              step earlier, before pivot_root)
 *   startContainer                             by the container's process, after `start`,
 *                                              just before the program
 *   poststart                                  by `start`, once the program runs
 *   poststop                                   by `delete`, once the container has stopped
 *
 * run_hooks() runs the hooks of one KIND in order with STATE (the OCI state JSON) on each
 * one's stdin: 0, or -1 after saying which failed (exit status, signal or timeout). */
#ifndef MYDOCKER_HOOKS_H
#define MYDOCKER_HOOKS_H

#include "bundle.h"

struct json_object;

int run_hooks(const struct bundle_hooks *hooks, int kind, struct json_object *state);

#endif
