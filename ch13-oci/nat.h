/* nat.h: address translation through nftables, in a table of mydocker's own (nat.c).
 *
 *   table ip mydocker
 *     map networks    source prefix     -> jump to that network's chain   (masquerade out)
 *     map published   protocol . port   -> jump to that container's chain (-p: DNAT in)
 *     chain net-ID    a network's masquerade rule
 *     chain ctr-ID    a container's DNAT rules, one per -p
 *
 * Every network and every container has a chain of its own and one element per key in a map
 * that points at it, so that removing one removes exactly its rules and nothing else.
 *
 * Interface: nat_network_add() when a network is created (its bridge exists), and
 * nat_network_remove() when it is removed; nat_publish() once a container has its address,
 * nat_unpublish() when it ends. The removals are idempotent: what is already gone is fine. */
#ifndef MYDOCKER_NAT_H
#define MYDOCKER_NAT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

/* One -p [IP:]HOST:CTR[/tcp|udp]. */
struct port {
	bool udp;		 /* /udp, else tcp */
	bool any_ip;		 /* no IP given: every address of the host */
	struct in_addr host_ip;	 /* the IP given */
	unsigned host_port;	 /* 1..65535 */
	unsigned container_port; /* 1..65535 */
};

int parse_port(const char *spec, struct port *p);

int nat_network_add(const char *net_id, const char *subnet, const char *bridge);
int nat_network_remove(const char *net_id, const char *subnet);
int nat_publish(const char *ctr_id, const struct in_addr *addr, const struct port *ports, size_t n);
int nat_unpublish(const char *ctr_id);

#endif
