/* seccomp_filter.c: the seccomp filter of a container (seccomp_filter.h). A profile in Docker's JSON form
 * says what happens when a process of the container makes a system call: SCMP_ACT_ALLOW (it
 * runs), SCMP_ACT_ERRNO (it fails with an errno, without running), SCMP_ACT_KILL... for the
 * calls each rule names, and defaultAction for every other call. libseccomp turns the rules into
 * a BPF program that the kernel runs on every system call.
 *
 * mydocker compiles that program before the container starts, while it can still read the
 * host's profile; init only hands the finished program to the kernel, last thing before the
 * command, so no library runs in the container and the filter binds the command and everything
 * it starts. Compiling the default profile takes libseccomp about 15 ms, more than the rest of a
 * container's start: the program is kept in a cache under the state root, and compiled again
 * only when the profile, the capabilities, the kernel or mydocker change.
 *
 * A rule may depend on the container: "includes" and "excludes" name capabilities (a call that
 * only a container with CAP_SYS_ADMIN may make), architectures and a minimum kernel. A field
 * this file does not know is an error, never skipped: skipping it could allow a call that the
 * profile's author meant to refuse. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <seccomp.h>

#include "image.h"
#include "security.h"
#include "seccomp_filter.h"
#include "stage.h"
#include "util.h"

/* A profile larger than this is refused, without reading further: the file may be /dev/zero. */
#define PROFILE_MAX (4 << 20)

/* What compiling one profile needs at every step. */
struct build {
	const char *path;      /* the profile, for messages */
	char *why;	       /* where a failure's one line goes */
	size_t size;	       /* its size */
	uint64_t caps;	       /* the capabilities the container keeps */
	scmp_filter_ctx ctx;   /* the filter libseccomp builds */
	uint32_t default_act;  /* defaultAction, as libseccomp spells it */
	struct utsname kernel; /* this kernel, for minKernel */
};

