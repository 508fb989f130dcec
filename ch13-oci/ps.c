/* ps.c: `mydocker ps`: one line per container, read from the records on disk (state.c), in
 * the columns and words `docker ps` uses. Whether a container is "Up" is never taken from
 * state.json alone: its first process must still exist with the start time recorded there
 * (record_alive), so a dead container or a reused PID is never shown as running. ps only
 * reads: a container found dead whose supervisor never recorded the exit (it was killed too) is
 * shown as "Exited (unknown)" and left for a command that owns it to record. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "container.h"
#include "die.h"
#include "image.h"
#include "opts.h"
#include "privs.h"
#include "ps.h"
#include "state.h"
#include "util.h"

#define PS_USAGE "mydocker ps [-a] [-q] [--no-trunc]"

static const char ps_help[] = "Usage: " PS_USAGE "\n"
			      "\n"
			      "List running containers, newest first.\n"
			      "\n"
			      "Options:\n"
			      "  -a, --all              also list containers that have exited\n"
			      "  -q, --quiet            only print the IDs\n"
			      "      --no-trunc         full IDs and commands\n"
			      "      --help             print this help\n";

/* Docker's words for a duration (go-units' HumanDuration): "Less than a second", "1 second",
 * "5 seconds", "About a minute", "3 minutes", "About an hour", "5 hours", "3 days",
 * "2 weeks", "4 months", "2 years". */
void human_duration(double seconds, char *buf, size_t size)
{
	long long s = (long long)seconds, m = (long long)(seconds / 60);
	long long h = llround(seconds / 3600);
	if (s < 1)
		snprintf(buf, size, "Less than a second");
	else if (s == 1)
		snprintf(buf, size, "1 second");
	else if (s < 60)
		snprintf(buf, size, "%lld seconds", s);
	else if (m == 1)
		snprintf(buf, size, "About a minute");
	else if (m < 60)
		snprintf(buf, size, "%lld minutes", m);
	else if (h == 1)
		snprintf(buf, size, "About an hour");
	else if (h < 48)
		snprintf(buf, size, "%lld hours", h);
	else if (h < 24 * 7 * 2)
		snprintf(buf, size, "%lld days", h / 24);
	else if (h < 24 * 30 * 2)
		snprintf(buf, size, "%lld weeks", h / 24 / 7);
	else if (h < 24 * 365 * 2)
		snprintf(buf, size, "%lld months", h / 24 / 30);
	else
		snprintf(buf, size, "%lld years", (long long)(seconds / 3600) / 24 / 365);
}

/* Characters, not bytes: a UTF-8 continuation byte (10xxxxxx) adds no character. */
static size_t width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The COMMAND column: the arguments joined by spaces, cut to 20 characters with "…" unless
 * --no-trunc, then quoted the way Go's strconv.Quote does (\" \\ \n \t, \xNN for other control
 * bytes). */
char *command_column(char **argv, bool trunc)
{
	size_t len = 0;
	for (char **a = argv; *a; a++)
		len += strlen(*a) + 1;
	char *joined = xmalloc(len + 4), *p = joined;
	for (char **a = argv; *a; a++)
		p += sprintf(p, "%s%s", a == argv ? "" : " ", *a);
	if (trunc && width(joined) > 20) {
		size_t chars = 0;
		for (p = joined; chars < 19 || ((unsigned char)*p & 0xc0) == 0x80; p++)
			chars += ((unsigned char)*p & 0xc0) != 0x80;
		strcpy(p, "…");
	}
	char *quoted = xmalloc(4 * strlen(joined) + 3), *q = quoted;
	*q++ = '"';
	for (const unsigned char *c = (const unsigned char *)joined; *c; c++) {
		const char *esc = strchr("\"\\\a\b\f\n\r\t\v", *c);
		if (esc)
			q += sprintf(q, "\\%c", "\"\\abfnrtv"[esc - "\"\\\a\b\f\n\r\t\v"]);
		else if (*c < 0x20 || *c == 0x7f)
			q += sprintf(q, "\\x%02x", *c);
		else
			*q++ = *c;
	}
	*q++ = '"';
	*q = '\0';
	free(joined);
	return quoted;
}

static double seconds_since(const struct timespec *then, const struct timespec *now)
{
	return (now->tv_sec - then->tv_sec) + (now->tv_nsec - then->tv_nsec) / 1e9;
}

/* The STATUS column: "Up 3 seconds", "Exited (0) 2 minutes ago", "Exited (unknown) ...". ALIVE
 * is record_alive() as the caller found it. */
static void status_column(const struct record *r, bool alive, const struct timespec *now, char *buf,
			  size_t size)
{
	char ago[64];
	if (alive) {
		human_duration(seconds_since(&r->state.started, now), ago, sizeof ago);
		snprintf(buf, size, "Up %s", ago);
	} else if (r->state.status == STATUS_CREATED) {
		snprintf(buf, size, "Created");
	} else {
		const struct timespec *end = r->state.finished.tv_sec ? &r->state.finished : now;
		human_duration(seconds_since(end, now), ago, sizeof ago);
		if (r->state.status == STATUS_EXITED && r->state.exit_code != EXIT_UNKNOWN)
			snprintf(buf, size, "Exited (%d) %s ago", r->state.exit_code, ago);
		else
			snprintf(buf, size, "Exited (unknown) %s ago", ago);
	}
}

