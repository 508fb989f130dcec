#!/usr/bin/env bats
# ch13-oci: runc's command line on an OCI bundle (a rootfs and a config.json):
#  - spec, create, start, state, kill, delete, list, run --bundle; the create/start split on
#    exec.fifo, the statuses created -> running -> stopped, and their rules;
#  - config.json mapped onto the container: process (args, env, cwd, user, capabilities,
#    rlimits, noNewPrivileges, terminal), root (readonly), hostname, mounts, namespaces (new
#    or joined by path), cgroupsPath and resources, masked and read-only paths, sysctl;
#  - a field mydocker does not implement that would weaken isolation is refused by name.
# new-options: spec create start state kill delete list pause resume features --bundle --process -f
# shellcheck disable=SC2016 # the container's shell expands what is in single quotes

load lib/helpers

chapter_setup() {
	BUNDLE=$TEST_TMP/bundle
	mkdir -p "$BUNDLE/rootfs"
	tar -xf "$TEST_IMAGE_TAR" -C "$BUNDLE/rootfs"
	chmod 755 "$BUNDLE/rootfs" # a user other than root must be able to reach /bin
	(cd "$BUNDLE" && "$MYDOCKER" spec) || return 1
	# Not a terminal (none is there to give it), a root that may be written to.
	spec_set '.process.terminal = false' '.root.readonly = false'
	# cgroup v2 has no devices controller and mydocker loads no eBPF program in its place: it
	# refuses device rules there (the test "device rules" checks that), so none are asked for.
	[[ -d /sys/fs/cgroup/devices ]] || spec_set 'del(.linux.resources.devices)'
}

chapter_teardown() {
	local id
	# Every container this test made from a bundle, killed and removed.
	for id in $("$MYDOCKER" list -q 2>/dev/null); do
		"$MYDOCKER" delete --force "$id" >/dev/null 2>&1 || true
	done
}

# spec_set FILTER...: change the bundle's config.json: each argument is a jq filter, applied
# in order (spec_set '.process.terminal = false' 'del(.hostname)').
spec_set() {
	local filter
	for filter in "$@"; do
		jq_config "$filter" || return 1
	done
}

