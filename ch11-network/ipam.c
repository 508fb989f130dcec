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

/* The longest line of the file: "255.255.255.255 OWNER\n". */
#define LINE_MAX_LEN (INET_ADDRSTRLEN + IPAM_OWNER_MAX + 1)

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

struct entry {
	uint32_t addr; /* host order */
	char owner[IPAM_OWNER_MAX + 1];
};

/* The addresses held, sorted by address. */
struct table {
	struct entry *e;
	size_t n;
};

/* An owner is a word of a line of the file: no space, no newline, bounded. */
static bool valid_owner(const char *s)
{
	static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_.-";
	size_t len = strlen(s);
	return len >= 1 && len <= IPAM_OWNER_MAX && strspn(s, allowed) == len;
}

static int by_addr(const void *a, const void *b)
{
	uint32_t x = ((const struct entry *)a)->addr, y = ((const struct entry *)b)->addr;
	return x < y ? -1 : x > y;
}

static void table_add(struct table *t, uint32_t addr, const char *owner)
{
	t->e = xrealloc(t->e, (t->n + 1) * sizeof *t->e);
	t->e[t->n].addr = addr;
	snprintf(t->e[t->n].owner, sizeof t->e[t->n].owner, "%s", owner);
	t->n++;
}

/* One line, "A.B.C.D OWNER" without its newline, into T; -1 if it is not that. */
static int parse_line(char *line, struct table *t)
{
	char *space = strchr(line, ' ');
	struct in_addr a;
	if (!space || t->n >= IPAM_MAX)
		return -1;
	*space = '\0';
	if (ipv4_parse(line, &a) < 0 || !valid_owner(space + 1))
		return -1;
	table_add(t, ntohl(a.s_addr), space + 1);
	return 0;
}

/* TEXT, LEN bytes of the file PATH, into T. A line that makes no sense is said, and the file
 * refused: guessing could give one address to two containers. */
static int parse_text(char *text, size_t len, const char *path, struct table *t)
{
	int lineno = 1;
	if (strlen(text) != len) {
		warn("%s is damaged: it holds a NUL byte; remove it once no container runs", path);
		return errno = EINVAL, -1;
	}
	for (char *p = text; *p; lineno++) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (parse_line(p, t) < 0) {
			warn(
			    "%s:%d is damaged (want \"ADDRESS OWNER\", at most %d lines); remove the "
			    "file once no container runs",
			    path, lineno, IPAM_MAX);
			return errno = EINVAL, -1;
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	/* An empty table has no array, which qsort() must not get even for 0 entries. */
	if (t->n > 1)
		qsort(t->e, t->n, sizeof *t->e, by_addr);
	return 0;
}

/* Read DIR's file into T (empty if there is none). The read is bounded: IPAM_MAX lines of the
 * longest kind. */
static int table_load(const char *dir, struct table *t)
{
	char *path = path_join(dir, "ipam");
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	*t = (struct table){ 0 };
	if (fd < 0 && errno != ENOENT) {
		warn_errno("open %s", path);
		rc = -1;
	}
	if (fd >= 0) {
		size_t len;
		char *text = read_at_most(fd, (size_t)IPAM_MAX * LINE_MAX_LEN, &len);
		if (!text)
			warn_errno("read %s", path);
		else
			text[len] = '\0';
		rc = text ? parse_text(text, len, path, t) : -1;
		int err = errno;
		free(text);
		close(fd);
		errno = err;
	}
	if (rc < 0) { /* nothing half read for the caller */
		free(t->e);
		*t = (struct table){ 0 };
	}
	free(path);
	return rc;
}

/* Replace DIR's file with T, atomically: a reader sees the old file or the new one. */
static int table_save(const char *dir, const struct table *t)
{
	size_t size = t->n * LINE_MAX_LEN + 1, len = 0;
	char *text = xmalloc(size), addr[INET_ADDRSTRLEN];
	text[0] = '\0';
	for (size_t i = 0; i < t->n; i++) {
		struct in_addr a = { .s_addr = htonl(t->e[i].addr) };
		len += snprintf(text + len, size - len, "%s %s\n",
				ipv4_format(a, addr, sizeof addr), t->e[i].owner);
	}
	char *path = path_join(dir, "ipam");
	int rc = write_file_atomic(path, text);
	if (rc < 0)
		warn_errno("write %s", path);
	free(path);
	free(text);
	return rc;
}

/* The lock on DIR that every change of its file holds: read, change and replace are one step
 * for everyone else. */
static int table_lock(const char *dir)
{
	return lock_open(dir, O_DIRECTORY, LOCK_EX);
}

/* The lowest address from FIRST to LAST that is neither GW nor in the sorted T; 0 if none
 * (0.0.0.0 is never a host's address: it would be the network of a /8 or longer). */
static uint32_t lowest_free(uint32_t first, uint32_t last, uint32_t gw, const struct table *t)
{
	size_t i = 0;
	for (uint32_t a = first; a <= last; a++) {
		while (i < t->n && t->e[i].addr < a)
			i++;
		if (a != gw && (i == t->n || t->e[i].addr != a))
			return a;
	}
	return 0;
}

/* The address OWNER holds in T, or 0. */
static uint32_t held_by(const struct table *t, const char *owner)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].owner, owner))
			return t->e[i].addr;
	return 0;
}