/* The PORTS column: the published ports of config.json, joined by ", " as Docker's. */
static char *ports_column(const struct record *r)
{
	struct json_object *ports;
	char *text = xstrdup("");
	if (!json_object_object_get_ex(r->config, "ports", &ports) ||
	    !json_object_is_type(ports, json_type_array))
		return text;
	for (size_t i = 0; i < json_object_array_length(ports); i++) {
		const char *p = json_object_get_string(json_object_array_get_idx(ports, i));
		char *more = xasprintf("%s%s%s", text, *text ? ", " : "", p ? p : "");
		free(text);
		text = more;
	}
	return text;
}

/* Newest first, as docker ps lists them. */
static int newest_first(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	if (x->created.tv_sec != y->created.tv_sec)
		return x->created.tv_sec < y->created.tv_sec ? 1 : -1;
	if (x->created.tv_nsec != y->created.tv_nsec)
		return x->created.tv_nsec < y->created.tv_nsec ? 1 : -1;
	return strcmp(x->id, y->id);
}

enum { COL_ID, COL_IMAGE, COL_COMMAND, COL_CREATED, COL_STATUS, COL_PORTS, COL_NAMES, NCOLS };

/* Docker's table: each column as wide as its widest cell plus 3 spaces, at least 10 (Go's
 * tabwriter as docker ps sets it up); the last column is not padded. */
static void print_table(char *(*cells)[NCOLS], size_t rows)
{
	size_t w[NCOLS] = { 0 };
	for (size_t r = 0; r < rows; r++)
		for (int c = 0; c < NCOLS; c++)
			if (width(cells[r][c]) + 3 > w[c])
				w[c] = width(cells[r][c]) + 3;
	for (size_t r = 0; r < rows; r++) {
		for (int c = 0; c < NCOLS - 1; c++)
			printf("%s%*s", cells[r][c],
			       (int)((w[c] < 10 ? 10 : w[c]) - width(cells[r][c])), "");
		printf("%s\n", cells[r][NCOLS - 1]);
	}
}

int cmd_ps(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'T' },
		OPT_HELP,
		{ 0 },
	};
	bool all = false, quiet = false, trunc = true;
	int c;
	while ((c = next_option(argc, argv, "aq", longopts, ps_help, PS_USAGE)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'T':
			trunc = false;
			break;
		}
	}
	if (optind < argc)
		die("unexpected argument %s (usage: " PS_USAGE ")", argv[optind]);
	require_root();
	require_safe_root();

	struct record *records;
	size_t n;
	if (record_list(state_root, &records, &n) < 0)
		die_errno("read %s/containers", state_root);
	/* No containers: records is NULL, which qsort must not get even for 0 (UBSan found it). */
	if (n > 0)
		qsort(records, n, sizeof *records, newest_first);
	char *(*cells)[NCOLS] = xmalloc((n + 1) * sizeof *cells);
	static const char *const header[NCOLS] = { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
						   "STATUS",	   "PORTS", "NAMES" };
	memcpy(cells[0], header, sizeof header);
	size_t rows = 1;
	struct timespec now;
	time_now(&now);
	for (size_t i = 0; i < n; i++) {
		struct record *r = &records[i];
		/* Alive or not is decided once: a container that ends between two looks would be
		 * shown as neither, its record still saying "running". A dead one's record is read
		 * again, since its monitor writes the exit before the process is gone. */
		bool alive = record_alive(r);
		if ((!alive && r->state.status == STATUS_RUNNING && record_refresh(r) < 0) ||
		    (!all && !alive))
			continue;
		char **row = cells[rows++], text[128];
		row[COL_ID] = xasprintf("%.*s", trunc ? SHORT_ID_LEN : ID_LEN, r->id);
		row[COL_IMAGE] = xstrdup(r->image);
		row[COL_COMMAND] = command_column(r->argv, trunc);
		human_duration(seconds_since(&r->created, &now), text, sizeof text);
		row[COL_CREATED] = xasprintf("%s ago", text);
		status_column(r, alive, &now, text, sizeof text);
		row[COL_STATUS] = xstrdup(text);
		row[COL_PORTS] = ports_column(r);
		row[COL_NAMES] = xstrdup(r->name);
	}
	if (quiet)
		for (size_t i = 1; i < rows; i++)
			printf("%s\n", cells[i][COL_ID]);
	else
		print_table(cells, rows);
	for (size_t i = 1; i < rows; i++)
		for (int col = 0; col < NCOLS; col++)
			free(cells[i][col]);
	free(cells);
	for (size_t i = 0; i < n; i++)
		record_free(&records[i]);
	free(records);
	return 0;
}
