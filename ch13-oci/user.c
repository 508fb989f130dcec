/* user.c: -u USER[:GROUP] (user.h): the user a container's command runs as.
 *
 * Names mean what the image says they mean: they are looked up in the container's own
 * /etc/passwd and /etc/group, after pivot_root, with glibc's fgetpwent/fgetgrent (which read a
 * given file, never NSS or the host's files). A numeric ID needs no entry, as in Docker. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "user.h"

/* The most supplementary groups taken from /etc/group. */
#define MAX_GROUPS 64

/* Is S all digits (and not empty)? */
static int numeric(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* A user or group word: a name of letters, digits, "_.-$", or an ID of at most 2^31 - 1
 * (runc's limit, which 32-bit programs can hold). */
static int valid_word(const char *s, size_t n)
{
	char id[16];
	if (n == 0 || n >= 64 ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-$") < n)
		return 0;
	if (strspn(s, "0123456789") < n)
		return 1;
	snprintf(id, sizeof id, "%.*s", (int)n, s);
	return n < 11 && strtoul(id, NULL, 10) <= 2147483647UL;
}

int user_check(const char *spec)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
	return valid_word(spec, n) && (!colon || valid_word(colon + 1, strlen(colon + 1))) ? 0 : -1;
}

/* The entry of the container's /etc/passwd whose name (or, if NUMERIC, UID) is WHO: copied
 * into *PW (strings in BUF); 0, or -1 if there is none. */
static int find_user(const char *who, struct passwd *pw, char *buf, size_t size)
{
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *e;
	int found = -1;
	while (f && found < 0 && (e = fgetpwent(f)))
		if (numeric(who) ? e->pw_uid == (uid_t)strtoul(who, NULL, 10)
				 : !strcmp(e->pw_name, who)) {
			*pw = *e;
			snprintf(buf, size, "%s", *e->pw_dir ? e->pw_dir : "/");
			pw->pw_dir = buf;
			pw->pw_name = NULL; /* not kept: the groups are matched by name below */
			found = 0;
		}
	if (f)
		fclose(f);
	return found;
}

/* GROUP (a name or GID) into *GID, from the container's /etc/group; -1 if unknown. */
static int find_group(const char *group, gid_t *gid)
{
	if (numeric(group)) {
		*gid = (gid_t)strtoul(group, NULL, 10);
		return 0;
	}
	FILE *f = fopen("/etc/group", "re");
	struct group *g;
	int found = -1;
	while (f && found < 0 && (g = fgetgrent(f)))
		if (!strcmp(g->gr_name, group))
			*gid = g->gr_gid, found = 0;
	if (f)
		fclose(f);
	return found;
}

/* The groups of /etc/group that list NAME as a member, into LIST; how many. */
static int member_of(const char *name, gid_t *list, int max)
{
	FILE *f = fopen("/etc/group", "re");
	struct group *g;
	int n = 0;
	while (f && name && n < max && (g = fgetgrent(f)))
		for (char **m = g->gr_mem; *m; m++)
			if (!strcmp(*m, name)) {
				list[n++] = g->gr_gid;
				break;
			}
	if (f)
		fclose(f);
	return n;
}

/* Become UID, GID with GROUPS; HOME (if not NULL), unless set already. */
static int become(uid_t uid, gid_t gid, const gid_t *groups, size_t n, const char *home, char *why,
		  size_t size)
{
	/* With -t the terminal becomes the user's, as runc hands the console to the process's
	 * user: else a shell not run as root could not even write its prompt's echo to it. */
	if (isatty(STDIN_FILENO) && fchown(STDIN_FILENO, uid, (gid_t)-1) < 0) {
		snprintf(why, size, "hand the terminal to user %u", (unsigned)uid);
		return -1;
	}
	/* Groups first, then the group, then the user: after setuid() the others are not allowed. */
	if (setgroups(n, groups) < 0) {
		snprintf(why, size, "setgroups");
		return -1;
	}
	if (setgid(gid) < 0) {
		snprintf(why, size, "setgid %u", (unsigned)gid);
		return -1;
	}
	if (setuid(uid) < 0) {
		snprintf(why, size, "setuid %u", (unsigned)uid);
		return -1;
	}
	/* HOME from the passwd entry, unless -e set it: in Docker -e wins. */
	if (home && setenv("HOME", home, 0) < 0) {
		snprintf(why, size, "set HOME");
		return -1;
	}
	return 0;
}

int user_switch(const char *spec, char *why, size_t size)
{
	char user[64] = "", group[64] = "", home[256] = "/", name[64] = "";
	bool root = !spec; /* no -u: root, whose HOME init has set already */
	if (root)
		spec = "0";
	const char *colon = strchr(spec, ':');
	snprintf(user, sizeof user, "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
	if (colon)
		snprintf(group, sizeof group, "%s", colon + 1);
	struct passwd pw = { 0 };
	uid_t uid;
	gid_t gid = 0, groups[MAX_GROUPS];
	if (find_user(user, &pw, home, sizeof home) == 0) {
		uid = pw.pw_uid, gid = pw.pw_gid;
		if (!numeric(user))
			snprintf(name, sizeof name, "%s", user);
	} else if (numeric(user)) {
		uid = (uid_t)strtoul(user, NULL, 10);
	} else {
		snprintf(why, size, "unable to find user %s in the image's /etc/passwd", user);
		return errno = ENOENT, -1;
	}
	if (*group && find_group(group, &gid) < 0) {
		snprintf(why, size, "unable to find group %s in the image's /etc/group", group);
		return errno = ENOENT, -1;
	}
	/* The user's name from its entry even when -u gave the UID: membership is by name. */
	if (!*name && pw.pw_uid == uid && pw.pw_dir) {
		FILE *f = fopen("/etc/passwd", "re");
		struct passwd *e;
		while (f && (e = fgetpwent(f)))
			if (e->pw_uid == uid) {
				snprintf(name, sizeof name, "%s", e->pw_name);
				break;
			}
		if (f)
			fclose(f);
	}
	/* The user's groups in /etc/group, unless -u named the group: then that one only, as
	 * runc does. */
	int n = *group ? 0 : member_of(*name ? name : NULL, groups, MAX_GROUPS);
	return become(uid, gid, groups, n,
		      root		       ? NULL
		      : uid == 0 && !pw.pw_dir ? "/root"
					       : home,
		      why, size);
}

int user_switch_ids(uid_t uid, gid_t gid, const gid_t *groups, size_t n, char *why, size_t size)
{
	char home[256] = "/", id[16];
	struct passwd pw = { 0 };
	snprintf(id, sizeof id, "%u", (unsigned)uid);
	find_user(id, &pw, home, sizeof home);
	return become(uid, gid, groups, n, uid == 0 && !pw.pw_dir ? "/root" : home, why, size);
}
