/* name.c: container names, Docker's way: a name the user chose with --name, or a generated
 * one such as "brave_hopper", unique among all containers, running or exited. The reservation
 * is the symbolic link <root>/names/NAME -> ID: creating it is one atomic system call, so no
 * lock and no listing is needed, and `ls -l names/` shows who owns which name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "die.h"
#include "name.h"
#include "util.h"

/* Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+, so at least two characters. A name is also a
 * file name here, so it cannot be longer than one. */
bool valid_name(const char *name)
{
	static const char alnum[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t len = strlen(name);
	if (len < 2 || len > NAME_MAX || !strchr(alnum, name[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!strchr(alnum, name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

/* Generated names are ADJECTIVE_SURNAME, the surnames those of people whose work this runtime
 * stands on. */
static const char *const adjectives[] = {
	"agile",    "amber",	"bold",	  "brave",  "bright",  "brisk",	 "calm",   "candid",
	"careful",  "cheerful", "clever", "cosmic", "curious", "daring", "eager",  "earnest",
	"fearless", "gentle",	"golden", "happy",  "honest",  "humble", "jolly",  "keen",
	"kind",	    "lively",	"lucid",  "loyal",  "merry",   "modest", "nimble", "noble",
	"patient",  "plucky",	"polite", "proud",  "quick",   "quiet",	 "rapid",  "serene",
	"sharp",    "steady",	"sunny",  "swift",  "tidy",    "vivid",	 "warm",   "witty",
};
static const char *const surnames[] = {
	"allen",    "babbage",	 "backus",     "cerf",	    "corbato",	 "cutler",   "diffie",
	"dijkstra", "engelbart", "goldberg",   "hamilton",  "hellman",	 "hoare",    "hopper",
	"johnson",  "joy",	 "kahn",       "kay",	    "kernighan", "knuth",    "lamport",
	"lampson",  "liskov",	 "lovelace",   "mccarthy",  "mcilroy",	 "metcalfe", "milner",
	"noyce",    "ossanna",	 "perlman",    "pike",	    "postel",	 "ritchie",  "rivest",
	"sammet",   "shannon",	 "stroustrup", "tanenbaum", "thompson",	 "torvalds", "turing",
	"wheeler",  "wirth",	 "wozniak",    "neumann",   "shamir",	 "bourne",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static unsigned random_below(unsigned n)
{
	unsigned r = 0;
	if (getrandom(&r, sizeof r, 0) != sizeof r)
		r = (unsigned)rand();
	return r % n;
}

/* After a few collisions a number is added, so the search always ends. */
static char *generate_name(int attempt)
{
	const char *a = adjectives[random_below(COUNT(adjectives))];
	const char *s = surnames[random_below(COUNT(surnames))];
	if (attempt < 10)
		return xasprintf("%s_%s", a, s);
	return xasprintf("%s_%s%u", a, s, random_below(1000));
}

/* Reserve WANTED (or a generated name if it is NULL) for container ID. Returns the name. If
 * WANTED belongs to another container, returns NULL with *OWNER set to that container's ID (the
 * caller decides whether that container still counts); any other failure is printed. */
char *name_reserve(const char *root, const char *wanted, const char *id, char **owner)
{
	*owner = NULL;
	char *dir = path_join(root, "names");
	if (mkdir_p(dir, 0755) < 0) {
		warn_errno("mkdir %s", dir);
		free(dir);
		return NULL;
	}
	char *name = NULL;
	int err = 0;
	for (int attempt = 0; attempt < 100 && !name && !*owner; attempt++) {
		name = wanted ? xstrdup(wanted) : generate_name(attempt);
		char *link = path_join(dir, name);
		int rc = symlink(id, link);
		err = errno;
		free(link);
		if (rc == 0)
			break;
		free(name);
		name = NULL;
		if (err != EEXIST)
			break;
		/* Taken. A generated name: draw another. A wanted one: say by whom (and try again
		 * if it was released meanwhile). */
		if (wanted)
			*owner = name_resolve(root, wanted);
	}
	if (!name && !*owner) {
		errno = err;
		warn_errno("reserve a name in %s", dir);
	}
	free(dir);
	return name;
}

/* The ID a name belongs to, or NULL. */
char *name_resolve(const char *root, const char *name)
{
	if (!valid_name(name))
		return NULL;
	char *link = xasprintf("%s/names/%s", root, name);
	char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof target - 1);
	free(link);
	if (n < 0)
		return NULL;
	target[n] = '\0';
	return xstrdup(target);
}

/* Free every name of container ID. Its names are found by their targets, so a container known
 * only by its ID (its records lost or never written) lets go of them too. Releases hold a lock
 * on the names directory: between reading a link and removing it, no other release can remove
 * it and a new container take the name, which this one would then remove. (Reserving needs no
 * lock: symlink(2) never replaces anything.) */
void name_release(const char *root, const char *id)
{
	char *dir = path_join(root, "names");
	int lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = lock < 0 ? NULL : opendir(dir);
	if (lock >= 0 && flock(lock, LOCK_EX) < 0)
		warn_errno("lock %s", dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		char *owner = name_resolve(root, e->d_name);
		if (owner && !strcmp(owner, id)) {
			char *link = path_join(dir, e->d_name);
			if (unlink(link) < 0 && errno != ENOENT)
				warn_errno("remove the name %s", link);
			free(link);
		}
		free(owner);
	}
	if (d)
		closedir(d);
	if (lock >= 0)
		close(lock);
	free(dir);
}
