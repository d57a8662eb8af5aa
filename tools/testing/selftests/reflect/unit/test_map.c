// SPDX-License-Identifier: GPL-2.0
/*
 * Extent maps: the worked example of the README (data/worked_example.map),
 * striped sets, canonical formatting, every parse error with its line,
 * capacity checks, a 10,000-extent map and translation.
 */

#include <stdlib.h>
#include <time.h>

#include "unit.h"

static const char worked_example[] =
	"target A iqn.2003-01.org.linux-iscsi.reflect:disk-a 10.0.0.11:3260 0\n"
	"target B iqn.2003-01.org.linux-iscsi.reflect:disk-b 10.0.0.12:3260 0\n"
	"target C iqn.2003-01.org.linux-iscsi.reflect:disk-c 10.0.0.13:3260 0\n"
	"linear 0 300 B 0\n"
	"linear 300 200 C 0\n"
	"linear 500 10 A 400\n"
	"linear 510 20 B 300\n"
	"linear 530 10 C 600\n"
	"linear 540 400 A 0\n"
	"linear 940 400 C 200\n"
	"linear 1340 680 B 320\n"
	"linear 2020 590 A 410\n"
	"linear 2610 390 C 610\n";

static int parse(const char *text, struct rfl_map *map, struct rfl_map_err *e)
{
	return rfl_map_parse(text, strlen(text), map, e);
}

/* format(parse(text)) == text */
static void check_canonical(const char *text)
{
	static char out[1 << 16];
	struct rfl_map map;
	struct rfl_map_err e;
	int n;

	if (parse(text, &map, &e)) {
		printf("# line %u: %s\n", e.line, e.why);
		unit_failed++;
		return;
	}
	n = rfl_map_format(&map, out, sizeof(out));
	CHECK_EQ(n, strlen(text));
	if (n >= 0 && strcmp(out, text))
		printf("# formatted:\n%s", out);
	CHECK(n >= 0 && !strcmp(out, text));
	rfl_map_free(&map);
}

static void t_worked_example(void)
{
	struct rfl_map_piece p[8];
	struct rfl_map map;
	struct rfl_map_err e;
	u64 cap[3] = { 1000, 1000, 1000 };
	u64 used[3] = { 0, 0, 0 };
	char file[4096];
	FILE *f;
	size_t n;
	u32 i;

	/* the committed file is this text */
	f = fopen(RFL_DATA_DIR "/worked_example.map", "r");
	CHECK(f);
	if (f) {
		n = fread(file, 1, sizeof(file) - 1, f);
		fclose(f);
		file[n] = '\0';
		CHECK(!strcmp(file, worked_example));
	}

	CHECK_EQ(parse(worked_example, &map, &e), 0);
	CHECK_EQ(map.size, 3000);
	CHECK_EQ(map.ntargets, 3);
	CHECK_EQ(map.nextents, 10);
	CHECK_EQ(map.targets[0].lun, 0);
	CHECK_EQ(map.targets[2].portals[0].addr[3], 13);
	CHECK_EQ(map.targets[2].portals[0].port, 3260);
	CHECK_EQ(map.extents[9].line, 13);

	/* READ 40 blocks at 500: A 400-409, B 300-319, C 600-609 */
	CHECK_EQ(rfl_map_translate(&map, 500, 40, p, 8), 3);
	CHECK(p[0].target == 0 && p[0].plba == 400 && p[0].blocks == 10 &&
	      p[0].vblock_off == 0);
	CHECK(p[1].target == 1 && p[1].plba == 300 && p[1].blocks == 20 &&
	      p[1].vblock_off == 10);
	CHECK(p[2].target == 2 && p[2].plba == 600 && p[2].blocks == 10 &&
	      p[2].vblock_off == 30);
	CHECK_EQ(rfl_map_translate(&map, 500, 40, p, 2), -ENOSPC);

	/* every block of every disk is used exactly once */
	for (i = 0; i < 3000; i++) {
		CHECK_EQ(rfl_map_translate(&map, i, 1, p, 1), 1);
		used[p[0].target] += p[0].plba + 1;
	}
	for (i = 0; i < 3; i++)
		CHECK_EQ(used[i], 1000 * 1001 / 2);

	CHECK_EQ(rfl_map_check_capacity(&map, cap, &e), 0);
	cap[2] = 999;
	CHECK_EQ(rfl_map_check_capacity(&map, cap, &e), -EINVAL);
	CHECK_EQ(e.line, 13);
	cap[2] = 1000;
	cap[0] = 409;
	CHECK_EQ(rfl_map_check_capacity(&map, cap, &e), -EINVAL);
	CHECK_EQ(e.line, 6);
	rfl_map_free(&map);
	check_canonical(worked_example);
}

