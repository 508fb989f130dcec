/* ch11_netlink_test.c: unit tests (cmocka) for netlink.c against the kernel: a bridge with its
 * gateway address, a veth pair into another process's network namespace, eth0 set up in there,
 * and a teardown that leaves no link behind. Built against every chapter from ch11 on.
 *
 * The tests make real links, so main() first moves this process into a network namespace of
 * its own (unshare(2) moves the caller itself: no re-exec is needed), and a mount namespace
 * with a sysfs of that network namespace on /sys (sysfs shows the links of the namespace that
 * mounted it). Everything the tests make is in there and goes with the process: the binary is
 * safe to run on any host. Where that cannot be done (not root), every test is skipped. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

/* Before cmocka.h, whose fail() macro would rename init.c's fail(). */
#include "netlink.h"

#include <cmocka.h>

#define BRIDGE	 "mydocker-t0"
#define HOST_END "vm0123456789ab" /* the caller's rule: "vm"/"vp" + 12 hex of the ID */
#define PEER_END "vp0123456789ab"

/* 1 once main() has this process in network and mount namespaces of its own. */
static int isolated;

static struct in_addr gw, addr;

static int isolate(void)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	return mount("sysfs", "/sys", "sysfs", 0, NULL);
}

/* --- Looking: sysfs for the namespace this process mounted it in, libnl for the one it is in.
 * None of these asserts: a child process runs them too. */

static int link_exists(const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "/sys/class/net/%s", name);
	return access(path, F_OK) == 0;
}

