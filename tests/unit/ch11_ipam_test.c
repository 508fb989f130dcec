/* ch11_ipam_test.c: unit tests (cmocka) for ipam.c: CIDR and address parsing, overlap, the
 * private pool, and the file of a network's addresses, also with many processes allocating at
 * once. Built against every chapter from ch11 on. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "ipam.h"
#include "util.h"

static struct subnet net(const char *text)
{
	struct subnet s;
	assert_int_equal(subnet_parse(text, &s), 0);
	return s;
}

static struct in_addr ip(const char *text)
{
	struct in_addr a;
	assert_int_equal(ipv4_parse(text, &a), 0);
	return a;
}

/* A subnet with any prefix, as the host's routes give them. */
static struct subnet route(const char *addr, int prefix)
{
	return (struct subnet){ .network = ip(addr), .prefix = prefix };
}

static void assert_ip(struct in_addr a, const char *want)
{
	char buf[INET_ADDRSTRLEN];
	assert_string_equal(ipv4_format(a, buf, sizeof buf), want);
}

static void assert_subnet(const struct subnet *s, const char *want)
{
	char buf[SUBNET_STRLEN];
	assert_string_equal(subnet_format(s, buf, sizeof buf), want);
}

static void test_subnet_parse_good(void **state)
{
	(void)state;
	static const char *good[] = { "10.1.2.0/24",   "10.0.0.0/8",   "192.168.1.4/30",
				      "172.16.0.0/12", "10.44.0.0/23", "255.255.255.252/30",
				      "0.0.0.0/8" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct subnet s = net(good[i]);
		assert_subnet(&s, good[i]);
	}
	struct subnet s = net("10.1.2.0/24");
	assert_int_equal(s.prefix, 24);
	assert_ip(s.network, "10.1.2.0");
}

static void assert_refused(const char *text, int err)
{
	struct subnet s;
	errno = 0;
	if (subnet_parse(text, &s) != -1 || errno != err)
		fail_msg("subnet_parse(\"%s\"): want -1 with errno %d, got errno %d", text, err,
			 errno);
}

static void test_subnet_parse_bad(void **state)
{
	(void)state;
	static const char *junk[] = {
		"",
		"10.1.2.0",
		"10.1.2.0/",
		"/24",
		"10.1.2/24",
		"10.1.2.0/24x",
		"10.1.2.0/ 24",
		"10.1.2.0/+24",
		"10.1.2.0/024",
		"010.1.2.0/24",
		"256.1.2.0/24",
		" 10.1.2.0/24",
		"10.1.2.0/24 ",
		"10.1.2.0.0/24",
		"10.1.2.0/-8",
		"ab.c.d.e/24",
		"10.1.2.0//24",
		"10.1.2.0/24/24",
		"10.1.2.0/1000",
	};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
		assert_refused(junk[i], EINVAL);
	static const char *prefix[] = { "10.0.0.0/0",  "10.0.0.0/7",  "10.1.2.0/31",
					"10.1.2.0/32", "10.0.0.0/33", "10.0.0.0/100" };
	for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++)
		assert_refused(prefix[i], ERANGE);
	static const char *host_bits[] = { "10.1.2.3/24", "10.1.0.0/8", "192.168.1.5/30",
					   "10.44.1.0/23" };
	for (size_t i = 0; i < sizeof host_bits / sizeof host_bits[0]; i++)
		assert_refused(host_bits[i], EDOM);
}

static void test_ipv4(void **state)
{
	(void)state;
	assert_ip(ip("10.1.2.3"), "10.1.2.3");
	assert_ip(ip("0.0.0.0"), "0.0.0.0");
	assert_ip(ip("255.255.255.255"), "255.255.255.255");
	static const char *bad[] = { "",	"1.2.3",    "1.2.3.4.5", "01.2.3.4", "1.2.3.256",
				     "a.b.c.d", "1.2.3.4 ", " 1.2.3.4",	 "1..2.3",   "0x1.2.3.4" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct in_addr a;
		errno = 0;
		assert_int_equal(ipv4_parse(bad[i], &a), -1);
		assert_int_equal(errno, EINVAL);
	}
}

