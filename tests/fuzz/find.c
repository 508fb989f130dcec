/* find.c: fuzz record_find() (state.c), which turns what the user typed after ps, logs, exec
 * or rm into a container ID, in a fixed state root of the fuzzer's own: IDs that share
 * prefixes, names, a name that is also an ID prefix, a name whose container is gone and a
 * name whose link is not an ID. Property: the answer is Docker's, as the rule below writes it
 * out: an exact ID, else an exact name, else the one ID the text is a prefix of; otherwise
 * refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "name.h"
#include "state.h"
#include "util.h"

#define NIDS 5
static char ids[NIDS][ID_LEN + 1];
static const struct {
	const char *name;
	const char *owner; /* an index into ids as text, or a link target that is not an ID */
} names[] = {
	{ "web", "0" }, { "db.1", "2" }, { "ab", "3" }, { "ghost", "f" }, { "junk", "../../etc" },
};

static void make_root(const char *root)
{
	static const char *const stems[NIDS] = { "ab0", "ab1", "c5", "abc", "ab00" };
	char *dir = path_join(root, "containers"), *ndir = path_join(root, "names");
	if (mkdir_p(dir, 0755) < 0 || mkdir_p(ndir, 0755) < 0)
		abort();
	for (int i = 0; i < NIDS; i++) {
		snprintf(ids[i], sizeof ids[i], "%s", stems[i]);
		memset(ids[i] + strlen(stems[i]), '0' + i, ID_LEN - strlen(stems[i]));
		ids[i][ID_LEN] = '\0';
		char *c = path_join(dir, ids[i]);
		if (mkdir(c, 0755) < 0)
			abort();
		free(c);
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char target[ID_LEN + 1];
		const char *o = names[i].owner;
		if (!strcmp(o, "f"))
			memset(target, 'f', ID_LEN), target[ID_LEN] = '\0';
		else if (o[1] == '\0')
			snprintf(target, sizeof target, "%s", ids[o[0] - '0']);
		else
			snprintf(target, sizeof target, "%s", o);
		char *link = path_join(ndir, names[i].name);
		if (symlink(target, link) < 0)
			abort();
		free(link);
	}
	free(dir);
	free(ndir);
}

/* Docker's order, written out: 0 and the ID, or -1. */
static int reference(const char *root, const char *arg, char *id)
{
	for (int i = 0; i < NIDS; i++)
		if (!strcmp(arg, ids[i]))
			return strcpy(id, ids[i]), 0;
	char *link = xasprintf("%s/names/%s", root, arg), target[256];
	ssize_t n = strchr(arg, '/') || !valid_name(arg) ? -1 : readlink(link, target, 255);
	free(link);
	if (n == ID_LEN && (target[n] = '\0', valid_id(target)))
		return strcpy(id, target), 0;
	int found = 0;
	for (int i = 0; *arg && i < NIDS; i++)
		if (!strncmp(ids[i], arg, strlen(arg)) && found++ == 0)
			strcpy(id, ids[i]);
	return found == 1 ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *root;
	if (!root)
		make_root(root = fuzz_tmpdir());
	char *arg = fuzz_str(data, size);
	char got[ID_LEN + 1] = "", want[ID_LEN + 1] = "";
	fuzz_quiet(true);
	int rc = record_find(root, arg, got);
	fuzz_quiet(false);
	int ref = reference(root, arg, want);
	if (rc != ref || (rc == 0 && strcmp(got, want)))
		fuzz_fail("record_find(\"%s\") = %d %s, the rule says %d %s", arg, rc, got, ref,
			  want);
	free(arg);
	return 0;
}
