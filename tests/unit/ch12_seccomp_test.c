/* ch12_seccomp_test.c: unit tests (cmocka) for seccomp_filter.c: the default profile compiles; a
 * profile of the test's own, loaded in a child process, makes the calls it names fail with the
 * (random) errno it gives; rules that depend on capabilities, the architecture and the kernel;
 * the cache of compiled filters; profiles that must be refused, each with one line that says
 * why. Built against every chapter from ch12 on. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <linux/netlink.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "image.h"
#include "seccomp_filter.h"
#include "util.h"

/* Docker's default capabilities (caps.h), and CAP_SYS_ADMIN (21) on top. */
#define DEFAULT_CAPS 0xa80425fbULL
#define SYS_ADMIN    (1ULL << 21)

/* The directory of the test: its profiles, and the state root that holds the cache. */
static char *dir;

static int make_dir(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	dir = xasprintf("%s/seccomp-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	/* Never the real state root: the cache goes below the test's directory. */
	state_root = dir;
	return 0;
}

static int drop_dir(void **state)
{
	(void)state;
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
	return 0;
}

/* A number in [LO, HI], new on every run; failed assertions show it. */
static unsigned random_between(unsigned lo, unsigned hi)
{
	unsigned r;
	assert_int_equal(getrandom(&r, sizeof r, 0), sizeof r);
	return lo + r % (hi - lo + 1);
}

/* A profile file with TEXT (a printf format), in the test's directory; its path. */
static char *__attribute__((format(printf, 1, 2))) profile(const char *fmt, ...)
{
	static int n;
	char *path = xasprintf("%s/profile-%d.json", dir, n++), *text;
	va_list ap;
	va_start(ap, fmt);
	assert_true(vasprintf(&text, fmt, ap) >= 0);
	va_end(ap);
	assert_int_equal(write_file_atomic(path, text), 0);
	free(text);
	return path;
}

static struct sock_fprog compile(const char *path, uint64_t caps)
{
	struct sock_fprog prog;
	char why[512] = "";
	if (seccomp_prepare(path, caps, &prog, why, sizeof why) != 0)
		fail_msg("seccomp_prepare(%s): %s", path ? path : "default", why);
	assert_non_null(prog.filter);
	assert_true(prog.len > 0);
	return prog;
}

static bool same_program(const struct sock_fprog *a, const struct sock_fprog *b)
{
	return a->len == b->len && !memcmp(a->filter, b->filter, a->len * sizeof *a->filter);
}

/* The calls a child process makes under a filter, and what it saw: each result and errno. */
struct call {
	long nr, a0, a1, a2;
	long rc;
	int err;
};

/* In a child process, with no_new_privs (so it needs no capability): install PROG, then make
 * each of the N CALLS. Their results come back in CALLS. */
static void run_filtered(const struct sock_fprog *prog, struct call *calls, size_t n)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(prog) < 0)
			_exit(2);
		for (size_t i = 0; i < n; i++) {
			errno = 0;
			calls[i].rc =
			    syscall(calls[i].nr, calls[i].a0, calls[i].a1, calls[i].a2, 0, 0);
			calls[i].err = calls[i].rc < 0 ? errno : 0;
		}
		_exit(write_all(fds[1], calls, n * sizeof *calls) < 0);
	}
	close(fds[1]);
	size_t len;
	char *got = read_all(fds[0], &len);
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(got);
	assert_int_equal(len, n * sizeof *calls);
	memcpy(calls, got, len);
	free(got);
}

static void test_default_profile(void **state)
{
	(void)state;
	struct sock_fprog prog = compile(NULL, DEFAULT_CAPS);
	/* Podman's profile: vmsplice is refused with EPERM whatever the capabilities (without
	 * the filter, vmsplice(-1) fails with EBADF); io_uring_setup is named nowhere, so it gets
	 * the default, ENOSYS; getppid is allowed. */
	struct call calls[] = {
		{ .nr = SYS_vmsplice, .a0 = -1 },
		{ .nr = SYS_io_uring_setup, .a0 = 1 },
		{ .nr = SYS_getppid },
	};
	run_filtered(&prog, calls, 3);
	assert_int_equal(calls[0].err, EPERM);
	assert_int_equal(calls[1].err, ENOSYS);
	assert_int_equal(calls[2].rc, getpid());
	free(prog.filter);
}

