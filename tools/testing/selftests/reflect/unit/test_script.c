// SPDX-License-Identifier: GPL-2.0
/*
 * Reflection scripts: the READ/WRITE CDB codec, a byte-exact golden
 * script, encode/parse round trips (the worked example of the README),
 * every structural malformation refused by the parser, and the semantic
 * checks (tiling, direction, block counts, capacity).
 */

#include <stdlib.h>

#include "unit.h"

#define BS 512

static const char *const names[] = {
	"iqn.2003-01.org.linux-iscsi.reflect:disk-a",
	"iqn.2003-01.org.linux-iscsi.reflect:disk-b",
	"iqn.2003-01.org.linux-iscsi.reflect:disk-c",
};

/* A NAA designator (type 3, length 16): header + identifier. */
static const u8 naa_id[20] = {
	0x01, 0x03, 0x00, 0x10, 0x60, 0x01, 0x40, 0x5a,
	0xbc, 0xde, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
	0x06, 0x07, 0x08, 0x09,
};

static struct rfl_script_target tg[3];
static struct rfl_script_piece pc[3];
static struct rfl_script ex;

/* The worked example: READ 40 blocks at 500 -> A 400+10, B 300+20, C 600+10. */
static void build_example(bool write)
{
	static const u64 lba[3] = { 400, 300, 600 };
	static const u32 nblk[3] = { 10, 20, 10 };
	u32 i, off = 0;

	memset(tg, 0, sizeof(tg));
	memset(pc, 0, sizeof(pc));
	for (i = 0; i < 3; i++) {
		tg[i].name = names[i];
		tg[i].name_len = strlen(names[i]);
		tg[i].tpgt = 1;
		tg[i].lun = 0;
		tg[i].nportals = 1;
		tg[i].portals[0].family = 4;
		tg[i].portals[0].port = 3260;
		tg[i].portals[0].addr[0] = 10;
		tg[i].portals[0].addr[3] = 11 + i;
		tg[i].id = naa_id;
		tg[i].id_len = sizeof(naa_id);
		pc[i].target = i;
		pc[i].flags = write ? RFL_PIECE_WRITE : RFL_PIECE_READ;
		pc[i].offset = off;
		pc[i].length = nblk[i] * BS;
		pc[i].cdb_len = rfl_cdb_rw_build(pc[i].cdb, write, lba[i],
						 nblk[i], 0);
		off += pc[i].length;
	}
	memset(&ex, 0, sizeof(ex));
	ex.version = RFL_SCRIPT_VERSION;
	ex.generation = 7;
	ex.total_len = off;
	ex.ntargets = 3;
	ex.npieces = 3;
	ex.targets = tg;
	ex.pieces = pc;
}

static const struct rfl_script_lu lus3[3] = {
	{ 1000, BS }, { 1000, BS }, { 1000, BS },
};

