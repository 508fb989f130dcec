/* netlink.h: the link layer of a container's network, through libnl-route-3: a bridge on the
 * host, a veth pair from it into the container's network namespace, and eth0, its address and
 * its default route inside.
 *
 * Interface: every function returns 0 on success, or -1 after printing one line with warn()
 * that names the link and ends with libnl's nl_geterror() text. Each one opens its own netlink
 * socket, so it acts in the network namespace its caller is in when it is called.
 *
 * Names: a link name has at most 15 characters (IFNAMSIZ - 1). The host end of a veth pair
 * must be unique on the host, its peer unique in the namespace it moves to; the caller derives
 * both from the container ID, as "vm" and "vp" and the first 12 hex digits of it (14
 * characters). The peer keeps its name only until container_net_setup() calls it eth0: a
 * temporary name can never collide with the host's own eth0, were the peer to stay there. */
#ifndef MYDOCKER_NETLINK_H
#define MYDOCKER_NETLINK_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/types.h>

#include "ipam.h"

/* Create the bridge NAME if there is none, give it GW/PREFIX if it lacks that address, set it
 * up. Idempotent; -1 if NAME is a link but not a bridge. */
int bridge_ensure(const char *name, const struct in_addr *gw, int prefix);

/* Delete the bridge NAME; 0 if there is none, -1 if NAME is a link but not a bridge. */
int bridge_delete(const char *name);

/* Create the veth pair HOST_NAME - PEER_NAME: HOST_NAME enslaved to BRIDGE and up, PEER_NAME
 * (down) in the network namespace of process NETNS_PID. */
int veth_create(const char *host_name, const char *peer_name, const char *bridge, pid_t netns_pid);

/* Inside the container's network namespace: rename PEER_NAME to eth0, give it ADDR/PREFIX, set
 * it and lo up, and add a default route via GW. */
int container_net_setup(const char *peer_name, const struct in_addr *addr, int prefix,
			const struct in_addr *gw);

/* Delete the link NAME (either end of a veth pair deletes both); 0 if there is none, so a
 * teardown can run twice. */
int link_delete(const char *name);

/* The host's IPv4 routes of the main table but the default route, as subnets, for a new
 * network's to be checked against (malloc'd; *N of them; none if they cannot be read, said). */
struct subnet *host_routes(size_t *n);

#endif
