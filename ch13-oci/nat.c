/* nat.c: masquerading and published ports with nftables (nat.h draws the table).
 *
 * The rules are written in nft's own language and handed to the `nft` tool (Debian's
 * nftables), one transaction per call: nft applies a script whole or not at all. Using the
 * tool keeps the static binary free of libnftables, which Debian ships only as a shared
 * library, and every rule here reads exactly as `nft list ruleset` prints it back.
 *
 * Why DNAT in output too: a connection to 127.0.0.1:PORT made on the host itself never passes
 * prerouting. And why the masquerade of 127.0.0.0/8 towards the bridges: after DNAT such a
 * packet would leave through the bridge with the source 127.0.0.1, which the container could
 * not answer; the bridge also needs route_localnet (network.c), or the kernel drops it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <json-c/json.h>

#include "die.h"
#include "nat.h"
#include "util.h"

#define NFT   "/usr/sbin/nft"
#define TABLE "ip mydocker"

/* Run one nft script (commands separated by newlines) as one transaction. 0, or -1 with
 * nft's first line of complaint in WHY. */
static int nft(const char *script, char *why, size_t size)
{
	char *argv[] = { "nft", (char *)script, NULL };
	return run_quietly(NFT, argv, -1, why, size);
}

/* The same, saying why it failed; ALLOW_GONE: an object that is not there counts as done. */
static int nft_do(const char *script, bool allow_gone)
{
	char why[512];
	if (nft(script, why, sizeof why) == 0)
		return 0;
	if (allow_gone && strstr(why, "No such file or directory"))
		return 0;
	warn("nft: %s", why);
	return -1;
}

/* The table, its two maps and its base chains, made once: `list` tells whether it is there
 * (the callers hold the networks lock, so two cannot make it at the same time). */
static int nat_table(void)
{
	char why[512];
	if (nft("list table " TABLE, why, sizeof why) == 0)
		return 0;
	return nft_do(
	    "add table " TABLE "\n"
	    "add map " TABLE " networks { type ipv4_addr : verdict ; flags interval ; }\n"
	    "add map " TABLE " published { type inet_proto . inet_service : verdict ; }\n"
	    "add chain " TABLE " prerouting { type nat hook prerouting priority dstnat ; }\n"
	    "add chain " TABLE " output { type nat hook output priority -100 ; }\n"
	    "add chain " TABLE " postrouting { type nat hook postrouting priority srcnat ; }\n"
	    "add rule " TABLE
	    " prerouting fib daddr type local meta l4proto . th dport vmap @published\n"
	    "add rule " TABLE
	    " output fib daddr type local meta l4proto . th dport vmap @published\n"
	    "add rule " TABLE " postrouting ip saddr vmap @networks\n"
	    "add rule " TABLE " postrouting oifname \"md-*\" ip saddr 127.0.0.0/8 masquerade\n",
	    false);
}

/* A chain and its rules are one transaction, the map elements that jump to it a second. With
 * nft 1.0.6 on this kernel one transaction that makes a map and an element jumping to a chain
 * made in it too is refused (ENOENT); the maps are made apart (nat_table), so this is caution:
 * one more nft run, and the refusal can never come back however the table is first made. */
int nat_network_add(const char *net_id, const char *subnet, const char *bridge)
{
	if (nat_table() < 0)
		return -1;
	char *chain = xasprintf("add chain " TABLE " net-%.12s\n"
				"add rule " TABLE " net-%.12s oifname != \"%s\" masquerade\n",
				net_id, net_id, bridge);
	char *element =
	    xasprintf("add element " TABLE " networks { %s : jump net-%.12s }", subnet, net_id);
	int rc = nft_do(chain, false) < 0 || nft_do(element, false) < 0 ? -1 : 0;
	if (rc < 0)
		nat_network_remove(net_id, subnet);
	free(chain);
	free(element);
	return rc;
}

int nat_network_remove(const char *net_id, const char *subnet)
{
	char *element = xasprintf("delete element " TABLE " networks { %s }", subnet);
	char *chain = xasprintf("delete chain " TABLE " net-%.12s", net_id);
	char *flush = xasprintf("flush chain " TABLE " net-%.12s", net_id);
	int rc = nft_do(element, true) | nft_do(flush, true) | nft_do(chain, true);
	free(element);
	free(chain);
	free(flush);
	return rc;
}

static const char *proto(const struct port *p)
{
	return p->udp ? "udp" : "tcp";
}