static void t_cdb(void)
{
	u8 cdb[16];
	u64 lba;
	u32 blocks;
	bool w;

	/* READ(6): 21-bit LBA, 0 blocks means 256 */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x08;
	cdb[1] = 0x1f;
	cdb[2] = 0xff;
	cdb[3] = 0xfe;
	CHECK_EQ(rfl_cdb_rw_parse(cdb, 6, &lba, &blocks, &w), 0);
	CHECK_EQ(lba, 0x1ffffe);
	CHECK_EQ(blocks, 256);
	CHECK(!w);
	cdb[0] = 0x0a;
	cdb[4] = 9;
	CHECK_EQ(rfl_cdb_rw_parse(cdb, 6, &lba, &blocks, &w), 0);
	CHECK_EQ(blocks, 9);
	CHECK(w);
	CHECK_EQ(rfl_cdb_rw_parse(cdb, 10, &lba, &blocks, &w), -EINVAL);

	/* (10) */
	CHECK_EQ(rfl_cdb_rw_build(cdb, false, 0xfffffffeULL, 0xffff, 0xff),
		 10);
	CHECK_EQ(cdb[0], 0x28);
	CHECK_EQ(cdb[1], 0x18);
	CHECK_EQ(rfl_cdb_rw_parse(cdb, 10, &lba, &blocks, &w), 0);
	CHECK_EQ(lba, 0xfffffffeULL);
	CHECK_EQ(blocks, 0xffff);
	CHECK(!w);
	CHECK_EQ(rfl_cdb_rw_parse(cdb, 16, &lba, &blocks, &w), -EINVAL);
	CHECK_EQ(rfl_cdb_rw_parse(cdb, 0, &lba, &blocks, &w), -EINVAL);
	CHECK_EQ(rfl_cdb_rw_build(cdb, true, 1, 1, 0x08), 10);
	CHECK_EQ(cdb[0], 0x2a);
	CHECK_EQ(cdb[1], 0x08);

	/* (16) past 32-bit LBAs or 16-bit lengths */
	CHECK_EQ(rfl_cdb_rw_build(cdb, true, 0x100000000ULL, 1, 0x10), 16);
	CHECK_EQ(cdb[0], 0x8a);
	CHECK_EQ(cdb[1], 0x10);
	CHECK_EQ(rfl_cdb_rw_parse(cdb, 16, &lba, &blocks, &w), 0);
	CHECK_EQ(lba, 0x100000000ULL);
	CHECK_EQ(blocks, 1);
	CHECK(w);
	CHECK_EQ(rfl_cdb_rw_build(cdb, false, 0, 0x10000, 0), 16);
	CHECK_EQ(cdb[0], 0x88);
	CHECK_EQ(rfl_cdb_rw_parse(cdb, 16, &lba, &blocks, &w), 0);
	CHECK_EQ(lba, 0);
	CHECK_EQ(blocks, 0x10000);
	CHECK_EQ(rfl_cdb_rw_build(cdb, false, 0, 0, 0), -EINVAL);

	/* (12) */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0xaa;
	cdb[5] = 3;
	cdb[9] = 4;
	CHECK_EQ(rfl_cdb_rw_parse(cdb, 12, &lba, &blocks, &w), 0);
	CHECK_EQ(lba, 3);
	CHECK_EQ(blocks, 4);
	CHECK(w);

	/* not READ/WRITE */
	cdb[0] = 0x2f;	/* VERIFY(10) */
	CHECK_EQ(rfl_cdb_rw_parse(cdb, 10, &lba, &blocks, &w), -EINVAL);
	cdb[0] = 0x00;
	CHECK_EQ(rfl_cdb_rw_parse(cdb, 6, &lba, &blocks, &w), -EINVAL);
}

/* Header, one target (name, 1 IPv6 portal, no id), one piece: by hand. */
static const u8 golden[] = {
	/* header */
	'R', 'F', 'L', 'S', 0x01, 0x00, 0x00, 0x20,
	0x00, 0x00, 0x00, 0x2a,			/* generation 42 */
	0x00, 0x00, 0x10, 0x00,			/* total_len 4096 */
	0x00, 0x01, 0x00, 0x01,			/* 1 target, 1 piece */
	0x00, 0x00, 0x00, 0x74,			/* script_len 116 */
	0, 0, 0, 0, 0, 0, 0, 0,
	/* target: entry_len 52, tpgt 3, LUN 1 (int_to_scsilun form) */
	0x00, 0x34, 0x00, 0x03,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	13, 1, 0, 0,				/* name_len, nportals, id_len */
	'i', 'q', 'n', '.', '2', '0', '2', '6', '-', '1', '1', '.', 'x',
	6, 0, 0x0c, 0xbc,			/* IPv6, port 3260 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0, 0, 0,				/* padding: 16+13+20 = 49 */
	/* piece: target 0, READ(10) of 8 blocks at 0x12345678 */
	0x00, 0x00, 10, RFL_PIECE_READ,
	0x00, 0x00, 0x00, 0x00,			/* offset 0 */
	0x00, 0x00, 0x10, 0x00,			/* length 4096 */
	0, 0, 0, 0,
	0x28, 0x00, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00,
	0x08, 0x00, 0, 0, 0, 0, 0, 0,
};

