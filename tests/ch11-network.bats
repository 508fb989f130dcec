#!/usr/bin/env bats
# ch11-network: bridge networks. `network create|ls|rm|inspect` manage them (a bridge, a subnet
# whose addresses a file per network hands out, a masquerade rule); `run --network NAME` puts a
# container on one through a veth pair, with eth0, an address and a default route; `-p`
# publishes a port with DNAT, from the host's own 127.0.0.1 too. Every test runs in the fake
# host of tests/lib/sandbox (a network namespace of its own), joined by a veth pair to a second
# namespace, "the internet", where servers see what leaves the host.
# new-options: network --network --net -p --publish

load lib/helpers

KILL_PIDS=()
INET_PID="" # a process that holds the internet's network namespace (chapter_setup)

# The internet: 203.0.113.0/24 (TEST-NET-3), the host at .1 on uplink0, the internet at .2 on
# wan0, the host's default route through it. All of it in the sandbox's namespaces.
chapter_setup() {
	unshare --net sleep 3600 3>&- &
	INET_PID=$!
	KILL_PIDS+=("$INET_PID")
	settled eval '[[ $(readlink "/proc/$INET_PID/ns/net") != "$(readlink /proc/self/ns/net)" ]]'
	ip link add uplink0 type veth peer name wan0
	ip link set wan0 netns "$INET_PID"
	ip addr add 203.0.113.1/24 dev uplink0
	ip link set uplink0 up
	in_inet ip addr add 203.0.113.2/24 dev wan0
	in_inet ip link set wan0 up
	in_inet ip link set lo up
	ip route add default via 203.0.113.2
}

chapter_teardown() {
	local pid n
	for pid in "${KILL_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
	stop_detached_containers
	# The test's networks: their bridges and rules are in the fake host the file shares.
	for n in "$MYDOCKER_ROOT"/containers/*/; do [[ -d $n ]] && "$MYDOCKER" rm -f "$(basename "$n")" >/dev/null 2>&1; done
	for n in "$MYDOCKER_ROOT"/networks/*/; do [[ -d $n ]] && "$MYDOCKER" network rm "$(basename "$n")" >/dev/null 2>&1; done
	ip link delete uplink0 2>/dev/null || true
}

# nc: the host has no netcat of its own; busybox's (busybox-static, which makes the image).
nc() { busybox nc "$@"; }

# in_inet COMMAND...: run COMMAND in the internet's namespace.
in_inet() { nsenter --net="/proc/$INET_PID/ns/net" "$@"; }

# serve_once inet|host PORT FILE: a TCP server in the internet (or the fake host) that accepts
# one connection within 30 s, writes the peer's address to FILE and answers "hello". It holds
# none of bats' descriptors (bats would wait for it) and writes its PID to FILE.pid, which the
# teardown kills.
serve_once() {
	local prefix=()
	[[ $1 == host ]] || prefix=(in_inet)
	"${prefix[@]}" python3 -c '
import os, socket, sys
open(sys.argv[2] + ".pid", "w").write(str(os.getpid()))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.settimeout(30)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(1)
open(sys.argv[2] + ".ready", "w").close()
c, peer = s.accept(); open(sys.argv[2], "w").write(peer[0] + "\n"); c.sendall(b"hello\n"); c.close()
' "$2" "$3" </dev/null >/dev/null 2>&1 3>&- &
	settled test -e "$3.ready"
	KILL_PIDS+=("$(cat "$3.pid")")
}

# ctr_ip ID: the container's address, from `network inspect`.
ctr_ip() { "$MYDOCKER" network inspect "$2" | sed -n "/\"$1\"/,/}/s/.*\"IPv4Address\": \"\([0-9.]*\)\/.*/\1/p"; }

# links: the fake host's links but its own loopback and uplink; nft: mydocker's table.
links() { ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | grep -vx -e lo -e uplink0 | sort; }
nft_table() { nft list table ip mydocker 2>/dev/null; }

@test "network create, ls, inspect, rm: a bridge with the gateway address, a subnet of its own" {
	name="net-$RANDOM"
	run "$MYDOCKER" network create --subnet 10.77.0.0/16 "$name"
	assert_success
	assert_output --regexp '^[0-9a-f]{64}$'
	id=$output
	run "$MYDOCKER" network ls
	assert_line --index 0 --regexp '^NETWORK ID +NAME +DRIVER +SUBNET$'
	assert_line --regexp "^${id:0:12} +$name +bridge +10\.77\.0\.0/16$"
	# The bridge exists and has the gateway, 10.77.0.1.
	run ip -o -4 addr show dev "md-${id:0:12}"
	assert_output --partial "inet 10.77.0.1/16"
	run "$MYDOCKER" network inspect "$name"
	assert_output --partial "\"Name\": \"$name\""
	assert_output --partial "\"Subnet\": \"10.77.0.0/16\""
	assert_output --partial "\"Gateway\": \"10.77.0.1\""
	[[ $(cat /proc/sys/net/ipv4/ip_forward) == 1 ]]
	run "$MYDOCKER" network rm "$name"
	assert_success
	assert_output "$name"
	run ip link show "md-${id:0:12}"
	assert_failure
	refute_output --partial "net-${id:0:12}" < <(nft_table)
	run "$MYDOCKER" network ls
	refute_output --partial "$name"
}

