/* caps.c: which of root's powers a container keeps (caps.h), through libcap.
 *
 * Root's power is about 41 capabilities, each a bit. A process has five sets of them:
 * effective (what it may do now), permitted (what it may make effective), inheritable and
 * ambient (what passes through execve), and bounding (what it can ever get back, even from a
 * setuid or file-capability binary). A container keeps Docker's 14 in the bounding, permitted
 * and effective sets; inheritable and ambient stay empty, or a program run later could carry
 * capabilities across an execve that should have cleared them (CVE-2022-24769). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "caps.h"

#define BIT(cap) ((uint64_t)1 << (cap))

uint64_t caps_default(void)
{
	return BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FSETID) | BIT(CAP_FOWNER) |
	       BIT(CAP_MKNOD) | BIT(CAP_NET_RAW) | BIT(CAP_SETGID) | BIT(CAP_SETUID) |
	       BIT(CAP_SETFCAP) | BIT(CAP_SETPCAP) | BIT(CAP_NET_BIND_SERVICE) |
	       BIT(CAP_SYS_CHROOT) | BIT(CAP_KILL) | BIT(CAP_AUDIT_WRITE);
}

/* Every capability of this kernel that mydocker itself holds in its bounding set: one it lacks
 * (a host may have dropped some) it cannot give a container. */
uint64_t caps_all(void)
{
	uint64_t all = 0;
	for (int cap = 0; cap <= (int)cap_max_bits() - 1 && cap < 64; cap++)
		if (CAP_IS_SUPPORTED(cap) && cap_get_bound(cap) == 1)
			all |= BIT(cap);
	return all;
}

/* NAME as Docker takes it: "ALL", or a capability with or without "CAP_", in any case. Its bit
 * set into *BITS; -1 if there is no such capability. */
int caps_parse(const char *name, uint64_t *bits)
{
	char lower[64];
	size_t n = strlen(name);
	if (n == 0 || n + 5 > sizeof lower)
		return -1;
	if (!strcasecmp(name, "ALL")) {
		*bits = caps_all();
		return 0;
	}
	/* libcap's names are "cap_chown"...: lower case, with the prefix. */
	snprintf(lower, sizeof lower, "%s%s", strncasecmp(name, "CAP_", 4) ? "cap_" : "", name);
	for (char *p = lower; *p; p++)
		*p = tolower((unsigned char)*p);
	cap_value_t cap;
	if (cap_from_name(lower, &cap) < 0 || cap < 0 || cap >= 64 || !CAP_IS_SUPPORTED(cap))
		return -1;
	/* libcap reads only as far as a name goes ("cap_chown2" is chown to it): the name must
	 * be all of it. */
	char *exact = cap_to_name(cap);
	int same = exact && !strcmp(exact, lower);
	cap_free(exact);
	if (!same)
		return -1;
	*bits = BIT(cap);
	return 0;
}

int caps_compute(uint64_t *set, char **add, size_t nadd, char **drop, size_t ndrop, char *why,
		 size_t size)
{
	uint64_t bits;
	/* Docker's order: every drop, then every add, so "--cap-drop ALL --cap-add X" is X. */
	for (size_t i = 0; i < ndrop; i++) {
		if (caps_parse(drop[i], &bits) < 0) {
			snprintf(why, size, "invalid --cap-drop \"%s\": no such capability",
				 drop[i]);
			return -1;
		}
		*set &= ~bits;
	}
	for (size_t i = 0; i < nadd; i++) {
		if (caps_parse(add[i], &bits) < 0) {
			snprintf(why, size, "invalid --cap-add \"%s\": no such capability", add[i]);
			return -1;
		}
		/* One the host took from mydocker's own bounding set cannot be given: say so now,
		 * not as a failed capset inside the container. */
		if (bits & ~caps_all()) {
			snprintf(why, size,
				 "invalid --cap-add \"%s\": mydocker does not hold it (not in its "
				 "bounding set)",
				 add[i]);
			return -1;
		}
		*set |= bits;
	}
	return 0;
}

int caps_drop_bounding(uint64_t keep)
{
	/* Dropping from the bounding set needs CAP_SETPCAP, which is why this comes before the
	 * capability sets are narrowed. A capability this kernel does not have is skipped. */
	for (int cap = 0; cap < (int)cap_max_bits() && cap < 64; cap++)
		if (!(keep & BIT(cap)) && cap_get_bound(cap) == 1 && cap_drop_bound(cap) < 0)
			return -1;
	return 0;
}

int caps_set(uint64_t keep)
{
	/* Permitted and effective, nothing inheritable or ambient. */
	const uint64_t sets[5] = { [CAPS_EFFECTIVE] = keep, [CAPS_PERMITTED] = keep };
	return caps_set_sets(sets);
}

int caps_set_sets(const uint64_t sets[5])
{
	static const cap_flag_t flag[] = { [CAPS_EFFECTIVE] = CAP_EFFECTIVE,
					   [CAPS_INHERITABLE] = CAP_INHERITABLE,
					   [CAPS_PERMITTED] = CAP_PERMITTED };
	cap_t c = cap_init();
	if (!c)
		return -1;
	int rc = 0;
	for (int cap = 0; cap < (int)cap_max_bits() && cap < 64 && rc == 0; cap++) {
		cap_value_t v = cap;
		for (int set = CAPS_EFFECTIVE; set <= CAPS_PERMITTED; set++)
			if (sets[set] & BIT(cap))
				rc |= cap_set_flag(c, flag[set], 1, &v, CAP_SET);
	}
	if (rc == 0)
		rc = cap_set_proc(c);
	int err = errno;
	cap_free(c);
	if (rc == 0 && cap_reset_ambient() < 0)
		rc = -1, err = errno;
	/* The kernel raises an ambient capability only if it is permitted and inheritable; runc
	 * skips one it cannot raise (its default spec asks for three it leaves uninheritable), and
	 * so does mydocker. */
	for (int cap = 0; cap < (int)cap_max_bits() && cap < 64 && rc == 0; cap++)
		if (sets[CAPS_AMBIENT] & BIT(cap))
			cap_set_ambient(cap, CAP_SET);
	errno = err;
	return rc < 0 ? -1 : 0;
}
