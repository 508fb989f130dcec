/* ch13_bundle_test.c: unit tests (cmocka) for bundle.c: config.json read into a struct bundle.
 * Each test writes a bundle (an empty rootfs and a config.json) into a temporary directory:
 * runc's default spec as `mydocker spec` writes it, then changed field by field. Built against
 * every chapter from ch13 on. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "bundle.h"
#include "caps.h"

static char dir[64];

/* A bundle in DIR: rootfs/ and `mydocker spec`'s config.json, through cmd_spec itself. */
static int make_bundle(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ch13_bundle_test.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	char rootfs[128];
	snprintf(rootfs, sizeof rootfs, "%s/rootfs", dir);
	char *argv[] = { "spec", "--bundle", dir, NULL };
	optind = 0;
	return mkdir(rootfs, 0755) == 0 && cmd_spec(3, argv) == 0 ? 0 : -1;
}

static int remove_bundle(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Change config.json: JSON is merged into it, key by key at the top, a path of keys deeper:
 * edit("linux", "{\"uidMappings\": [...]}") sets linux.uidMappings. */
static void edit(const char *key, const char *json)
{
	char path[128];
	snprintf(path, sizeof path, "%s/config.json", dir);
	struct json_object *c = json_object_from_file(path), *v = json_tokener_parse(json), *at;
	assert_non_null(c);
	assert_non_null(v);
	if (json_object_object_get_ex(c, key, &at) && json_object_is_type(at, json_type_object) &&
	    json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, val)
		    json_object_object_add(at, k, json_object_get(val));
		json_object_put(v);
	} else {
		json_object_object_add(c, key, v);
	}
	assert_int_equal(json_object_to_file(path, c), 0);
	json_object_put(c);
}

/* Load the bundle; EXPECT is NULL for success, or a text WHY must contain. */
static void load(struct bundle *b, const char *expect)
{
	char why[512] = "";
	int rc = bundle_load(dir, b, why, sizeof why);
	if (!expect) {
		if (rc != 0)
			fail_msg("bundle_load failed: %s", why);
		return;
	}
	/* What a refused load filled in is freed all the same, as create frees it. */
	bundle_free(b);
	if (rc != -1)
		fail_msg("bundle_load took what it should refuse (%s)", expect);
	if (!strstr(why, expect))
		fail_msg("\"%s\" does not say \"%s\"", why, expect);
}

