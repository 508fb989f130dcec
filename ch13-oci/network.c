/* network.c: bridge networks, as `docker network` makes them (network.h says what a network
 * is on disk and on the host).
 *
 *   network create  pick or check the subnet (no overlap with another network or a route of
 *                   the host) --> network.json --> the bridge with the gateway address -->
 *                   ip_forward, route_localnet --> the masquerade rule
 *   network rm      refused while an address is held --> the rule, the bridge, the directory
 *
 * Every change of the set of networks happens under an exclusive lock on <root>/networks, so
 * two creates cannot both take one subnet or one name. Reading (ls, inspect) takes no lock:
 * network.json is written last and atomically, so a network without it is not there yet. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "die.h"
#include "image.h"
#include "ipam.h"
#include "lock.h"
#include "name.h"
#include "nat.h"
#include "netlink.h"
#include "network.h"
#include "opts.h"
#include "privs.h"
#include "state.h"
#include "util.h"

#define NETWORK_USAGE "mydocker network create|ls|rm|inspect ..."
#define CREATE_USAGE  "mydocker network create [--driver bridge] [--subnet CIDR] [--gateway IP] NAME"
#define LS_USAGE      "mydocker network ls"
#define RM_USAGE      "mydocker network rm NAME..."
#define INSPECT_USAGE "mydocker network inspect NAME..."

/* The network `run --network bridge` uses, made on first use, as Docker's default one. */
#define DEFAULT_NETWORK "bridge"

static const char network_help[] = "Usage: " NETWORK_USAGE "\n"
				   "\n"
				   "Manage bridge networks.\n"
				   "\n"
				   "Commands:\n"
				   "  create   Create a network: " CREATE_USAGE "\n"
				   "  ls       List networks\n"
				   "  rm       Remove networks no container uses\n"
				   "  inspect  Print networks and their containers as JSON\n";

struct network {
	char id[ID_LEN + 1];
	char name[256];
	struct subnet subnet;
	struct in_addr gateway;
	char bridge[16];
	char *dir; /* <root>/networks/NAME */
};

static char *networks_dir(void)
{
	return path_join(state_root, "networks");
}

/* --- The records --------------------------------------------------------------------------- */

/* Network N as `network inspect` shows it (Docker's field names), and as network.json keeps it. */
static struct json_object *network_json(const struct network *n)
{
	char subnet[SUBNET_STRLEN], gw[INET_ADDRSTRLEN];
	struct json_object *j = json_object_new_object(), *config = json_object_new_object();
	struct json_object *configs = json_object_new_array();
	json_object_object_add(j, "Name", json_object_new_string(n->name));
	json_object_object_add(j, "Id", json_object_new_string(n->id));
	json_object_object_add(j, "Driver", json_object_new_string("bridge"));
	json_object_object_add(j, "Bridge", json_object_new_string(n->bridge));
	json_object_object_add(
	    config, "Subnet",
	    json_object_new_string(subnet_format(&n->subnet, subnet, sizeof subnet)));
	json_object_object_add(config, "Gateway",
			       json_object_new_string(ipv4_format(n->gateway, gw, sizeof gw)));
	json_object_array_add(configs, config);
	json_object_object_add(j, "IPAM", configs);
	return j;
}