static void t_striped(void)
{
	static const char text[] =
		"target a iqn.2026-11.org.example:a 192.168.1.1:3260,[fe80::1]:3261 1\n"
		"target b iqn.2026-11.org.example:b [2001:db8::7]:3260 2\n"
		"target c eui.02004567A425678D 10.1.1.1:860 16383\n"
		"linear 0 100 c 0\n"
		"striped 100 1200 4 a 0 b 0 c 100\n"
		"linear 1300 50 a 400\n";
	static struct rfl_map_piece p[300];
	struct rfl_map map;
	struct rfl_map_err e;
	u64 cap[3] = { 450, 400, 500 };
	int n;

	CHECK_EQ(parse(text, &map, &e), 0);
	CHECK_EQ(map.size, 1350);
	CHECK_EQ(map.nstripes, 5);
	CHECK_EQ(map.extents[1].kind, RFL_MAP_STRIPED);
	CHECK_EQ(map.extents[1].chunk, 4);
	CHECK_EQ(map.extents[1].nstripes, 3);
	CHECK_EQ(map.targets[0].nportals, 2);
	CHECK_EQ(map.targets[0].portals[1].family, 6);
	CHECK_EQ(map.targets[2].lun, 16383);

	/* chunks 0, 1, 2 of the stripe set: a 0-3, b 0-3, c 100-103 */
	CHECK_EQ(rfl_map_translate(&map, 100, 12, p, 16), 3);
	CHECK(p[0].target == 0 && p[0].plba == 0 && p[0].blocks == 4);
	CHECK(p[1].target == 1 && p[1].plba == 0 && p[1].blocks == 4);
	CHECK(p[2].target == 2 && p[2].plba == 100 && p[2].blocks == 4);

	/* from the middle of chunk 2 to the middle of chunk 5 */
	n = rfl_map_translate(&map, 110, 12, p, 16);
	CHECK_EQ(n, 4);
	CHECK(p[0].target == 2 && p[0].plba == 102 && p[0].blocks == 2 &&
	      p[0].vblock_off == 0);
	CHECK(p[1].target == 0 && p[1].plba == 4 && p[1].blocks == 4 &&
	      p[1].vblock_off == 2);
	CHECK(p[2].target == 1 && p[2].plba == 4 && p[2].blocks == 4);
	CHECK(p[3].target == 2 && p[3].plba == 104 && p[3].blocks == 2 &&
	      p[3].vblock_off == 10);

	/* linear c 0-99 then the stripe set's chunk 0 on a */
	CHECK_EQ(rfl_map_translate(&map, 98, 4, p, 16), 2);
	CHECK(p[0].target == 2 && p[0].plba == 98 && p[0].blocks == 2);
	CHECK(p[1].target == 0 && p[1].plba == 0 && p[1].blocks == 2);

	/* the last chunk (chunk 299: stripe 2, row 99) and the tail */
	CHECK_EQ(rfl_map_translate(&map, 1296, 54, p, 16), 2);
	CHECK(p[0].target == 2 && p[0].plba == 100 + 99 * 4 &&
	      p[0].blocks == 4);
	CHECK(p[1].target == 0 && p[1].plba == 400 && p[1].blocks == 50);

	CHECK_EQ(rfl_map_translate(&map, 1349, 1, p, 16), 1);
	CHECK_EQ(rfl_map_translate(&map, 1349, 2, p, 16), -ERANGE);
	CHECK_EQ(rfl_map_translate(&map, 1350, 1, p, 16), -ERANGE);
	CHECK_EQ(rfl_map_translate(&map, 0, 0, p, 16), -ERANGE);
	CHECK_EQ(rfl_map_translate(&map, U64_MAX, 2, p, 16), -ERANGE);
	CHECK_EQ(rfl_map_translate(&map, 100, 1200, p, 299), -ENOSPC);
	CHECK_EQ(rfl_map_translate(&map, 100, 1200, p, 0), -ENOSPC);

	/* a: 0-399 striped, 400-449 linear; c: 0-99 and 100-499 */
	CHECK_EQ(rfl_map_check_capacity(&map, cap, &e), 0);
	cap[2] = 499;
	CHECK_EQ(rfl_map_check_capacity(&map, cap, &e), -EINVAL);
	CHECK_EQ(e.line, 5);
	rfl_map_free(&map);
	check_canonical(text);
}