static void test_own_profile_errno(void **state)
{
	(void)state;
	unsigned e1 = random_between(1, 4095), e2 = random_between(1, 4095);
	/* getpriority(PRIO_PGRP, 0) fails with E2; getpriority(PRIO_PROCESS, 0) runs. */
	char *path = profile("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
			     "  { \"names\": [ \"getppid\", \"getpgrp\" ], \"action\": "
			     "\"SCMP_ACT_ERRNO\", \"errnoRet\": %u, \"errno\": \"whatever\" },\n"
			     "  { \"names\": [ \"getpriority\" ], \"action\": \"SCMP_ACT_ERRNO\",\n"
			     "    \"args\": [ { \"index\": 0, \"value\": %d, \"op\": "
			     "\"SCMP_CMP_EQ\" } ], \"errnoRet\": %u } ] }\n",
			     e1, PRIO_PGRP, e2);
	struct sock_fprog prog = compile(path, DEFAULT_CAPS);
	struct call calls[] = {
		{ .nr = SYS_getppid },
		{ .nr = SYS_getpgrp },
		{ .nr = SYS_getpriority, .a0 = PRIO_PGRP },
		{ .nr = SYS_getpriority, .a0 = PRIO_PROCESS },
		{ .nr = SYS_getpid },
	};
	run_filtered(&prog, calls, 5);
	assert_int_equal(calls[0].rc, -1);
	assert_int_equal(calls[0].err, e1);
	assert_int_equal(calls[1].err, e1);
	assert_int_equal(calls[2].err, e2);
	assert_true(calls[3].rc >= 0);
	assert_true(calls[4].rc > 0);
	free(prog.filter);
	free(path);
	/* No errnoRet: EPERM, as runc; the default action's errno is defaultErrnoRet. The child
	 * may still write its results and exit (and, in a sanitizer's build, map memory). */
	path = profile("{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": %u,"
		       " \"syscalls\": [ { \"names\": [ \"getppid\" ], \"action\": "
		       "\"SCMP_ACT_ERRNO\" }, { \"names\": [ \"exit_group\", \"exit\", \"write\","
		       " \"mmap\", \"munmap\", \"mprotect\", \"madvise\", \"brk\", \"close\","
		       " \"rt_sigprocmask\", \"rt_sigaction\", \"sigaltstack\", \"futex\" ],"
		       " \"action\": \"SCMP_ACT_ALLOW\" } ] }",
		       e1);
	prog = compile(path, DEFAULT_CAPS);
	struct call two[] = { { .nr = SYS_getppid }, { .nr = SYS_getpid } };
	run_filtered(&prog, two, 2);
	assert_int_equal(two[0].err, EPERM);
	assert_int_equal(two[1].err, e1);
	free(prog.filter);
	free(path);
}

/* A rule for getppid that the container gets only with CAP_SYS_ADMIN (includes), and one for
 * getpgrp that it gets only without (excludes). */