static void t_golden(void)
{
	struct rfl_script_target t[1];
	struct rfl_script_piece p[1];
	struct rfl_script s = { .targets = t, .pieces = p };
	static const struct rfl_script_lu lu = { 1ULL << 32, 512 };
	const char *why;
	u8 out[sizeof(golden)];
	u16 nt, np;

	CHECK_EQ(sizeof(golden), 116);
	CHECK_EQ(rfl_script_peek(golden, sizeof(golden), &nt, &np), 0);
	CHECK_EQ(nt, 1);
	CHECK_EQ(np, 1);
	CHECK_EQ(rfl_script_parse(golden, sizeof(golden), &s, &why), 0);
	CHECK(!why);
	CHECK_EQ(s.generation, 42);
	CHECK_EQ(s.total_len, 4096);
	CHECK_EQ(t[0].tpgt, 3);
	CHECK_EQ(t[0].lun, 0x0001000000000000ULL);
	CHECK_EQ(t[0].name_len, 13);
	CHECK(!memcmp(t[0].name, "iqn.2026-11.x", 13));
	CHECK_EQ(t[0].portals[0].family, 6);
	CHECK_EQ(t[0].portals[0].port, 3260);
	CHECK_EQ(t[0].portals[0].addr[15], 1);
	CHECK(!t[0].id);
	CHECK_EQ(p[0].cdb_len, 10);
	CHECK_EQ(p[0].length, 4096);
	CHECK_EQ(rfl_script_check(&s, &lu, 4096, false, &why), 0);
	CHECK_EQ(rfl_script_check(&s, &lu, 4096, true, &why), -EINVAL);
	CHECK_EQ(rfl_script_size(&s), sizeof(golden));
	CHECK_EQ(rfl_script_encode(&s, out, sizeof(out)), sizeof(golden));
	CHECK(!memcmp(out, golden, sizeof(golden)));
	CHECK_EQ(rfl_script_encode(&s, out, sizeof(out) - 1), -ENOSPC);
}

static void t_worked_example(void)
{
	struct rfl_script_target t2[3];
	struct rfl_script_piece p2[3];
	struct rfl_script s = { .targets = t2, .pieces = p2 };
	u8 buf[1024], buf2[1024];
	const char *why;
	int len, i;
	u16 nt, np;
	u64 lba;
	u32 blocks;
	bool w;

	build_example(false);
	len = rfl_script_encode(&ex, buf, sizeof(buf));
	CHECK_EQ(len, rfl_script_size(&ex));
	/* 32 + 3 * (16 + 42 + 20 + 20 = 98 -> 100) + 3 * 32 */
	CHECK_EQ(len, 32 + 3 * 100 + 3 * 32);
	CHECK_EQ(rfl_script_peek(buf, len, &nt, &np), 0);
	CHECK_EQ(nt, 3);
	CHECK_EQ(np, 3);
	CHECK_EQ(rfl_script_parse(buf, len, &s, &why), 0);
	CHECK_EQ(s.total_len, 40 * BS);
	CHECK_EQ(rfl_script_check(&s, lus3, 40 * BS, false, &why), 0);
	CHECK(!why);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(t2[i].name_len, strlen(names[i]));
		CHECK(!memcmp(t2[i].name, names[i], t2[i].name_len));
		CHECK_EQ(t2[i].portals[0].addr[3], 11 + i);
		CHECK_EQ(t2[i].id_len, sizeof(naa_id));
		CHECK(!memcmp(t2[i].id, naa_id, sizeof(naa_id)));
	}
	CHECK(!rfl_cdb_rw_parse(p2[0].cdb, p2[0].cdb_len, &lba, &blocks, &w));
	CHECK(lba == 400 && blocks == 10 && !w && p2[0].offset == 0);
	CHECK(!rfl_cdb_rw_parse(p2[1].cdb, p2[1].cdb_len, &lba, &blocks, &w));
	CHECK(lba == 300 && blocks == 20 && p2[1].offset == 10 * BS);
	CHECK(!rfl_cdb_rw_parse(p2[2].cdb, p2[2].cdb_len, &lba, &blocks, &w));
	CHECK(lba == 600 && blocks == 10 && p2[2].offset == 30 * BS);
	CHECK_EQ(rfl_script_encode(&s, buf2, sizeof(buf2)), len);
	CHECK(!memcmp(buf, buf2, len));

	/* the same as a WRITE */
	build_example(true);
	len = rfl_script_encode(&ex, buf, sizeof(buf));
	CHECK_EQ(rfl_script_parse(buf, len, &s, &why), 0);
	CHECK_EQ(rfl_script_check(&s, lus3, 40 * BS, true, &why), 0);
	CHECK_EQ(rfl_script_check(&s, lus3, 40 * BS, false, &why), -EINVAL);
}

/* Encode the example, apply one change at byte off, expect a refusal. */
struct malform {
	const char *what;
	u32 off;
	u8 val;
	int peek;			/* expected peek result */
};