static void t_merge(void)
{
	static const char text[] =
		"target a iqn.2026-11.org.example:a 10.0.0.1:3260 0\n"
		"target b iqn.2026-11.org.example:b 10.0.0.2:3260 0\n"
		"linear 0 10 a 0\n"
		"linear 10 10 a 10\n"
		"linear 20 10 b 50\n"
		"linear 30 10 b 60\n"
		"striped 40 20 10 a 20 a 30\n";
	struct rfl_map_piece p[4];
	struct rfl_map map;
	struct rfl_map_err e;

	CHECK_EQ(parse(text, &map, &e), 0);
	/* contiguous on the same LU: one piece each */
	CHECK_EQ(rfl_map_translate(&map, 5, 10, p, 1), 1);
	CHECK(p[0].target == 0 && p[0].plba == 5 && p[0].blocks == 10);
	CHECK_EQ(rfl_map_translate(&map, 0, 60, p, 4), 3);
	CHECK(p[0].target == 0 && p[0].plba == 0 && p[0].blocks == 20);
	CHECK(p[1].target == 1 && p[1].plba == 50 && p[1].blocks == 20 &&
	      p[1].vblock_off == 20);
	CHECK(p[2].target == 0 && p[2].plba == 20 && p[2].blocks == 20 &&
	      p[2].vblock_off == 40);
	rfl_map_free(&map);
}

static void t_canonical(void)
{
	static const char loose[] =
		"# a comment line\n"
		"\n"
		"  target   x  iqn.2026-11.org.example:x\t[2001:DB8:0:0:0:0:0:1]:3260,[::FFFF:10.0.0.1]:3260,[1:0:0:2:0:0:0:3]:1 7   # the LU\r\n"
		"linear 0 5 x 9#no blank before the comment\n"
		"target y naa.52004567BA64678D [0:0:0:0:0:0:0:0]:3260,[fe80:0:0:0:1:0:0:1]:2 0\n"
		"striped 5 8 2 x 100 y 0";
	static const char canon[] =
		"target x iqn.2026-11.org.example:x [2001:db8::1]:3260,[::ffff:10.0.0.1]:3260,[1:0:0:2::3]:1 7\n"
		"target y naa.52004567BA64678D [::]:3260,[fe80::1:0:0:1]:2 0\n"
		"linear 0 5 x 9\n"
		"striped 5 8 2 x 100 y 0\n";
	char out[1024];
	struct rfl_map map;
	struct rfl_map_err e;
	u32 len;
	int n;

	CHECK_EQ(parse(loose, &map, &e), 0);
	n = rfl_map_format(&map, out, sizeof(out));
	CHECK_EQ(n, strlen(canon));
	CHECK(!strcmp(out, canon));
	/* exact room: no NUL; one byte less: -ENOSPC */
	len = strlen(canon);
	memset(out, 'Z', sizeof(out));
	CHECK_EQ(rfl_map_format(&map, out, len), len);
	CHECK_EQ(out[len], 'Z');
	CHECK(!memcmp(out, canon, len));
	CHECK_EQ(rfl_map_format(&map, out, len - 1), -ENOSPC);
	CHECK_EQ(rfl_map_format(&map, out, 0), -ENOSPC);
	rfl_map_free(&map);
	check_canonical(canon);
	rfl_map_free(&map);	/* twice is harmless */
}