static void test_caps_rules(void **state)
{
	(void)state;
	unsigned e = random_between(1, 4095);
	char *path =
	    profile("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		    "  { \"names\": [ \"getppid\" ], \"action\": \"SCMP_ACT_ERRNO\", "
		    "\"errnoRet\": %u, \"includes\": { \"caps\": [ \"CAP_SYS_ADMIN\" ] } },"
		    "  { \"names\": [ \"getpgrp\" ], \"action\": \"SCMP_ACT_ERRNO\", "
		    "\"errnoRet\": %u, \"excludes\": { \"caps\": [ \"CAP_SYS_ADMIN\" ] } } ] }",
		    e, e);
	struct call calls[] = { { .nr = SYS_getppid }, { .nr = SYS_getpgrp } };
	struct sock_fprog with = compile(path, DEFAULT_CAPS | SYS_ADMIN);
	run_filtered(&with, calls, 2);
	assert_int_equal(calls[0].err, e);
	assert_int_equal(calls[1].rc, getpgrp());
	struct sock_fprog without = compile(path, DEFAULT_CAPS);
	run_filtered(&without, calls, 2);
	assert_int_equal(calls[0].rc, getpid());
	assert_int_equal(calls[1].err, e);
	free(with.filter);
	free(without.filter);
	free(path);
	/* Several caps in includes: all of them are needed. */
	path = profile("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": "
		       "[ \"getppid\" ], \"action\": \"SCMP_ACT_KILL\", \"includes\": { \"caps\": "
		       "[ \"CAP_SYS_ADMIN\", \"CAP_SYS_TIME\" ] } } ] }");
	char *allow = profile("{ \"defaultAction\": \"SCMP_ACT_ALLOW\" }");
	struct sock_fprog empty = compile(allow, 0);
	struct sock_fprog one = compile(path, SYS_ADMIN);
	struct sock_fprog both = compile(path, SYS_ADMIN | 1ULL << 25);
	free(allow);
	free(path);
	assert_true(same_program(&one, &empty));
	assert_false(same_program(&both, &empty));
	free(empty.filter);
	free(one.filter);
	free(both.filter);
	/* The default profile, too: with CAP_SYS_ADMIN, sethostname and bpf are allowed. No
	 * capability at all: every rule that excludes one is in (socket() with arguments among
	 * them, without CAP_AUDIT_WRITE); every capability: every rule that includes one. */
	with = compile(NULL, DEFAULT_CAPS | SYS_ADMIN);
	without = compile(NULL, DEFAULT_CAPS);
	assert_false(same_program(&with, &without));
	struct sock_fprog no_caps = compile(NULL, 0), all_caps = compile(NULL, ~0ULL);
	/* socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT): EINVAL without CAP_AUDIT_WRITE, other
	 * sockets are allowed; bpf(1000): EPERM without CAP_SYS_ADMIN, else the kernel's EINVAL (no
	 * such command). */
	struct call calls2[] = {
		{ .nr = SYS_socket, .a0 = AF_NETLINK, .a1 = SOCK_RAW, .a2 = NETLINK_AUDIT },
		{ .nr = SYS_socket, .a0 = AF_UNIX, .a1 = SOCK_STREAM },
		{ .nr = SYS_bpf, .a0 = 1000 },
	};
	run_filtered(&no_caps, calls2, 3);
	assert_int_equal(calls2[0].err, EINVAL);
	assert_true(calls2[1].rc >= 0);
	assert_int_equal(calls2[2].err, EPERM);
	run_filtered(&all_caps, calls2, 3);
	assert_true(calls2[0].rc >= 0);
	assert_true(calls2[1].rc >= 0);
	assert_int_equal(calls2[2].err, EINVAL);
	free(no_caps.filter);
	free(all_caps.filter);
	free(with.filter);
	free(without.filter);
}

/* includes.arches (Go's names) and includes.minKernel keep a rule only on this machine's
 * architecture and from that kernel on. */
static void test_arch_and_kernel_rules(void **state)
{
	(void)state;
	static const char *rule = "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { "
				  "\"names\": [ \"getppid\" ], \"action\": \"SCMP_ACT_ERRNO\", "
				  "\"includes\": { %s } } ] }";
	char *allow = profile("{ \"defaultAction\": \"SCMP_ACT_ALLOW\" }");
	struct sock_fprog none = compile(allow, 0);
	free(allow);
	struct {
		const char *includes;
		bool kept;
	} cases[] = {
		{ "\"arches\": [ \"amd64\", \"x32\" ]", true },
		{ "\"arches\": [ \"s390x\" ]", false },
		{ "\"minKernel\": \"3.0\"", true },
		{ "\"minKernel\": \"999.1\"", false },
		{ "\"arches\": [ \"amd64\" ], \"minKernel\": \"999.1\"", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *path = profile(rule, cases[i].includes);
		struct sock_fprog p = compile(path, 0);
		if (same_program(&p, &none) == cases[i].kept)
			fail_msg("includes { %s }: the rule should be %s", cases[i].includes,
				 cases[i].kept ? "kept" : "left out");
		free(p.filter);
		free(path);
	}
	free(none.filter);
}

/* The second compile of one profile comes from the cache: the same program, from a file that
 * begins with the key. A damaged cache file is not used: the profile is compiled again. */
static void test_cache(void **state)
{
	(void)state;
	char *path = profile("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { "
			     "\"names\": [ \"getppid\" ], \"action\": \"SCMP_ACT_ERRNO\" } ] }");
	struct sock_fprog first = compile(path, 0), again = compile(path, 0);
	assert_true(same_program(&first, &again));
	free(again.filter);
	/* The profile changes: another program (and another cache file). */
	char *cache = path_join(dir, "seccomp");
	assert_int_equal(write_file_atomic(path,
					   "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\":"
					   " [ { \"names\": [ \"getppid\" ], \"action\": "
					   "\"SCMP_ACT_ERRNO\", \"errnoRet\": 7 } ] }"),
			 0);
	struct sock_fprog changed = compile(path, 0);
	assert_false(same_program(&first, &changed));
	/* Each cache file: the key, then the program. Cut them all short: the next compile
	 * does not take half a program. */
	char *listing = xasprintf("truncate -s -8 %s/*", cache);
	assert_int_equal(system(listing), 0);
	struct sock_fprog after = compile(path, 0);
	assert_true(same_program(&changed, &after));
	/* A file under the right name whose key is another (only its start is the same) is
	 * not taken either. */
	char *other =
	    xasprintf("for f in %s/*; do printf 'mydocker seccomp cache\\n1 instructions\\n"
		      "12345678' >$f; done",
		      cache);
	assert_int_equal(system(other), 0);
	free(other);
	free(after.filter);
	after = compile(path, 0);
	assert_true(same_program(&changed, &after));
	struct call calls[] = { { .nr = SYS_getppid } };
	run_filtered(&after, calls, 1);
	assert_int_equal(calls[0].err, 7);
	free(listing);
	free(cache);
	free(path);
	free(first.filter);
	free(changed.filter);
	free(after.filter);
}

/* PROFILE (a path) is refused with the message WANT after "seccomp profile PATH: ". */
static void assert_refused(const char *path, const char *want)
{
	struct sock_fprog prog = { (unsigned short)1, (struct sock_filter *)&prog };
	char why[512] = "", *line = xasprintf("seccomp profile %s: %s", path, want);
	assert_int_equal(seccomp_prepare(path, DEFAULT_CAPS, &prog, why, sizeof why), -1);
	assert_string_equal(why, line);
	assert_null(prog.filter);
	assert_int_equal(prog.len, 0);
	free(line);
}

static void test_bad_profiles(void **state)
{
	(void)state;
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "not valid JSON: it ends too soon" },
		{ "{ \"defaultAction\": ", "not valid JSON: it ends too soon" },
		{ "defaultAction: SCMP_ACT_ALLOW", "not valid JSON: unexpected character" },
		{ "{} {}", "not valid JSON: more text after the end" },
		{ "[]", "not a JSON object" },
		{ "{}", "profile: no action (a string such as \"SCMP_ACT_ERRNO\")" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/x\" }",
		  "profile: unknown field \"listenerPath\" (not supported by mydocker)" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [ \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\" ] }",
		  "profile: unknown field \"flags\" (not supported by mydocker)" },
		{ "{ \"defaultAction\": \"SCMP_ACT_NOTIFY\" }",
		  "profile: unknown action \"SCMP_ACT_NOTIFY\"" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ \"getppid\" ],"
		  " \"action\": \"SCMP_ACT_DENY\" } ] }",
		  "syscalls[0]: unknown action \"SCMP_ACT_DENY\"" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ \"no_such_call\" ],"
		  " \"action\": \"SCMP_ACT_ERRNO\" } ] }",
		  "syscalls[0]: unknown system call \"no_such_call\"" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ \"getppid\" ],"
		  " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 4096 } ] }",
		  "syscalls[0]: \"errnoRet\" must be a whole number from 0 to 4095" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ { \"names\": [ \"getppid\" ],"
		  " \"action\": \"SCMP_ACT_ALLOW\", \"errnoRet\": 1 } ] }",
		  "syscalls[0]: \"SCMP_ACT_ALLOW\" has no errno, yet \"errnoRet\" is given" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ \"getppid\" ],"
		  " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [ { \"index\": 6, \"value\": 1, \"op\":"
		  " \"SCMP_CMP_EQ\" } ] } ] }",
		  "syscalls[0]: \"index\" must be a whole number from 0 to 5" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ \"getppid\" ],"
		  " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [ { \"index\": 0, \"value\": -1, \"op\":"
		  " \"SCMP_CMP_EQ\" } ] } ] }",
		  "syscalls[0]: \"value\" must be a whole number from 0 to 18446744073709551615" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ \"getppid\" ],"
		  " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [ { \"index\": 0, \"value\": 1.5, \"op\":"
		  " \"SCMP_CMP_EQ\" } ] } ] }",
		  "syscalls[0]: \"value\" must be a whole number from 0 to 18446744073709551615" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ \"getppid\" ],"
		  " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [ { \"index\": 0, \"value\": 1, \"op\":"
		  " \"SCMP_CMP_ABOUT\" } ] } ] }",
		  "syscalls[0]: unknown op \"SCMP_CMP_ABOUT\"" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ \"getppid\" ],"
		  " \"action\": \"SCMP_ACT_ERRNO\", \"excludes\": { \"caps\": [ \"CAP_FLY\" ] } } ] }",
		  "syscalls[0]: unknown capability \"CAP_FLY\"" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ \"getppid\" ],"
		  " \"action\": \"SCMP_ACT_ERRNO\", \"includes\": { \"uids\": [ 0 ] } } ] }",
		  "syscalls[0]: unknown field \"uids\" (not supported by mydocker)" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ \"getppid\" ],"
		  " \"action\": \"SCMP_ACT_ERRNO\", \"includes\": { \"minKernel\": \"five\" } } ] }",
		  "syscalls[0]: minKernel \"five\" is not MAJOR.MINOR" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": \"getppid\","
		  " \"action\": \"SCMP_ACT_ERRNO\" } ] }",
		  "syscalls[0]: \"names\" must be a list" },
		{ "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [ { \"architecture\": "
		  "\"SCMP_ARCH_X86_64\", \"subArchitectures\": [ \"SCMP_ARCH_Z80\" ] } ] }",
		  "archMap: unknown architecture \"SCMP_ARCH_Z80\"" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *path = profile("%s", bad[i].text);
		assert_refused(path, bad[i].why);
		free(path);
	}
	char *missing = path_join(dir, "missing.json");
	assert_refused(missing, "No such file or directory");
	assert_refused(dir, "Is a directory");
	free(missing);
	/* A call libseccomp does not know is left out of a rule that allows it: the call gets
	 * the default action, which allows no more. */
	char *path = profile("{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ { "
			     "\"names\": [ \"no_such_call\", \"getppid\" ], \"action\": "
			     "\"SCMP_ACT_ALLOW\" } ] }");
	struct sock_fprog p = compile(path, 0);
	free(p.filter);
	free(path);
	/* Nothing was cached for a refused profile: only the two good profiles above. */
	char *count = xasprintf("test $(ls %s/seccomp | wc -l) = 1", dir);
	assert_int_equal(system(count), 0);
	free(count);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_profile, make_dir, drop_dir),
		cmocka_unit_test_setup_teardown(test_own_profile_errno, make_dir, drop_dir),
		cmocka_unit_test_setup_teardown(test_caps_rules, make_dir, drop_dir),
		cmocka_unit_test_setup_teardown(test_arch_and_kernel_rules, make_dir, drop_dir),
		cmocka_unit_test_setup_teardown(test_cache, make_dir, drop_dir),
		cmocka_unit_test_setup_teardown(test_bad_profiles, make_dir, drop_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