/* The first line of /sys/class/net/NAME/FILE into BUF, "" if there is none. */
static char *sys_read(const char *name, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "/sys/class/net/%s/%s", name, file);
	buf[0] = '\0';
	FILE *f = fopen(path, "re");
	if (f) {
		if (!fgets(buf, size, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int link_is_up(const char *name)
{
	char buf[32];
	return strtol(sys_read(name, "flags", buf, sizeof buf), NULL, 16) & IFF_UP;
}

/* The links in /sys/class/net: lo alone in a namespace left as it was made. */
static int count_links(void)
{
	DIR *d = opendir("/sys/class/net");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static struct nl_sock *sock(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (sk && nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		sk = NULL;
	}
	return sk;
}

/* The index of link NAME, 0 if there is none. */
static int ifindex_of(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link;
	if (rtnl_link_get_kernel(sk, 0, name, &link) < 0)
		return 0;
	int i = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return i;
}

static int same_inet(struct nl_addr *a, const struct in_addr *b)
{
	return a && nl_addr_get_family(a) == AF_INET && nl_addr_get_len(a) == sizeof *b &&
	       memcmp(nl_addr_get_binary_addr(a), b, sizeof *b) == 0;
}

/* The number of IPv4 addresses of link NAME (-1 if it cannot be told), and whether A/PREFIX is
 * one of them (*FOUND). */
static int count_addrs(const char *name, const struct in_addr *a, int prefix, int *found)
{
	*found = 0;
	struct nl_sock *sk = sock();
	struct nl_cache *cache;
	if (!sk)
		return -1;
	int idx = ifindex_of(sk, name), n = -1;
	if (idx > 0 && rtnl_addr_alloc_cache(sk, &cache) == 0) {
		n = 0;
		for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
			struct rtnl_addr *ra = (struct rtnl_addr *)o;
			if (rtnl_addr_get_ifindex(ra) != idx || rtnl_addr_get_family(ra) != AF_INET)
				continue;
			n++;
			*found |= same_inet(rtnl_addr_get_local(ra), a) &&
				  rtnl_addr_get_prefixlen(ra) == prefix;
		}
		nl_cache_free(cache);
	}
	nl_socket_free(sk);
	return n;
}

/* Whether the main table routes 0.0.0.0/0 via GW on link NAME. */
static int has_default_route(const char *name, const struct in_addr *via)
{
	struct nl_sock *sk = sock();
	struct nl_cache *cache;
	if (!sk)
		return 0;
	int idx = ifindex_of(sk, name), found = 0;
	if (idx > 0 && rtnl_route_alloc_cache(sk, AF_INET, 0, &cache) == 0) {
		for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
			struct rtnl_route *r = (struct rtnl_route *)o;
			struct nl_addr *dst = rtnl_route_get_dst(r);
			if (rtnl_route_get_table(r) != RT_TABLE_MAIN || !dst ||
			    nl_addr_get_prefixlen(dst) != 0 || rtnl_route_get_nnexthops(r) != 1)
				continue;
			struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, 0);
			found |= rtnl_route_nh_get_ifindex(nh) == idx &&
				 same_inet(rtnl_route_nh_get_gateway(nh), via);
		}
		nl_cache_free(cache);
	}
	nl_socket_free(sk);
	return found;
}

/* Whether the kernel's own text, /proc/net/route (of the reader's namespace), has the default
 * route via GW on eth0: a second witness besides libnl. */
static int proc_has_default_route(const struct in_addr *via)
{
	char want[64], line[256];
	snprintf(want, sizeof want, "eth0\t00000000\t%08X\t", (unsigned)via->s_addr);
	FILE *f = fopen("/proc/net/route", "re");
	int found = 0;
	while (f && fgets(line, sizeof line, f))
		found |= strncmp(line, want, strlen(want)) == 0;
	if (f)
		fclose(f);
	return found;
}

/* --- The container: a child process in a network namespace of its own. */

struct child {
	pid_t pid;
	int to, from; /* pipes to and from it */
};
static struct child kid = { .pid = -1, .to = -1, .from = -1 };

/* What the child sees after container_net_setup(): "ok" or the first thing that is wrong. */
static const char *child_check(void)
{
	int found;
	if (container_net_setup(PEER_END, &addr, 24, &gw) < 0)
		return "container_net_setup failed";
	if (link_exists(PEER_END) || !link_exists("eth0"))
		return "the peer is not called eth0";
	if (!link_is_up("eth0") || !link_is_up("lo"))
		return "eth0 or lo is not up";
	if (count_addrs("eth0", &addr, 24, &found) != 1 || !found)
		return "eth0 has not 10.88.0.2/24 alone";
	if (!has_default_route("eth0", &gw) || !proc_has_default_route(&gw))
		return "no default route via 10.88.0.1 on eth0";
	return "ok";
}

/* The child: a network namespace, "r" when it is there; on "g", the setup and its checks, the
 * answer; then it waits for the end of its pipe, so that its namespace lives on until then. */
static void child_main(int in, int out)
{
	char c;
	int ok = unshare(CLONE_NEWNET | CLONE_NEWNS) == 0 &&
		 mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
		 mount("sysfs", "/sys", "sysfs", 0, NULL) == 0;
	if (write(out, ok ? "r" : "x", 1) != 1 || !ok)
		_exit(1);
	if (read(in, &c, 1) != 1 || c != 'g')
		_exit(1);
	const char *answer = child_check();
	if (write(out, answer, strlen(answer)) < 0)
		_exit(1);
	close(out);
	while (read(in, &c, 1) > 0)
		;
	_exit(0);
}

static void child_start(void)
{
	int to[2], from[2];
	assert_int_equal(pipe2(to, O_CLOEXEC), 0);
	assert_int_equal(pipe2(from, O_CLOEXEC), 0);
	kid.pid = fork();
	assert_true(kid.pid >= 0);
	if (kid.pid == 0) {
		close(to[1]);
		close(from[0]);
		child_main(to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	kid.to = to[1];
	kid.from = from[0];
	char c = 0;
	assert_int_equal(read(kid.from, &c, 1), 1);
	assert_int_equal(c, 'r');
}

/* Let the child go (by closing its pipe, or with SIGKILL if a test failed) and reap it; its
 * exit status. */
static int child_end(int kill_it)
{
	int status = -1;
	if (kid.pid > 0) {
		if (kill_it)
			kill(kid.pid, SIGKILL);
		close(kid.to);
		close(kid.from);
		while (waitpid(kid.pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	kid = (struct child){ .pid = -1, .to = -1, .from = -1 };
	return status;
}

/* Enter the child's network namespace (a socket made then is in it); the way back. */
static int enter_child_netns(void)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)kid.pid);
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(self >= 0 && fd >= 0);
	assert_int_equal(setns(fd, CLONE_NEWNET), 0);
	close(fd);
	return self;
}

static void leave_netns(int self)
{
	assert_int_equal(setns(self, CLONE_NEWNET), 0);
	close(self);
}

/* After any test, failed or not: no child, and no link left for the next test. */
static int teardown(void **state)
{
	(void)state;
	child_end(1);
	if (isolated) {
		link_delete(HOST_END);
		bridge_delete(BRIDGE);
	}
	return 0;
}

/* --- The tests. */

static void test_bridge_ensure(void **state)
{
	(void)state;
	if (!isolated)
		skip();
	int found;
	assert_int_equal(bridge_ensure(BRIDGE, &gw, 24), 0);
	assert_true(link_exists(BRIDGE "/bridge")); /* sysfs: a bridge has a bridge/ folder */
	assert_true(link_is_up(BRIDGE));
	assert_int_equal(count_addrs(BRIDGE, &gw, 24, &found), 1);
	assert_true(found);
	/* Again: nothing new, no second address. */
	assert_int_equal(bridge_ensure(BRIDGE, &gw, 24), 0);
	assert_int_equal(count_addrs(BRIDGE, &gw, 24, &found), 1);
	assert_true(found);
	/* A link that is not a bridge is never taken for one, nor deleted as one. */
	assert_int_equal(bridge_ensure("lo", &gw, 24), -1);
	assert_int_equal(bridge_delete("lo"), -1);
	assert_true(link_exists("lo"));

	assert_int_equal(bridge_delete(BRIDGE), 0);
	assert_false(link_exists(BRIDGE));
	assert_int_equal(bridge_delete(BRIDGE), 0);
	assert_int_equal(count_links(), 1);
}

static void test_refusals(void **state)
{
	(void)state;
	if (!isolated)
		skip();
	assert_int_equal(bridge_ensure("0123456789abcdef", &gw, 24), -1); /* 16 characters */
	/* libnl and the kernel refuse what the callers never pass; the bridge made first stays. */
	assert_int_equal(bridge_ensure(BRIDGE, &gw, 33), -1);
	assert_int_equal(bridge_delete(BRIDGE), 0);
	assert_int_equal(veth_create(HOST_END, PEER_END, BRIDGE, getpid()), -1); /* no bridge */
	assert_int_equal(container_net_setup(PEER_END, &addr, 24, &gw), -1);	 /* no peer */
	assert_int_equal(link_delete("nosuchlink"), 0);
	assert_int_equal(count_links(), 1);
}

static void test_veth_into_child(void **state)
{
	(void)state;
	if (!isolated)
		skip();
	char buf[64];
	int found;
	assert_int_equal(bridge_ensure(BRIDGE, &gw, 24), 0);
	child_start();
	assert_int_equal(veth_create(HOST_END, PEER_END, BRIDGE, kid.pid), 0);
	/* Here: the host end, up, in the bridge; the peer gone to the child's namespace. */
	assert_true(link_exists(HOST_END));
	assert_true(link_is_up(HOST_END));
	char master[PATH_MAX];
	ssize_t n = readlink("/sys/class/net/" HOST_END "/master", master, sizeof master - 1);
	assert_true(n > 0);
	master[n] = '\0';
	assert_string_equal(strrchr(master, '/') + 1, BRIDGE);
	assert_false(link_exists(PEER_END));
	/* The same names twice is an error, not a takeover. */
	assert_int_equal(veth_create(HOST_END, PEER_END, BRIDGE, kid.pid), -1);

	/* There: the child's setup and what it sees. */
	assert_int_equal(write(kid.to, "g", 1), 1);
	n = read(kid.from, buf, sizeof buf - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "ok");
	/* eth0 up at the other end gives this end a carrier. */
	assert_string_equal(sys_read(HOST_END, "carrier", buf, sizeof buf), "1");
	/* And what this process sees in the child's namespace. */
	int self = enter_child_netns();
	int addrs = count_addrs("eth0", &addr, 24, &found);
	int route = has_default_route("eth0", &gw);
	leave_netns(self);
	assert_int_equal(addrs, 1);
	assert_true(found);
	assert_true(route);

	/* Deleting the host end deletes the pair: eth0 is gone in there too. */
	assert_int_equal(link_delete(HOST_END), 0);
	assert_false(link_exists(HOST_END));
	self = enter_child_netns();
	struct nl_sock *sk = sock();
	int eth0 = sk ? ifindex_of(sk, "eth0") : -1;
	if (sk)
		nl_socket_free(sk);
	leave_netns(self);
	assert_int_equal(eth0, 0);
	assert_int_equal(link_delete(HOST_END), 0);

	int status = child_end(0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(bridge_delete(BRIDGE), 0);
	assert_int_equal(count_links(), 1);
}

int main(void)
{
	inet_pton(AF_INET, "10.88.0.1", &gw);
	inet_pton(AF_INET, "10.88.0.2", &addr);
	isolated = isolate() == 0;
	if (!isolated)
		print_message("netlink: no network namespace of its own (%s): skipped\n",
			      strerror(errno));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_bridge_ensure, teardown),
		cmocka_unit_test_teardown(test_refusals, teardown),
		cmocka_unit_test_teardown(test_veth_into_child, teardown),
	};
	return cmocka_run_group_tests_name("netlink", tests, NULL, NULL);
}