static int network_save(const struct network *n)
{
	struct json_object *j = network_json(n);
	char *path = path_join(n->dir, "network.json");
	int rc = write_file_atomic(path, json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	if (rc < 0)
		warn_errno("write %s", path);
	free(path);
	json_object_put(j);
	return rc;
}

static const char *string_of(struct json_object *j, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(j, key, &v) && json_object_is_type(v, json_type_string)
		   ? json_object_get_string(v)
		   : NULL;
}

/* Read network NAME: 0; -1 with errno ENOENT if there is none, EINVAL if its record makes no
 * sense. */
static int network_load(const char *name, struct network *n)
{
	memset(n, 0, sizeof *n);
	if (!valid_name(name))
		return errno = ENOENT, -1;
	char *networks = networks_dir();
	n->dir = path_join(networks, name);
	free(networks);
	char *path = path_join(n->dir, "network.json");
	struct json_object *j = json_object_from_file(path);
	free(path);
	if (!j) {
		int err = access(n->dir, F_OK) < 0 ? ENOENT : EINVAL;
		free(n->dir);
		n->dir = NULL;
		return errno = err, -1;
	}
	struct json_object *configs, *config = NULL;
	if (json_object_object_get_ex(j, "IPAM", &configs))
		config = json_object_array_get_idx(configs, 0); /* NULL if not an array */
	const char *id = string_of(j, "Id"), *bridge = string_of(j, "Bridge");
	const char *subnet = string_of(config, "Subnet"), *gw = string_of(config, "Gateway");
	int rc = id && valid_id(id) && subnet && subnet_parse(subnet, &n->subnet) == 0 && gw &&
			 inet_pton(AF_INET, gw, &n->gateway) == 1 && bridge && strlen(bridge) < 16
		     ? 0
		     : -1;
	if (rc == 0) {
		snprintf(n->id, sizeof n->id, "%s", id);
		snprintf(n->name, sizeof n->name, "%s", name);
		snprintf(n->bridge, sizeof n->bridge, "%s", bridge);
	} else {
		free(n->dir);
		n->dir = NULL;
		errno = EINVAL;
	}
	json_object_put(j);
	return rc;
}

static int network_entry(const struct dirent *e)
{
	return valid_name(e->d_name);
}

/* The names of the networks, sorted; their number in *N. */
static struct dirent **network_names(size_t *n)
{
	char *networks = networks_dir();
	struct dirent **names = NULL;
	int count = scandir(networks, &names, network_entry, alphasort);
	free(networks);
	*n = count < 0 ? 0 : (size_t)count;
	return names;
}

static void free_names(struct dirent **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* --- Creating and removing ----------------------------------------------------------------- */

/* The lock on <root>/networks (made if missing), held while the set of networks changes. */
static int networks_lock(void)
{
	char *networks = networks_dir();
	int fd = mkdir_p(networks, 0755) < 0 ? -1 : lock_open(networks, O_DIRECTORY, LOCK_EX);
	if (fd < 0)
		warn_errno("lock %s", networks);
	free(networks);
	return fd;
}

/* Write VALUE to the sysctl at PATH (a file of /proc/sys). */
static int sysctl_set(const char *path, const char *value)
{
	if (write_file(path, value) == 0)
		return 0;
	warn_errno("write %s", path);
	return -1;
}

/* The subnets in use: every network's, and every route of the host but its default route. */
static struct subnet *subnets_in_use(size_t *n)
{
	size_t names_n, routes_n;
	struct dirent **names = network_names(&names_n);
	struct subnet *routes = host_routes(&routes_n);
	struct subnet *used = xmalloc((names_n + routes_n + 1) * sizeof *used);
	*n = 0;
	for (size_t i = 0; i < names_n; i++) {
		struct network other;
		if (network_load(names[i]->d_name, &other) == 0) {
			used[(*n)++] = other.subnet;
			free(other.dir);
		}
	}
	for (size_t i = 0; i < routes_n; i++)
		used[(*n)++] = routes[i];
	free(routes);
	free_names(names, names_n);
	return used;
}

/* Undo what create_network() made, in the reverse order; each step may find nothing. */
static void network_remove(const struct network *n)
{
	char subnet[32];
	subnet_format(&n->subnet, subnet, sizeof subnet);
	nat_network_remove(n->id, subnet);
	bridge_delete(n->bridge);
	if (remove_tree(n->dir) < 0)
		warn_errno("remove %s", n->dir);
}

/* Check SUBNET against those in use; 0, or -1 after saying which it overlaps. */
static int check_overlap(const struct subnet *subnet, const char *arg)
{
	size_t n;
	struct subnet *used = subnets_in_use(&n);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (subnet_overlap(subnet, &used[i])) {
			char other[32];
			subnet_format(&used[i], other, sizeof other);
			warn(
			    "invalid --subnet \"%s\": it overlaps %s, a network's or a route of the host's",
			    arg, other);
			rc = -1;
		}
	}
	free(used);
	return rc;
}

/* Make network NAME, under the networks lock (the caller's). SUBNET and GATEWAY may be NULL:
 * chosen. The exit code for the user (125 for a bad request), 0 with *N filled. */
static int create_network(const char *name, const char *subnet_arg, const char *gw_arg,
			  struct network *n)
{
	memset(n, 0, sizeof *n);
	if (network_load(name, n) == 0 || errno != ENOENT) {
		free(n->dir);
		n->dir = NULL;
		warn("network with name %s already exists", name);
		return EXIT_RUNTIME;
	}
	if (subnet_arg) {
		if (subnet_parse(subnet_arg, &n->subnet) < 0) {
			warn("invalid --subnet \"%s\" (want an IPv4 network such as 10.1.0.0/16, "
			     "prefix /8 to /30)",
			     subnet_arg);
			return EXIT_RUNTIME;
		}
		if (check_overlap(&n->subnet, subnet_arg) < 0)
			return EXIT_RUNTIME;
	} else {
		size_t used_n;
		struct subnet *used = subnets_in_use(&used_n);
		int rc = subnet_pick(used, used_n, &n->subnet);
		free(used);
		if (rc < 0) {
			warn("no free subnet left in the private pool: give one with --subnet");
			return EXIT_RUNTIME;
		}
	}
	subnet_gateway(&n->subnet, &n->gateway);
	if (gw_arg && (inet_pton(AF_INET, gw_arg, &n->gateway) != 1 ||
		       !subnet_host(&n->subnet, n->gateway))) {
		warn("invalid --gateway \"%s\": not an address of the subnet's hosts", gw_arg);
		return EXIT_RUNTIME;
	}
	random_hex(n->id, ID_LEN);
	snprintf(n->name, sizeof n->name, "%s", name);
	snprintf(n->bridge, sizeof n->bridge, "md-%.12s", n->id);
	char *networks = networks_dir();
	n->dir = path_join(networks, name);
	free(networks);
	char subnet[32],
	    *localnet = xasprintf("/proc/sys/net/ipv4/conf/%s/route_localnet", n->bridge);
	subnet_format(&n->subnet, subnet, sizeof subnet);
	int rc = mkdir(n->dir, 0755) < 0 ? (warn_errno("mkdir %s", n->dir), -1) : 0;
	if (rc == 0)
		rc = bridge_ensure(n->bridge, &n->gateway, n->subnet.prefix);
	/* Forwarding between the bridge and the host's other links; 127.0.0.1 routed to the
	 * bridge, for published ports reached from the host itself (nat.c). */
	if (rc == 0)
		rc = sysctl_set("/proc/sys/net/ipv4/ip_forward", "1");
	if (rc == 0)
		rc = sysctl_set(localnet, "1");
	if (rc == 0)
		rc = nat_network_add(n->id, subnet, n->bridge);
	/* Last: until network.json is there, the network does not exist for anyone. */
	if (rc == 0)
		rc = network_save(n);
	free(localnet);
	if (rc < 0) {
		network_remove(n);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* --- The commands -------------------------------------------------------------------------- */

static int network_create_cmd(int argc, char **argv)
{
	static const char help[] =
	    "Usage: " CREATE_USAGE "\n"
	    "\n"
	    "Create a bridge network. Without --subnet, a free one of the\n"
	    "private ranges is chosen; without --gateway, its first address.\n"
	    "\n"
	    "Options:\n"
	    "      --driver bridge    the only driver\n"
	    "      --subnet CIDR      the network's addresses, /8 to /30\n"
	    "      --gateway IP       the bridge's address in it\n"
	    "      --help             print this help\n";
	static const struct option longopts[] = {
		{ "driver", required_argument, NULL, 'D' },
		{ "subnet", required_argument, NULL, 'S' },
		{ "gateway", required_argument, NULL, 'G' },
		OPT_HELP,
		{ 0 },
	};
	const char *subnet = NULL, *gateway = NULL;
	int c;
	while ((c = next_option(argc, argv, ":d:", longopts, help, CREATE_USAGE)) != -1) {
		if ((c == 'D' || c == 'd') && strcmp(optarg, "bridge"))
			die("unknown --driver \"%s\" (only bridge)", optarg);
		if (c == 'S')
			subnet = optarg;
		if (c == 'G')
			gateway = optarg;
	}
	if (optind != argc - 1)
		die("%s (usage: " CREATE_USAGE ")",
		    optind < argc ? "one network at a time" : "a network name is needed");
	const char *name = argv[optind];
	if (!valid_name(name))
		die("invalid network name \"%s\", only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
		    name);
	require_root();
	require_safe_root();
	int lock = networks_lock();
	if (lock < 0)
		return EXIT_RUNTIME;
	struct network n;
	int code = create_network(name, subnet, gateway, &n);
	if (code == 0)
		printf("%s\n", n.id);
	free(n.dir);
	close(lock);
	return code;
}

static int network_ls_cmd(int argc, char **argv)
{
	static const char help[] = "Usage: " LS_USAGE "\n\nList networks.\n";
	no_options(argc, argv, help, LS_USAGE);
	if (optind != argc)
		die("unexpected argument %s (usage: " LS_USAGE ")", argv[optind]);
	require_root();
	require_safe_root();
	size_t count;
	struct dirent **names = network_names(&count);
	size_t width = strlen("NAME");
	for (size_t i = 0; i < count; i++)
		if (strlen(names[i]->d_name) > width)
			width = strlen(names[i]->d_name);
	printf("%-15s%-*s   %-10s%s\n", "NETWORK ID", (int)width, "NAME", "DRIVER", "SUBNET");
	for (size_t i = 0; i < count; i++) {
		struct network n;
		if (network_load(names[i]->d_name, &n) < 0)
			continue; /* being created or removed */
		char subnet[32];
		subnet_format(&n.subnet, subnet, sizeof subnet);
		printf("%-15.12s%-*s   %-10s%s\n", n.id, (int)width, n.name, "bridge", subnet);
		free(n.dir);
	}
	free_names(names, count);
	return 0;
}

/* The start of rm and inspect: no options, one network name or more, as root. */
static void names_needed(int argc, char **argv, const char *help, const char *usage)
{
	no_options(argc, argv, help, usage);
	if (optind >= argc)
		die("a network name is needed (usage: %s)", usage);
	require_root();
	require_safe_root();
}

/* FN(network, ARG) for each network named from argv[optind] on; the exit code: 1 if one is not
 * there or FN returned 1 for one. */
static int each_network(int argc, char **argv, int (*fn)(const struct network *n, void *arg),
			void *arg)
{
	int code = 0;
	for (int i = optind; i < argc; i++) {
		struct network n;
		if (network_load(argv[i], &n) < 0) {
			fprintf(stderr, "Error: No such network: %s\n", argv[i]);
			code = 1;
			continue;
		}
		code |= fn(&n, arg);
		free(n.dir);
	}
	return code;
}

static int remove_unused(const struct network *n, void *arg)
{
	(void)arg;
	int used = ipam_in_use(n->dir);
	if (used != 0) {
		warn("network %s is in use by %d container%s: remove %s first", n->name, used,
		     used == 1 ? "" : "s", used == 1 ? "it" : "them");
		return 1;
	}
	network_remove(n);
	printf("%s\n", n->name);
	return 0;
}

static int network_rm_cmd(int argc, char **argv)
{
	static const char help[] = "Usage: " RM_USAGE "\n"
				   "\n"
				   "Remove networks that no container is on.\n";
	names_needed(argc, argv, help, RM_USAGE);
	int lock = networks_lock();
	if (lock < 0)
		return EXIT_RUNTIME;
	int code = each_network(argc, argv, remove_unused, NULL);
	close(lock);
	return code;
}

static int add_inspected(const struct network *n, void *all)
{
	struct json_object *j = network_json(n);
	json_object_object_add(j, "Containers", ipam_containers(n->dir, n->subnet.prefix));
	json_object_array_add(all, j);
	return 0;
}

static int network_inspect_cmd(int argc, char **argv)
{
	static const char help[] =
	    "Usage: " INSPECT_USAGE "\n"
	    "\n"
	    "Print networks as JSON, with the addresses of their containers.\n";
	names_needed(argc, argv, help, INSPECT_USAGE);
	struct json_object *all = json_object_new_array();
	int code = each_network(argc, argv, add_inspected, all);
	printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(all);
	return code;
}

int cmd_network(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{ "create", network_create_cmd },
		{ "ls", network_ls_cmd },
		{ "rm", network_rm_cmd },
		{ "inspect", network_inspect_cmd },
	};
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		fputs(network_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_RUNTIME : 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			/* Messages say which: "mydocker network create: ...". */
			static char name[32];
			snprintf(name, sizeof name, "network %s", commands[i].name);
			report_command(name);
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	die("unknown command \"network %s\" (usage: " NETWORK_USAGE ")", argv[1]);
}

/* --- A container on a network --------------------------------------------------------------- */

/* resolv.conf for a container: the host's, without nameservers on 127.0.0.0/8 (a resolver on
 * the host's loopback, systemd-resolved's 127.0.0.53, is not reachable from the container's own
 * loopback); with none left, Google's public ones, as Docker does. */
static char *resolv_conf(void)
{
	size_t len = 0;
	int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	char *host = fd < 0 ? NULL : read_at_most(fd, 64 * 1024, &len);
	if (fd >= 0)
		close(fd);
	if (host)
		host[len] = '\0'; /* read_at_most() leaves room for it */
	char *out = xstrdup("");
	bool any = false;
	for (char *line = host, *next; line && *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		bool server = str_starts_with(line, "nameserver");
		if (server && strstr(line, " 127."))
			continue;
		any |= server;
		char *more = xasprintf("%s%s\n", out, line);
		free(out);
		out = more;
	}
	free(host);
	if (!any) {
		char *more = xasprintf("%snameserver 8.8.8.8\nnameserver 8.8.4.4\n", out);
		free(out);
		out = more;
	}
	return out;
}

/* The container's /etc/hosts, /etc/hostname and /etc/resolv.conf, written in its directory;
 * rootfs.c binds them over the image's, as Docker does (a commit keeps the image's). */
static int network_files(const struct container *c)
{
	char addr[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &c->net.addr, addr, sizeof addr);
	const char *hostname = c->opts->hostname;
	char *host = hostname ? xstrdup(hostname) : xasprintf("%.*s", SHORT_ID_LEN, c->id);
	char *files[3][2] = {
		{ "hosts",
		  xasprintf("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			    "%s\t%s %s\n",
			    addr, host, c->name) },
		{ "hostname", xasprintf("%s\n", host) },
		{ "resolv.conf", resolv_conf() },
	};
	int rc = 0;
	for (int i = 0; i < 3; i++) {
		char *path = path_join(c->dir, files[i][0]);
		if (rc == 0 && write_file_atomic(path, files[i][1]) < 0) {
			warn_errno("write %s", path);
			rc = -1;
		}
		free(path);
		free(files[i][1]);
	}
	free(host);
	return rc;
}

int network_prepare(struct container *c)
{
	const char *name = c->opts->network;
	c->net = (struct netcfg){ 0 };
	if (!name)
		return 0;
	if (!strcmp(name, "host")) {
		c->net.host = true;
		return 0;
	}
	/* Under the networks lock: `network rm` cannot take the network away between the look
	 * and the address, and two first users of "bridge" do not both make it. */
	int lock = networks_lock();
	if (lock < 0)
		return -1;
	struct network n;
	int rc = network_load(name, &n);
	if (rc < 0 && errno == ENOENT && !strcmp(name, DEFAULT_NETWORK))
		rc = create_network(name, NULL, NULL, &n) ? -1 : 0; /* made on first use */
	else if (rc < 0 && errno == ENOENT)
		warn("network %s not found", name);
	else if (rc < 0)
		warn_errno("read the record of network %s", name);
	if (rc == 0) {
		rc = ipam_allocate(n.dir, &n.subnet, &n.gateway, c->id, &c->net.addr);
		if (rc < 0 && errno == ENOSPC)
			warn("network %s has no free address left", name);
		else if (rc < 0)
			warn_errno("network %s: no address for the container", name);
	}
	close(lock);
	if (rc < 0) {
		free(n.dir);
		return -1;
	}
	c->net.bridged = true;
	c->net.gateway = n.gateway;
	c->net.prefix = n.subnet.prefix;
	snprintf(c->net.bridge, sizeof c->net.bridge, "%s", n.bridge);
	snprintf(c->net.host_if, sizeof c->net.host_if, "vm%.12s", c->id);
	snprintf(c->net.peer_if, sizeof c->net.peer_if, "vp%.12s", c->id);
	free(n.dir);
	return network_files(c);
}

int network_connect(struct container *c)
{
	if (!c->net.bridged)
		return 0;
	if (veth_create(c->net.host_if, c->net.peer_if, c->net.bridge, c->pid) < 0)
		return -1;
	return nat_publish(c->id, &c->net.addr, c->opts->ports, c->opts->nports);
}

void network_disconnect(const char *id)
{
	/* The address is given back last: while it is held, there may be more to remove, and a
	 * teardown cut short is finished by the next one. A container that held none (none, host,
	 * or long removed) costs no nft run. */
	size_t n;
	struct dirent **names = network_names(&n);
	char *networks = networks_dir();
	for (size_t i = 0; i < n; i++) {
		char *dir = path_join(networks, names[i]->d_name);
		if (ipam_holds(dir, id)) {
			char host_if[16];
			snprintf(host_if, sizeof host_if, "vm%.12s", id);
			link_delete(host_if);
			nat_unpublish(id);
			ipam_release(dir, id);
		}
		free(dir);
	}
	free(networks);
	free_names(names, n);
}