@test "network create: bad subnets, overlaps with a network or a route of the host, a taken name: 125, one line, nothing made" {
	"$MYDOCKER" network create --subnet 10.9.0.0/16 n1 >/dev/null
	before=$(links)
	run -125 "$MYDOCKER" network create --subnet 10.0.0.0/33 bad
	assert_output --regexp '^mydocker network create: invalid --subnet "10\.0\.0\.0/33"'
	run -125 "$MYDOCKER" network create --subnet 10.9.1.0/24 n2
	assert_output --regexp '^mydocker network create: .*10\.9\.1\.0/24.* overlaps .*10\.9\.0\.0/16'
	run -125 "$MYDOCKER" network create --subnet 203.0.113.0/25 n3
	assert_output --regexp '^mydocker network create: .*203\.0\.113\.0/25.* overlaps .*203\.0\.113\.0/24'
	run -125 "$MYDOCKER" network create --subnet 10.10.0.0/16 --gateway 10.11.0.1 n4
	assert_output --regexp '^mydocker network create: .*gateway'
	run -125 "$MYDOCKER" network create n1
	assert_output --partial "n1"
	assert_equal "${#lines[@]}" 1
	assert_equal "$(links)" "$before"
	run "$MYDOCKER" network ls
	assert_equal "${#lines[@]}" 2
	# Without --subnet, one from the private pool that collides with nothing.
	run "$MYDOCKER" network create n5
	assert_success
	run "$MYDOCKER" network ls
	assert_line --regexp '^[0-9a-f]{12} +n5 +bridge +(172\.(1[6-9]|2[0-9]|3[01])|192\.168)\.[0-9.]+/[0-9]+$'
}

@test "two containers on one network reach each other by address; eth0, the route, /etc/hosts and /etc/resolv.conf" {
	"$MYDOCKER" network create --subnet 10.66.0.0/24 n1 >/dev/null
	a=$(run_d --network n1 --name srv -- sh -c 'echo pong | nc -l -p 7000')
	ip_a=$(ctr_ip "$a" n1)
	[[ $ip_a == 10.66.0.* && $ip_a != 10.66.0.1 ]]
	# The server may not listen yet (run -d returns once its command runs): retry for 5 s.
	run ctr --network n1 -- sh -c "i=0; until nc $ip_a 7000 </dev/null 2>/dev/null; do i=\$((i + 1)); [ \$i -lt 50 ] || break; sleep 0.1; done; ip -4 -o addr show eth0; ip route; cat /etc/hosts /etc/resolv.conf"
	assert_success
	assert_line pong
	assert_line --regexp '^[0-9]+: eth0 +inet 10\.66\.0\.[0-9]+/24 '
	assert_line --regexp '^default via 10\.66\.0\.1 dev eth0'
	assert_line --regexp "^10\\.66\\.0\\.[0-9]+[[:space:]]+[0-9a-f]{12}"
	assert_line --regexp '^nameserver '
}

@test "masquerade: a container reaches the internet, which sees the host's address" {
	"$MYDOCKER" network create --subnet 10.55.0.0/24 n1 >/dev/null
	serve_once inet 8000 "$TEST_TMP/peer"
	run ctr --network n1 -- nc 203.0.113.2 8000
	assert_success
	assert_output hello
	assert_equal "$(cat "$TEST_TMP/peer")" 203.0.113.1
}

@test "-p publishes a port: from the host's 127.0.0.1, from its outside address, and udp" {
	port=$(rand_between 20000 30000)
	id=$(run_d --network bridge -p "$port:80" -p "$((port + 1)):53/udp" -- sh -c "while :; do echo web | nc -l -p 80; done & $PROBE udp-echo 53 dns")
	# The server takes one connection at a time: between two, its loop starts the next nc, and
	# a connection that comes in that gap (wider on a loaded machine) is refused. So each check
	# retries, the one from outside too.
	settled eval "echo | busybox nc -w 2 127.0.0.1 $port | grep -q web"
	settled eval "in_inet busybox sh -c 'echo | busybox nc -w 2 203.0.113.1 $port' | grep -q web"
	run python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.sendto(b"q", ("127.0.0.1", int(sys.argv[1]))); print(s.recv(100).decode())' "$((port + 1))"
	assert_output dns
	run "$MYDOCKER" ps
	assert_line --regexp "0\\.0\\.0\\.0:$port->80/tcp, 0\\.0\\.0\\.0:$((port + 1))->53/udp"
	# Its rules are its own: removing it removes exactly them.
	[[ $(nft_table) == *"ctr-${id:0:12}"* ]]
	run "$MYDOCKER" rm -f "$id"
	assert_success
	[[ $(nft_table) != *"ctr-${id:0:12}"* ]]
	[[ $(nft_table) != *"$port"* ]]
}

