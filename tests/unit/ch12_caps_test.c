/* ch12_caps_test.c: unit tests (cmocka) for caps.c and user.c: Docker's default capabilities,
 * the rule of --cap-add/--cap-drop (drops first, ALL, names with or without CAP_ in any case,
 * unknown names), the syntax of -u, and, as root, in children: the sets caps_drop_bounding and
 * caps_set leave, and user_switch chrooted into a root whose /etc/passwd and /etc/group the
 * test wrote. Built against every chapter from ch12 on. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "caps.h"
#include "user.h"

#define BIT(n) (1ULL << (n))
/* Numbers from linux/capability.h, written out: the test must not share the code's source. */
#define CHOWN		 0
#define KILL		 5
#define NET_BIND_SERVICE 10
#define NET_ADMIN	 12
#define NET_RAW		 13
#define SYS_ADMIN	 21
#define SYS_NICE	 23
#define AUDIT_WRITE	 29
#define SETFCAP		 31

/* caps_compute on a copy of START; returns its result, the set in *OUT, the reason in WHY. */
static int compute(uint64_t start, const char *adds, const char *drops, uint64_t *out, char *why,
		   size_t size)
{
	char *add[8], *drop[8], abuf[256], dbuf[256];
	size_t nadd = 0, ndrop = 0;
	snprintf(abuf, sizeof abuf, "%s", adds);
	snprintf(dbuf, sizeof dbuf, "%s", drops);
	/* Names separated by spaces; "" for an empty name is written as '-'. */
	for (char *t = strtok(abuf, " "); t; t = strtok(NULL, " "))
		add[nadd++] = strcmp(t, "-") ? t : t + 1;
	for (char *t = strtok(dbuf, " "); t; t = strtok(NULL, " "))
		drop[ndrop++] = strcmp(t, "-") ? t : t + 1;
	*out = start;
	why[0] = '\0';
	return caps_compute(out, add, nadd, drop, ndrop, why, size);
}

static uint64_t ok(uint64_t start, const char *adds, const char *drops)
{
	uint64_t set;
	char why[256];
	assert_int_equal(compute(start, adds, drops, &set, why, sizeof why), 0);
	return set;
}

/* The kernel's capabilities and this process's permitted set, from /proc (not from libcap). */
static uint64_t kernel_mask(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int last = -1;
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &last), 1);
	fclose(f);
	assert_true(last >= 36 && last < 64);
	return last == 63 ? ~0ULL : BIT(last + 1) - 1;
}

static uint64_t permitted(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long prm = 0;
	assert_non_null(f);
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "CapPrm: %llx", &prm) == 1)
			break;
	fclose(f);
	return prm;
}

static void test_default(void **state)
{
	(void)state;
	assert_int_equal(caps_default(), 0xa80425fbULL);
	assert_int_equal(__builtin_popcountll(caps_default()), 14);
	/* No option: the set is left as it is. */
	assert_int_equal(ok(caps_default(), "", ""), 0xa80425fbULL);
}

static void test_all(void **state)
{
	(void)state;
	/* Every capability of this kernel that this process holds (a process cannot give more). */
	assert_int_equal(caps_all(), kernel_mask() & permitted());
	if (geteuid() == 0)
		assert_int_equal(caps_all() & caps_default(), caps_default());
}

static void test_add_drop(void **state)
{
	(void)state;
	uint64_t d = caps_default();
	assert_int_equal(ok(d, "NET_ADMIN", ""), d | BIT(NET_ADMIN));
	assert_int_equal(ok(d, "", "NET_RAW"), d & ~BIT(NET_RAW));
	assert_int_equal(ok(d, "NET_ADMIN SYS_NICE", "CHOWN KILL"),
			 (d | BIT(NET_ADMIN) | BIT(SYS_NICE)) & ~(BIT(CHOWN) | BIT(KILL)));
	/* Adding one already there, dropping one not there: no change. */
	assert_int_equal(ok(d, "CHOWN", "SYS_ADMIN"), d);
	/* Drops first: the same name in both lists is added. */
	assert_int_equal(ok(d, "NET_RAW", "NET_RAW"), d);
	assert_int_equal(ok(d, "SYS_ADMIN", "SYS_ADMIN"), d | BIT(SYS_ADMIN));
}

