/* logs.c: `mydocker logs`: what a container wrote, read back from the log its supervisor
 * relayed it into (relay.h: one CRI entry per line, with its time and stream). The entries are
 * in the order they were read, so stdout and stderr come back interleaved as they were
 * written; each goes back to the stream it came from, its bytes unchanged.
 *
 * The log may be several files (--log-opt max-file): ctr.log.N is the oldest, ctr.log the
 * newest. --tail N reads them from the end, and only as far back as N lines go: a large log
 * is not read whole. -f follows ctr.log, across its rotation, until the container's supervisor
 * has exited: it writes the exit down only once the output is drained, so nothing comes after.
 * logs only reads: it takes no lock and writes nothing. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container.h"
#include "die.h"
#include "image.h"
#include "logs.h"
#include "privs.h"
#include "relay.h"
#include "state.h"
#include "util.h"

#define LOGS_USAGE "mydocker logs [-f] [-t] [--tail N] [--since T] [--until T] CONTAINER"

static const char logs_help[] =
    "Usage: " LOGS_USAGE "\n"
    "\n"
    "Print what a container wrote, in the order it wrote it: its stdout to stdout, its\n"
    "stderr to stderr.\n"
    "\n"
    "Options:\n"
    "  -f, --follow           keep printing until the container exits\n"
    "  -t, --timestamps       start every line with the time it was written\n"
    "  -n, --tail N           only the last N lines (or all)\n"
    "      --since T          only what was written at or after T\n"
    "      --until T          only what was written at or before T\n"
    "      --help             print this help\n"
    "\n"
    "T is a time in UTC (2026-12-04T05:42:04Z, with or without a fraction of a second, or a\n"
    "date), Unix seconds (1764826924.5), or how long ago (30s, 10m, 1h30m).\n";

/* What to print, and where the printing is. */
struct reader {
	bool times;		      /* -t */
	struct timespec since, until; /* --since, --until; zero: not given */
	FILE *in;		      /* the log file being read */
	char *path;		      /* <dir>/ctr.log, the newest */
	int last;		      /* the stream printed last: flushed when the other comes */
	bool midline[2];	      /* a stream's last entry was a piece (P): its line goes on */
	char *entry;		      /* getline()'s buffer */
	size_t size;
};

/* --- Where --tail starts ------------------------------------------------------------------ */

/* Is the entry at START..END of FD a line's end (F), not a piece of one (P)? An entry cut
 * short (a supervisor killed while writing) ends its line. */
static bool ends_line(int fd, off_t start, off_t end)
{
	char tag;
	return start + LOG_TAG_AT >= end || pread(fd, &tag, 1, start + LOG_TAG_AT) != 1 ||
	       tag != 'P';
}

/* Walk FD's entries from its end, counting the ends of lines, and return where the one after
 * the *WANT-th begins; 0 if the file has fewer, with *WANT less what it had. LAST: the file's
 * last entry ends a line even if it is a piece (a line the container has not ended). */
off_t tail_start(int fd, long long *want, bool last)
{
	char buf[65536];
	off_t size = lseek(fd, 0, SEEK_END), end = size, at = size; /* buf holds [at, at+len) */
	size_t len = 0;
	if (size <= 0)
		return 0;
	for (off_t i = size - 2;; i--) {
		if (i >= 0 && i < at) { /* the next block back */
			len = i + 1 < (off_t)sizeof buf ? (size_t)i + 1 : sizeof buf;
			at = i + 1 - len;
			if (pread(fd, buf, len, at) != (ssize_t)len)
				return 0;
		}
		if (i >= 0 && buf[i - at] != '\n')
			continue;
		/* An entry: from after the newline at I to END. */
		if ((last || ends_line(fd, i + 1, end)) && --*want == 0)
			return end;
		last = false;
		end = i + 1;
		if (i < 0)
			return 0;
	}
}

/* The log's files, oldest first: ctr.log.N, ..., ctr.log.1, ctr.log. */
static char **log_files(const char *path, int *n)
{
	int older = 0;
	for (;; older++) {
		char *old = xasprintf("%s.%d", path, older + 1);
		bool there = access(old, F_OK) == 0;
		free(old);
		if (!there)
			break;
	}
	char **files = xmalloc((older + 1) * sizeof *files);
	for (int i = 0; i < older; i++)
		files[i] = xasprintf("%s.%d", path, older - i);
	files[older] = xstrdup(path);
	*n = older + 1;
	return files;
}

/* --- Printing ----------------------------------------------------------------------------- */

static int time_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return (a->tv_nsec > b->tv_nsec) - (a->tv_nsec < b->tv_nsec);
}