struct bad_map {
	const char *text;
	u32 line;
	const char *why;	/* a substring of the reason */
};

#define TA "target a iqn.2026-11.org.example:a 10.0.0.1:3260 0\n"
#define TB "target b iqn.2026-11.org.example:b 10.0.0.2:3260 0\n"

static const struct bad_map bad_maps[] = {
	{ "", 0, "no extents" },
	{ "# nothing\n\n", 0, "no extents" },
	{ TA, 0, "no extents" },
	{ TA "linear 0 10 a 0\nmirror 10 10 a 10\n", 3, "unknown keyword" },
	{ TA "Linear 0 10 a 0\n", 2, "unknown keyword" },
	{ TA "linear 0 10 a\n", 2, "bad syntax" },
	{ TA "linear 0 10 a 0 5\n", 2, "bad syntax" },
	{ "target a iqn.2026-11.org.example:a 10.0.0.1:3260\n", 1,
	  "bad syntax" },
	{ TA "striped 0 10 5 a 0\n", 2, "at least 2 stripes" },
	{ TA "striped 0 10 5 a 0 a\n", 2, "bad syntax" },
	{ TA "striped 0 10 5\n", 2, "bad syntax" },
	{ TA "linear 0 10 a 0\n" TA, 3, "duplicate label" },
	{ TA "target b iqn.2026-11.org.example:a 10.0.0.9:3260 0\n"
	  "linear 0 10 a 0\nlinear 10 10 b 0\n", 2, "declared twice" },
	{ TA "linear 0 10 b 0\n", 2, "unknown label" },
	{ "linear 0 10 a 0\n" TA, 1, "unknown label" },
	{ TA TB "linear 0 10 a 0\n", 2, "declared but not used" },
	{ TA "linear 0 10 a 0\n" TB, 3, "declared but not used" },
	{ "target a iqn.2026-13.org.example:a 10.0.0.1:3260 0\n", 1,
	  "bad iSCSI name" },
	{ "target a iqn.2026-11.Org.example:a 10.0.0.1:3260 0\n", 1,
	  "bad iSCSI name" },
	{ "target a foo.bar 10.0.0.1:3260 0\n", 1, "bad iSCSI name" },
	{ "target a eui.0123 10.0.0.1:3260 0\n", 1, "bad iSCSI name" },
	{ "target a iqn.2026-11.org.example:a 10.0.0.1 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a 10.0.0.256:3260 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a 10.0.0.01:3260 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a 10.0.0:3260 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a 10.0.0.1:0 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a 10.0.0.1:65536 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a ::1:3260 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a [::1::2]:3260 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a [1:2:3:4:5:6:7:8:9]:3260 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a [1:2:3:4:5:6:7]:3260 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a [12345::]:3260 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a [1:]:3260 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a 10.0.0.1:3260, 0\n", 1,
	  "bad portal" },
	{ "target a iqn.2026-11.org.example:a 10.0.0.1:3260,,10.0.0.2:1 0\n",
	  1, "bad portal" },
	{ "target a iqn.2026-11.org.example:a 10.0.0.1:3260,10.0.0.1:3260 0\n",
	  1, "duplicate portal" },
	{ "target a iqn.2026-11.org.example:a 10.0.0.1:1,10.0.0.1:2,"
	  "10.0.0.1:3,10.0.0.1:4,10.0.0.1:5,10.0.0.1:6,10.0.0.1:7,"
	  "10.0.0.1:8,10.0.0.1:9 0\n", 1, "more than 8 portals" },
	{ "target a iqn.2026-11.org.example:a 10.0.0.1:3260 x\n", 1,
	  "bad number" },
	{ "target a iqn.2026-11.org.example:a 10.0.0.1:3260 18446744073709551616\n",
	  1, "numeric overflow" },
	{ "target a/b iqn.2026-11.org.example:a 10.0.0.1:3260 0\n", 1,
	  "bad label" },
	{ "target abcdefghijabcdefghijabcdefghijab iqn.2026-11.org.example:a "
	  "10.0.0.1:3260 0\n", 1, "bad label" },
	{ TA "linear 1 10 a 0\n", 2, "gap" },
	{ TA "linear 0 10 a 0\nlinear 11 10 a 10\n", 3, "gap" },
	{ TA "linear 0 10 a 0\nlinear 9 10 a 10\n", 3, "overlap" },
	{ TA "linear 0 10 a 0\nlinear 0 10 a 10\n", 3, "overlap" },
	{ TA "linear 0 10 a 0\nlinear 10 10 a 5\n", 3, "overlap" },
	{ TA TB "linear 0 10 a 0\nlinear 10 10 b 0\nlinear 20 10 a 9\n", 5,
	  "overlap" },
	{ TA TB "striped 0 20 5 a 0 b 0\nlinear 20 5 a 9\n", 4, "overlap" },
	{ TA "striped 0 20 5 a 0 a 5\n", 2, "overlap" },
	{ TA "linear 0 0 a 0\n", 2, "zero length" },
	{ TA TB "striped 0 20 0 a 0 b 0\n", 3, "zero chunk" },
	{ TA TB "striped 0 30 4 a 0 b 0\n", 3, "not a multiple" },
	{ TA TB "striped 0 12 4 a 0 b 0\n", 3, "not a multiple" },
	{ TA TB "striped 0 16 4294967296 a 0 b 0\n", 3, "numeric overflow" },
	{ TA "linear 0 18446744073709551615 a 0\n"
	  "linear 18446744073709551615 1 a 0\n", 3, "numeric overflow" },
	{ TA "linear 0 10 a 18446744073709551610\n", 2, "numeric overflow" },
	{ TA "linear 0 99999999999999999999 a 0\n", 2, "numeric overflow" },
	{ TA "linear 0 010 a 0\n", 2, "bad number" },
	{ TA "linear 0 -1 a 0\n", 2, "bad number" },
	{ TA "linear 0 1e3 a 0\n", 2, "bad number" },
	{ TA "linear 0 10 a 0\x01\n", 2, "bad character" },
	{ TA "linear 0 10 a 0\n\xc3\xa9\n", 3, "bad character" },
	{ TA "linear 0\0 10 a 0\n", 2, "bad character" },
};