static void test_all_both_ways(void **state)
{
	(void)state;
	uint64_t d = caps_default();
	assert_int_equal(ok(d, "", "ALL"), 0);
	assert_int_equal(ok(d, "NET_BIND_SERVICE", "ALL"), BIT(NET_BIND_SERVICE));
	assert_int_equal(ok(d, "NET_BIND_SERVICE AUDIT_WRITE", "all"),
			 BIT(NET_BIND_SERVICE) | BIT(AUDIT_WRITE));
	assert_int_equal(ok(d, "ALL", ""), caps_all());
	/* ALL is added after every drop: nothing dropped stays dropped. */
	assert_int_equal(ok(d, "ALL", "CHOWN SETFCAP"), caps_all());
	assert_int_equal(ok(d, "All", "ALL"), caps_all());
	assert_int_equal(ok(0, "", "ALL"), 0);
}

static void test_spellings(void **state)
{
	(void)state;
	static const char *names[] = { "NET_BIND_SERVICE",     "net_bind_service",
				       "CAP_NET_BIND_SERVICE", "cap_net_bind_service",
				       "Cap_Net_Bind_Service", "nEt_BiNd_SeRvIcE" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_int_equal(ok(0, names[i], ""), BIT(NET_BIND_SERVICE));
		assert_int_equal(ok(caps_default(), "", names[i]),
				 caps_default() & ~BIT(NET_BIND_SERVICE));
	}
	assert_int_equal(ok(0, "cap_sys_admin", ""), BIT(SYS_ADMIN));
	assert_int_equal(ok(0, "chown", ""), BIT(CHOWN));
}

