/* sealed.h: run mydocker from a sealed in-memory copy of its binary (sealed.c), before a
 * command enters a container (CVE-2019-5736). */
#ifndef MYDOCKER_SEALED_H
#define MYDOCKER_SEALED_H

/* Unless this process already runs from a sealed copy: make one and execute it with the same
 * ARGV, so this call returns only in the copy. Exits 125 after one line if it cannot. */
void run_sealed(char **argv);

#endif
