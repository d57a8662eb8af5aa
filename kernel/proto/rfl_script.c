// SPDX-License-Identifier: GPL-2.0
/*
 * Reflection scripts: the data segment of a reflection status. The
 * manager encodes one per reflected command; the host peeks at its header
 * to size its arrays, parses it (structure) and checks it against what it
 * knows of the backing LUs (semantics) before it sends a single piece.
 * Documentation/reflection-protocol.rst is the byte-by-byte layout.
 *
 * The parser is strict: every byte of a script is either a value that is
 * checked or a reserved or padding byte that must be zero, so a valid
 * script has exactly one encoding and rfl_script_encode() of a parsed
 * script gives back the same bytes.
 */

#include "rfl_script.h"

/* Header offsets. */
#define RFL_H_MAGIC		0
#define RFL_H_VERSION		4
#define RFL_H_FLAGS		5
#define RFL_H_HDR_LEN		6
#define RFL_H_GENERATION	8
#define RFL_H_TOTAL_LEN		12
#define RFL_H_NTARGETS		16
#define RFL_H_NPIECES		18
#define RFL_H_SCRIPT_LEN	20
#define RFL_H_RSVD		24

/* Target entry offsets. */
#define RFL_T_ENTRY_LEN		0
#define RFL_T_TPGT		2
#define RFL_T_LUN		4
#define RFL_T_NAME_LEN		12
#define RFL_T_NPORTALS		13
#define RFL_T_ID_LEN		14
#define RFL_T_RSVD		15

/* Piece offsets. */
#define RFL_P_TARGET		0
#define RFL_P_CDB_LEN		2
#define RFL_P_FLAGS		3
#define RFL_P_OFFSET		4
#define RFL_P_LENGTH		8
#define RFL_P_RSVD		12
#define RFL_P_CDB		16

/* The smallest target entry: a 1-byte name and one portal, padded. */
#define RFL_TGT_MIN_LEN		40

/* SCSI opcodes of the block commands a piece may carry. */
#define RFL_READ_6		0x08
#define RFL_WRITE_6		0x0a
#define RFL_READ_10		0x28
#define RFL_WRITE_10		0x2a
#define RFL_READ_12		0xa8
#define RFL_WRITE_12		0xaa
#define RFL_READ_16		0x88
#define RFL_WRITE_16		0x8a

/* Byte 1 of READ/WRITE(10/12/16): DPO and FUA are all a piece may set. */
#define RFL_CDB_FUA_DPO		0x18

static u32 rfl_align4(u32 v)
{
	return (v + 3) & ~3U;
}

