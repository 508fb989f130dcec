/* netlink.c: the links of a container's network (netlink.h), set up through libnl-route-3.
 *
 * Why rtnetlink, and why libnl: links, addresses and routes are made by messages to the kernel
 * over a NETLINK_ROUTE socket; `ip` is just a client of it. Running `ip` would make a static
 * binary depend on a program in whatever root it runs in, and turn errors into text to parse.
 * Hand-written messages would be the most code of the chapter, and a veth pair is where they go
 * wrong: its peer is a whole link message nested inside IFLA_LINKINFO. libnl builds and checks
 * those messages, waits for the kernel's acknowledgement, and maps its errno to nl_geterror()
 * text.
 *
 * Each call opens its own socket: a netlink socket acts in the network namespace it was made
 * in, so a caller that has just entered a container's namespace gets that one. */
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "die.h"
#include "netlink.h"
#include "util.h"

/* Stubs for the name lookups inside libnl's objects (GNUmakefile, NL_LIBS: --wrap). In a static
 * binary glibc would answer them by loading NSS modules from the root the process runs in,
 * which can be a container's; mydocker passes libnl only numeric addresses and never calls
 * them. */
int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		       struct addrinfo **res)
{
	(void)node, (void)service, (void)hints, (void)res;
	return EAI_FAIL;
}

struct protoent *__wrap_getprotobyname(const char *name)
{
	(void)name;
	return NULL;
}

struct protoent *__wrap_getprotobynumber(int proto)
{
	(void)proto;
	return NULL;
}

/* The name the peer of a veth pair has in the container. */
#define CONTAINER_IF "eth0"

/* Print "WHAT: libnl's text for ERR" (ERR < 0, an -NLE_* code) and return -1: the one way this
 * file fails. */
static int nl_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int nl_fail(int err, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	warn("%s: %s", what, nl_geterror(err));
	return -1;
}

/* A connected NETLINK_ROUTE socket in the caller's network namespace, or NULL. */
static struct nl_sock *nl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (!sk) {
		nl_fail(-NLE_NOMEM, "netlink socket");
		return NULL;
	}
	int err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		nl_fail(err, "netlink socket");
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

/* Whether ERR says there is no such link: the kernel's ENODEV is libnl's NLE_NODEV; libnl says
 * NLE_OBJ_NOTFOUND itself when an answer holds no link. */
static int no_link(int err)
{
	return err == -NLE_NODEV || err == -NLE_OBJ_NOTFOUND;
}

/* The link NAME as the kernel has it now, into *LINK: 0, 1 if there is none, -1. */
static int link_get(struct nl_sock *sk, const char *name, struct rtnl_link **link)
{
	int err = rtnl_link_get_kernel(sk, 0, name, link);
	if (no_link(err))
		return 1;
	if (err < 0)
		return nl_fail(err, "link %s", name);
	return 0;
}

/* As link_get(), but a missing link is an error. */
static int link_need(struct nl_sock *sk, const char *name, struct rtnl_link **link)
{
	int ret = link_get(sk, name, link);
	if (ret == 1)
		return nl_fail(-NLE_NODEV, "link %s", name);
	return ret;
}

/* The bridge NAME into *BR: 0, 1 if there is no link NAME, -1 (also if it is not a bridge: a
 * mistyped name must never delete or reconfigure some other link). */
static int bridge_get(struct nl_sock *sk, const char *name, struct rtnl_link **br)
{
	int ret = link_get(sk, name, br);
	if (ret != 0)
		return ret;
	const char *type = rtnl_link_get_type(*br);
	if (!type || strcmp(type, "bridge") != 0) {
		warn("link %s exists and is not a bridge (type %s)", name, type ? type : "none");
		rtnl_link_put(*br);
		*br = NULL;
		return -1;
	}
	return 0;
}

static int bridge_add(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *br = rtnl_link_bridge_alloc();
	if (!br)
		return nl_fail(-NLE_NOMEM, "bridge %s", name);
	rtnl_link_set_name(br, name);
	/* No NLM_F_EXCL: should another mydocker create it first, the kernel keeps that one. */
	int err = rtnl_link_add(sk, br, NLM_F_CREATE);
	rtnl_link_put(br);
	if (err < 0)
		return nl_fail(err, "create bridge %s", name);
	return 0;
}

/* Set LINK up, renamed to RENAME first unless that is NULL (the kernel renames only a link
 * that is down; one message does both, the rename first). */