/* Print one entry (without its newline), if it is in the time range. */
static void print_entry(struct reader *rd, const char *e, size_t len)
{
	char time[LOG_TIME_LEN + 1];
	struct timespec ts;
	if (len < LOG_TEXT_AT - 1 || e[LOG_TIME_LEN] != ' ')
		return; /* not an entry: cut short when its writer was killed */
	memcpy(time, e, LOG_TIME_LEN);
	time[LOG_TIME_LEN] = '\0';
	int s = !strncmp(e + LOG_TIME_LEN + 1, "stderr", 6);
	bool full = e[LOG_TAG_AT] != 'P';
	if (time_parse(time, &ts) < 0 || (rd->since.tv_sec && time_cmp(&ts, &rd->since) < 0) ||
	    (rd->until.tv_sec && time_cmp(&ts, &rd->until) > 0))
		return;
	FILE *out = s ? stderr : stdout;
	if (s != rd->last) /* the other stream's output first, in the order it came */
		fflush(s ? stdout : stderr);
	rd->last = s;
	if (rd->times && !rd->midline[s])
		fprintf(out, "%s ", time);
	if (len > LOG_TEXT_AT)
		fwrite(e + LOG_TEXT_AT, 1, len - LOG_TEXT_AT, out);
	if (full)
		putc('\n', out);
	rd->midline[s] = !full;
}

/* Print the whole entries from the reader's position to the end of its file. A last entry
 * still being written (no newline yet) is left for the next call. */
static void print_more(struct reader *rd)
{
	ssize_t n;
	off_t at = ftello(rd->in);
	while ((n = getline(&rd->entry, &rd->size, rd->in)) > 0) {
		if (rd->entry[n - 1] != '\n') {
			fseeko(rd->in, at, SEEK_SET);
			break;
		}
		print_entry(rd, rd->entry, n - 1);
		at += n;
	}
	clearerr(rd->in);
	fflush(stdout);
	fflush(stderr);
}

static FILE *open_log(const char *path, off_t offset)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f || fseeko(f, offset, SEEK_SET) < 0)
		die_errno("open %s", path);
	return f;
}