static void test_default_spec(void **state)
{
	(void)state;
	struct bundle b;
	load(&b, NULL);
	char rootfs[128];
	snprintf(rootfs, sizeof rootfs, "%s/rootfs", dir);
	assert_string_equal(b.rootfs, rootfs);
	assert_true(b.readonly);
	assert_string_equal(b.args[0], "sh");
	assert_null(b.args[1]);
	assert_string_equal(b.cwd, "/");
	assert_true(b.terminal);
	assert_true(b.no_new_privs);
	assert_string_equal(b.hostname, "runc");
	/* CAP_AUDIT_WRITE 29, CAP_KILL 5, CAP_NET_BIND_SERVICE 10 */
	uint64_t three = (1ULL << 29) | (1ULL << 5) | (1ULL << 10);
	assert_true(b.caps[CAPS_BOUNDING] == three && b.caps[CAPS_EFFECTIVE] == three);
	assert_true(b.caps[CAPS_INHERITABLE] == 0 && b.caps[CAPS_AMBIENT] == three);
	assert_int_equal(b.nrlimits, 1);
	assert_int_equal(b.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(b.rlimits[0].limit.rlim_max, 1024);
	assert_int_equal(b.nmounts, 7);
	assert_string_equal(b.mounts[3].destination, "/dev/shm");
	assert_int_equal(b.mounts[3].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
	assert_string_equal(b.mounts[3].data, "mode=1777,size=65536k");
	for (int ns = 0; ns < NS_COUNT; ns++)
		assert_int_equal(b.ns[ns].wanted, ns != NS_CGROUP);
	assert_int_equal(b.nmasked, 10);
	assert_int_equal(b.nreadonly, 5);
	/* The deny-all rule, then nothing else: linux.devices is empty. */
	assert_int_equal(b.ndevice_rules, 1);
	assert_false(b.device_rules[0].allow);
	assert_int_equal(b.device_rules[0].type, 'a');
	assert_int_equal(b.limits.ndevices, 1);
	assert_int_equal(b.rootfs_propagation, MS_PRIVATE | MS_REC);
	bundle_free(&b);
}

static void test_refused_by_name(void **state)
{
	(void)state;
	static const struct {
		const char *key, *json, *expect;
	} cases[] = {
		{ "linux", "{\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}",
		  "linux.uidMappings" },
		{ "linux", "{\"namespaces\": [{\"type\": \"user\"}]}", "linux.namespaces" },
		{ "linux", "{\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}",
		  "twice" },
		{ "linux", "{\"cgroupsPath\": \"system.slice:x:y\"}", "systemd" },
		{ "linux", "{\"cgroupsPath\": \"/a/../b\"}", "linux.cgroupsPath" },
		{ "linux", "{\"resources\": {\"blockIO\": {\"weight\": 10}}}", "blockIO" },
		{ "linux", "{\"resources\": {\"memory\": {\"limit\": 1000, \"swap\": 5000}}}",
		  "memory.swap" },
		{ "linux", "{\"rootfsPropagation\": \"sideways\"}", "rootfsPropagation" },
		{ "linux", "{\"sysctl\": {\"kernel.x\": 1}}", "linux.sysctl" },
		{ "process", "{\"apparmorProfile\": \"unconfined\"}", "process.apparmorProfile" },
		{ "process", "{\"args\": []}", "process.args" },
		{ "process", "{\"cwd\": \"relative\"}", "process.cwd" },
		{ "process", "{\"capabilities\": {\"bounding\": [\"CAP_NOPE\"]}}", "CAP_NOPE" },
		{ "process",
		  "{\"rlimits\": [{\"type\": \"RLIMIT_TEST\", \"hard\": 1, \"soft\": 1}]}",
		  "RLIMIT_TEST" },
		{ "process", "{\"terminal\": \"yes\"}", "process.terminal" },
		{ "ociVersion", "\"0.9\"", "ociVersion" },
		{ "root", "{\"path\": \"nosuch\"}", "root.path" },
		{ "mounts",
		  "[{\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"tmpcopyup\"]}]",
		  "tmpcopyup" },
		{ "mounts", "[{\"destination\": \"relative\", \"type\": \"tmpfs\"}]",
		  "mounts[].destination" },
		{ "hooks", "{\"prestart\": [{\"path\": \"relative\"}]}", "hooks.prestart" },
		{ "hooks", "{\"poststop\": [{\"path\": \"/bin/true\", \"timeout\": 0}]}",
		  "timeout" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct bundle b;
		remove_bundle(NULL);
		assert_int_equal(make_bundle(NULL), 0);
		edit(cases[i].key, cases[i].json);
		load(&b, cases[i].expect);
	}
}

static void test_fields(void **state)
{
	(void)state;
	struct bundle b;
	edit("linux",
	     "{\"namespaces\": [{\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}, "
	     "{\"type\": \"mount\"}], \"cgroupsPath\": \"rel/path\", "
	     "\"resources\": {\"memory\": {\"limit\": 4096, \"swap\": 4096}, "
	     "\"cpu\": {\"shares\": 512, \"quota\": 5000, \"cpus\": \"0\", \"mems\": \"0\"}, "
	     "\"pids\": {\"limit\": 9}, \"devices\": [{\"allow\": false, \"access\": \"rwm\"}, "
	     "{\"allow\": true, \"type\": \"c\", \"major\": 1, \"access\": \"r\"}]}, "
	     "\"devices\": [{\"path\": \"/dev/x\", \"type\": \"b\", \"major\": 7, \"minor\": 2}], "
	     "\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}, \"rootfsPropagation\": \"rslave\"}");
	edit("mounts",
	     "[{\"destination\": \"/d\", \"type\": \"bind\", \"source\": \"src\", "
	     "\"options\": [\"rbind\", \"ro\", \"rprivate\", \"nosuid\", \"suid\", \"x=1\"]}]");
	edit("process", "{\"user\": {\"uid\": 7, \"gid\": 8, \"additionalGids\": [9, 10], "
			"\"umask\": 18}, \"oomScoreAdj\": 100}");
	edit("hooks", "{\"poststart\": [{\"path\": \"/bin/h\", \"args\": [\"h\", \"a\"], "
		      "\"timeout\": 3}]}");
	load(&b, NULL);
	assert_true(b.ns[NS_NET].wanted);
	assert_string_equal(b.ns[NS_NET].path, "/proc/1/ns/net");
	assert_true(b.ns[NS_MOUNT].wanted && !b.ns[NS_MOUNT].path && !b.ns[NS_PID].wanted);
	assert_string_equal(b.cgroups_path, "rel/path");
	assert_true(b.limits.memory == 4096 && b.limits.cpu_shares == 512 &&
		    b.limits.cpu_quota == 5000 && b.limits.cpu_period == 100000);
	assert_string_equal(b.limits.cpuset_mems, "0");
	assert_int_equal(b.limits.pids_max, 9);
	/* The two rules, then an allow rule for linux.devices' node. */
	assert_int_equal(b.ndevice_rules, 3);
	assert_true(b.device_rules[1].allow && b.device_rules[1].major == 1 &&
		    b.device_rules[1].minor == -1 && !strcmp(b.device_rules[1].access, "r"));
	assert_true(b.device_rules[2].type == 'b' && b.device_rules[2].major == 7 &&
		    b.device_rules[2].minor == 2);
	assert_string_equal(b.sysctl[0], "net.ipv4.ip_forward=1");
	assert_int_equal(b.rootfs_propagation, MS_SLAVE | MS_REC);
	assert_int_equal(b.nmounts, 1);
	assert_int_equal(b.mounts[0].flags, MS_BIND | MS_REC | MS_RDONLY);
	assert_int_equal(b.mounts[0].propagation, MS_PRIVATE | MS_REC);
	assert_string_equal(b.mounts[0].data, "x=1");
	assert_true(b.uid == 7 && b.gid == 8 && b.ngroups == 2 && b.groups[1] == 10);
	assert_true(b.has_umask && b.umask == 18 && b.has_oom_score_adj && b.oom_score_adj == 100);
	assert_int_equal(b.hooks.n[HOOK_POSTSTART], 1);
	assert_string_equal(b.hooks.list[HOOK_POSTSTART][0].args[1], "a");
	assert_int_equal(b.hooks.list[HOOK_POSTSTART][0].timeout, 3);
	bundle_free(&b);
}

static void test_unknown_ignored(void **state)
{
	(void)state;
	struct bundle b;
	edit("someFutureField", "{\"x\": 1}");
	edit("linux", "{\"someFutureLinuxField\": true}");
	load(&b, NULL);
	bundle_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_spec, make_bundle, remove_bundle),
		cmocka_unit_test_setup_teardown(test_refused_by_name, make_bundle, remove_bundle),
		cmocka_unit_test_setup_teardown(test_fields, make_bundle, remove_bundle),
		cmocka_unit_test_setup_teardown(test_unknown_ignored, make_bundle, remove_bundle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