static void t_errors(void)
{
	struct rfl_map map;
	struct rfl_map_err e;
	unsigned int i;

	for (i = 0; i < UNIT_COUNT(bad_maps); i++) {
		const struct bad_map *b = &bad_maps[i];
		u32 len = strlen(b->text);
		int r;

		/* the NUL case: the text goes on after it */
		if (strstr(b->text, "linear 0") && len == strlen(TA) + 8)
			len += 9;
		memset(&map, 0xa5, sizeof(map));
		r = rfl_map_parse(b->text, len, &map, &e);
		if (r != -EINVAL || e.line != b->line || !e.why ||
		    !strstr(e.why, b->why))
			printf("# map %u: got %d line %u \"%s\", want line %u \"%s\"\n",
			       i, r, e.line, e.why ? e.why : "", b->line,
			       b->why);
		CHECK_EQ(r, -EINVAL);
		CHECK_EQ(e.line, b->line);
		CHECK(e.why && strstr(e.why, b->why));
		/* a failed parse leaves nothing to free */
		CHECK(!map.targets && !map.extents && !map.stripes);
	}
}

static void t_limits(void)
{
	static char text[1 << 16];
	struct rfl_map map;
	struct rfl_map_err e;
	u32 i, n = 0;

	/* 64 targets are fine, 65 are not */
	for (i = 0; i < 65; i++)
		n += sprintf(text + n,
			     "target t%u iqn.2026-11.org.example:t%u 10.0.0.1:3260 0\n",
			     i, i);
	for (i = 0; i < 64; i++)
		n += sprintf(text + n, "linear %u 1 t%u 0\n", i, i);
	CHECK_EQ(parse(text, &map, &e), -EINVAL);
	CHECK_EQ(e.line, 65);
	CHECK(strstr(e.why, "more than 64 targets"));

	n = 0;
	for (i = 0; i < 64; i++)
		n += sprintf(text + n,
			     "target t%u iqn.2026-11.org.example:t%u 10.0.0.1:3260 0\n",
			     i, i);
	for (i = 0; i < 64; i++)
		n += sprintf(text + n, "linear %u 1 t%u 0\n", i, i);
	CHECK_EQ(parse(text, &map, &e), 0);
	rfl_map_free(&map);
	check_canonical(text);

	/* 16 stripes are fine, 17 are not */
	n = 0;
	for (i = 0; i < 17; i++)
		n += sprintf(text + n,
			     "target t%u iqn.2026-11.org.example:t%u 10.0.0.1:3260 0\n",
			     i, i);
	n += sprintf(text + n, "striped 0 160 10");
	for (i = 0; i < 16; i++)
		n += sprintf(text + n, " t%u 0", i);
	n += sprintf(text + n, "\nlinear 160 1 t16 0\n");
	CHECK_EQ(parse(text, &map, &e), 0);
	rfl_map_free(&map);
	check_canonical(text);
	n -= strlen("\nlinear 160 1 t16 0\n");
	n += sprintf(text + n, " t16 0\n");
	CHECK_EQ(parse(text, &map, &e), -EINVAL);
	CHECK_EQ(e.line, 18);
	CHECK(strstr(e.why, "more than 16 stripes"));
}

