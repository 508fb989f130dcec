/* ipam.c: IPv4 address management, as Docker's default IPAM does it for bridge networks:
 * subnets as CIDR text, the private pool a network's subnet comes from when the user gives
 * none, and the file of a network's addresses (ipam.h shows it), which hands each container
 * the lowest free address and takes it back when the container is gone.
 *
 * Addresses are kept in host byte order inside this file (uint32_t), where arithmetic on them
 * is plain; struct in_addr, in network order, is what goes in and out. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <json-c/json.h>

#include "die.h"
#include "ipam.h"
#include "lock.h"
#include "util.h"

/* --- Subnets ------------------------------------------------------------------------------- */

/* The netmask of PREFIX, host order. A shift by 32 is undefined in C: /0 is spelled out. */
static uint32_t netmask(int prefix)
{
	return prefix <= 0 ? 0 : UINT32_MAX << (32 - prefix);
}

int ipv4_parse(const char *text, struct in_addr *out)
{
	/* inet_pton() takes only four dotted decimals, unlike inet_aton() ("10.1" and "012"
	 * would be other addresses than the user sees). */
	if (inet_pton(AF_INET, text, out) != 1)
		return errno = EINVAL, -1;
	return 0;
}

char *ipv4_format(struct in_addr a, char *buf, size_t size)
{
	if (!inet_ntop(AF_INET, &a, buf, size) && size > 0)
		buf[0] = '\0';
	return buf;
}

/* The digits after the '/': decimal, no sign, no space, no leading zero; -1 if not that. */
static int parse_prefix(const char *p)
{
	size_t len = strlen(p);
	if (len < 1 || len > 3 || strspn(p, "0123456789") != len || (p[0] == '0' && len > 1))
		return -1;
	return atoi(p);
}

int subnet_parse(const char *text, struct subnet *out)
{
	const char *slash = strchr(text, '/');
	char addr[INET_ADDRSTRLEN];
	struct in_addr a;
	if (!slash || (size_t)(slash - text) >= sizeof addr)
		return errno = EINVAL, -1;
	memcpy(addr, text, slash - text);
	addr[slash - text] = '\0';
	int prefix = parse_prefix(slash + 1);
	if (ipv4_parse(addr, &a) < 0 || prefix < 0)
		return errno = EINVAL, -1;
	if (prefix < SUBNET_PREFIX_MIN || prefix > SUBNET_PREFIX_MAX)
		return errno = ERANGE, -1;
	/* Docker would quietly take 10.1.2.3/24 as 10.1.2.0/24; a typo is likelier than that
	 * wish, so it is refused. */
	if (ntohl(a.s_addr) & ~netmask(prefix))
		return errno = EDOM, -1;
	out->network = a;
	out->prefix = prefix;
	return 0;
}

char *subnet_format(const struct subnet *s, char *buf, size_t size)
{
	char addr[INET_ADDRSTRLEN];
	snprintf(buf, size, "%s/%d", ipv4_format(s->network, addr, sizeof addr), s->prefix);
	return buf;
}

/* Two prefixes overlap exactly when the shorter one contains the other's network address. */
bool subnet_overlap(const struct subnet *a, const struct subnet *b)
{
	uint32_t mask = netmask(a->prefix < b->prefix ? a->prefix : b->prefix);
	return (ntohl(a->network.s_addr) & mask) == (ntohl(b->network.s_addr) & mask);
}

/* Docker's default pools, less 172.17.0.0/16: that is docker0's, and a Docker started on this
 * host later would find it taken by us. */
static const struct {
	uint32_t first; /* host order */
	int prefix;
	int count;
} pool[] = {
	{ 0xac120000, 16, 14 }, /* 172.18.0.0/16 ... 172.31.0.0/16 */
	{ 0xc0a80000, 20, 16 }, /* 192.168.0.0/20 ... 192.168.240.0/20 */
};

static bool overlaps_any(const struct subnet *s, const struct subnet *used, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (subnet_overlap(s, &used[i]))
			return true;
	return false;
}

int subnet_pick(const struct subnet *used, size_t n, struct subnet *out)
{
	for (size_t r = 0; r < sizeof pool / sizeof pool[0]; r++) {
		for (int i = 0; i < pool[r].count; i++) {
			uint32_t step = (uint32_t)1 << (32 - pool[r].prefix);
			struct subnet s = { .network.s_addr = htonl(pool[r].first + i * step),
					    .prefix = pool[r].prefix };
			if (!overlaps_any(&s, used, n)) {
				*out = s;
				return 0;
			}
		}
	}
	return errno = ENOSPC, -1;
}

void subnet_gateway(const struct subnet *s, struct in_addr *gw)
{
	gw->s_addr = htonl(ntohl(s->network.s_addr) + 1);
}

bool subnet_host(const struct subnet *s, struct in_addr a)
{
	uint32_t mask = netmask(s->prefix), net = ntohl(s->network.s_addr), host = ntohl(a.s_addr);
	return (host & mask) == net && host != net && host != (net | ~mask);
}

/* --- A network's file ---------------------------------------------------------------------- */

/* The file: a JSON object, address -> owner, {"10.1.2.2": "4f1c...e9", ...}, read and written
 * with json-c. */
static char *table_path(const char *dir)
{
	return path_join(dir, "ipam.json");
}

/* An owner is a container ID or a name: no space, no newline, bounded. */
static bool valid_owner(const char *s)
{
	static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_.-";
	size_t len = strlen(s);
	return len >= 1 && len <= IPAM_OWNER_MAX && strspn(s, allowed) == len;
}