/* Offsets in the encoded example: header 0, targets 32/132/232, pieces 332. */
#define T0 32
#define P0 332
static const struct malform malforms[] = {
	{ "magic", 0, 'r', -EINVAL },
	{ "version 2", 4, 2, -EPROTONOSUPPORT },
	{ "version 0", 4, 0, -EPROTONOSUPPORT },
	{ "header flags", 5, 1, 0 },
	{ "hdr_len", 7, 36, -EINVAL },
	{ "ntargets 0", 17, 0, -EINVAL },
	{ "ntargets 65", 17, 65, -EINVAL },
	{ "ntargets 2", 17, 2, 0 },
	{ "ntargets 4", 17, 4, 0 },
	{ "npieces 0", 19, 0, -EINVAL },
	{ "npieces 2", 19, 2, 0 },
	{ "npieces 4", 19, 4, 0 },
	{ "npieces > 1024", 18, 4, -EINVAL },
	{ "script_len", 23, 0, -EINVAL },
	{ "header reserved", 31, 1, 0 },
	{ "entry_len not a multiple of 4", T0 + 1, 98, 0 },
	{ "entry_len too long", T0 + 1, 104, 0 },
	{ "entry_len too short", T0 + 1, 96, 0 },
	{ "entry_len past the end", T0, 4, 0 },
	{ "name_len 0", T0 + 12, 0, 0 },
	{ "name_len +1", T0 + 12, 43, 0 },
	{ "nportals 0", T0 + 13, 0, 0 },
	{ "nportals 9", T0 + 13, 9, 0 },
	{ "id_len 3", T0 + 14, 3, 0 },
	{ "id_len -1", T0 + 14, 19, 0 },
	{ "target reserved", T0 + 15, 1, 0 },
	{ "name not an iSCSI name", T0 + 16, 'I', 0 },
	{ "name with a NUL", T0 + 20, 0, 0 },
	{ "portal family 5", T0 + 58, 5, 0 },
	{ "portal family 0", T0 + 58, 0, 0 },
	{ "portal reserved", T0 + 59, 1, 0 },
	{ "IPv4 portal bytes after the address", T0 + 58 + 8, 1, 0 },
	{ "designator length", T0 + 78 + 3, 15, 0 },
	{ "target padding", T0 + 98, 1, 0 },
	{ "second target padding", T0 + 100 + 99, 1, 0 },
	{ "piece target index", P0 + 1, 3, 0 },
	{ "piece target index high byte", P0, 1, 0 },
	{ "target used by no piece", P0 + 64 + 1, 1, 0 },
	{ "piece cdb_len 7", P0 + 2, 7, 0 },
	{ "piece cdb_len 16 for a 10-byte opcode", P0 + 2, 16, 0 },
	{ "piece cdb_len 0", P0 + 2, 0, 0 },
	{ "piece cdb_len 17", P0 + 2, 17, 0 },
	{ "piece flags 0", P0 + 3, 0, 0 },
	{ "piece flags both", P0 + 3, 3, 0 },
	{ "piece flags other", P0 + 3, 0x81, 0 },
	{ "piece length 0", P0 + 8 + 2, 0, 0 },
	{ "piece reserved", P0 + 12, 1, 0 },
	{ "piece cdb padding", P0 + 16 + 10, 1, 0 },
	{ "piece cdb padding last", P0 + 31, 1, 0 },
	{ "piece opcode of a 16-byte group", P0 + 16, 0x88, 0 },
	{ "piece opcode of the variable-length group", P0 + 16, 0x7f, 0 },
	{ "piece opcode of a vendor group", P0 + 16, 0xc8, 0 },
};