/* CPU time: the machine may be busy with other work. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 10,000 extents alternating between two LUs, and 65,537 extents. */
static void t_big(void)
{
	const u32 next = 10000;
	struct rfl_map_piece *p;
	struct rfl_map map;
	struct rfl_map_err e;
	char *text, *out;
	u32 i, n, len;
	double t0, t1;
	u64 cap[2] = { 50000, 50000 };
	int r;

	text = malloc(40 * 70000 + 200);
	out = malloc(40 * 70000 + 200);
	p = calloc(next, sizeof(*p));
	n = sprintf(text, TA TB);
	for (i = 0; i < next; i++)
		n += sprintf(text + n, "linear %u 10 %s %u\n", i * 10,
			     i % 2 ? "b" : "a", (i / 2) * 10);
	len = n;
	t0 = now();
	r = rfl_map_parse(text, len, &map, &e);
	t1 = now();
	printf("# parsed %u extents in %.1f ms of CPU\n", next, (t1 - t0) * 1000);
	CHECK_EQ(r, 0);
	CHECK(t1 - t0 < 1.0);
	CHECK_EQ(map.nextents, next);
	CHECK_EQ(map.size, next * 10);
	CHECK_EQ(rfl_map_check_capacity(&map, cap, &e), 0);
	cap[1] = 49999;
	CHECK_EQ(rfl_map_check_capacity(&map, cap, &e), -EINVAL);
	CHECK_EQ(e.line, next + 2);
	CHECK_EQ(rfl_map_format(&map, out, 40 * 70000), len);
	CHECK(!memcmp(out, text, len));
	/* the whole volume: one piece per extent */
	CHECK_EQ(rfl_map_translate(&map, 0, next * 10, p, next), next);
	for (i = 0; i < next; i++)
		CHECK(p[i].target == i % 2 && p[i].plba == (i / 2) * 10 &&
		      p[i].blocks == 10 && p[i].vblock_off == i * 10);
	CHECK_EQ(rfl_map_translate(&map, 0, next * 10, p, next - 1), -ENOSPC);
	/* every extent boundary, found by binary search */
	t0 = now();
	for (i = 0; i < next * 10; i += 7) {
		r = rfl_map_translate(&map, i, 1, p, 1);
		if (r != 1 || p[0].target != (i / 10) % 2 ||
		    p[0].plba != (i / 20) * 10 + i % 10) {
			CHECK(0);
			break;
		}
	}
	t1 = now();
	CHECK(t1 - t0 < 1.0);
	rfl_map_free(&map);

	/* 65,536 extents are the limit */
	n = sprintf(text, TA);
	for (i = 0; i < 65536; i++)
		n += sprintf(text + n, "linear %u 1 a %u\n", i, i);
	CHECK_EQ(rfl_map_parse(text, n, &map, &e), 0);
	CHECK_EQ(map.nextents, 65536);
	/* contiguous on one LU: a single merged piece */
	CHECK_EQ(rfl_map_translate(&map, 0, 65536, p, 1), 1);
	CHECK_EQ(p[0].blocks, 65536);
	rfl_map_free(&map);
	n += sprintf(text + n, "linear 65536 1 a 65536\n");
	CHECK_EQ(rfl_map_parse(text, n, &map, &e), -EINVAL);
	CHECK_EQ(e.line, 65538);
	CHECK(e.why && strstr(e.why, "more than 65536 extents"));
	free(text);
	free(out);
	free(p);
}

