/* caps.h: capabilities (caps.c, through libcap): which of root's powers a container keeps.
 *
 * A set is a uint64_t, bit N for capability N (CAP_CHOWN is 0; the kernel has 41). */
#ifndef MYDOCKER_CAPS_H
#define MYDOCKER_CAPS_H

#include <stddef.h>
#include <stdint.h>

/* Docker's default 14: CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID,
 * SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE. */
uint64_t caps_default(void);

/* Every capability this kernel has. */
uint64_t caps_all(void);

/* Docker's rule for the options: from *SET, every --cap-drop first, then every --cap-add. A name
 * is a capability with or without CAP_, in any case, or ALL. -1 for an unknown name, with a
 * one-line reason in WHY. */
/* One NAME as caps_compute() takes it (ALL, or a capability with or without CAP_, any case)
 * into *BITS; -1 if there is no such capability. */
int caps_parse(const char *name, uint64_t *bits);

int caps_compute(uint64_t *set, char **add, size_t nadd, char **drop, size_t ndrop, char *why,
		 size_t size);

/* In init, runc's two steps: first drop from the bounding set every capability not in KEEP (no
 * process of the container can ever regain it); later, after the user is set, make the
 * permitted and effective sets KEEP, the inheritable set empty (CVE-2022-24769) and clear the
 * ambient set. 0, or -1 with errno. */
int caps_drop_bounding(uint64_t keep);
int caps_set(uint64_t keep);

/* ch13: an OCI process names each set apart. SETS[CAPS_...]: the permitted, effective and
 * inheritable sets are set as given, then each capability of the ambient set is raised (the
 * kernel allows one only if it is both permitted and inheritable). 0, or -1 with errno. */
enum { CAPS_BOUNDING, CAPS_EFFECTIVE, CAPS_INHERITABLE, CAPS_PERMITTED, CAPS_AMBIENT };
int caps_set_sets(const uint64_t sets[5]);

#endif
