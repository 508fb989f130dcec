/* privs.c: check for CAP_SYS_ADMIN with libcap before doing anything, so an unprivileged
 * user gets one clear sentence instead of an EPERM from deep inside clone(2) or mount(2). */
#include <stdlib.h>
#include <sys/capability.h>

#include "die.h"
#include "privs.h"

void require_root(const char *command)
{
	cap_t caps = cap_get_proc();
	if (!caps)
		die_errno("%s: cannot read capabilities", command);
	cap_flag_value_t has = CAP_CLEAR;
	int rc = cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &has);
	cap_free(caps);
	if (rc < 0)
		die_errno("%s: cannot read capabilities", command);
	if (has != CAP_SET)
		die("%s: needs root (CAP_SYS_ADMIN); try sudo", command);
}