/* Say why the profile is refused: "seccomp profile PATH: what". Returns -1. */
static int __attribute__((format(printf, 2, 3))) bad(struct build *b, const char *fmt, ...)
{
	int n = snprintf(b->why, b->size, "seccomp profile %s: ", b->path);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < b->size)
		vsnprintf(b->why + n, b->size - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Every key of OBJ must be one of KNOWN (a NULL-ended list). WHERE names OBJ in a message. */
static int only_known(struct build *b, struct json_object *obj, const char *where,
		      const char *const *known)
{
	json_object_object_foreach(obj, key, value)
	{
		(void)value;
		size_t i = 0;
		while (known[i] && strcmp(known[i], key))
			i++;
		if (!known[i])
			return bad(b, "%s: unknown field \"%s\" (not supported by mydocker)", where,
				   key);
	}
	return 0;
}

/* *OUT = OBJ's field KEY, NULL if it is missing or null; any other value must be of TYPE. */
static int field(struct build *b, struct json_object *obj, const char *where, const char *key,
		 json_type type, struct json_object **out)
{
	*out = json_object_object_get(obj, key);
	if (*out && !json_object_is_type(*out, type))
		return bad(b, "%s: \"%s\" must be %s", where, key,
			   type == json_type_array    ? "a list"
			   : type == json_type_object ? "an object"
						      : "a string");
	return 0;
}

/* An unsigned number (an errno, an argument's value) no larger than MAX. */
static int number(struct build *b, struct json_object *j, const char *where, const char *key,
		  uint64_t max, uint64_t *out)
{
	/* json-c keeps whole numbers up to 2^64-1, and negative ones apart (as int64). */
	if (!json_object_is_type(j, json_type_int) || json_object_get_int64(j) < 0 ||
	    (*out = json_object_get_uint64(j)) > max)
		return bad(b, "%s: \"%s\" must be a whole number from 0 to %llu", where, key,
			   (unsigned long long)max);
	return 0;
}

/* The action an ACTION name says, with ERRNO_RET (may be NULL) for the errno of
 * SCMP_ACT_ERRNO. SCMP_ACT_NOTIFY would need a process that answers for the kernel, which
 * mydocker does not have. */
static int parse_action(struct build *b, const char *where, struct json_object *action,
			struct json_object *errno_ret, const char *errno_key, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t action;
	} plain[] = {
		{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
		{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
		{ "SCMP_ACT_KILL", SCMP_ACT_KILL },
		{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
		{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
		{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
	};
	if (!action || !json_object_is_type(action, json_type_string))
		return bad(b, "%s: no action (a string such as \"SCMP_ACT_ERRNO\")", where);
	const char *name = json_object_get_string(action);
	/* No errnoRet: EPERM, as runc. The kernel takes errnos up to 4095. */
	uint64_t err = EPERM;
	bool with_errno = !strcmp(name, "SCMP_ACT_ERRNO") || !strcmp(name, "SCMP_ACT_TRACE");
	if (errno_ret && !with_errno)
		return bad(b, "%s: \"%s\" has no errno, yet \"%s\" is given", where, name,
			   errno_key);
	if (errno_ret && number(b, errno_ret, where, errno_key, 4095, &err) < 0)
		return -1;
	if (!strcmp(name, "SCMP_ACT_ERRNO")) {
		*out = SCMP_ACT_ERRNO(err);
		return 0;
	}
	/* For a tracer (ptrace) of the process, which gets ERR as the event's message. */
	if (!strcmp(name, "SCMP_ACT_TRACE")) {
		*out = SCMP_ACT_TRACE(err);
		return 0;
	}
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
		if (!strcmp(name, plain[i].name)) {
			*out = plain[i].action;
			return 0;
		}
	return bad(b, "%s: unknown action \"%s\"", where, name);
}

/* "SCMP_ARCH_X86_64" (or "x86_64") as libseccomp's token for it. */
static int parse_arch(struct build *b, const char *where, struct json_object *j, uint32_t *out)
{
	char name[32];
	const char *s = json_object_is_type(j, json_type_string) ? json_object_get_string(j) : "";
	if (str_starts_with(s, "SCMP_ARCH_"))
		s += strlen("SCMP_ARCH_");
	size_t i = 0;
	for (; s[i] && i < sizeof name - 1; i++)
		name[i] = s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i];
	name[i] = '\0';
	if (!*s || s[i] || !(*out = seccomp_arch_resolve_name(name)))
		return bad(b, "%s: unknown architecture %s", where, json_object_to_json_string(j));
	return 0;
}

/* The architectures a container's process may make calls in: this machine's, and those the
 * archMap entry for it lists (x86 and x32 beside x86_64: 32-bit programs). A call made in any
 * other is killed (libseccomp's default for a foreign architecture). The older form,
 * "architectures": a plain list. */
static int add_arches(struct build *b, struct json_object *profile)
{
	struct json_object *map, *list, *sub;
	uint32_t native = seccomp_arch_native(), arch;
	if (field(b, profile, "profile", "archMap", json_type_array, &map) < 0 ||
	    field(b, profile, "profile", "architectures", json_type_array, &list) < 0)
		return -1;
	for (size_t i = 0; map && i < json_object_array_length(map); i++) {
		struct json_object *entry = json_object_array_get_idx(map, i), *name;
		static const char *const known[] = { "architecture", "subArchitectures", NULL };
		if (!json_object_is_type(entry, json_type_object))
			return bad(b, "archMap[%zu]: not an object", i);
		name = json_object_object_get(entry, "architecture");
		if (only_known(b, entry, "archMap", known) < 0 ||
		    parse_arch(b, "archMap", name, &arch) < 0 ||
		    field(b, entry, "archMap", "subArchitectures", json_type_array, &sub) < 0)
			return -1;
		for (size_t k = 0; sub && k < json_object_array_length(sub); k++) {
			uint32_t other;
			if (parse_arch(b, "archMap", json_object_array_get_idx(sub, k), &other) < 0)
				return -1;
			int rc = arch == native ? seccomp_arch_add(b->ctx, other) : 0;
			if (rc < 0 && rc != -EEXIST)
				return bad(b, "add architecture %u: %s", other, strerror(-rc));
		}
	}
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		if (parse_arch(b, "architectures", json_object_array_get_idx(list, i), &arch) < 0)
			return -1;
		int rc = seccomp_arch_add(b->ctx, arch);
		if (rc < 0 && rc != -EEXIST)
			return bad(b, "add architecture %u: %s", arch, strerror(-rc));
	}
	return 0;
}

/* This machine's architecture by Go's name for it, as Docker's profiles write includes.arches
 * ("amd64"); NULL for one not listed here, which no such rule then matches. */
static const char *go_arch(void)
{
	static const struct {
		uint32_t arch;
		const char *name;
	} names[] = {
		{ SCMP_ARCH_X86_64, "amd64" },	  { SCMP_ARCH_X86, "386" },
		{ SCMP_ARCH_AARCH64, "arm64" },	  { SCMP_ARCH_ARM, "arm" },
		{ SCMP_ARCH_PPC64LE, "ppc64le" }, { SCMP_ARCH_S390X, "s390x" },
		{ SCMP_ARCH_RISCV64, "riscv64" },
	};
	uint32_t native = seccomp_arch_native();
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].arch == native)
			return names[i].name;
	return NULL;
}

/* Does a rule's "includes" or "excludes" FILTER match this container? *MATCH is true if ANY of
 * its conditions holds (for excludes: then the rule is left out), or, with ALL, if every
 * condition holds (for includes: only then the rule is kept). Conditions: "caps" (the container
 * keeps the capability; with several: all of them, or any of them), "arches" (this machine's
 * is one of them), "minKernel" ("5.8": this kernel is that one or newer). */
static int filter_matches(struct build *b, const char *where, struct json_object *filter, bool all,
			  bool *match)
{
	static const char *const known[] = { "caps", "arches", "minKernel", NULL };
	struct json_object *caps, *arches, *min;
	int conds = 0, held = 0;
	if (!filter)
		return *match = all, 0;
	if (!json_object_is_type(filter, json_type_object))
		return bad(b, "%s: not an object", where);
	if (only_known(b, filter, where, known) < 0 ||
	    field(b, filter, where, "caps", json_type_array, &caps) < 0 ||
	    field(b, filter, where, "arches", json_type_array, &arches) < 0 ||
	    field(b, filter, where, "minKernel", json_type_string, &min) < 0)
		return -1;
	for (size_t i = 0; caps && i < json_object_array_length(caps); i++) {
		struct json_object *name = json_object_array_get_idx(caps, i);
		cap_value_t cap;
		if (!json_object_is_type(name, json_type_string) ||
		    cap_from_name(json_object_get_string(name), &cap) < 0 || cap >= 64)
			return bad(b, "%s: unknown capability %s", where,
				   json_object_to_json_string(name));
		conds++, held += !!(b->caps & (1ULL << cap));
	}
	if (arches && json_object_array_length(arches) > 0) {
		const char *mine = go_arch();
		bool listed = false;
		for (size_t i = 0; i < json_object_array_length(arches); i++) {
			struct json_object *a = json_object_array_get_idx(arches, i);
			if (!json_object_is_type(a, json_type_string))
				return bad(b, "%s: an architecture must be a string", where);
			listed |= mine && !strcmp(json_object_get_string(a), mine);
		}
		conds++, held += listed;
	}
	if (min) {
		unsigned want[2], have[2] = { 0, 0 };
		char end;
		if (sscanf(json_object_get_string(min), "%u.%u%c", &want[0], &want[1], &end) != 2)
			return bad(b, "%s: minKernel \"%s\" is not MAJOR.MINOR", where,
				   json_object_get_string(min));
		sscanf(b->kernel.release, "%u.%u", &have[0], &have[1]);
		conds++;
		held += have[0] > want[0] || (have[0] == want[0] && have[1] >= want[1]);
	}
	*match = all ? held == conds : held > 0;
	return 0;
}

/* The conditions on arguments of one rule: args[] of {index, value, valueTwo, op}. */
static int parse_args(struct build *b, const char *where, struct json_object *args,
		      struct scmp_arg_cmp *cmp, unsigned *n)
{
	static const char *const known[] = { "index", "value", "valueTwo", "op", NULL };
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE },
		{ "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE },
		{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE },
		{ "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	*n = 0;
	if (!args)
		return 0;
	if (json_object_array_length(args) > 6)
		return bad(b, "%s: more than 6 argument conditions", where);
	for (size_t i = 0; i < json_object_array_length(args); i++) {
		struct json_object *arg = json_object_array_get_idx(args, i), *index, *value, *two,
				   *op;
		uint64_t idx = 0, v = 0, v2 = 0;
		size_t k = 0;
		if (!json_object_is_type(arg, json_type_object))
			return bad(b, "%s: an argument condition must be an object", where);
		if (only_known(b, arg, where, known) < 0 ||
		    field(b, arg, where, "op", json_type_string, &op) < 0)
			return -1;
		index = json_object_object_get(arg, "index");
		value = json_object_object_get(arg, "value");
		two = json_object_object_get(arg, "valueTwo");
		if (!index || number(b, index, where, "index", 5, &idx) < 0 ||
		    (value && number(b, value, where, "value", UINT64_MAX, &v) < 0) ||
		    (two && number(b, two, where, "valueTwo", UINT64_MAX, &v2) < 0))
			return index ? -1
				     : bad(b, "%s: an argument condition without index", where);
		while (op && k < sizeof ops / sizeof ops[0] &&
		       strcmp(ops[k].name, json_object_get_string(op)))
			k++;
		if (!op || k == sizeof ops / sizeof ops[0])
			return bad(b, "%s: unknown op %s", where, json_object_to_json_string(op));
		/* SCMP_CMP_MASKED_EQ: (argument & value) == valueTwo. */
		cmp[(*n)++] = (struct scmp_arg_cmp){
			.arg = idx, .op = ops[k].op, .datum_a = v, .datum_b = v2
		};
	}
	return 0;
}

/* Two conditions on the same argument: runc (and so Docker) makes a rule of each, so that
 * either one matching is enough. Otherwise one rule holds them all, and all must match. */
static bool same_argument_twice(const struct scmp_arg_cmp *cmp, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned k = i + 1; k < n; k++)
			if (cmp[i].arg == cmp[k].arg)
				return true;
	return false;
}

/* One entry of syscalls[]: its rule for each call it names, if it applies to this container. */
static int add_rule(struct build *b, struct json_object *rule, size_t at)
{
	static const char *const known[] = { "names", "name",	 "action",   "args",	 "errnoRet",
					     "errno", "comment", "includes", "excludes", NULL };
	struct json_object *names, *name, *args, *dummy, *includes, *excludes;
	struct scmp_arg_cmp cmp[6];
	unsigned ncmp;
	uint32_t action;
	bool included, excluded;
	char where[64];
	snprintf(where, sizeof where, "syscalls[%zu]", at);
	if (!json_object_is_type(rule, json_type_object))
		return bad(b, "%s: not an object", where);
	includes = json_object_object_get(rule, "includes");
	excludes = json_object_object_get(rule, "excludes");
	/* "errno" and "comment" are for people: the errno that counts is errnoRet's number. */
	if (only_known(b, rule, where, known) < 0 ||
	    field(b, rule, where, "names", json_type_array, &names) < 0 ||
	    field(b, rule, where, "name", json_type_string, &name) < 0 ||
	    field(b, rule, where, "args", json_type_array, &args) < 0 ||
	    field(b, rule, where, "errno", json_type_string, &dummy) < 0 ||
	    field(b, rule, where, "comment", json_type_string, &dummy) < 0 ||
	    parse_action(b, where, json_object_object_get(rule, "action"),
			 json_object_object_get(rule, "errnoRet"), "errnoRet", &action) < 0 ||
	    parse_args(b, where, args, cmp, &ncmp) < 0 ||
	    filter_matches(b, where, includes, true, &included) < 0 ||
	    filter_matches(b, where, excludes, false, &excluded) < 0)
		return -1;
	if (!included || excluded)
		return 0;
	/* A rule that does what the default does changes nothing (and libseccomp refuses it). */
	if (action == b->default_act)
		return 0;
	size_t count = names ? json_object_array_length(names) : 0;
	for (size_t i = 0; i < count + (name != NULL); i++) {
		struct json_object *j = i < count ? json_object_array_get_idx(names, i) : name;
		if (!json_object_is_type(j, json_type_string))
			return bad(b, "%s: a system call's name must be a string", where);
		const char *call = json_object_get_string(j);
		int nr = seccomp_syscall_resolve_name(call), rc = 0;
		/* A call that libseccomp does not know: one newer than it (the profile is written
		 * for the newest kernels). Allowing it can be left out: the call gets the
		 * default action, which allows no more. Any other action is the profile's way of
		 * refusing it, and cannot be left out. */
		if (nr == __NR_SCMP_ERROR) {
			if (action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG)
				continue;
			return bad(b, "%s: unknown system call \"%s\"", where, call);
		}
		if (same_argument_twice(cmp, ncmp))
			for (unsigned k = 0; k < ncmp && rc == 0; k++)
				rc = seccomp_rule_add_array(b->ctx, action, nr, 1, &cmp[k]);
		else
			rc = seccomp_rule_add_array(b->ctx, action, nr, ncmp, cmp);
		if (rc < 0)
			return bad(b, "%s: rule for \"%s\": %s", where, call, strerror(-rc));
	}
	return 0;
}

/* The profile PROFILE, compiled into B->ctx. */
static int build_filter(struct build *b, struct json_object *profile)
{
	static const char *const known[] = { "defaultAction", "defaultErrnoRet", "defaultErrno",
					     "archMap",	      "architectures",	 "syscalls",
					     "comment",	      "flags",		 NULL };
	struct json_object *calls, *dummy, *v;
	if (!json_object_is_type(profile, json_type_object))
		return bad(b, "not a JSON object");
	/* ch13: OCI's form may list filter flags (an engine writes an empty list); mydocker sets
	 * none, so any is refused, as an unknown field is. */
	if ((v = json_object_object_get(profile, "flags")) && json_object_array_length(v))
		return bad(b, "profile: unknown field \"flags\" (not supported by mydocker)");
	if (only_known(b, profile, "profile", known) < 0 ||
	    field(b, profile, "profile", "defaultErrno", json_type_string, &dummy) < 0 ||
	    field(b, profile, "profile", "syscalls", json_type_array, &calls) < 0 ||
	    parse_action(b, "profile", json_object_object_get(profile, "defaultAction"),
			 json_object_object_get(profile, "defaultErrnoRet"), "defaultErrnoRet",
			 &b->default_act) < 0)
		return -1;
	if (!(b->ctx = seccomp_init(b->default_act)))
		return bad(b, "seccomp_init failed");
	/* The calls in a sorted tree, not one long list. On loading a filter the kernel runs it for
	 * every call number, to learn which calls it always allows (and then skips it for them);
	 * through a list of 400 calls for three architectures that takes it 0.7 ms per container
	 * here, through a tree 0.3 ms. */
	int rc = seccomp_attr_set(b->ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc < 0)
		return bad(b, "seccomp_attr_set(SCMP_FLTATR_CTL_OPTIMIZE): %s", strerror(-rc));
	if (add_arches(b, profile) < 0)
		return -1;
	for (size_t i = 0; calls && i < json_object_array_length(calls); i++)
		if (add_rule(b, json_object_array_get_idx(calls, i), i) < 0)
			return -1;
	return 0;
}

/* The BPF program libseccomp made of B->ctx, into PROG. libseccomp 2.5 writes it only to a
 * file descriptor: a file in memory. */
static int export_filter(struct build *b, struct sock_fprog *prog)
{
	size_t len;
	int fd = memfd_create("seccomp", MFD_CLOEXEC), rc;
	if (fd < 0)
		return bad(b, "memfd_create: %s", strerror(errno));
	if ((rc = seccomp_export_bpf(b->ctx, fd)) < 0) {
		close(fd);
		return bad(b, "seccomp_export_bpf: %s", strerror(-rc));
	}
	char *bpf = lseek(fd, 0, SEEK_SET) == 0 ? read_all(fd, &len) : NULL;
	int err = errno;
	close(fd);
	if (!bpf)
		return bad(b, "read the compiled filter: %s", strerror(err));
	/* The kernel takes at most BPF_MAXINSNS instructions. */
	if (len == 0 || len % sizeof(struct sock_filter) ||
	    len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		free(bpf);
		return bad(b, "the compiled filter has %zu instructions (at most %d)",
			   len / sizeof(struct sock_filter), BPF_MAXINSNS);
	}
	prog->filter = (struct sock_filter *)bpf;
	prog->len = len / sizeof(struct sock_filter);
	return 0;
}

/* --- The cache of compiled filters ------------------------------------------------------- */

/* The key of the program for the profile PATH, whose file is ST, and CAPS: everything the
 * program depends on. Whatever changes (the profile is edited or replaced, other capabilities,
 * a new kernel, a new mydocker binary) gives another key. The cache file's name is a hash of
 * the key, and the file starts with the whole key: two keys with one hash never share it. */
static char *cache_key(const char *path, const struct stat *st, uint64_t caps,
		       const struct build *b)
{
	struct stat exe = { 0 };
	stat("/proc/self/exe", &exe);
	return xasprintf("mydocker seccomp cache\n%s %ju %ju %jd %lld.%09ld %lld.%09ld\n"
			 "caps %jx arch %x kernel %s %s\nmydocker %ju %ju %lld.%09ld\n",
			 path, (uintmax_t)st->st_dev, (uintmax_t)st->st_ino, (intmax_t)st->st_size,
			 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
			 (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec, (uintmax_t)caps,
			 seccomp_arch_native(), b->kernel.release, b->kernel.version,
			 (uintmax_t)exe.st_dev, (uintmax_t)exe.st_ino,
			 (long long)exe.st_mtim.tv_sec, exe.st_mtim.tv_nsec);
}

/* FNV-1a, 64 bits: a short file name for a key. */
static char *cache_path(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return xasprintf("%s/seccomp/%016jx", state_root, (uintmax_t)h);
}

/* A cache file: KEY, a line "N instructions", then the program's N instructions as the kernel
 * takes them. */
#define CACHE_COUNT "%u instructions\n"

/* The program cached under KEY, into PROG; -1 if there is none, or it is not whole. */
static int cache_read(const char *key, struct sock_fprog *prog)
{
	char *path = cache_path(key), *data, count[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len, klen = strlen(key), max = klen + sizeof count + BPF_MAXINSNS * 8;
	unsigned n = 0;
	free(path);
	if (fd < 0)
		return -1;
	data = read_at_most(fd, max, &len);
	close(fd);
	if (!data || len <= klen || memcmp(data, key, klen)) {
		free(data);
		return -1;
	}
	/* The count, read from a copy that ends in a NUL, then checked byte for byte. */
	snprintf(count, sizeof count, "%.*s", (int)(len - klen), data + klen);
	size_t head = klen;
	if (sscanf(count, "%u", &n) == 1 && n > 0 && n <= BPF_MAXINSNS)
		head += snprintf(count, sizeof count, CACHE_COUNT, n);
	if (head == klen || len != head + n * sizeof(struct sock_filter) ||
	    memcmp(data + klen, count, head - klen)) {
		free(data);
		return -1;
	}
	memmove(data, data + head, len - head);
	prog->filter = (struct sock_filter *)data;
	prog->len = n;
	return 0;
}

/* Keep PROG under KEY for the next container. Written whole under a temporary name, then
 * renamed (stage.h), so a reader never sees half a program. A failure only costs the next run
 * a compile: the container starts all the same. */
static void cache_write(const char *key, const struct sock_fprog *prog)
{
	struct stage s;
	char *path = cache_path(key), *dir = path_join(state_root, "seccomp");
	char *head = xasprintf("%s" CACHE_COUNT, key, prog->len);
	if (stage_create(&s, dir, ".new-", strrchr(path, '/') + 1, S_IFREG | 0600) == 0 &&
	    write_all(s.fd, head, strlen(head)) == 0 &&
	    write_all(s.fd, prog->filter, prog->len * sizeof(struct sock_filter)) == 0)
		stage_finish(&s, path);
	stage_end(&s);
	free(head);
	free(dir);
	free(path);
}

int seccomp_prepare(const char *path, uint64_t caps, struct sock_fprog *prog, char *why,
		    size_t size)
{
	struct build b = { .path = path ? path : SECCOMP_DEFAULT_PROFILE,
			   .why = why,
			   .size = size,
			   .caps = caps };
	struct json_object *profile = NULL;
	struct stat st;
	size_t len;
	char *text = NULL, *key = NULL;
	int rc = -1, fd = open(b.path, O_RDONLY | O_CLOEXEC);
	*prog = (struct sock_fprog){ 0 };
	if (fd < 0 || fstat(fd, &st) < 0) {
		bad(&b, "%s", strerror(errno));
		goto out;
	}
	if (uname(&b.kernel) < 0) {
		bad(&b, "uname: %s", strerror(errno));
		goto out;
	}
	/* A regular file can be cached: its size, times and inode say when it changes. */
	if (state_root && S_ISREG(st.st_mode)) {
		key = cache_key(b.path, &st, caps, &b);
		if (cache_read(key, prog) == 0) {
			rc = 0;
			goto out;
		}
	}
	if (!(text = read_at_most(fd, PROFILE_MAX, &len))) {
		bad(&b, "%s", errno == EFBIG ? "larger than 4 MiB" : strerror(errno));
		goto out;
	}
	struct json_tokener *tok = json_tokener_new();
	if (!tok) {
		bad(&b, "out of memory");
		goto out;
	}
	profile = json_tokener_parse_ex(tok, text, len);
	enum json_tokener_error err = json_tokener_get_error(tok);
	/* Only white space may follow the JSON value. */
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (profile && end < len && text[end] && strchr(" \t\r\n", text[end]))
		end++;
	if (!profile || end < len) {
		bad(&b, "not valid JSON: %s",
		    profile			   ? "more text after the end"
		    : err == json_tokener_continue ? "it ends too soon"
						   : json_tokener_error_desc(err));
		goto out;
	}
	if (build_filter(&b, profile) < 0 || export_filter(&b, prog) < 0)
		goto out;
	if (key)
		cache_write(key, prog);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (b.ctx)
		seccomp_release(b.ctx);
	json_object_put(profile);
	free(text);
	free(key);
	return rc;
}

/* ch13: a profile already read: config.json's linux.seccomp. Compiled every time (it takes
 * a few milliseconds; a cache keyed by the JSON text is an exercise). */
int seccomp_prepare_object(struct json_object *profile, uint64_t caps, struct sock_fprog *prog,
			   char *why, size_t size)
{
	struct build b = {
		.path = "config.json linux.seccomp", .why = why, .size = size, .caps = caps
	};
	*prog = (struct sock_fprog){ 0 };
	int rc = -1;
	if (uname(&b.kernel) < 0)
		bad(&b, "uname: %s", strerror(errno));
	else if (build_filter(&b, profile) == 0 && export_filter(&b, prog) == 0)
		rc = 0;
	if (b.ctx)
		seccomp_release(b.ctx);
	return rc;
}

/* The kernel's own call; prctl() for kernels before 3.17, which lack seccomp(2). */
int seccomp_install(const struct sock_fprog *prog)
{
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0);
}