static int link_up(struct nl_sock *sk, struct rtnl_link *link, const char *rename)
{
	const char *name = rtnl_link_get_name(link);
	struct rtnl_link *change = rtnl_link_alloc();
	if (!change)
		return nl_fail(-NLE_NOMEM, "set %s up", name);
	if (rename)
		rtnl_link_set_name(change, rename);
	rtnl_link_set_flags(change, IFF_UP);
	int err = rtnl_link_change(sk, link, change, 0);
	rtnl_link_put(change);
	if (err < 0)
		return nl_fail(err, "set %s up%s%s", name, rename ? " as " : "",
			       rename ? rename : "");
	return 0;
}

/* An IPv4 address for libnl, or NULL. */
static struct nl_addr *inet_nl(const struct in_addr *a, int prefix)
{
	struct nl_addr *na = nl_addr_build(AF_INET, a, sizeof *a);
	if (na)
		nl_addr_set_prefixlen(na, prefix);
	return na;
}

/* Give link IFINDEX (called NAME) the address A/PREFIX unless it has it already. */
static int addr_ensure(struct nl_sock *sk, int ifindex, const char *name, const struct in_addr *a,
		       int prefix)
{
	char text[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, a, text, sizeof text);
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local = inet_nl(a, prefix);
	int err = -NLE_NOMEM;
	if (ra && local) {
		rtnl_addr_set_ifindex(ra, ifindex);
		err = rtnl_addr_set_local(ra, local);
	}
	if (err == 0) {
		rtnl_addr_set_prefixlen(ra, prefix);
		err = rtnl_addr_add(sk, ra, 0);
	}
	/* Without NLM_F_REPLACE the kernel refuses an address the link has: it is there. */
	if (err == -NLE_EXIST)
		err = 0;
	if (local)
		nl_addr_put(local);
	if (ra)
		rtnl_addr_put(ra);
	if (err < 0)
		return nl_fail(err, "add address %s/%d to %s", text, prefix, name);
	return 0;
}

/* The route 0.0.0.0/0 via GW on link IFINDEX (called NAME), unless there is one. */
static int route_default(struct nl_sock *sk, int ifindex, const char *name,
			 const struct in_addr *gw)
{
	char text[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, gw, text, sizeof text);
	const struct in_addr any = { 0 };
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = inet_nl(&any, 0), *via = inet_nl(gw, 32);
	int err = -NLE_NOMEM;
	if (route && nh && dst && via)
		err = rtnl_route_set_dst(route, dst);
	if (err == 0) {
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_nh_set_gateway(nh, via);
		rtnl_route_add_nexthop(route, nh); /* the route owns it now */
		nh = NULL;
		err = rtnl_route_add(sk, route, 0);
	}
	if (err == -NLE_EXIST)
		err = 0;
	if (via)
		nl_addr_put(via);
	if (dst)
		nl_addr_put(dst);
	if (nh)
		rtnl_route_nh_free(nh);
	if (route)
		rtnl_route_put(route);
	if (err < 0)
		return nl_fail(err, "add default route via %s on %s", text, name);
	return 0;
}

/* Delete LINK; gone already is success (a container's namespace that ends takes its veth
 * pair with it). */
static int link_del(struct nl_sock *sk, struct rtnl_link *link)
{
	int err = rtnl_link_delete(sk, link);
	if (err < 0 && !no_link(err))
		return nl_fail(err, "delete link %s", rtnl_link_get_name(link));
	return 0;
}

int bridge_ensure(const char *name, const struct in_addr *gw, int prefix)
{
	struct nl_sock *sk = nl_open();
	if (!sk)
		return -1;
	struct rtnl_link *br = NULL;
	int ret = bridge_get(sk, name, &br);
	if (ret == 1)
		ret = bridge_add(sk, name) < 0 ? -1 : bridge_get(sk, name, &br);
	if (ret == 1) /* deleted as soon as made */
		ret = nl_fail(-NLE_NODEV, "bridge %s", name);
	if (ret == 0)
		ret = addr_ensure(sk, rtnl_link_get_ifindex(br), name, gw, prefix);
	if (ret == 0)
		ret = link_up(sk, br, NULL);
	if (br)
		rtnl_link_put(br);
	nl_socket_free(sk);
	return ret;
}

/* The pair HOST - PEER_NAME in one message: HOST up and enslaved to bridge MASTER, the peer
 * created straight in the network namespace of process PID. */