static void t_malformed(void)
{
	struct rfl_script_target t2[RFL_SCRIPT_MAX_TARGETS];
	struct rfl_script_piece p2[RFL_SCRIPT_MAX_PIECES];
	struct rfl_script s = { .targets = t2, .pieces = p2 };
	u8 good[1024], buf[1024];
	const char *why;
	unsigned int i;
	int len;
	u16 nt, np;

	build_example(false);
	len = rfl_script_encode(&ex, good, sizeof(good));
	CHECK_EQ(len, 428);
	CHECK_EQ(rfl_script_parse(good, len, &s, &why), 0);
	for (i = 0; i < UNIT_COUNT(malforms); i++) {
		const struct malform *m = &malforms[i];
		int r;

		memcpy(buf, good, len);
		CHECK(buf[m->off] != m->val);
		buf[m->off] = m->val;
		r = rfl_script_peek(buf, len, &nt, &np);
		if (r != m->peek)
			printf("# peek: %s: %d\n", m->what, r);
		CHECK_EQ(r, m->peek);
		why = NULL;
		r = rfl_script_parse(buf, len, &s, &why);
		if (r != -EINVAL || !why)
			printf("# parse accepted: %s\n", m->what);
		CHECK_EQ(r, -EINVAL);
		CHECK(why);
	}

	/* truncated or extended anywhere */
	for (i = 0; i < (unsigned int)len; i++) {
		memcpy(buf, good, len);
		buf[23] = i & 0xff;
		buf[22] = i >> 8;
		CHECK_EQ(rfl_script_parse(buf, i, &s, &why), -EINVAL);
	}
	memcpy(buf, good, len);
	buf[len] = 0;
	buf[23] = (len + 4) & 0xff;
	buf[22] = (len + 4) >> 8;
	memset(buf + len, 0, 4);
	CHECK_EQ(rfl_script_parse(buf, len + 4, &s, &why), -EINVAL);

	/* port 0 */
	memcpy(buf, good, len);
	buf[T0 + 60] = 0;
	buf[T0 + 61] = 0;
	CHECK_EQ(rfl_script_parse(buf, len, &s, &why), -EINVAL);

	/* a piece offset + length that wraps 32 bits */
	memcpy(buf, good, len);
	memset(buf + P0 + 4, 0xff, 4);
	CHECK_EQ(rfl_script_parse(buf, len, &s, &why), -EINVAL);

	/* every single-byte change is refused or re-encodes to itself */
	for (i = 0; i < (unsigned int)len; i++) {
		static const u8 vals[] = { 0x00, 0x01, 0x80, 0xff };
		unsigned int v;

		for (v = 0; v < sizeof(vals); v++) {
			u8 out[1024];

			memcpy(buf, good, len);
			buf[i] = good[i] ^ vals[v];
			if (rfl_script_parse(buf, len, &s, &why))
				continue;
			CHECK_EQ(rfl_script_encode(&s, out, sizeof(out)), len);
			CHECK(!memcmp(out, buf, len));
		}
	}
}

static void t_encode_refuses(void)
{
	u8 buf[1024];

	build_example(false);
	ex.version = 2;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	ex.flags = 1;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	ex.ntargets = 0;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	ex.npieces = 0;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	tg[1].name = "disk-b";
	tg[1].name_len = 6;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	tg[2].portals[0].family = 5;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	tg[2].nportals = 9;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	tg[0].id_len = 4;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	pc[2].target = 3;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	pc[2].target = 0;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	pc[0].flags = 3;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	pc[0].cdb_len = 16;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	pc[1].length = 0;
	CHECK_EQ(rfl_script_encode(&ex, buf, sizeof(buf)), -EINVAL);
	build_example(false);
	CHECK_EQ(rfl_script_encode(&ex, buf, 427), -ENOSPC);
	CHECK_EQ(rfl_script_encode(&ex, buf, 428), 428);
}

/* Re-encode a changed example and run the semantic check on it. */
static int check_after(bool write, u32 total, const struct rfl_script_lu *lus,
		       const char **why)
{
	struct rfl_script_target t2[3];
	struct rfl_script_piece p2[3];
	struct rfl_script s = { .targets = t2, .pieces = p2 };
	u8 buf[1024];
	int len;

	len = rfl_script_encode(&ex, buf, sizeof(buf));
	if (len < 0 || rfl_script_parse(buf, len, &s, why))
		return -100;
	return rfl_script_check(&s, lus, total, write, why);
}