static void test_overlap(void **state)
{
	(void)state;
	struct subnet a = net("10.0.0.0/8"), b = net("10.9.1.0/24"), c = net("10.10.0.0/16");
	struct subnet d = net("10.9.0.0/16"), e = net("10.9.2.0/24");
	assert_true(subnet_overlap(&a, &b));
	assert_true(subnet_overlap(&b, &a));
	assert_true(subnet_overlap(&b, &b));
	assert_true(subnet_overlap(&d, &b));
	assert_false(subnet_overlap(&d, &c));
	assert_false(subnet_overlap(&b, &e)); /* neighbours */
	struct subnet host = route("10.9.1.77", 32), all = route("0.0.0.0", 0);
	assert_true(subnet_overlap(&host, &b));
	assert_false(subnet_overlap(&host, &e));
	assert_true(subnet_overlap(&all, &c));
	assert_true(subnet_overlap(&c, &all));
}

static void test_gateway_and_hosts(void **state)
{
	(void)state;
	struct subnet s = net("10.1.2.0/24");
	struct in_addr gw;
	subnet_gateway(&s, &gw);
	assert_ip(gw, "10.1.2.1");
	assert_true(subnet_host(&s, ip("10.1.2.1")));
	assert_true(subnet_host(&s, ip("10.1.2.254")));
	assert_false(subnet_host(&s, ip("10.1.2.0")));
	assert_false(subnet_host(&s, ip("10.1.2.255")));
	assert_false(subnet_host(&s, ip("10.1.3.1")));
	s = net("10.44.0.0/23");
	assert_true(subnet_host(&s, ip("10.44.0.255")));
	assert_true(subnet_host(&s, ip("10.44.1.0")));
	assert_false(subnet_host(&s, ip("10.44.1.255")));
}

static void assert_pick(const struct subnet *used, size_t n, const char *want)
{
	struct subnet s;
	assert_int_equal(subnet_pick(used, n, &s), 0);
	assert_subnet(&s, want);
}

static void test_pool(void **state)
{
	(void)state;
	assert_pick(NULL, 0, "172.18.0.0/16");
	struct subnet used[] = { net("172.18.0.0/16"), route("172.19.5.0", 24) };
	assert_pick(used, 2, "172.20.0.0/16");
	struct subnet all172[] = { net("172.16.0.0/12") };
	assert_pick(all172, 1, "192.168.0.0/20");
	struct subnet some192[] = { net("172.16.0.0/12"), route("192.168.0.1", 32),
				    route("192.168.17.0", 24) };
	assert_pick(some192, 3, "192.168.32.0/20");
	struct subnet last[] = { net("172.16.0.0/12"), net("192.168.0.0/17"),
				 net("192.168.128.0/18"), net("192.168.192.0/19"),
				 net("192.168.224.0/20") };
	assert_pick(last, 5, "192.168.240.0/20");
	struct subnet full[] = { net("172.16.0.0/12"), route("192.168.0.0", 16) };
	struct subnet s;
	errno = 0;
	assert_int_equal(subnet_pick(full, 2, &s), -1);
	assert_int_equal(errno, ENOSPC);
	struct subnet everything[] = { route("0.0.0.0", 0) };
	assert_int_equal(subnet_pick(everything, 1, &s), -1);
	assert_int_equal(errno, ENOSPC);
}

/* --- The file ------------------------------------------------------------------------------ */

static char *make_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/ipam-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void drop_dir(char *dir)
{
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
}

static struct in_addr alloc_ok(const char *dir, const struct subnet *s, const char *owner)
{
	struct in_addr a;
	if (ipam_allocate(dir, s, NULL, owner, &a) < 0)
		fail_msg("allocate for %s: %s", owner, strerror(errno));
	return a;
}

static void assert_full(const char *dir, const struct subnet *s, const struct in_addr *gw)
{
	struct in_addr a;
	errno = 0;
	assert_int_equal(ipam_allocate(dir, s, gw, "one-too-many", &a), -1);
	assert_int_equal(errno, ENOSPC);
}