/* Print the last TAIL lines (-1: all) of the log's files, ending with the newest open. */
static void print_log(struct reader *rd, long long tail)
{
	int n, first = 0;
	char **files = log_files(rd->path, &n);
	off_t offset = 0;
	if (tail == 0) { /* nothing of what is there, only what comes (-f) */
		first = n - 1;
		struct stat st;
		offset = stat(files[first], &st) == 0 ? st.st_size : 0;
	} else if (tail > 0) {
		long long want = tail + 1; /* where the line before the first to print ends */
		for (first = n - 1; first >= 0; first--) {
			int fd = open(files[first], O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			offset = tail_start(fd, &want, first == n - 1);
			close(fd);
			if (want == 0)
				break;
		}
		if (first < 0)
			first = 0;
	}
	for (int i = first; i < n; i++) {
		rd->in = open_log(files[i], i == first ? offset : 0);
		print_more(rd);
		if (i < n - 1)
			fclose(rd->in);
	}
	for (int i = 0; i < n; i++)
		free(files[i]);
	free(files);
}

/* --- Following ---------------------------------------------------------------------------- */

/* A pidfd for process PID if it is still the one that started at START, else -1. A pidfd
 * becomes readable when its process exits. It is checked against the start time after it is
 * opened, so it names that process and not a later one that got its PID. */
static int open_pidfd(pid_t pid, unsigned long long start)
{
	int fd = pid > 0 ? syscall(SYS_pidfd_open, pid, 0) : -1;
	if (fd < 0 && pid > 0 && errno != ESRCH && errno != EINVAL)
		die_errno("pidfd_open %d", pid);
	if (fd >= 0 && !process_runs(pid, start))
		close_fd(&fd);
	return fd;
}

/* Has ctr.log been rotated away from under the open file? Then the open file is read to its
 * end, and the new ctr.log is read from its start. */
static void follow_rotation(struct reader *rd)
{
	struct stat now, open;
	if (stat(rd->path, &now) < 0 || fstat(fileno(rd->in), &open) < 0 ||
	    now.st_ino == open.st_ino)
		return;
	print_more(rd);
	fclose(rd->in);
	rd->in = open_log(rd->path, 0);
	print_more(rd);
}

/* -f: print what comes (inotify reports every write, and every new file of the directory)
 * until the container's supervisor has exited, then what is left. */
static void follow(struct reader *rd, const struct record *r)
{
	int supervisor = open_pidfd(r->state.monitor_pid, r->state.monitor_start);
	int in = supervisor < 0 ? -1 : inotify_init1(IN_CLOEXEC);
	if (supervisor >= 0 &&
	    (in < 0 || inotify_add_watch(in, r->dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0))
		die_errno("watch %s", r->dir);
	while (supervisor >= 0) {
		print_more(rd);
		follow_rotation(rd);
		struct pollfd p[2] = { { .fd = in, .events = POLLIN },
				       { .fd = supervisor, .events = POLLIN } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			die_errno("poll");
		if (p[1].revents)
			break;
		char events[4096];
		if (p[0].revents && read(in, events, sizeof events) < 0 && errno != EINTR)
			die_errno("read inotify events");
	}
	close_fd(&in);
	close_fd(&supervisor);
	follow_rotation(rd);
	print_more(rd);
}

/* --- The command -------------------------------------------------------------------------- */

/* --since and --until as Docker takes them: an RFC 3339 time in UTC, with or without a
 * fraction ("2026-12-04T05:42:04Z"), or a date alone; Unix seconds ("1764826924.5"); or a
 * duration back from now, Go's way ("10m", "1h30m", "1.5s", "300ms"). 0, or -1. */
static int parse_when(const char *s, struct timespec *ts)
{
	static const struct {
		const char *unit;
		double seconds;
	} units[] = { { "ms", 1e-3 }, { "us", 1e-6 }, { "ns", 1e-9 },
		      { "h", 3600 },  { "m", 60 },    { "s", 1 } };
	char text[64];
	size_t n = strlen(s);
	if (n >= 10 && n < 40 && s[4] == '-') {
		if (n == 10)
			snprintf(text, sizeof text, "%sT00:00:00.0Z", s);
		else if (!strchr(s, '.') && s[n - 1] == 'Z')
			snprintf(text, sizeof text, "%.*s.0Z", (int)n - 1, s);
		else
			snprintf(text, sizeof text, "%s", s);
		return time_parse(text, ts);
	}
	/* Unix seconds: a number without a unit, read exactly (a double would round the
	 * nanoseconds away). */
	size_t whole = strspn(s, "0123456789"),
	       frac = s[whole] == '.' ? strspn(s + whole + 1, "0123456789") : 0;
	if (whole && s[whole + (s[whole] == '.') + frac] == '\0' && frac <= 9) {
		long long sec;
		snprintf(text, sizeof text, "%.*s", (int)whole, s);
		if (parse_long(text, 0, 1LL << 40, &sec) < 0)
			return -1;
		ts->tv_sec = sec;
		ts->tv_nsec = 0;
		for (size_t i = 0; i < 9; i++)
			ts->tv_nsec = ts->tv_nsec * 10 + (i < frac ? s[whole + 1 + i] - '0' : 0);
		return 0;
	}
	double total = 0, v;
	char *end;
	for (const char *p = s; *p;) {
		if (!strchr("0123456789.", *p) || !isfinite(v = strtod(p, &end)))
			return -1;
		size_t u = 0;
		while (u < sizeof units / sizeof units[0] && !str_starts_with(end, units[u].unit))
			u++;
		if (u == sizeof units / sizeof units[0])
			return -1;
		total += v * units[u].seconds;
		p = end + strlen(units[u].unit);
	}
	if (!*s)
		return -1;
	time_now(ts);
	double back = ts->tv_sec + ts->tv_nsec / 1e9 - total;
	ts->tv_sec = back;
	ts->tv_nsec = (back - floor(back)) * 1e9;
	return 0;
}

static void __attribute__((noreturn)) usage_error(const char *what, const char *arg)
{
	die("%s%s%s (usage: " LOGS_USAGE ")", what, arg ? " " : "", arg ? arg : "");
}

int cmd_logs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "timestamps", no_argument, NULL, 't' },
		{ "tail", required_argument, NULL, 'n' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'H' },
		{ 0 },
	};
	struct reader rd = { .last = -1 };
	bool follow_output = false;
	long long tail = -1;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ftn:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			follow_output = true;
			break;
		case 't':
			rd.times = true;
			break;
		case 'n':
			if (strcmp(optarg, "all") && parse_long(optarg, 0, 1LL << 62, &tail) < 0)
				die("invalid --tail \"%s\" (want a number of lines, or all)",
				    optarg);
			break;
		case 'S':
		case 'U':
			if (parse_when(optarg, c == 'S' ? &rd.since : &rd.until) < 0)
				die("invalid --%s \"%s\" (want a time such as 2026-12-04T05:42:04Z, "
				    "Unix seconds, or a duration such as 10m)",
				    c == 'S' ? "since" : "until", optarg);
			break;
		case 'H':
			fputs(logs_help, stdout);
			return 0;
		case ':':
			usage_error("option needs a value:", argv[optind - 1]);
		default:
			usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		usage_error(optind < argc ? "one container at a time" : "no container given", NULL);
	require_root();
	require_safe_root();

	char id[ID_LEN + 1];
	struct record r;
	if (record_find(state_root, argv[optind], id) < 0)
		exit(EXIT_NOT_FOUND);
	if (record_load(state_root, id, &r) < 0)
		die_errno("read the records of container %s", argv[optind]);
	rd.path = path_join(r.dir, LOG_FILE);
	/* A container not started yet has no log yet: nothing to print. */
	if (access(rd.path, F_OK) == 0) {
		print_log(&rd, tail);
		if (follow_output)
			follow(&rd, &r);
		fclose(rd.in);
	}
	free(rd.entry);
	free(rd.path);
	record_free(&r);
	return 0;
}