@test "network rm is refused while a container uses the network" {
	"$MYDOCKER" network create n1 >/dev/null
	id=$(run_d --network n1 -- sleep 100)
	run "$MYDOCKER" network rm n1
	assert_failure
	assert_output --partial "n1"
	run "$MYDOCKER" rm -f "$id"
	assert_success
	run "$MYDOCKER" network rm n1
	assert_success
}

@test "300 containers started at once on a /23 get 300 distinct addresses" {
	"$MYDOCKER" network create --subnet 10.44.0.0/23 big >/dev/null
	# Under the sanitizers (make test-sanitize) each mydocker is many times slower and 300 of
	# them at once time out: 60 there, 300 everywhere else.
	local pids=() n=300
	[[ -z ${ASAN_OPTIONS:-} ]] || n=60
	for _ in $(seq "$n"); do
		run_d --network big -- sleep 120 >>"$TEST_TMP/ids" &
		pids+=("$!")
	done
	wait "${pids[@]}"
	assert_equal "$(wc -l <"$TEST_TMP/ids")" "$n"
	"$MYDOCKER" network inspect big | grep -o '"IPv4Address": "[0-9.]*' | sort | uniq -d >"$TEST_TMP/dups"
	[[ ! -s $TEST_TMP/dups ]]
	assert_equal "$("$MYDOCKER" network inspect big | grep -c '"IPv4Address"')" "$n"
}

@test "nothing is left after a failed run, a SIGKILLed run, rm -f and network rm: no veth, no rule, no address" {
	"$MYDOCKER" network create --subnet 10.33.0.0/24 n1 >/dev/null
	before=$(links)
	run -127 ctr --network n1 -p 8080:80 -- nosuch-command
	assert_equal "$(links)" "$before"
	[[ $(nft_table) != *ctr-* ]]
	assert_equal "$("$MYDOCKER" network inspect n1 | grep -c IPv4Address)" 0
	ctr_bg "$TEST_TMP/out" --network n1 -p 8081:80 -- sleep 100
	settled eval '[[ $(links) != "$before" ]]'
	kill -KILL "$(mydocker_pid)"
	wait_ctr
	settled eval '[[ $(links) == "$before" ]]'
	# A container that ends on its own gives its address, veth end and rules back at once,
	# though it is kept, exited, until rm.
	id=$(run_d --network n1 -p 8083:80 -- true)
	wait_status "$id" exited
	settled eval '[[ $(links) == "$before" ]]'
	[[ $(nft_table) != *ctr-* ]]
	assert_equal "$("$MYDOCKER" network inspect n1 | grep -c IPv4Address)" 0
	id=$(run_d --network n1 -p 8082:80 -- sleep 100)
	run "$MYDOCKER" rm -f "$id" "$(readlink "$MYDOCKER_ROOT"/names/* | head -n 1)"
	settled eval '[[ $(links) == "$before" ]]'
	[[ $(nft_table) != *ctr-* ]]
	assert_equal "$("$MYDOCKER" network inspect n1 | grep -c IPv4Address)" 0
	"$MYDOCKER" network rm n1
	[[ $(nft_table) != *net-* ]]
}

@test "bad specs are refused before anything is made: -p 70000:80, --network nosuch, --subnet junk" {
	before=$(links)
	run -125 ctr -p 70000:80 -- true
	assert_output --regexp '^mydocker run: invalid -p "70000:80"'
	run -125 ctr --network nosuch -- true
	assert_output "mydocker run: network nosuch not found"
	run -125 ctr -p 80 -- true
	assert_equal "${#lines[@]}" 1
	run -125 "$MYDOCKER" network create --subnet junk x
	assert_equal "${#lines[@]}" 1
	assert_equal "$(links)" "$before"
	[[ ! -e $MYDOCKER_ROOT/containers ]] || [[ -z $(ls "$MYDOCKER_ROOT/containers") ]]
}

@test "--network none has only a loopback, --network host the host's interfaces, --net is the same option" {
	run ctr --network none -- sh -c 'ls /sys/class/net'
	assert_output lo
	run ctr --net host -- sh -c 'ls /sys/class/net'
	assert_line uplink0
}