static int veth_add(struct nl_sock *sk, const char *host, const char *peer_name, int master,
		    pid_t pid)
{
	struct rtnl_link *veth = rtnl_link_veth_alloc();
	if (!veth)
		return nl_fail(-NLE_NOMEM, "veth %s", host);
	rtnl_link_set_name(veth, host);
	rtnl_link_set_master(veth, master);
	rtnl_link_set_flags(veth, IFF_UP);
	struct rtnl_link *peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(peer, peer_name);
	rtnl_link_set_ns_pid(peer, pid);
	rtnl_link_put(peer);
	/* NLM_F_EXCL: a name in use is another container's link, never one to take over. */
	int err = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(veth);
	if (err < 0)
		return nl_fail(err,
			       "create veth %s (peer %s in the network namespace of process %d)",
			       host, peer_name, (int)pid);
	return 0;
}

int veth_create(const char *host_name, const char *peer_name, const char *bridge, pid_t netns_pid)
{
	struct nl_sock *sk = nl_open();
	if (!sk)
		return -1;
	struct rtnl_link *br = NULL;
	int ret = bridge_get(sk, bridge, &br);
	if (ret == 1)
		ret = nl_fail(-NLE_NODEV, "bridge %s", bridge);
	if (ret == 0)
		ret = veth_add(sk, host_name, peer_name, rtnl_link_get_ifindex(br), netns_pid);
	if (br)
		rtnl_link_put(br);
	nl_socket_free(sk);
	return ret;
}

int container_net_setup(const char *peer_name, const struct in_addr *addr, int prefix,
			const struct in_addr *gw)
{
	struct nl_sock *sk = nl_open();
	if (!sk)
		return -1;
	struct rtnl_link *eth = NULL, *lo = NULL;
	int ret = link_need(sk, peer_name, &eth);
	if (ret == 0)
		ret = link_up(sk, eth, CONTAINER_IF);
	if (ret == 0)
		ret = addr_ensure(sk, rtnl_link_get_ifindex(eth), CONTAINER_IF, addr, prefix);
	if (ret == 0)
		ret = link_need(sk, "lo", &lo);
	if (ret == 0)
		ret = link_up(sk, lo, NULL);
	/* Last: the kernel takes a gateway only once a route of eth0's (its prefix) reaches it. */
	if (ret == 0)
		ret = route_default(sk, rtnl_link_get_ifindex(eth), CONTAINER_IF, gw);
	if (lo)
		rtnl_link_put(lo);
	if (eth)
		rtnl_link_put(eth);
	nl_socket_free(sk);
	return ret;
}

/* Delete the link NAME, refused unless it is a bridge if BRIDGE. */
static int delete_link(const char *name, bool bridge)
{
	struct nl_sock *sk = nl_open();
	if (!sk)
		return -1;
	struct rtnl_link *link = NULL;
	int ret = bridge ? bridge_get(sk, name, &link) : link_get(sk, name, &link);
	if (ret == 0)
		ret = link_del(sk, link);
	if (link)
		rtnl_link_put(link);
	nl_socket_free(sk);
	return ret < 0 ? -1 : 0; /* 1: there is none */
}

int bridge_delete(const char *name)
{
	return delete_link(name, true);
}

int link_delete(const char *name)
{
	return delete_link(name, false);
}

/* One route of the cache: its destination, if it is an IPv4 route of the main table with a
 * prefix (not the default route: a network may lie under it), into the array ARG points at. */
struct routes {
	struct subnet *list;
	size_t n;
};

static void add_route(struct nl_object *obj, void *arg)
{
	struct routes *r = arg;
	struct rtnl_route *route = (struct rtnl_route *)obj;
	struct nl_addr *dst = rtnl_route_get_dst(route);
	if (rtnl_route_get_family(route) != AF_INET ||
	    rtnl_route_get_table(route) != RT_TABLE_MAIN || !dst ||
	    nl_addr_get_prefixlen(dst) == 0 || nl_addr_get_len(dst) != 4)
		return;
	r->list = xrealloc(r->list, (r->n + 1) * sizeof *r->list);
	memcpy(&r->list[r->n].network, nl_addr_get_binary_addr(dst), 4);
	r->list[r->n++].prefix = nl_addr_get_prefixlen(dst);
}

struct subnet *host_routes(size_t *n)
{
	struct routes r = { 0 };
	struct nl_sock *sk = nl_open();
	struct nl_cache *cache = NULL;
	int err = sk ? rtnl_route_alloc_cache(sk, AF_INET, 0, &cache) : 0;
	if (err < 0)
		nl_fail(err, "list the routes");
	if (cache) {
		nl_cache_foreach(cache, add_route, &r);
		nl_cache_free(cache);
	}
	if (sk)
		nl_socket_free(sk);
	*n = r.n;
	return r.list;
}
