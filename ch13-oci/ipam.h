/* ipam.h: IPv4 address management (ipam.c) for bridge networks: subnets (CIDR text, overlap,
 * the private pool a network's subnet is chosen from), and the addresses of one network, handed
 * out to containers and given back.
 *
 * A network's addresses are the file <dir>/ipam.json, {"10.1.2.2": "4f1c...e9", ...} (address
 * -> owner, a container ID). It is read and replaced whole (write_file_atomic) under an
 * exclusive flock() on <dir>, so concurrent `run`s each get an address of their own. The
 * network address, the gateway and the broadcast address are never handed out.
 *
 * Errors: -1 with errno, printing nothing, except that the functions of a network's file print
 * one line (warn/warn_errno) for an I/O error or a damaged file before they return -1. The
 * caller says what a refusal (EINVAL, ERANGE, EDOM, ENOSPC) means for the user. */
#ifndef MYDOCKER_IPAM_H
#define MYDOCKER_IPAM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct json_object;

/* An IPv4 network: its address (host bits clear) and the length of its prefix. Subnets made
 * from the host's routes may have any prefix, 0 to 32; those of networks /8 to /30. */
struct subnet {
	struct in_addr network;
	int prefix;
};

/* Room for "255.255.255.255/32" and its NUL. */
#define SUBNET_STRLEN 19

/* The prefixes a network may have: /8 is the largest private range (10/8); a /30 still has
 * two hosts, the gateway and one container. */
#define SUBNET_PREFIX_MIN 8
#define SUBNET_PREFIX_MAX 30

/* The most addresses one network holds at once, so its file stays small (about 6 MB): a /8
 * has 16M addresses, but no host runs that many containers. */
#define IPAM_MAX 65536

/* The longest owner: a container ID (64 hex digits). */
#define IPAM_OWNER_MAX 64

/* "A.B.C.D/N" to *OUT. EINVAL: not that form; ERANGE: N outside /8../30; EDOM: host bits are
 * set ("10.1.2.3/24": the network is 10.1.2.0/24; Docker would take it, we say so instead). */
int subnet_parse(const char *text, struct subnet *out);
/* "A.B.C.D/N" into BUF (SUBNET_STRLEN bytes or more); returns BUF. */
char *subnet_format(const struct subnet *s, char *buf, size_t size);
/* Do A and B share an address? (One contains the other.) */
bool subnet_overlap(const struct subnet *a, const struct subnet *b);
/* The first subnet of the private pool (172.18.0.0/16 ... 172.31.0.0/16, then 192.168.0.0/20,
 * 192.168.16.0/20 ... 192.168.240.0/20) that overlaps none of the N subnets USED; ENOSPC. */
int subnet_pick(const struct subnet *used, size_t n, struct subnet *out);
/* The default gateway: the first address after the network's (.1 of a /24). */
void subnet_gateway(const struct subnet *s, struct in_addr *gw);
/* Is A an address of a host of S: inside it, neither its network nor its broadcast address? */
bool subnet_host(const struct subnet *s, struct in_addr a);

/* Dotted IPv4 addresses, "10.1.2.3" (no other form: no "10.1.515", no leading zeros). */
int ipv4_parse(const char *text, struct in_addr *out);
/* Into BUF (INET_ADDRSTRLEN bytes or more); returns BUF. */
char *ipv4_format(struct in_addr a, char *buf, size_t size);

/* Give OWNER the lowest free address of network NET whose file is in DIR, not GATEWAY (NULL:
 * subnet_gateway()), into *OUT. An owner that holds one already gets it again. ENOSPC: none is
 * free; EINVAL: OWNER is not 1 to IPAM_OWNER_MAX of [0-9A-Za-z_.-]. */
int ipam_allocate(const char *dir, const struct subnet *net, const struct in_addr *gateway,
		  const char *owner, struct in_addr *out);
/* Give back what OWNER holds in DIR; 0 also when it holds nothing or DIR is gone. */
int ipam_release(const char *dir, const char *owner);
/* Does OWNER hold an address in DIR? (No lock: a look, for a teardown to know whether it has
 * anything to do.) */
bool ipam_holds(const char *dir, const char *owner);
/* How many addresses are held in DIR, or -1. */
int ipam_in_use(const char *dir);
/* For `network inspect`: { OWNER: { "IPv4Address": "A.B.C.D/PREFIX" }, ... } of DIR (empty if
 * its file cannot be read; that is printed). */
struct json_object *ipam_containers(const char *dir, int prefix);

#endif
