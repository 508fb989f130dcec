/* network.h: bridge networks (network.c): `mydocker network create|ls|rm|inspect`, and a
 * container's place on one.
 *
 * A network is a directory, <root>/networks/NAME/, holding network.json (its ID, subnet,
 * gateway and bridge) and the file of its addresses (ipam.c); on the host it is a bridge,
 * md- and 12 hex digits of its ID, with the gateway address, and a masquerade rule (nat.c).
 *
 * Interface, for `run`: network_prepare() before the container is started (the network, made
 * if it is the default "bridge", and an address for the container, held under its ID);
 * network_connect() once its first process exists (the veth pair into its namespace, its
 * published ports); network_disconnect() when it ends or is removed, from its ID alone, any
 * number of times. */
#ifndef MYDOCKER_NETWORK_H
#define MYDOCKER_NETWORK_H

#include "container.h"

int cmd_network(int argc, char **argv);
int network_prepare(struct container *c);
int network_connect(struct container *c);
void network_disconnect(const char *id);

#endif