static void t_check(void)
{
	struct rfl_script_lu lus[3];
	struct rfl_script_piece tmp;
	const char *why;

	memcpy(lus, lus3, sizeof(lus));
	build_example(false);
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), 0);
	/* total length differs from the command's */
	CHECK_EQ(check_after(false, 41 * BS, lus, &why), -EINVAL);
	CHECK_EQ(check_after(false, 39 * BS, lus, &why), -EINVAL);

	/* out of order */
	build_example(false);
	tmp = pc[0];
	pc[0] = pc[1];
	pc[1] = tmp;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	/* gap */
	build_example(false);
	pc[1].offset += BS;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	CHECK(why && strstr(why, "gap"));
	/* overlap */
	build_example(false);
	pc[2].offset -= BS;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	CHECK(why && strstr(why, "overlap"));
	/* past the end */
	build_example(false);
	ex.total_len = 35 * BS;
	CHECK_EQ(check_after(false, 35 * BS, lus, &why), -EINVAL);
	/* short of the end */
	build_example(false);
	ex.total_len = 45 * BS;
	CHECK_EQ(check_after(false, 45 * BS, lus, &why), -EINVAL);
	CHECK(why && strstr(why, "cover"));

	/* direction: the flag, the CDB, the command */
	build_example(false);
	pc[1].flags = RFL_PIECE_WRITE;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	build_example(false);
	pc[1].cdb[0] = 0x2a;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	build_example(false);
	CHECK_EQ(check_after(true, 40 * BS, lus, &why), -EINVAL);
	/* not READ/WRITE */
	build_example(false);
	pc[1].cdb[0] = 0x2f;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	/* protection information, group number, control byte */
	build_example(false);
	pc[1].cdb[1] = 0x20;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	build_example(false);
	pc[1].cdb[1] = 0x18;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), 0);
	build_example(false);
	pc[1].cdb[6] = 1;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	build_example(false);
	pc[1].cdb[9] = 4;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);

	/* blocks times block size */
	build_example(false);
	pc[1].cdb[8] = 19;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	lus[1].block_size = 4096;
	build_example(false);
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	lus[1].block_size = 0;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	memcpy(lus, lus3, sizeof(lus));
	/* zero blocks */
	build_example(false);
	pc[1].cdb[8] = 0;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);

	/* capacity: C 600-609 needs 610 blocks */
	lus[2].capacity = 610;
	build_example(false);
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), 0);
	lus[2].capacity = 609;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	CHECK(why && strstr(why, "end of its LU"));
	lus[2].capacity = 5;
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	/* an LBA near 2^64 does not wrap */
	memcpy(lus, lus3, sizeof(lus));
	lus[2].capacity = U64_MAX;
	build_example(false);
	pc[2].cdb_len = rfl_cdb_rw_build(pc[2].cdb, false, U64_MAX - 5, 10, 0);
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), -EINVAL);
	pc[2].cdb_len = rfl_cdb_rw_build(pc[2].cdb, false, U64_MAX - 10, 10,
					 0);
	CHECK_EQ(check_after(false, 40 * BS, lus, &why), 0);

	/* READ(6) with 0 meaning 256 blocks */
	memcpy(lus, lus3, sizeof(lus));
	build_example(false);
	ex.npieces = 1;
	ex.ntargets = 1;
	ex.total_len = 256 * BS;
	pc[0].length = 256 * BS;
	memset(pc[0].cdb, 0, sizeof(pc[0].cdb));
	pc[0].cdb[0] = 0x08;
	pc[0].cdb[3] = 7;
	pc[0].cdb_len = 6;
	CHECK_EQ(check_after(false, 256 * BS, lus, &why), 0);
	pc[0].cdb[1] = 0x20;	/* obsolete LUN bits */
	CHECK_EQ(check_after(false, 256 * BS, lus, &why), -EINVAL);
}