/* Random ranges of a random striped and linear map cover exactly. */
static void t_translate_random(void)
{
	static const char text[] =
		"target a iqn.2026-11.org.example:a 10.0.0.1:3260 0\n"
		"target b iqn.2026-11.org.example:b 10.0.0.2:3260 0\n"
		"target c iqn.2026-11.org.example:c 10.0.0.3:3260 0\n"
		"striped 0 96 8 a 0 b 0 c 0\n"
		"linear 96 13 b 32\n"
		"striped 109 30 3 c 32 a 32\n"
		"linear 139 1 a 100\n"
		"striped 140 64 16 b 100 a 200 c 100 b 200\n";
	struct rfl_map_piece p[64], q[1];
	struct rfl_map map;
	struct rfl_map_err e;
	u32 i, k;
	int n;

	CHECK_EQ(parse(text, &map, &e), 0);
	srand(1);
	for (i = 0; i < 20000; i++) {
		u64 v = rand() % map.size, next;
		u32 blocks = 1 + rand() % (map.size - v);

		n = rfl_map_translate(&map, v, blocks, p, 64);
		CHECK(n > 0);
		if (n <= 0)
			break;
		next = 0;
		for (k = 0; k < (u32)n; k++) {
			u32 b;

			CHECK_EQ(p[k].vblock_off, next);
			/* every block agrees with a one-block translation */
			for (b = 0; b < p[k].blocks; b += 1 + p[k].blocks / 3) {
				CHECK_EQ(rfl_map_translate(&map, v + next + b,
							   1, q, 1), 1);
				CHECK(q[0].target == p[k].target &&
				      q[0].plba == p[k].plba + b);
			}
			next += p[k].blocks;
		}
		CHECK_EQ(next, blocks);
	}
	rfl_map_free(&map);
}

const struct unit_test map_tests[] = {
	{ "worked example: translate (500, 40), capacity", t_worked_example },
	{ "striped sets and translation", t_striped },
	{ "contiguous pieces merge", t_merge },
	{ "canonical form, IPv6 RFC 5952, -ENOSPC", t_canonical },
	{ "every parse error with its line", t_errors },
	{ "limits: targets, stripes", t_limits },
	{ "10,000 and 65,536 extents", t_big },
	{ "random ranges cover exactly", t_translate_random },
};

const unsigned int map_ntests = UNIT_COUNT(map_tests);
