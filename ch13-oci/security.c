/* security.c: the order in which a container's process gives up its power (security.h), the
 * order runc's init uses, and why each step stands where it does:
 *
 *   no_new_privs      before the filter: with it, loading a filter needs no capability
 *   seccomp (a)       here if no_new_privs is off: loading needs CAP_SYS_ADMIN, still held
 *   bounding set      dropped while CAP_SETPCAP is still held; nothing dropped here comes back
 *   keepcaps, user    setuid() to a non-root user would clear the permitted set; KEEPCAPS keeps
 *                     it for the next step
 *   capability sets   permitted = effective = what is kept; inheritable and ambient empty
 *   seccomp (b)       here if no_new_privs is on: as late as possible, so the filter need not
 *                     allow the set-up's own system calls
 *
 * Then init closes every descriptor above 2 and runs the command (init.c). */
#include <sys/prctl.h>

#include "caps.h"
#include "pipe.h"
#include "security.h"
#include "seccomp_filter.h"
#include "user.h"

void security_apply(const struct security *sec, const struct sock_fprog *filter)
{
	char why[512];
	if (sec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail("prctl(PR_SET_NO_NEW_PRIVS)");
	if (filter && !sec->no_new_privs && seccomp_install(filter) < 0)
		fail("load the seccomp filter");
	if (caps_drop_bounding(sec->numeric ? sec->sets[CAPS_BOUNDING] : sec->caps) < 0)
		fail("drop capabilities from the bounding set");
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fail("prctl(PR_SET_KEEPCAPS)");
	if ((sec->numeric
		 ? user_switch_ids(sec->uid, sec->gid, sec->groups, sec->ngroups, why, sizeof why)
		 : user_switch(sec->user, why, sizeof why)) < 0)
		fail("%s", why);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		fail("prctl(PR_SET_KEEPCAPS)");
	if (sec->numeric ? caps_set_sets(sec->sets) < 0 : caps_set(sec->caps) < 0)
		fail("set the capabilities");
	if (filter && sec->no_new_privs && seccomp_install(filter) < 0)
		fail("load the seccomp filter");
}