static void test_slash30(void **state)
{
	(void)state;
	char *dir = make_dir();
	struct subnet s = net("10.9.9.0/30");
	assert_int_equal(ipam_in_use(dir), 0);
	assert_ip(alloc_ok(dir, &s, "first"), "10.9.9.2");
	assert_full(dir, &s, NULL);
	assert_int_equal(ipam_in_use(dir), 1);
	char text[256], *path = path_join(dir, "ipam.json");
	assert_true(read_file(path, text, sizeof text) > 0);
	assert_string_equal(text, "{\"10.9.9.2\":\"first\"}");
	free(path);
	drop_dir(dir);
}

/* A /24: 253 addresses, .2 to .254; never the network, the gateway or the broadcast. */
static void test_never_network_gateway_broadcast(void **state)
{
	(void)state;
	char *dir = make_dir();
	struct subnet s = net("10.1.2.0/24");
	for (int i = 0; i < 253; i++) {
		char owner[16];
		snprintf(owner, sizeof owner, "c%d", i);
		struct in_addr a = alloc_ok(dir, &s, owner);
		assert_int_equal(ntohl(a.s_addr) & 0xff, i + 2);
	}
	assert_full(dir, &s, NULL);
	assert_int_equal(ipam_in_use(dir), 253);
	drop_dir(dir);
	/* A gateway of the user's, the last address: the first is handed out instead. */
	dir = make_dir();
	s = net("10.5.0.0/29");
	struct in_addr gw = ip("10.5.0.6"), a;
	for (int i = 1; i <= 5; i++) {
		char owner[16], want[INET_ADDRSTRLEN];
		snprintf(owner, sizeof owner, "c%d", i);
		snprintf(want, sizeof want, "10.5.0.%d", i);
		assert_int_equal(ipam_allocate(dir, &s, &gw, owner, &a), 0);
		assert_ip(a, want);
	}
	assert_full(dir, &s, &gw);
	drop_dir(dir);
}

static void test_release_and_reuse(void **state)
{
	(void)state;
	char *dir = make_dir();
	struct subnet s = net("10.3.0.0/24");
	assert_ip(alloc_ok(dir, &s, "a"), "10.3.0.2");
	assert_ip(alloc_ok(dir, &s, "b"), "10.3.0.3");
	assert_ip(alloc_ok(dir, &s, "c"), "10.3.0.4");
	assert_ip(alloc_ok(dir, &s, "b"), "10.3.0.3"); /* held already: the same */
	assert_int_equal(ipam_in_use(dir), 3);
	assert_int_equal(ipam_release(dir, "b"), 0);
	assert_int_equal(ipam_in_use(dir), 2);
	assert_int_equal(ipam_release(dir, "b"), 0);
	assert_int_equal(ipam_release(dir, "nobody"), 0);
	assert_int_equal(ipam_in_use(dir), 2);
	assert_ip(alloc_ok(dir, &s, "d"), "10.3.0.3");
	assert_ip(alloc_ok(dir, &s, "e"), "10.3.0.5");
	struct json_object *j = ipam_containers(dir, s.prefix), *c, *v;
	assert_int_equal(json_object_object_length(j), 4);
	assert_true(json_object_object_get_ex(j, "d", &c));
	assert_true(json_object_object_get_ex(c, "IPv4Address", &v));
	assert_string_equal(json_object_get_string(v), "10.3.0.3/24");
	json_object_put(j);
	char *gone = path_join(dir, "no-such-network");
	assert_int_equal(ipam_release(gone, "a"), 0);
	assert_int_equal(ipam_in_use(gone), 0);
	free(gone);
	drop_dir(dir);
}