static bool rfl_zero(const u8 *p, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static bool rfl_is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool rfl_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/**
 * rfl_iscsi_name_check() - check an iSCSI name (RFC 7143 4.2.7).
 * @name: the name, not necessarily NUL-terminated
 * @len: its length in bytes
 *
 * Accepts the three formats in their normalized ASCII form: ``iqn.`` with
 * a yyyy-mm date, a dot and a naming authority of lowercase letters,
 * digits, ``-``, ``.`` and ``:``; ``eui.`` with 16 hex digits; ``naa.``
 * with 16 or 32 hex digits. At most %RFL_SCRIPT_NAME_MAX bytes.
 * Internationalized (non-ASCII) names are refused.
 *
 * Return: 0 if valid, -EINVAL otherwise.
 */
int rfl_iscsi_name_check(const char *name, u32 len)
{
	u32 i, month;

	if (len < 5 || len > RFL_SCRIPT_NAME_MAX)
		return -EINVAL;
	if (!memcmp(name, "eui.", 4) || !memcmp(name, "naa.", 4)) {
		if (len - 4 != 16 && (name[0] == 'e' || len - 4 != 32))
			return -EINVAL;
		for (i = 4; i < len; i++)
			if (!rfl_is_hex(name[i]))
				return -EINVAL;
		return 0;
	}
	if (memcmp(name, "iqn.", 4))
		return -EINVAL;
	/* iqn.yyyy-mm.<authority>[...] */
	if (len < 13 || name[8] != '-' || name[11] != '.')
		return -EINVAL;
	for (i = 4; i < 11; i++)
		if (i != 8 && !rfl_is_digit(name[i]))
			return -EINVAL;
	month = (name[9] - '0') * 10 + (name[10] - '0');
	if (month < 1 || month > 12)
		return -EINVAL;
	if (!((name[12] >= 'a' && name[12] <= 'z') || rfl_is_digit(name[12])))
		return -EINVAL;
	for (i = 12; i < len; i++) {
		char c = name[i];

		if ((c >= 'a' && c <= 'z') || rfl_is_digit(c) || c == '-' ||
		    c == '.' || c == ':')
			continue;
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(rfl_iscsi_name_check);

/*
 * The CDB length of an opcode's group (SPC-4 4.2.5.1), 0 for the groups a
 * piece may not use (variable length, reserved, vendor specific).
 */
static u32 rfl_cdb_group_len(u8 opcode)
{
	switch (opcode >> 5) {
	case 0:
		return 6;
	case 1:
	case 2:
		return 10;
	case 4:
		return 16;
	case 5:
		return 12;
	default:
		return 0;
	}
}

/**
 * rfl_cdb_rw_parse() - decode a READ or WRITE CDB.
 * @cdb: the CDB
 * @cdb_len: its length, which must be the one of its opcode
 * @lba: set to the first logical block
 * @blocks: set to the transfer length in blocks (0 of READ/WRITE(6)
 *	means 256; 0 of the other sizes is returned as 0)
 * @write: set to true for a WRITE
 *
 * Knows READ and WRITE (6), (10), (12) and (16); the other bits of the CDB
 * (DPO, FUA, protection, group number, control) are not looked at.
 *
 * Return: 0, or -EINVAL for another opcode or a wrong @cdb_len.
 */
int rfl_cdb_rw_parse(const u8 *cdb, u32 cdb_len, u64 *lba, u32 *blocks,
		     bool *write)
{
	if (!cdb_len)
		return -EINVAL;
	switch (cdb[0]) {
	case RFL_READ_6:
	case RFL_WRITE_6:
		if (cdb_len != 6)
			return -EINVAL;
		*lba = (u32)(cdb[1] & 0x1f) << 16 | rfl_get_be16(cdb + 2);
		*blocks = cdb[4] ? cdb[4] : 256;
		break;
	case RFL_READ_10:
	case RFL_WRITE_10:
		if (cdb_len != 10)
			return -EINVAL;
		*lba = rfl_get_be32(cdb + 2);
		*blocks = rfl_get_be16(cdb + 7);
		break;
	case RFL_READ_12:
	case RFL_WRITE_12:
		if (cdb_len != 12)
			return -EINVAL;
		*lba = rfl_get_be32(cdb + 2);
		*blocks = rfl_get_be32(cdb + 6);
		break;
	case RFL_READ_16:
	case RFL_WRITE_16:
		if (cdb_len != 16)
			return -EINVAL;
		*lba = rfl_get_be64(cdb + 2);
		*blocks = rfl_get_be32(cdb + 10);
		break;
	default:
		return -EINVAL;
	}
	/* every WRITE opcode above is its READ plus 2 */
	*write = cdb[0] & 0x02;
	return 0;
}
EXPORT_SYMBOL_GPL(rfl_cdb_rw_parse);

/**
 * rfl_cdb_rw_build() - write a READ or WRITE CDB.
 * @cdb: room for %RFL_SCRIPT_CDB_MAX bytes; only the CDB's length is
 *	written
 * @write: WRITE instead of READ
 * @lba: first logical block
 * @blocks: transfer length in blocks, at least 1
 * @fua_dpo: byte 1 bits to copy in (only the DPO and FUA bits, mask 0x18,
 *	are used)
 *
 * Builds READ/WRITE(10) when @lba fits 32 bits and @blocks 16 bits, and
 * READ/WRITE(16) otherwise. Group number and control byte are 0.
 *
 * Return: the CDB length (10 or 16), or -EINVAL when @blocks is 0.
 */
int rfl_cdb_rw_build(u8 *cdb, bool write, u64 lba, u32 blocks, u8 fua_dpo)
{
	if (!blocks)
		return -EINVAL;
	if (lba <= U32_MAX && blocks <= U16_MAX) {
		memset(cdb, 0, 10);
		cdb[0] = write ? RFL_WRITE_10 : RFL_READ_10;
		cdb[1] = fua_dpo & RFL_CDB_FUA_DPO;
		rfl_put_be32(cdb + 2, (u32)lba);
		rfl_put_be16(cdb + 7, (u16)blocks);
		return 10;
	}
	memset(cdb, 0, 16);
	cdb[0] = write ? RFL_WRITE_16 : RFL_READ_16;
	cdb[1] = fua_dpo & RFL_CDB_FUA_DPO;
	rfl_put_be64(cdb + 2, lba);
	rfl_put_be32(cdb + 10, blocks);
	return 16;
}
EXPORT_SYMBOL_GPL(rfl_cdb_rw_build);

/* The bytes a target entry takes on the wire, padding included. */
static u32 rfl_target_len(const struct rfl_script_target *t)
{
	return rfl_align4(RFL_SCRIPT_TGT_FIXED + t->name_len +
			  t->nportals * RFL_SCRIPT_PORTAL_LEN + t->id_len);
}

/*
 * Checks of the decoded values of a target, shared by the parser and the
 * encoder so that everything the encoder accepts parses back.
 */
static const char *rfl_target_bad(const struct rfl_script_target *t)
{
	u32 i;

	if (!t->name_len || t->name_len > RFL_SCRIPT_NAME_MAX || !t->name)
		return "target name length";
	if (rfl_iscsi_name_check(t->name, t->name_len))
		return "target name is not an iSCSI name";
	if (!t->nportals || t->nportals > RFL_SCRIPT_MAX_PORTALS)
		return "target portal count";
	for (i = 0; i < t->nportals; i++) {
		const struct rfl_script_portal *p = &t->portals[i];

		if (p->family != 4 && p->family != 6)
			return "portal address family";
		if (p->family == 4 && !rfl_zero(p->addr + 4, 12))
			return "IPv4 portal with bytes after the address";
		if (!p->port)
			return "portal port 0";
	}
	if (t->id_len) {
		/* one designation descriptor: 4-byte header + identifier */
		if (!t->id || t->id_len < 5 || t->id[3] != t->id_len - 4)
			return "target identifier is not one designator";
	}
	return NULL;
}

static const char *rfl_piece_bad(const struct rfl_script_piece *p,
				 u16 ntargets)
{
	if (p->target >= ntargets)
		return "piece target index";
	if (p->cdb_len != 6 && p->cdb_len != 10 && p->cdb_len != 12 &&
	    p->cdb_len != 16)
		return "piece CDB length";
	if (rfl_cdb_group_len(p->cdb[0]) != p->cdb_len)
		return "piece CDB length differs from its opcode group";
	if (p->flags != RFL_PIECE_READ && p->flags != RFL_PIECE_WRITE)
		return "piece direction flags";
	if (!p->length)
		return "piece length 0";
	if (p->offset > U32_MAX - p->length)
		return "piece offset + length overflows";
	return NULL;
}

/* A script names only the LUs its pieces use. */
static const char *rfl_targets_unused(const struct rfl_script *s)
{
	u64 used = 0;
	u16 i;

	for (i = 0; i < s->npieces; i++)
		used |= 1ULL << s->pieces[i].target;
	if (used != (~0ULL >> (64 - s->ntargets)))
		return "target not used by any piece";
	return NULL;
}

/**
 * rfl_script_peek() - check a script's header and read its counts.
 * @buf: the script (the data segment of a reflection status)
 * @len: its length
 * @ntargets: set to the number of target entries
 * @npieces: set to the number of pieces
 *
 * Checks magic, version, header length, that the script length in the
 * header is @len, that both counts are at least 1 and within
 * %RFL_SCRIPT_MAX_TARGETS and %RFL_SCRIPT_MAX_PIECES, and that @len can
 * hold that many entries. The caller then allocates the arrays
 * rfl_script_parse() fills.
 *
 * Return: 0; -EPROTONOSUPPORT for a script of another version (the host
 * re-drives the command with the proxy flag); -EINVAL otherwise.
 */
int rfl_script_peek(const void *buf, u32 len, u16 *ntargets, u16 *npieces)
{
	const u8 *b = buf;
	u16 nt, np;

	if (len < RFL_H_VERSION + 1 ||
	    rfl_get_be32(b + RFL_H_MAGIC) != RFL_SCRIPT_MAGIC)
		return -EINVAL;
	if (b[RFL_H_VERSION] != RFL_SCRIPT_VERSION)
		return -EPROTONOSUPPORT;
	if (len < RFL_SCRIPT_HDR_LEN ||
	    rfl_get_be16(b + RFL_H_HDR_LEN) != RFL_SCRIPT_HDR_LEN ||
	    rfl_get_be32(b + RFL_H_SCRIPT_LEN) != len)
		return -EINVAL;
	nt = rfl_get_be16(b + RFL_H_NTARGETS);
	np = rfl_get_be16(b + RFL_H_NPIECES);
	if (!nt || nt > RFL_SCRIPT_MAX_TARGETS || !np ||
	    np > RFL_SCRIPT_MAX_PIECES)
		return -EINVAL;
	if ((u64)RFL_SCRIPT_HDR_LEN + (u64)nt * RFL_TGT_MIN_LEN +
	    (u64)np * RFL_SCRIPT_PIECE_LEN > len)
		return -EINVAL;
	*ntargets = nt;
	*npieces = np;
	return 0;
}
EXPORT_SYMBOL_GPL(rfl_script_peek);

static const char *rfl_parse_target(const u8 *b, u32 len, u32 *off,
				    struct rfl_script_target *t)
{
	u32 entry_len, pos, i;
	const u8 *e;

	if (len - *off < RFL_SCRIPT_TGT_FIXED)
		return "target entry truncated";
	e = b + *off;
	entry_len = rfl_get_be16(e + RFL_T_ENTRY_LEN);
	if (entry_len % 4 || entry_len > len - *off)
		return "target entry length";
	if (e[RFL_T_RSVD])
		return "target entry reserved byte";
	t->tpgt = rfl_get_be16(e + RFL_T_TPGT);
	t->lun = rfl_get_be64(e + RFL_T_LUN);
	t->name_len = e[RFL_T_NAME_LEN];
	t->nportals = e[RFL_T_NPORTALS];
	t->id_len = e[RFL_T_ID_LEN];
	/* the counts are bounded by u8, so this cannot overflow */
	if (rfl_target_len(t) != entry_len)
		return "target entry length differs from its contents";
	if (!t->nportals || t->nportals > RFL_SCRIPT_MAX_PORTALS)
		return "target portal count";
	pos = RFL_SCRIPT_TGT_FIXED;
	t->name = (const char *)e + pos;
	pos += t->name_len;
	memset(t->portals, 0, sizeof(t->portals));
	for (i = 0; i < t->nportals; i++) {
		struct rfl_script_portal *p = &t->portals[i];

		if (e[pos + 1])
			return "portal reserved byte";
		p->family = e[pos];
		p->port = rfl_get_be16(e + pos + 2);
		memcpy(p->addr, e + pos + 4, sizeof(p->addr));
		pos += RFL_SCRIPT_PORTAL_LEN;
	}
	t->id = t->id_len ? e + pos : NULL;
	pos += t->id_len;
	if (!rfl_zero(e + pos, entry_len - pos))
		return "target entry padding";
	*off += entry_len;
	return rfl_target_bad(t);
}

static const char *rfl_parse_piece(const u8 *p, u16 ntargets,
				   struct rfl_script_piece *pc)
{
	pc->target = rfl_get_be16(p + RFL_P_TARGET);
	pc->cdb_len = p[RFL_P_CDB_LEN];
	pc->flags = p[RFL_P_FLAGS];
	pc->offset = rfl_get_be32(p + RFL_P_OFFSET);
	pc->length = rfl_get_be32(p + RFL_P_LENGTH);
	memcpy(pc->cdb, p + RFL_P_CDB, RFL_SCRIPT_CDB_MAX);
	if (rfl_get_be32(p + RFL_P_RSVD))
		return "piece reserved bytes";
	if (pc->cdb_len <= RFL_SCRIPT_CDB_MAX &&
	    !rfl_zero(pc->cdb + pc->cdb_len, RFL_SCRIPT_CDB_MAX - pc->cdb_len))
		return "piece CDB padding";
	return rfl_piece_bad(pc, ntargets);
}

/**
 * rfl_script_parse() - parse and structurally validate a script.
 * @buf: the script; it must stay in place while @s is used (the names
 *	and identifiers of @s->targets point into it)
 * @len: its length
 * @s: the result; @s->targets and @s->pieces must point to arrays of at
 *	least the counts rfl_script_peek() returned
 * @why: set to a static reason when the script is refused, else NULL
 *
 * Checks everything that can be checked without knowing the backing LUs:
 * the header (as rfl_script_peek(), plus flags and reserved bytes zero),
 * every entry within the script and no byte after the last piece, target
 * entry lengths equal to their padded contents, reserved and padding bytes
 * zero, iSCSI names, portal families (4 or 6, IPv4 with zeros after the
 * address) and non-zero ports, each identifier one VPD page 0x83
 * designation descriptor whose length byte matches, piece target indexes,
 * CDB lengths legal and equal to the length of the opcode's group with
 * zero padding after them, exactly one direction flag, a non-zero length
 * and an offset + length that does not overflow 32 bits; and every target
 * is used by at least one piece.
 * A target's lun is its 8-byte LUN field read as one big-endian number
 * (put_unaligned_be64() gives the wire bytes back, for scsilun_to_int()).
 *
 * Return: 0, or -EINVAL with @why set.
 */
int rfl_script_parse(const void *buf, u32 len, struct rfl_script *s,
		     const char **why)
{
	const u8 *b = buf;
	u16 nt, np, i;
	u32 off;

	*why = NULL;
	if (rfl_script_peek(buf, len, &nt, &np)) {
		*why = "script header";
		return -EINVAL;
	}
	if (b[RFL_H_FLAGS] || !rfl_zero(b + RFL_H_RSVD, 8)) {
		*why = "script header reserved bits";
		return -EINVAL;
	}
	s->version = b[RFL_H_VERSION];
	s->flags = b[RFL_H_FLAGS];
	s->generation = rfl_get_be32(b + RFL_H_GENERATION);
	s->total_len = rfl_get_be32(b + RFL_H_TOTAL_LEN);
	s->ntargets = nt;
	s->npieces = np;
	off = RFL_SCRIPT_HDR_LEN;
	for (i = 0; i < nt; i++) {
		*why = rfl_parse_target(b, len, &off, &s->targets[i]);
		if (*why)
			return -EINVAL;
	}
	if (len - off != (u32)np * RFL_SCRIPT_PIECE_LEN) {
		*why = "piece table length";
		return -EINVAL;
	}
	for (i = 0; i < np; i++, off += RFL_SCRIPT_PIECE_LEN) {
		*why = rfl_parse_piece(b + off, nt, &s->pieces[i]);
		if (*why)
			return -EINVAL;
	}
	*why = rfl_targets_unused(s);
	return *why ? -EINVAL : 0;
}
EXPORT_SYMBOL_GPL(rfl_script_parse);

/* What a piece's CDB may contain besides opcode, LBA and length. */
static bool rfl_cdb_extra_ok(const u8 *cdb, u32 cdb_len)
{
	if (cdb_len == 6)
		return !(cdb[1] & 0xe0) && !cdb[5];
	if (cdb[1] & ~RFL_CDB_FUA_DPO)
		return false;
	/* group number (byte 6, 10 or 14) and control byte */
	return !cdb[cdb_len == 10 ? 6 : cdb_len - 2] && !cdb[cdb_len - 1];
}

/**
 * rfl_script_check() - check a parsed script against the command and LUs.
 * @s: a script rfl_script_parse() accepted
 * @lus: what the host learned of each target's LU (@s->ntargets entries)
 * @total_len: the transfer length of the original command, in bytes
 * @write: the original command is a WRITE
 * @why: set to a static reason when the script is refused, else NULL
 *
 * The script must cover the whole transfer: its total length is
 * @total_len and its pieces, in the order listed, have ascending offsets
 * that tile [0, @total_len) with no gap and no overlap. Each piece's CDB
 * is a READ or WRITE (6/10/12/16) in the direction of @write and of the
 * piece's flag, with no bits but DPO and FUA in byte 1 (no protection
 * information) and zero group number and control byte; it moves at least
 * one block, its blocks times the LU's block size is the piece's length,
 * and its range ends within the LU's capacity.
 *
 * Return: 0, or -EINVAL with @why set.
 */
int rfl_script_check(const struct rfl_script *s,
		     const struct rfl_script_lu *lus, u32 total_len,
		     bool write, const char **why)
{
	u64 expect = 0, lba;
	u32 blocks;
	bool w;
	u16 i;

	*why = NULL;
	if (s->total_len != total_len) {
		*why = "script total length differs from the command's";
		return -EINVAL;
	}
	for (i = 0; i < s->npieces; i++) {
		const struct rfl_script_piece *p = &s->pieces[i];
		const struct rfl_script_lu *lu;

		if (p->target >= s->ntargets) {
			*why = "piece target index";
			return -EINVAL;
		}
		lu = &lus[p->target];
		if (p->offset != expect) {
			*why = p->offset < expect ? "pieces overlap" :
			       "gap between pieces";
			return -EINVAL;
		}
		expect += p->length;
		if (expect > total_len) {
			*why = "pieces go past the end of the transfer";
			return -EINVAL;
		}
		if (p->cdb_len > RFL_SCRIPT_CDB_MAX ||
		    rfl_cdb_rw_parse(p->cdb, p->cdb_len, &lba, &blocks, &w)) {
			*why = "piece CDB is not a READ or WRITE";
			return -EINVAL;
		}
		if (w != write || p->flags != (write ? RFL_PIECE_WRITE :
					       RFL_PIECE_READ)) {
			*why = "piece direction differs from the command's";
			return -EINVAL;
		}
		if (!rfl_cdb_extra_ok(p->cdb, p->cdb_len)) {
			*why = "piece CDB sets bits other than DPO and FUA";
			return -EINVAL;
		}
		if (!blocks) {
			*why = "piece CDB transfers no blocks";
			return -EINVAL;
		}
		if (!lu->block_size ||
		    (u64)blocks * lu->block_size != p->length) {
			*why = "piece length differs from its CDB's blocks";
			return -EINVAL;
		}
		if (blocks > lu->capacity || lba > lu->capacity - blocks) {
			*why = "piece goes past the end of its LU";
			return -EINVAL;
		}
	}
	if (expect != total_len) {
		*why = "pieces do not cover the transfer";
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(rfl_script_check);

/**
 * rfl_script_size() - bytes rfl_script_encode() writes for a script.
 * @s: the script
 *
 * Return: the script length (header, target entries with their padding
 * and pieces); the counts are not validated here.
 */
u32 rfl_script_size(const struct rfl_script *s)
{
	u32 len = RFL_SCRIPT_HDR_LEN;
	u16 i;

	for (i = 0; i < s->ntargets; i++)
		len += rfl_target_len(&s->targets[i]);
	return len + (u32)s->npieces * RFL_SCRIPT_PIECE_LEN;
}
EXPORT_SYMBOL_GPL(rfl_script_size);

static void rfl_encode_target(const struct rfl_script_target *t, u8 *e)
{
	u32 entry_len = rfl_target_len(t), pos, i;

	memset(e, 0, entry_len);
	rfl_put_be16(e + RFL_T_ENTRY_LEN, entry_len);
	rfl_put_be16(e + RFL_T_TPGT, t->tpgt);
	rfl_put_be64(e + RFL_T_LUN, t->lun);
	e[RFL_T_NAME_LEN] = t->name_len;
	e[RFL_T_NPORTALS] = t->nportals;
	e[RFL_T_ID_LEN] = t->id_len;
	pos = RFL_SCRIPT_TGT_FIXED;
	memcpy(e + pos, t->name, t->name_len);
	pos += t->name_len;
	for (i = 0; i < t->nportals; i++) {
		const struct rfl_script_portal *p = &t->portals[i];

		e[pos] = p->family;
		rfl_put_be16(e + pos + 2, p->port);
		memcpy(e + pos + 4, p->addr, sizeof(p->addr));
		pos += RFL_SCRIPT_PORTAL_LEN;
	}
	if (t->id_len)
		memcpy(e + pos, t->id, t->id_len);
}

/**
 * rfl_script_encode() - encode a script (the manager's side).
 * @s: the script: version %RFL_SCRIPT_VERSION, flags 0, 1 to
 *	%RFL_SCRIPT_MAX_TARGETS targets and 1 to %RFL_SCRIPT_MAX_PIECES pieces
 * @buf: the output
 * @len: room in @buf
 *
 * Refuses whatever rfl_script_parse() would refuse, so every encoded
 * script parses; the semantic rules of rfl_script_check() are the
 * caller's. CDB bytes after each piece's cdb_len are written as zeros.
 *
 * Return: the bytes written (rfl_script_size()), -ENOSPC when @len is too
 * small, -EINVAL for a script that would not parse.
 */
int rfl_script_encode(const struct rfl_script *s, void *buf, u32 len)
{
	u32 size, off;
	u8 *b = buf;
	u16 i;

	if (s->version != RFL_SCRIPT_VERSION || s->flags ||
	    !s->ntargets || s->ntargets > RFL_SCRIPT_MAX_TARGETS ||
	    !s->npieces || s->npieces > RFL_SCRIPT_MAX_PIECES)
		return -EINVAL;
	for (i = 0; i < s->ntargets; i++)
		if (rfl_target_bad(&s->targets[i]))
			return -EINVAL;
	for (i = 0; i < s->npieces; i++)
		if (rfl_piece_bad(&s->pieces[i], s->ntargets))
			return -EINVAL;
	if (rfl_targets_unused(s))
		return -EINVAL;
	size = rfl_script_size(s);
	if (size > len)
		return -ENOSPC;

	memset(b, 0, RFL_SCRIPT_HDR_LEN);
	rfl_put_be32(b + RFL_H_MAGIC, RFL_SCRIPT_MAGIC);
	b[RFL_H_VERSION] = s->version;
	b[RFL_H_FLAGS] = s->flags;
	rfl_put_be16(b + RFL_H_HDR_LEN, RFL_SCRIPT_HDR_LEN);
	rfl_put_be32(b + RFL_H_GENERATION, s->generation);
	rfl_put_be32(b + RFL_H_TOTAL_LEN, s->total_len);
	rfl_put_be16(b + RFL_H_NTARGETS, s->ntargets);
	rfl_put_be16(b + RFL_H_NPIECES, s->npieces);
	rfl_put_be32(b + RFL_H_SCRIPT_LEN, size);
	off = RFL_SCRIPT_HDR_LEN;
	for (i = 0; i < s->ntargets; i++) {
		rfl_encode_target(&s->targets[i], b + off);
		off += rfl_target_len(&s->targets[i]);
	}
	for (i = 0; i < s->npieces; i++, off += RFL_SCRIPT_PIECE_LEN) {
		const struct rfl_script_piece *p = &s->pieces[i];
		u8 *e = b + off;

		memset(e, 0, RFL_SCRIPT_PIECE_LEN);
		rfl_put_be16(e + RFL_P_TARGET, p->target);
		e[RFL_P_CDB_LEN] = p->cdb_len;
		e[RFL_P_FLAGS] = p->flags;
		rfl_put_be32(e + RFL_P_OFFSET, p->offset);
		rfl_put_be32(e + RFL_P_LENGTH, p->length);
		memcpy(e + RFL_P_CDB, p->cdb, p->cdb_len);
	}
	return size;
}
EXPORT_SYMBOL_GPL(rfl_script_encode);