int nat_publish(const char *ctr_id, const struct in_addr *addr, const struct port *ports, size_t n)
{
	if (n == 0)
		return 0;
	char to[INET_ADDRSTRLEN], host[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, addr, to, sizeof to);
	size_t cap = 256 + n * 256, len = 0;
	char *script = xmalloc(cap);
	len += snprintf(script + len, cap - len, "add chain " TABLE " ctr-%.12s\n", ctr_id);
	for (size_t i = 0; i < n; i++) {
		const struct port *p = &ports[i];
		inet_ntop(AF_INET, &p->host_ip, host, sizeof host);
		len +=
		    snprintf(script + len, cap - len,
			     "add rule " TABLE " ctr-%.12s %s%s%s %s dport %u dnat to %s:%u\n",
			     ctr_id, p->any_ip ? "" : "ip daddr ", p->any_ip ? "" : host,
			     p->any_ip ? "" : " ", proto(p), p->host_port, to, p->container_port);
	}
	char why[512];
	int rc = nft(script, why, sizeof why);
	/* The elements in a transaction of their own (nat_network_add says why). */
	len = 0;
	for (size_t i = 0; i < n; i++)
		len += snprintf(script + len, cap - len,
				"add element " TABLE " published { %s . %u : jump ctr-%.12s }\n",
				proto(&ports[i]), ports[i].host_port, ctr_id);
	if (rc == 0)
		rc = nft(script, why, sizeof why);
	free(script);
	if (rc < 0 && strstr(why, "File exists"))
		warn("a published port is already allocated (another container publishes it)");
	else if (rc < 0)
		warn("nft: %s", why);
	if (rc < 0)
		nat_unpublish(ctr_id);
	return rc;
}

/* What `nft -j ARGS` prints (JSON), parsed; NULL if nft failed. */
static struct json_object *nft_json(const char *what)
{
	int out[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		return NULL;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0 && dup2(null, STDIN_FILENO) >= 0 && dup2(null, STDERR_FILENO) >= 0 &&
		    dup2(out[1], STDOUT_FILENO) >= 0)
			execl(NFT, "nft", "-j", what, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	size_t len = 0;
	char *text = pid < 0 ? NULL : read_at_most(out[0], 16 << 20, &len);
	close(out[0]);
	int status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (text)
		text[len] = '\0'; /* read_at_most() leaves room for it */
	struct json_object *j = status == 0 && text ? json_tokener_parse(text) : NULL;
	free(text);
	return j;
}

/* The elements of the published map that jump to CHAIN, as "tcp . 8080" strings, into KEYS
 * (at most MAX). Returns how many. */
static size_t published_to(const char *chain, char keys[][32], size_t max)
{
	struct json_object *all = nft_json("list map " TABLE " published"), *list, *map, *elems;
	size_t n = 0;
	if (!all || !json_object_object_get_ex(all, "nftables", &list)) {
		json_object_put(all);
		return 0;
	}
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		if (!json_object_object_get_ex(json_object_array_get_idx(list, i), "map", &map) ||
		    !json_object_object_get_ex(map, "elem", &elems))
			continue;
		for (size_t e = 0; e < json_object_array_length(elems) && n < max; e++) {
			/* [ {"concat": [PROTO, PORT]}, {"jump": {"target": CHAIN}} ] */
			struct json_object *elem = json_object_array_get_idx(elems, e), *concat,
					   *jump, *target;
			struct json_object *key = json_object_array_get_idx(elem, 0);
			struct json_object *verdict = json_object_array_get_idx(elem, 1);
			if (!json_object_object_get_ex(key, "concat", &concat) ||
			    !json_object_object_get_ex(verdict, "jump", &jump) ||
			    !json_object_object_get_ex(jump, "target", &target) ||
			    strcmp(json_object_get_string(target), chain))
				continue;
			snprintf(keys[n++], 32, "%s . %d",
				 json_object_get_string(json_object_array_get_idx(concat, 0)),
				 json_object_get_int(json_object_array_get_idx(concat, 1)));
		}
	}
	json_object_put(all);
	return n;
}

/* The container's elements are found in the map itself, not in a record: whatever a file says,
 * only what jumps to this container's chain is removed. */
int nat_unpublish(const char *ctr_id)
{
	char chain[32], keys[256][32];
	snprintf(chain, sizeof chain, "ctr-%.12s", ctr_id);
	size_t n = published_to(chain, keys, 256);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char *element = xasprintf("delete element " TABLE " published { %s }", keys[i]);
		rc |= nft_do(element, true);
		free(element);
	}
	char *flush = xasprintf("flush chain " TABLE " %s", chain);
	char *del = xasprintf("delete chain " TABLE " %s", chain);
	rc |= nft_do(flush, true) | nft_do(del, true);
	free(flush);
	free(del);
	return rc;
}

/* -p [IP:]HOST:CTR[/tcp|udp], as Docker takes it (without ranges and without a random host
 * port). 0, or -1 if it is not one. */
int parse_port(const char *spec, struct port *p)
{
	char buf[128];
	long long host, ctr;
	if (strlen(spec) >= sizeof buf)
		return -1;
	snprintf(buf, sizeof buf, "%s", spec);
	*p = (struct port){ .any_ip = true };
	char *slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		if (!strcmp(slash, "udp"))
			p->udp = true;
		else if (strcmp(slash, "tcp"))
			return -1;
	}
	char *last = strrchr(buf, ':');
	if (!last)
		return -1;
	*last++ = '\0';
	char *first = strrchr(buf, ':');
	const char *host_port = buf;
	if (first) {
		*first++ = '\0';
		host_port = first;
		if (inet_pton(AF_INET, buf, &p->host_ip) != 1)
			return -1;
		p->any_ip = false;
	}
	if (parse_long(host_port, 1, 65535, &host) < 0 || parse_long(last, 1, 65535, &ctr) < 0)
		return -1;
	p->host_port = host;
	p->container_port = ctr;
	return 0;
}