static void test_bad_owner_and_damaged_file(void **state)
{
	(void)state;
	char *dir = make_dir();
	struct subnet s = net("10.3.0.0/24");
	struct in_addr a;
	char longest[IPAM_OWNER_MAX + 2];
	memset(longest, 'f', sizeof longest - 1);
	longest[sizeof longest - 1] = '\0';
	const char *bad[] = { "", "a b", "a\nb", "a/b", longest };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		assert_int_equal(ipam_allocate(dir, &s, NULL, bad[i], &a), -1);
		assert_int_equal(errno, EINVAL);
	}
	longest[IPAM_OWNER_MAX] = '\0';
	assert_ip(alloc_ok(dir, &s, longest), "10.3.0.2");
	/* A damaged file is refused, said, and left as it is: not JSON, an address that is none,
	 * an owner that is not a string or not a word. */
	char *path = path_join(dir, "ipam.json");
	const char *damaged[] = { "10.3.0.2 a\n", "{\"10.3.0.2\": \"a\", \"nonsense\": \"b\"}",
				  "{\"10.3.0.2\": 7}", "{\"10.3.0.2\": \"a b\"}", "[]" };
	for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
		assert_int_equal(write_file_atomic(path, damaged[i]), 0);
		errno = 0;
		assert_int_equal(ipam_allocate(dir, &s, NULL, "b", &a), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(ipam_in_use(dir), -1);
		assert_false(ipam_holds(dir, "a"));
		char text[256];
		assert_true(read_file(path, text, sizeof text) > 0);
		assert_string_equal(text, damaged[i]);
	}
	free(path);
	drop_dir(dir);
}

/* 300 in a loop in a /23: all distinct, and the middle of it, .0.255 and .1.0, are hosts. */
static void test_slash23_loop(void **state)
{
	(void)state;
	char *dir = make_dir();
	struct subnet s = net("10.44.0.0/23");
	static uint8_t seen[512];
	memset(seen, 0, sizeof seen);
	for (int i = 0; i < 300; i++) {
		char owner[16];
		snprintf(owner, sizeof owner, "ctr%d", i);
		struct in_addr a = alloc_ok(dir, &s, owner);
		assert_true(subnet_host(&s, a));
		uint32_t host = ntohl(a.s_addr) & 0x1ff;
		assert_int_not_equal(host, 1);
		assert_int_equal(seen[host]++, 0);
	}
	assert_true(seen[255] && seen[256]);
	assert_int_equal(ipam_in_use(dir), 300);
	drop_dir(dir);
}

/* N processes allocate in DIR at once (they wait on a pipe that closes for all of them at the
 * same moment) and each writes its address to another pipe; all must differ, and agree with
 * the file. */
static void allocate_at_once(const struct subnet *s, int n)
{
	char *dir = make_dir();
	int go[2], results[2];
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(results), 0);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			char owner[16], c;
			close(go[1]);
			while (read(go[0], &c, 1) > 0)
				;
			snprintf(owner, sizeof owner, "proc%d", i);
			struct in_addr a;
			int ok = ipam_allocate(dir, s, NULL, owner, &a) == 0 &&
				 write(results[1], &a, sizeof a) == sizeof a;
			_exit(ok ? 0 : 1);
		}
	}
	close(go[0]);
	close(go[1]);
	close(results[1]);
	for (int i = 0; i < n; i++) {
		int status;
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	size_t len;
	struct in_addr *got = (struct in_addr *)read_all(results[0], &len);
	close(results[0]);
	assert_non_null(got);
	assert_int_equal(len, n * sizeof *got);
	for (int i = 0; i < n; i++) {
		assert_true(subnet_host(s, got[i]));
		for (int j = 0; j < i; j++)
			assert_int_not_equal(got[i].s_addr, got[j].s_addr);
	}
	assert_int_equal(ipam_in_use(dir), n);
	free(got);
	drop_dir(dir);
}

static void test_concurrent_50(void **state)
{
	(void)state;
	struct subnet s = net("10.20.0.0/24");
	allocate_at_once(&s, 50);
}

static void test_concurrent_300(void **state)
{
	(void)state;
	struct subnet s = net("10.44.0.0/23");
	allocate_at_once(&s, 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subnet_parse_good),
		cmocka_unit_test(test_subnet_parse_bad),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_gateway_and_hosts),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_slash30),
		cmocka_unit_test(test_never_network_gateway_broadcast),
		cmocka_unit_test(test_release_and_reuse),
		cmocka_unit_test(test_bad_owner_and_damaged_file),
		cmocka_unit_test(test_slash23_loop),
		cmocka_unit_test(test_concurrent_50),
		cmocka_unit_test(test_concurrent_300),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
