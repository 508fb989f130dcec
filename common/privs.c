/* privs.c: check for CAP_SYS_ADMIN with libcap before doing anything, so an unprivileged
 * user gets one clear sentence instead of an EPERM from deep inside clone(2) or mount(2). */
#include <stdlib.h>
#include <sys/capability.h>

#include "die.h"
#include "privs.h"

void require_root(void)
{
	cap_t caps = cap_get_proc();
	if (!caps)
		die_errno("cannot read capabilities");
	cap_flag_value_t has = CAP_CLEAR;
	int rc = cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &has);
	cap_free(caps);
	if (rc < 0)
		die_errno("cannot read capabilities");
	if (has != CAP_SET)
		die("needs root (CAP_SYS_ADMIN); try sudo");
}
