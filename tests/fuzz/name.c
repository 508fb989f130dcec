/* name.c: fuzz container names (name.c): valid_name(), and name_reserve(), name_resolve()
 * and name_release() in a state root of the fuzzer's own. Properties: valid_name() accepts
 * exactly Docker's [a-zA-Z0-9][a-zA-Z0-9_.-]+ up to NAME_MAX, so a valid name is one file name
 * in <root>/names, never a path; a valid name, once reserved, resolves to its ID, cannot be
 * reserved twice, and is gone once released; an invalid one never resolves. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "name.h"
#include "util.h"

static bool reference(const char *s)
{
	size_t len = strlen(s);
	if (len < 2 || len > NAME_MAX || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *root = fuzz_tmpdir();
	char *name = fuzz_str(data, size);
	bool valid = valid_name(name);
	if (valid != reference(name))
		fuzz_fail("valid_name(\"%s\") is %d", name, valid);
	char id[65];
	random_hex(id, 64);
	if (valid) {
		char *taken, *got = name_reserve(root, name, id, &taken);
		char *owner = name_resolve(root, name);
		if (!got || strcmp(got, name) || !owner || strcmp(owner, id))
			fuzz_fail("\"%s\" reserved as \"%s\" resolves to \"%s\", not %s", name,
				  got ? got : "(null)", owner ? owner : "(null)", id);
		char other[65];
		random_hex(other, 64);
		fuzz_quiet(true);
		char *twice = name_reserve(root, name, other, &taken);
		fuzz_quiet(false);
		if (twice || !taken || strcmp(taken, id))
			fuzz_fail("\"%s\" was reserved twice, or its owner not told", name);
		free(taken);
		name_release(root, other); /* not its owner: no effect */
		free(owner);
		owner = name_resolve(root, name);
		if (!owner || strcmp(owner, id))
			fuzz_fail("\"%s\" was released by a container that does not own it", name);
		name_release(root, id);
		free(owner);
		if ((owner = name_resolve(root, name)))
			fuzz_fail("\"%s\" still resolves once released", name);
		free(got);
	} else if (name_resolve(root, name)) {
		fuzz_fail("the invalid name \"%s\" resolves", name);
	}
	free(name);
	return 0;
}