static void test_unknown(void **state)
{
	(void)state;
	/* Not names, numbers, a name with something after it (libcap itself would take the
	 * number, and the name before the comma), CAP_ alone, ALL with a prefix, an empty name. */
	static const char *bad[] = { "NOPE",	      "12",	 "CAP_", "chown,kill", "chown2",
				     "CAP_CAP_CHOWN", "CAP_ALL", "ALLL", "sys-admin",  "-",
				     "kill_",	      "net bind" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint64_t set;
		char why[256], want[256];
		const char *name = strcmp(bad[i], "-") ? bad[i] : "";
		if (strchr(bad[i], ' '))
			continue; /* spaces separate names in compute(): tested below */
		assert_int_equal(compute(caps_default(), bad[i], "", &set, why, sizeof why), -1);
		snprintf(want, sizeof want, "invalid --cap-add \"%s\": no such capability", name);
		assert_string_equal(why, want);
		assert_int_equal(compute(caps_default(), "", bad[i], &set, why, sizeof why), -1);
		snprintf(want, sizeof want, "invalid --cap-drop \"%s\": no such capability", name);
		assert_string_equal(why, want);
	}
	char *add[] = { "net bind" }, why[256];
	uint64_t set = 0;
	assert_int_equal(caps_compute(&set, add, 1, NULL, 0, why, sizeof why), -1);
	assert_string_equal(why, "invalid --cap-add \"net bind\": no such capability");
	/* A name after good ones is still found; the first bad one is named. */
	uint64_t s;
	assert_int_equal(compute(0, "CHOWN NOPE1 NOPE2", "KILL", &s, why, sizeof why), -1);
	assert_string_equal(why, "invalid --cap-add \"NOPE1\": no such capability");
	/* A long name is cut in WHY, never written past it. */
	char longname[300], small[32];
	memset(longname, 'A', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	char *longadd[] = { longname };
	small[sizeof small - 1] = 'x';
	assert_int_equal(caps_compute(&set, longadd, 1, NULL, 0, small, sizeof small - 1), -1);
	assert_int_equal(small[sizeof small - 1], 'x');
	assert_int_equal(strlen(small), sizeof small - 2);
}

static void test_user_check(void **state)
{
	(void)state;
	static const char *good[] = { "root",
				      "0",
				      "1000",
				      "1000:1000",
				      "0:0",
				      "nobody:nogroup",
				      "www-data",
				      "user:0",
				      "0:group",
				      "2147483647",
				      "2147483647:2147483647",
				      "a.b-c_d$",
				      "007" };
	static const char *bad[] = { "",       ":",	     ":0",	     "0:",
				     "a:b:c",  "1000::1000", "a b",	     "a\tb",
				     "a\nb",   "2147483648", "0:4294967295", "99999999999999999999",
				     "-:x\x7f" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (user_check(good[i]) != 0)
			fail_msg("user_check(\"%s\") refused it", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (user_check(bad[i]) != -1)
			fail_msg("user_check(\"%s\") took it", bad[i]);
	/* Names of up to 63 characters. */
	char name[300];
	memset(name, 'u', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	assert_int_equal(user_check(name), -1);
	name[64] = '\0';
	assert_int_equal(user_check(name), -1);
	name[63] = '\0';
	assert_int_equal(user_check(name), 0);
}

/* --- user_switch, as root, in a child chrooted into ROOT ----------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Fork; the child chroots into ROOT and calls user_switch(SPEC), then writes one line to OUT:
 * "rc=R errno=E why=W" on failure, else "uid=U/E gid=G/E groups=A,B home=H". */
static const char *preset_home; /* HOME as -e set it, or NULL */

static void switch_in(const char *root, const char *spec, char *out, size_t size)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char why[512], line[2048];
		int n = 0;
		close(p[0]);
		if (chroot(root) < 0 || chdir("/") < 0)
			_exit(2);
		/* init leaves HOME unset unless -e set it: a preset one must survive. */
		if (preset_home)
			setenv("HOME", preset_home, 1);
		else
			unsetenv("HOME");
		/* Groups of whoever started mydocker, which the user must not inherit. */
		gid_t theirs[] = { 4242, 4343 };
		if (setgroups(2, theirs) < 0)
			_exit(2);
		if (user_switch(spec, why, sizeof why) < 0) {
			n = snprintf(line, sizeof line, "rc=-1 errno=%d why=%s", errno, why);
		} else {
			gid_t groups[64];
			int ng = getgroups(64, groups);
			n = snprintf(line, sizeof line, "uid=%u/%u gid=%u/%u groups=", getuid(),
				     geteuid(), getgid(), getegid());
			for (int i = 0; i < ng; i++)
				n += snprintf(line + n, sizeof line - n, "%s%u", i ? "," : "",
					      groups[i]);
			n += snprintf(line + n, sizeof line - n, " home=%s", getenv("HOME"));
		}
		_exit(write(p[1], line, n) == n ? 0 : 3);
	}
	close(p[1]);
	ssize_t n = read(p[0], out, size - 1);
	close(p[0]);
	out[n > 0 ? n : 0] = '\0';
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void expect(const char *root, const char *spec, const char *want)
{
	char out[2048];
	switch_in(root, spec, out, sizeof out);
	if (strcmp(out, want))
		fail_msg("-u %s: got \"%s\", want \"%s\"", spec, out, want);
}

/* The temporary root of test_user_switch, removed by its teardown even when a check failed. */
static char test_root[64];

static int remove_root(void **state)
{
	(void)state;
	char cmd[128];
	if (!*test_root)
		return 0;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_user_switch(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip(); /* setuid and chroot need root */
	char etc[64], empty[64];
	strcpy(test_root, "/tmp/ch12_caps_test.XXXXXX");
	assert_non_null(mkdtemp(test_root));
	snprintf(etc, sizeof etc, "%s/etc", test_root);
	assert_int_equal(mkdir(etc, 0755), 0);
	write_file(etc, "passwd",
		   "root:x:0:0:root:/root:/bin/sh\n"
		   "alice:x:4321:500:Alice:/home/alice:/bin/sh\n"
		   "bob:x:4322:501::/srv/bob:/bin/sh\n"
		   "nohome:x:4323:502:::/bin/sh\n"
		   "alice:x:9999:9999:second alice:/wrong:/bin/sh\n");
	write_file(etc, "group",
		   "root:x:0:\n"
		   "alice:x:500:\n"
		   "staff:x:600:bob,alice\n"
		   "audio:x:601:carol\n"
		   "video:x:602:alice\n"
		   "bobs:x:501:\n"
		   "wheel:x:10:root\n");
	/* By name: the first entry wins; gid from passwd; every group that lists the user. */
	expect(test_root, "alice", "uid=4321/4321 gid=500/500 groups=600,602 home=/home/alice");
	/* Root, as init is without -u: root's groups in the image, not those of the caller. */
	expect(test_root, "0", "uid=0/0 gid=0/0 groups=10 home=/root");
	/* HOME set by -e wins over the entry's, as in Docker. */
	preset_home = "/elsewhere";
	expect(test_root, "alice", "uid=4321/4321 gid=500/500 groups=600,602 home=/elsewhere");
	preset_home = NULL;
	/* By number with an entry: the same, found by uid. */
	expect(test_root, "4322", "uid=4322/4322 gid=501/501 groups=600 home=/srv/bob");
	/* A number without an entry: gid 0, no groups, HOME /. */
	expect(test_root, "7777", "uid=7777/7777 gid=0/0 groups= home=/");
	expect(test_root, "nohome", "uid=4323/4323 gid=502/502 groups= home=/");
	/* An explicit group: by name or number, with or without an entry; no supplementary ones. */
	expect(test_root, "alice:audio", "uid=4321/4321 gid=601/601 groups= home=/home/alice");
	expect(test_root, "alice:602", "uid=4321/4321 gid=602/602 groups= home=/home/alice");
	expect(test_root, "7777:8888", "uid=7777/7777 gid=8888/8888 groups= home=/");
	expect(test_root, "bob:0", "uid=4322/4322 gid=0/0 groups= home=/srv/bob");
	/* Unknown names: ENOENT and which file was searched. */
	char want[256];
	snprintf(want, sizeof want,
		 "rc=-1 errno=%d why=unable to find user nosuch in the image's /etc/passwd",
		 ENOENT);
	expect(test_root, "nosuch", want);
	expect(test_root, "nosuch:0", want);
	snprintf(want, sizeof want,
		 "rc=-1 errno=%d why=unable to find group nogrp in the image's /etc/group", ENOENT);
	expect(test_root, "alice:nogrp", want);
	expect(test_root, "7777:nogrp", want);

	/* A root without /etc/passwd and /etc/group: numbers only. */
	snprintf(empty, sizeof empty, "%s/empty", test_root);
	assert_int_equal(mkdir(empty, 0755), 0);
	expect(empty, "1234:5678", "uid=1234/1234 gid=5678/5678 groups= home=/");
	expect(empty, "1234", "uid=1234/1234 gid=0/0 groups= home=/");
	expect(empty, "0", "uid=0/0 gid=0/0 groups= home=/root");
	snprintf(want, sizeof want,
		 "rc=-1 errno=%d why=unable to find user alice in the image's /etc/passwd", ENOENT);
	expect(empty, "alice", want);
	snprintf(want, sizeof want,
		 "rc=-1 errno=%d why=unable to find group staff in the image's /etc/group", ENOENT);
	expect(empty, "1234:staff", want);
}

/* --- caps_drop_bounding and caps_set, as root, in a child ------------------------------------ */

/* Fork; the child keeps KEEP as init does (bounding set, then the others) and sends back the
 * five "CapXxx:\t..." lines of its /proc/self/status, or "rc=-1 errno=E". */
static void keep_in_child(uint64_t keep, char *out, size_t size)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char line[256], text[1024] = "";
		close(p[0]);
		if (caps_drop_bounding(keep) < 0 || caps_set(keep) < 0) {
			snprintf(text, sizeof text, "rc=-1 errno=%d", errno);
		} else {
			FILE *f = fopen("/proc/self/status", "r");
			if (!f)
				_exit(2);
			while (fgets(line, sizeof line, f))
				if (!strncmp(line, "Cap", 3))
					strncat(text, line, sizeof text - strlen(text) - 1);
			fclose(f);
		}
		size_t n = strlen(text);
		_exit(write(p[1], text, n) == (ssize_t)n ? 0 : 3);
	}
	close(p[1]);
	ssize_t n = read(p[0], out, size - 1);
	close(p[0]);
	out[n > 0 ? n : 0] = '\0';
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_caps_set(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip(); /* dropping from the bounding set needs CAP_SETPCAP */
	uint64_t keeps[] = { caps_default(), BIT(NET_BIND_SERVICE), 0, caps_all() };
	for (size_t i = 0; i < sizeof keeps / sizeof keeps[0]; i++) {
		char out[1024], want[1024];
		keep_in_child(keeps[i], out, sizeof out);
		snprintf(want, sizeof want,
			 "CapInh:\t0000000000000000\nCapPrm:\t%016llx\nCapEff:\t%016llx\n"
			 "CapBnd:\t%016llx\nCapAmb:\t0000000000000000\n",
			 (unsigned long long)keeps[i], (unsigned long long)keeps[i],
			 (unsigned long long)keeps[i]);
		if (strcmp(out, want))
			fail_msg("keep %016llx: got\n%s\nwant\n%s", (unsigned long long)keeps[i],
				 out, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_add_drop),
		cmocka_unit_test(test_all_both_ways),
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_user_check),
		cmocka_unit_test_teardown(test_user_switch, remove_root),
		cmocka_unit_test(test_caps_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
