/* privs.h: refuse to run without the privileges namespaces and mounts need. */
#ifndef MYDOCKER_PRIVS_H
#define MYDOCKER_PRIVS_H

void require_root(void);

#endif
