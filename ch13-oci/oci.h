/* oci.h: runc's command line on an OCI bundle (oci.c, ch13): create, start, state, kill,
 * delete, list, and run with --bundle. */
#ifndef MYDOCKER_OCI_H
#define MYDOCKER_OCI_H

#include <stdbool.h>

int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_list(int argc, char **argv);

/* Does `run` name a bundle (-b, --bundle)? Then it is runc's run, cmd_run_bundle(). */
bool oci_run_wanted(int argc, char **argv);
int cmd_run_bundle(int argc, char **argv);

#endif