/* Does every entry of T make sense? A file that does not is refused, not guessed at: a guess
 * could give one address to two containers. */
static bool table_valid(struct json_object *t)
{
	if (!json_object_is_type(t, json_type_object) || json_object_object_length(t) > IPAM_MAX)
		return false;
	struct in_addr a;
	json_object_object_foreach(t, addr, owner)
	{
		if (ipv4_parse(addr, &a) < 0 || !json_object_is_type(owner, json_type_string) ||
		    !valid_owner(json_object_get_string(owner)))
			return false;
	}
	return true;
}

/* DIR's table (empty if it has no file yet), or NULL after saying why. */
static struct json_object *table_load(const char *dir)
{
	char *path = table_path(dir);
	struct json_object *t = NULL;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		t = json_object_new_object();
	else if (!(t = json_object_from_file(path)) || !table_valid(t)) {
		warn("%s is damaged (%s); remove it once no container runs", path,
		     t ? "want {\"ADDRESS\": \"OWNER\", ...}" : json_util_get_last_err());
		json_object_put(t);
		t = NULL;
		errno = EINVAL;
	}
	free(path);
	return t;
}

/* Replace DIR's file with T, atomically: a reader sees the old file or the new one, so readers
 * take no lock. */
static int table_save(const char *dir, struct json_object *t)
{
	char *path = table_path(dir);
	int rc = write_file_atomic(path, json_object_to_json_string_ext(t, JSON_C_TO_STRING_PLAIN));
	if (rc < 0)
		warn_errno("write %s", path);
	free(path);
	return rc;
}

/* The address OWNER holds in T, or NULL. */
static const char *held_by(struct json_object *t, const char *owner)
{
	json_object_object_foreach(t, addr, o)
	{
		if (!strcmp(json_object_get_string(o), owner))
			return addr;
	}
	return NULL;
}

/* Under the lock: OWNER's address in T, an old one, or the lowest free one added to T. */
static int choose(struct json_object *t, const struct subnet *net, struct in_addr gw,
		  const char *owner, struct in_addr *out)
{
	const char *held = held_by(t, owner);
	if (held)
		return ipv4_parse(held, out);
	uint32_t mask = netmask(net->prefix), first = ntohl(net->network.s_addr) + 1;
	uint32_t last = (ntohl(net->network.s_addr) | ~mask) - 1;
	for (uint32_t a = first; a <= last && json_object_object_length(t) < IPAM_MAX; a++) {
		char text[INET_ADDRSTRLEN];
		out->s_addr = htonl(a);
		if (out->s_addr == gw.s_addr ||
		    json_object_object_get_ex(t, ipv4_format(*out, text, sizeof text), NULL))
			continue;
		json_object_object_add(t, text, json_object_new_string(owner));
		return 1;
	}
	return errno = ENOSPC, -1;
}

int ipam_allocate(const char *dir, const struct subnet *net, const struct in_addr *gateway,
		  const char *owner, struct in_addr *out)
{
	struct in_addr gw;
	if (!valid_owner(owner))
		return errno = EINVAL, -1;
	if (gateway)
		gw = *gateway;
	else
		subnet_gateway(net, &gw);
	int lock = lock_open(dir, O_DIRECTORY, LOCK_EX); /* read, change, replace: one step */
	if (lock < 0) {
		warn_errno("lock %s", dir);
		return -1;
	}
	struct json_object *t = table_load(dir);
	int rc = t ? choose(t, net, gw, owner, out) : -1;
	if (rc == 1) /* a new one */
		rc = table_save(dir, t);
	int err = errno;
	json_object_put(t);
	close(lock);
	errno = err;
	return rc < 0 ? -1 : 0;
}

int ipam_release(const char *dir, const char *owner)
{
	int lock = lock_open(dir, O_DIRECTORY, LOCK_EX);
	if (lock < 0 && errno == ENOENT)
		return 0; /* the network is gone, and its addresses with it */
	if (lock < 0) {
		warn_errno("lock %s", dir);
		return -1;
	}
	struct json_object *t = table_load(dir);
	const char *held = t ? held_by(t, owner) : NULL;
	int rc = t ? 0 : -1;
	if (held) {
		char addr[INET_ADDRSTRLEN];
		snprintf(addr, sizeof addr, "%s", held); /* the key is freed with its entry */
		json_object_object_del(t, addr);
		rc = table_save(dir, t);
	}
	int err = errno;
	json_object_put(t);
	close(lock);
	errno = err;
	return rc;
}

bool ipam_holds(const char *dir, const char *owner)
{
	struct json_object *t = table_load(dir);
	bool held = t && held_by(t, owner);
	json_object_put(t);
	return held;
}

int ipam_in_use(const char *dir)
{
	struct json_object *t = table_load(dir);
	int n = t ? json_object_object_length(t) : -1;
	json_object_put(t);
	return n;
}

struct json_object *ipam_containers(const char *dir, int prefix)
{
	struct json_object *all = json_object_new_object(), *t = table_load(dir);
	if (!t)
		return all;
	json_object_object_foreach(t, addr, owner)
	{
		char *cidr = xasprintf("%s/%d", addr, prefix);
		struct json_object *c = json_object_new_object();
		json_object_object_add(c, "IPv4Address", json_object_new_string(cidr));
		json_object_object_add(all, json_object_get_string(owner), c);
		free(cidr);
	}
	json_object_put(t);
	return all;
}