# jq_config FILTER [JQ-ARG...]: the bundle's config.json replaced by what jq FILTER makes of it
# (written to a new file in the bundle, then moved over the old one); the JQ-ARGs come after the
# file on jq's command line.
jq_config() {
	jq "$1" "$BUNDLE/config.json" "${@:2}" >"$BUNDLE/config.json.new" || return 1
	mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# args WORD...: the process's arguments, exactly these words. After `--args --`, jq takes every
# word as a string, even one that looks like an option (sh's -c).
args() { jq_config '.process.args = $ARGS.positional' --args -- "$@"; }

# oci CMD...: mydocker with a time limit.
oci() { timeout -k 5 30 "$MYDOCKER" "$@"; }

# create [OPTION...] ID: create a container of the bundle. Its process keeps create's stdin,
# stdout and stderr (as runc's does) and so outlives the command: they are files, never the
# pipe that bats's `run` would wait on until the container ends.
create() { oci create --bundle "$BUNDLE" "$@" </dev/null >>"$TEST_TMP/ctr.out" 2>>"$TEST_TMP/ctr.err"; }

# status_of ID: the status `state` reports.
status_of() { oci state "$1" | jq -r .status; }
# is_status ID STATUS: for settled (tests/lib/leaks.bash), which retries it for 5 s.
is_status() { [[ $(status_of "$1") == "$2" ]]; }

@test "spec writes runc's default config.json, and refuses to overwrite one" {
	run jq -r '"\(.ociVersion[:2]) \(.root.path) \(.process.args | tojson) \(.process.cwd) \([.linux.namespaces[].type] | sort | tojson)"' "$BUNDLE/config.json"
	assert_output '1. rootfs ["sh"] / ["ipc","mount","network","pid","uts"]'
	run -1 oci spec --bundle "$BUNDLE"
	assert_equal "${#lines[@]}" 1
	assert_output --partial "config.json"
}

@test "create sets the container up and its process waits; start runs the program; then it is stopped until delete" {
	id=c$RANDOM
	mark=/tmp/ran-$RANDOM
	args sh -c "touch $mark; exec sleep 1000"
	create --pid-file "$TEST_TMP/pid" "$id"
	[[ ! -s $TEST_TMP/ctr.err ]]
	pid=$(cat "$TEST_TMP/pid")
	[[ -d /proc/$pid ]]
	assert_equal "$(status_of "$id")" created
	# Set up, but the program has not run: the mark is not there, its process waits.
	[[ ! -e $BUNDLE/rootfs$mark ]]
	run oci state "$id"
	assert_line --partial "\"pid\": $pid"
	assert_line --partial "\"bundle\": \"$BUNDLE\""
	run oci start "$id"
	assert_success
	settled test -e "$BUNDLE/rootfs$mark"
	assert_equal "$(status_of "$id")" running
	# The same process, now the program.
	assert_equal "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 "
	run -1 oci start "$id"
	run -1 oci delete "$id"
	assert_output --partial "not stopped: running"
	oci kill "$id" KILL
	settled is_status "$id" stopped
	run oci state "$id"
	assert_line --partial '"pid": 0'
	oci delete "$id"
	run -1 oci state "$id"
	assert_output --partial "does not exist"
	[[ ! -e $MYDOCKER_ROOT/containers/$id ]]
}

@test "run --bundle: the program's output and exit status, and nothing left" {
	id=r$RANDOM code=$(rand_between 1 120) word=w$RANDOM
	args sh -c "echo $word; echo err-$word >&2; exit $code"
	run -"$code" oci run --bundle "$BUNDLE" "$id"
	assert_line "$word"
	assert_line "err-$word"
	run -1 oci state "$id"
	[[ ! -e $MYDOCKER_ROOT/containers/$id ]]
}

@test "kill: names and numbers of signals, --all, and not once stopped; delete --force" {
	id=k$RANDOM code=$(rand_between 1 100)
	args sh -c "trap 'exit $code' USR1; while :; do sleep 0.1; done"
	create "$id"
	oci start "$id"
	run oci kill "$id" sigusr1
	assert_success
	settled is_status "$id" stopped
	run -1 oci kill "$id" KILL
	assert_output --partial "not running"
	oci delete "$id"
	id2=k2$RANDOM
	args sleep 1000
	create "$id2"
	oci start "$id2"
	run -1 oci kill "$id2" NOSUCHSIGNAL
	run oci delete --force "$id2"
	assert_success
	run -1 oci state "$id2"
	run oci delete --force "nosuch$RANDOM"
	assert_success
}

@test "list: table, json and -q, only bundles' containers" {
	a=a$RANDOM b=b$RANDOM
	args sleep 1000
	create "$a"
	create "$b"
	oci start "$b"
	run oci list -q
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' "$a" "$b" | sort)"
	run oci list -f json
	assert_output --partial "\"id\": \"$a\""
	run oci list
	assert_line --regexp "^$a +[0-9]+ +created "
	assert_line --regexp "^$b +[0-9]+ +running "
}

@test "errors: a bad ID, no bundle, an ID in use, a bad config: exit 1, one line, nothing left" {
	run -1 oci create --bundle "$BUNDLE" 'bad/id'
	run -1 oci create --bundle "$TEST_TMP/nosuch" "x$RANDOM"
	assert_equal "${#lines[@]}" 1
	id=e$RANDOM
	args sleep 1000
	create "$id"
	run -1 create "$id"
	assert_equal "$(tail -n 1 "$TEST_TMP/ctr.err")" "mydocker create: container with id exists: $id"
	oci delete --force "$id"
	spec_set '.process.args = []'
	run -1 oci create --bundle "$BUNDLE" "y$RANDOM"
	assert_equal "${#lines[@]}" 1
	assert_output --partial "process.args"
	[[ -z $(ls "$MYDOCKER_ROOT/containers") ]]
}

@test "config.json: hostname, env, cwd, user with groups, capabilities, rlimits, noNewPrivileges" {
	h=host$RANDOM v=v$RANDOM uid=$(rand_between 1000 60000) gid=$(rand_between 1000 60000)
	g1=$(rand_between 1000 60000) nofile=$(rand_between 100 1000)
	mkdir -p "$BUNDLE/rootfs/work$v"
	spec_set ".hostname = \"$h\"" ".process.env = [\"PATH=/bin:/sbin\", \"V=$v\"]" \
		".process.cwd = \"/work$v\"" \
		".process.user = {\"uid\": $uid, \"gid\": $gid, \"additionalGids\": [$g1]}" \
		".process.rlimits = [{\"type\": \"RLIMIT_NOFILE\", \"hard\": $nofile, \"soft\": $nofile}]" \
		'.process.noNewPrivileges = true' \
		'.process.capabilities = (["CAP_KILL", "CAP_NET_BIND_SERVICE"] as $c | {bounding: $c, effective: $c, permitted: $c})'
	args sh -c 'hostname; echo V=$V; pwd; probe ids; ulimit -n; grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status'
	run oci run --bundle "$BUNDLE" "u$RANDOM"
	assert_success
	assert_line "$h"
	assert_line "V=$v"
	assert_line "/work$v"
	assert_line "uid=$uid/$uid/$uid gid=$gid/$gid/$gid groups=$g1"
	assert_line "$nofile"
	assert_line --regexp '^CapBnd:[[:space:]]+0000000000000420$'
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
}

@test "hooks: each kind runs at its point with the state on stdin; a failing or slow one fails create" {
	id=h$RANDOM
	hook() { echo "{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"cat > $1\"]}"; }
	spec_set ".hooks = {
		\"prestart\": [$(hook "$TEST_TMP/prestart")],
		\"createRuntime\": [$(hook "$TEST_TMP/createRuntime")],
		\"createContainer\": [$(hook "$TEST_TMP/createContainer")],
		\"startContainer\": [$(hook /startContainer)],
		\"poststart\": [$(hook "$TEST_TMP/poststart")],
		\"poststop\": [$(hook "$TEST_TMP/poststop")]}"
	args sleep 1000
	create "$id"
	for k in prestart createRuntime createContainer; do
		grep -q "\"id\":\"$id\"" "$TEST_TMP/$k"
		grep -q '"status":"created"' "$TEST_TMP/$k"
	done
	[[ ! -e $TEST_TMP/poststart && ! -e $BUNDLE/rootfs/startContainer ]]
	oci start "$id"
	settled test -s "$BUNDLE/rootfs/startContainer"
	grep -q "\"id\":\"$id\"" "$BUNDLE/rootfs/startContainer"
	grep -q '"status":"running"' "$TEST_TMP/poststart"
	[[ ! -e $TEST_TMP/poststop ]]
	oci delete --force "$id"
	grep -q "\"id\":\"$id\"" "$TEST_TMP/poststop"
	# A prestart hook that fails, then one that takes longer than its timeout: create fails,
	# nothing is left.
	spec_set '.hooks = {"prestart": [{"path": "/bin/false"}]}'
	run -1 create "f$RANDOM"
	grep -q "prestart hook /bin/false failed" "$TEST_TMP/ctr.err"
	spec_set '.hooks = {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "20"], "timeout": 1}]}'
	SECONDS=0
	run -1 create "t$RANDOM"
	((SECONDS < 10))
	grep -q "timed out after 1 s" "$TEST_TMP/ctr.err"
	[[ -z $(ls "$MYDOCKER_ROOT/containers") ]]
}

@test "mounts, masked and read-only paths, a read-only root, sysctl, devices" {
	size=$(rand_between 1 64) v=v$RANDOM
	mkdir -p "$TEST_TMP/host$v" && echo "$v" >"$TEST_TMP/host$v/file"
	spec_set ".mounts += [{\"destination\": \"/scratch\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=${size}m\", \"nosuid\"]}]" \
		".mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$TEST_TMP/host$v\", \"options\": [\"rbind\", \"ro\"]}]" \
		'.root.readonly = true' \
		'.linux.sysctl = {"net.ipv4.ip_forward": "1"}' \
		'.linux.devices = [{"path": "/dev/mydev", "type": "c", "major": 1, "minor": 5, "fileMode": 438}]'
	args sh -c 'grep " /scratch " /proc/mounts; cat /data/file; touch /data/x 2>&1; touch /x 2>&1; cat /proc/kcore | wc -c; cat /proc/sys/net/ipv4/ip_forward; head -c 3 /dev/mydev | wc -c'
	run oci run --bundle "$BUNDLE" "m$RANDOM"
	assert_success
	assert_line --regexp "^tmpfs /scratch tmpfs rw,nosuid,.*size=$((size * 1024))k"
	assert_line "$v"
	assert_line --partial "/data/x: Read-only file system"
	assert_line --partial "/x: Read-only file system"
	assert_line 0
	assert_line 1
	assert_line 3
}

@test "namespaces: a new one of each kind listed, one joined by path, one not listed is the host's" {
	a=a$RANDOM
	args sleep 1000
	create "$a"
	pid=$(oci state "$a" | jq -r .pid)
	# b joins a's network namespace and has no UTS namespace of its own.
	spec_set ".linux.namespaces = [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"network\", \"path\": \"/proc/$pid/ns/net\"}]" \
		'del(.hostname)'
	args sh -c 'readlink /proc/self/ns/net; readlink /proc/self/ns/uts; readlink /proc/self/ns/pid'
	run oci run --bundle "$BUNDLE" "b$RANDOM"
	assert_success
	assert_line --index 0 "$(readlink "/proc/$pid/ns/net")"
	assert_line --index 1 "$(readlink /proc/self/ns/uts)"
	refute_line --index 2 "$(readlink /proc/self/ns/pid)"
}

# Named "cgroup: ..." so that the cgroup v2 VM lane (tests/vm/run) runs it too; the lane's root
# has jq (spec_set, args) but no python3, so no test of that name may use python3.
@test "cgroup: cgroupsPath and resources: the container's cgroup is where config.json says, with its limits" {
	mem=$(rand_between 8 64) pids=$(rand_between 10 100) leaf=leaf$RANDOM
	spec_set ".linux.cgroupsPath = \"/$MYDOCKER_CGROUP_PARENT/sub/$leaf\"" \
		".linux.resources.memory = {\"limit\": $((mem * 1048576))}" \
		".linux.resources.pids = {\"limit\": $pids}"
	args sleep 1000
	id=g$RANDOM
	create "$id"
	pid=$(oci state "$id" | jq -r .pid)
	grep -q ":/$MYDOCKER_CGROUP_PARENT/sub/$leaf\$" "/proc/$pid/cgroup"
	if [[ -d /sys/fs/cgroup/memory ]]; then
		assert_equal "$(cat "/sys/fs/cgroup/memory/$MYDOCKER_CGROUP_PARENT/sub/$leaf/memory.limit_in_bytes")" $((mem * 1048576))
		assert_equal "$(cat "/sys/fs/cgroup/pids/$MYDOCKER_CGROUP_PARENT/sub/$leaf/pids.max")" "$pids"
	else
		assert_equal "$(cat "/sys/fs/cgroup/$MYDOCKER_CGROUP_PARENT/sub/$leaf/memory.max")" $((mem * 1048576))
		assert_equal "$(cat "/sys/fs/cgroup/$MYDOCKER_CGROUP_PARENT/sub/$leaf/pids.max")" "$pids"
	fi
	oci delete --force "$id"
	[[ ! -e /sys/fs/cgroup/pids/$MYDOCKER_CGROUP_PARENT/sub/$leaf && ! -e /sys/fs/cgroup/$MYDOCKER_CGROUP_PARENT/sub/$leaf ]]
	# With a cgroup namespace of its own the container's cgroup is that namespace's root, "/":
	# its process joins the cgroup first and makes the namespace after, as runc's does.
	spec_set ".linux.cgroupsPath = \"/$MYDOCKER_CGROUP_PARENT/sub/ns$leaf\"" '.linux.namespaces += [{"type": "cgroup"}]'
	args cat /proc/self/cgroup
	run oci run --bundle "$BUNDLE" "n$RANDOM"
	assert_success
	if [[ -d /sys/fs/cgroup/memory ]]; then
		assert_line --regexp '^[0-9]+:memory:/$'
		assert_line --regexp '^[0-9]+:pids:/$'
	else
		assert_line '0::/'
	fi
	rmdir /sys/fs/cgroup/*/"$MYDOCKER_CGROUP_PARENT"/sub 2>/dev/null || rmdir "/sys/fs/cgroup/$MYDOCKER_CGROUP_PARENT/sub" 2>/dev/null || true
}

@test "what would weaken isolation and is not implemented is refused by name, exit 1, nothing left" {
	for field in '.linux.uidMappings = [{"containerID": 0, "hostID": 1000, "size": 1}]' \
		'.process.apparmorProfile = "unconfined"' \
		'.linux.namespaces += [{"type": "user"}]' \
		'.linux.resources.blockIO = {"weight": 10}' \
		'.linux.cgroupsPath = "system.slice:mydocker:x"' \
		'.mounts += [{"destination": "/t", "type": "tmpfs", "options": ["tmpcopyup"]}]'; do
		cp "$BUNDLE/config.json" "$TEST_TMP/saved.json"
		spec_set "$field"
		run -1 create "r$RANDOM"
		tail -n 1 "$TEST_TMP/ctr.err" | grep -qE '^mydocker create: config.json: (linux|process|mounts)'
		cp "$TEST_TMP/saved.json" "$BUNDLE/config.json"
	done
	[[ -z $(ls "$MYDOCKER_ROOT/containers") ]]
}

@test "a terminal: the pty's master goes to --console-socket; the program's terminal is a pty of the container" {
	id=t$RANDOM word=w$RANDOM
	sock=$TEST_TMP/console.sock
	spec_set '.process.terminal = true'
	args sh -c "tty; read line; echo got-\$line"
	# The engine's end (conmon's): take the master, type a line into it, print what comes back.
	python3 - "$sock" "$word" >"$TEST_TMP/console.out" 2>&1 <<'EOF_PY' &
import os, socket, sys, time
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen(1)
conn, _ = server.accept()
msg, fds, _, _ = socket.recv_fds(conn, 64, 1)
master = fds[0]
os.write(master, (sys.argv[2] + "\n").encode())
out, deadline = b"", time.time() + 20
while b"got-" + sys.argv[2].encode() not in out and time.time() < deadline:
    try:
        out += os.read(master, 4096)
    except OSError:
        break
print(out.decode(errors="replace"))
EOF_PY
	listener=$!
	settled test -S "$sock"
	create --console-socket "$sock" "$id"
	oci start "$id"
	wait "$listener"
	grep -q "^/dev/pts/0" "$TEST_TMP/console.out"
	grep -q "got-$word" "$TEST_TMP/console.out"
	# Without a socket, a terminal cannot be given: refused, nothing left.
	run -1 create "n$RANDOM"
	grep -q "console-socket" "$TEST_TMP/ctr.err"
}

@test "exec --process: another process of config.json's form, in the container; --detach with --pid-file" {
	id=x$RANDOM uid=$(rand_between 1000 60000) word=w$RANDOM
	args sleep 1000
	create "$id"
	oci start "$id"
	cat >"$TEST_TMP/process.json" <<EOF_JSON
{"args": ["sh", "-c", "echo $word; id -u; echo \$FOO"], "cwd": "/tmp", "env": ["PATH=/bin", "FOO=bar$word"],
 "user": {"uid": $uid, "gid": $uid}, "terminal": false}
EOF_JSON
	run oci exec --process "$TEST_TMP/process.json" "$id"
	assert_success
	assert_output "$word
$uid
bar$word"
	# Detached: exec returns at once; the PID file names the process, in the container's cgroup.
	cat >"$TEST_TMP/sleeper.json" <<EOF_JSON
{"args": ["sleep", "1000"], "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}}
EOF_JSON
	oci exec --process "$TEST_TMP/sleeper.json" --detach --pid-file "$TEST_TMP/exec.pid" "$id" </dev/null >/dev/null 2>&1
	pid=$(cat "$TEST_TMP/exec.pid")
	assert_equal "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 "
	assert_equal "$(readlink "/proc/$pid/ns/pid")" "$(readlink "/proc/$(oci state "$id" | jq -r .pid)/ns/pid")"
	oci delete --force "$id"
	settled eval "! kill -0 $pid 2>/dev/null"
}

@test "pause and resume: every process freezes (status paused), then goes on" {
	id=p$RANDOM
	args sh -c 'i=0; while :; do i=$((i + 1)); echo $i > /count; sleep 0.05; done'
	create "$id"
	run -1 oci pause "$id"
	assert_output --partial "is created, not running"
	oci start "$id"
	settled test -s "$BUNDLE/rootfs/count"
	oci pause "$id"
	assert_equal "$(status_of "$id")" paused
	before=$(cat "$BUNDLE/rootfs/count")
	sleep 0.5
	assert_equal "$(cat "$BUNDLE/rootfs/count")" "$before"
	oci resume "$id"
	assert_equal "$(status_of "$id")" running
	settled eval "(( \$(cat $BUNDLE/rootfs/count) > before ))"
	run -1 oci resume "$id"
}

@test "ps ID lists the container's processes (table and json); features says what config.json may hold" {
	id=q$RANDOM
	# sh runs the last command in its own place: two processes.
	args sh -c 'sleep 1001 & sleep 1002'
	create "$id"
	oci start "$id"
	settled eval "[[ \$(oci ps -f json $id | jq length) == 2 ]]"
	run oci ps "$id"
	assert_success
	assert_line --regexp 'sleep 1001$'
	assert_line --regexp 'sleep 1002$'
	run oci features
	assert_success
	jq -e '.hooks[0] == "prestart" and any(.mountOptions[]; . == "rbind") and any(.linux.capabilities[]; . == "CAP_SYS_ADMIN") and .linux.cgroup.systemd == false' <<<"$output" >/dev/null
}

@test "device rules: deny all (runc's default spec) leaves the usual devices; a node made inside cannot be opened" {
	if [[ ! -d /sys/fs/cgroup/devices ]]; then
		# cgroup v2: the rules would be an eBPF program, which mydocker does not load.
		spec_set '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
		args true
		run -1 oci run --bundle "$BUNDLE" "v$RANDOM"
		assert_output --partial "linux.resources.devices needs an eBPF program"
		return
	fi
	spec_set '.process.capabilities = (["CAP_MKNOD", "CAP_KILL"] as $c | {bounding: $c, effective: $c, permitted: $c})'
	# /dev/kmsg (1:11), opened for writing and closed: nothing is written to the host's log.
	args sh -c 'rm -f /tmp/kmsg; mknod /tmp/kmsg c 1 11 && true >/tmp/kmsg 2>/dev/null && echo kmsg-open; echo x >/dev/null && echo null-ok; head -c 1 /dev/zero | wc -c'
	run oci run --bundle "$BUNDLE" "d$RANDOM"
	assert_success
	refute_line kmsg-open
	assert_line null-ok
	assert_line 1
	# Without the rule the same node opens: the rules are what stopped it.
	spec_set '.linux.resources.devices = []'
	run oci run --bundle "$BUNDLE" "e$RANDOM"
	assert_line kmsg-open
}