/* Under the lock: OWNER's address in T, an old one or a new one added to T (*ADDED). */
static int choose(struct table *t, const struct subnet *net, uint32_t gw, const char *owner,
		  bool *added, uint32_t *out)
{
	uint32_t mask = netmask(net->prefix), first = ntohl(net->network.s_addr) + 1;
	uint32_t last = (ntohl(net->network.s_addr) | ~mask) - 1;
	*added = false;
	if ((*out = held_by(t, owner)))
		return 0;
	if (t->n >= IPAM_MAX || !(*out = lowest_free(first, last, gw, t)))
		return errno = ENOSPC, -1;
	table_add(t, *out, owner);
	qsort(t->e, t->n, sizeof *t->e, by_addr);
	*added = true;
	return 0;
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
	int lock = table_lock(dir);
	if (lock < 0) {
		warn_errno("lock %s", dir);
		return -1;
	}
	struct table t;
	bool added = false;
	uint32_t addr = 0;
	int rc = table_load(dir, &t);
	if (rc == 0)
		rc = choose(&t, net, ntohl(gw.s_addr), owner, &added, &addr);
	if (rc == 0 && added)
		rc = table_save(dir, &t);
	if (rc == 0)
		out->s_addr = htonl(addr);
	int err = errno;
	free(t.e);
	close(lock);
	errno = err;
	return rc;
}

/* Drop every entry of OWNER from T; how many there were. */
static size_t table_drop(struct table *t, const char *owner)
{
	size_t kept = 0;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->e[i].owner, owner))
			t->e[kept++] = t->e[i];
	size_t dropped = t->n - kept;
	t->n = kept;
	return dropped;
}

int ipam_release(const char *dir, const char *owner)
{
	int lock = table_lock(dir);
	if (lock < 0 && errno == ENOENT)
		return 0; /* the network is gone, and its addresses with it */
	if (lock < 0) {
		warn_errno("lock %s", dir);
		return -1;
	}
	struct table t;
	int rc = table_load(dir, &t);
	if (rc == 0 && table_drop(&t, owner) > 0)
		rc = table_save(dir, &t);
	int err = errno;
	free(t.e);
	close(lock);
	errno = err;
	return rc;
}

/* Readers take no lock: the file is only ever replaced whole. */
bool ipam_holds(const char *dir, const char *owner)
{
	struct table t;
	if (table_load(dir, &t) < 0)
		return false;
	bool held = held_by(&t, owner) != 0;
	free(t.e);
	return held;
}

int ipam_in_use(const char *dir)
{
	struct table t;
	if (table_load(dir, &t) < 0)
		return -1;
	free(t.e);
	return (int)t.n;
}

struct json_object *ipam_containers(const char *dir, int prefix)
{
	struct json_object *all = json_object_new_object();
	struct table t;
	if (table_load(dir, &t) < 0)
		return all;
	for (size_t i = 0; i < t.n; i++) {
		char addr[INET_ADDRSTRLEN], *cidr;
		struct in_addr a = { .s_addr = htonl(t.e[i].addr) };
		cidr = xasprintf("%s/%d", ipv4_format(a, addr, sizeof addr), prefix);
		struct json_object *c = json_object_new_object();
		json_object_object_add(c, "IPv4Address", json_object_new_string(cidr));
		json_object_object_add(all, t.e[i].owner, c);
		free(cidr);
	}
	free(t.e);
	return all;
}