/* The largest script: 64 targets of 8 IPv6 portals, 1024 pieces. */
static void t_limits(void)
{
	static struct rfl_script_target t[RFL_SCRIPT_MAX_TARGETS];
	static struct rfl_script_piece p[RFL_SCRIPT_MAX_PIECES];
	static struct rfl_script_target t2[RFL_SCRIPT_MAX_TARGETS];
	static struct rfl_script_piece p2[RFL_SCRIPT_MAX_PIECES];
	static struct rfl_script_lu lus[RFL_SCRIPT_MAX_TARGETS];
	static u8 name[RFL_SCRIPT_NAME_MAX], id[255];
	struct rfl_script s = { .version = 1, .ntargets = 64, .npieces = 1024,
				.targets = t, .pieces = p };
	struct rfl_script s2 = { .targets = t2, .pieces = p2 };
	u8 *buf, *buf2;
	const char *why;
	u32 i, size;
	int len;
	u16 nt, np;

	memcpy(name, "iqn.2026-11.org.example:", 24);
	memset(name + 24, 'z', sizeof(name) - 24);
	memset(id, 0xab, sizeof(id));
	id[3] = 251;
	for (i = 0; i < 64; i++) {
		u32 j;

		t[i].name = (const char *)name;
		t[i].name_len = sizeof(name);
		t[i].nportals = 8;
		for (j = 0; j < 8; j++) {
			t[i].portals[j].family = 6;
			t[i].portals[j].port = 3260 + j;
			t[i].portals[j].addr[0] = 0xfe;
			t[i].portals[j].addr[15] = j;
		}
		t[i].id = id;
		t[i].id_len = 255;
		lus[i].capacity = 1 << 20;
		lus[i].block_size = 4096;
	}
	for (i = 0; i < 1024; i++) {
		p[i].target = i % 64;
		p[i].flags = RFL_PIECE_WRITE;
		p[i].offset = i * 4096;
		p[i].length = 4096;
		p[i].cdb_len = rfl_cdb_rw_build(p[i].cdb, true, i, 1, 0);
	}
	s.total_len = 1024 * 4096;
	size = rfl_script_size(&s);
	/* 16 + 223 + 160 + 255 = 654 -> 656 */
	CHECK_EQ(size, 32 + 64 * 656 + 1024 * 32);
	buf = malloc(size);
	buf2 = malloc(size);
	len = rfl_script_encode(&s, buf, size);
	CHECK_EQ(len, size);
	CHECK_EQ(rfl_script_peek(buf, len, &nt, &np), 0);
	CHECK_EQ(rfl_script_parse(buf, len, &s2, &why), 0);
	CHECK_EQ(rfl_script_check(&s2, lus, 1024 * 4096, true, &why), 0);
	CHECK_EQ(rfl_script_encode(&s2, buf2, size), len);
	CHECK(!memcmp(buf, buf2, size));
	s.ntargets = 65;
	CHECK_EQ(rfl_script_encode(&s, buf, size), -EINVAL);
	s.ntargets = 64;
	s.npieces = 1025;
	CHECK_EQ(rfl_script_encode(&s, buf, size), -EINVAL);
	free(buf);
	free(buf2);
}

static void t_names(void)
{
	static const char *const good[] = {
		"iqn.2003-01.org.linux-iscsi.reflect:disk-a",
		"iqn.1992-01.com.example",
		"iqn.2026-12.x:y.z-1",
		"eui.02004567A425678D",
		"eui.02004567a425678d",
		"naa.52004567BA64678D",
		"naa.62004567BA64678D0123456789ABCDEF",
	};
	static const char *const bad[] = {
		"", "iqn.", "iqn.2003-01", "iqn.2003-01.", "iqn.2003-13.org.x",
		"iqn.2003-00.org.x", "iqn.03-01.org.x", "iqn.2003-1.org.x",
		"iqn.2003-01.Org.x", "iqn.2003-01.org.x y", "iqn.2003-01.org_x",
		"iqn.2003-01..org", "IQN.2003-01.org.x", "eui.02004567A425678",
		"eui.02004567A425678DX", "eui.02004567A425678G",
		"naa.62004567BA64678D0123456789ABCDE", "abc.x", "iqn.2003-01:x",
	};
	char longname[RFL_SCRIPT_NAME_MAX + 2];
	unsigned int i;

	for (i = 0; i < UNIT_COUNT(good); i++) {
		if (rfl_iscsi_name_check(good[i], strlen(good[i])))
			printf("# refused %s\n", good[i]);
		CHECK_EQ(rfl_iscsi_name_check(good[i], strlen(good[i])), 0);
	}
	for (i = 0; i < UNIT_COUNT(bad); i++) {
		if (!rfl_iscsi_name_check(bad[i], strlen(bad[i])))
			printf("# accepted %s\n", bad[i]);
		CHECK_EQ(rfl_iscsi_name_check(bad[i], strlen(bad[i])),
			 -EINVAL);
	}
	memcpy(longname, "iqn.2026-11.org.x:", 18);
	memset(longname + 18, 'a', sizeof(longname) - 18);
	CHECK_EQ(rfl_iscsi_name_check(longname, RFL_SCRIPT_NAME_MAX), 0);
	CHECK_EQ(rfl_iscsi_name_check(longname, RFL_SCRIPT_NAME_MAX + 1),
		 -EINVAL);
}

const struct unit_test script_tests[] = {
	{ "READ/WRITE CDBs: parse and build", t_cdb },
	{ "golden script bytes", t_golden },
	{ "worked example: encode, parse, check, round trip", t_worked_example },
	{ "every malformation refused", t_malformed },
	{ "encoder refuses what would not parse", t_encode_refuses },
	{ "semantic check: tiling, direction, blocks, capacity", t_check },
	{ "largest script round trip", t_limits },
	{ "iSCSI names", t_names },
};

const unsigned int script_ntests = UNIT_COUNT(script_tests);
