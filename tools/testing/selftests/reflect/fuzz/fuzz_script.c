// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness of reflection scripts. Input: a script, tried as it
 * is and with its script_len field set to its length. Whatever
 * rfl_script_parse() accepts must encode back to exactly the input (the
 * wire format has one encoding per script), rfl_script_peek() must agree
 * with the parser, and rfl_script_check() is run against LUs whose block
 * size and capacity come from the input; a script it accepts must tile
 * the transfer with pieces that fit their LUs. Every piece's CDB that
 * decodes as READ/WRITE must rebuild to the same LBA, length and
 * direction.
 */

#include <stdlib.h>

#include "rfl_proto.h"

#define ASSERT(c) do { if (!(c)) abort(); } while (0)

static struct rfl_script_target targets[RFL_SCRIPT_MAX_TARGETS];
static struct rfl_script_piece pieces[RFL_SCRIPT_MAX_PIECES];
static struct rfl_script_lu lus[RFL_SCRIPT_MAX_TARGETS];
static u8 out[1 << 20];

static void cdb_round_trip(const struct rfl_script_piece *p)
{
	u64 lba, lba2;
	u32 blocks, blocks2;
	bool w, w2;
	u8 cdb[RFL_SCRIPT_CDB_MAX];
	int n;

	if (rfl_cdb_rw_parse(p->cdb, p->cdb_len, &lba, &blocks, &w))
		return;
	n = rfl_cdb_rw_build(cdb, w, lba, blocks, p->cdb[1]);
	if (!blocks) {
		ASSERT(n == -EINVAL);
		return;
	}
	ASSERT(n == 10 || n == 16);
	ASSERT(!rfl_cdb_rw_parse(cdb, n, &lba2, &blocks2, &w2));
	ASSERT(lba2 == lba && blocks2 == blocks && w2 == w);
	ASSERT((cdb[1] & ~0x18) == 0);
}

static void one(const u8 *data, u32 size)
{
	struct rfl_script s = { .targets = targets, .pieces = pieces };
	const char *why;
	u64 end, lba;
	u32 blocks, i, bs, seed;
	u16 nt, np;
	bool w, write;
	int err, n;

	err = rfl_script_peek(data, size, &nt, &np);
	ASSERT(!err || err == -EINVAL || err == -EPROTONOSUPPORT);
	if (err) {
		ASSERT(rfl_script_parse(data, size, &s, &why) == -EINVAL);
		ASSERT(why);
		return;
	}
	ASSERT(nt >= 1 && nt <= RFL_SCRIPT_MAX_TARGETS);
	ASSERT(np >= 1 && np <= RFL_SCRIPT_MAX_PIECES);
	err = rfl_script_parse(data, size, &s, &why);
	if (err) {
		ASSERT(err == -EINVAL && why);
		return;
	}
	ASSERT(!why && s.ntargets == nt && s.npieces == np);

	/* the round trip: one encoding per script */
	ASSERT(rfl_script_size(&s) == size);
	n = rfl_script_encode(&s, out, sizeof(out));
	ASSERT(n >= 0 && (u32)n == size);
	ASSERT(!memcmp(out, data, size));
	if (size > 0)
		ASSERT(rfl_script_encode(&s, out, size - 1) == -ENOSPC);

	for (i = 0; i < np; i++) {
		ASSERT(pieces[i].target < nt);
		cdb_round_trip(&pieces[i]);
	}

	/* LUs from the input: block size 512 << k, capacity from a hash */
	seed = 2166136261u;
	for (i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 16777619u;
	for (i = 0; i < nt; i++) {
		bs = 512u << ((seed >> (i % 29)) & 3);
		lus[i].block_size = bs;
		lus[i].capacity = (seed & 0x100) ? U64_MAX :
				  ((u64)seed << 8) >> (i % 13);
	}
	write = pieces[0].flags == RFL_PIECE_WRITE;
	if (rfl_script_check(&s, lus, s.total_len, write, &why)) {
		ASSERT(why);
		return;
	}
	ASSERT(!why);
	end = 0;
	for (i = 0; i < np; i++) {
		const struct rfl_script_piece *p = &pieces[i];

		ASSERT(p->offset == end);
		end += p->length;
		ASSERT(!rfl_cdb_rw_parse(p->cdb, p->cdb_len, &lba, &blocks,
					 &w));
		ASSERT(w == write && blocks);
		ASSERT((u64)blocks * lus[p->target].block_size == p->length);
		ASSERT(lba + blocks <= lus[p->target].capacity &&
		       lba + blocks >= lba);
	}
	ASSERT(end == s.total_len);
	/* any other length or direction is refused */
	ASSERT(rfl_script_check(&s, lus, s.total_len + 1, write, &why));
	ASSERT(rfl_script_check(&s, lus, s.total_len, !write, &why));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 fixed[sizeof(out)];

	if (size > sizeof(out))
		return 0;
	one(data, size);
	/*
	 * Most mutations change the length; the same input with script_len
	 * set to its length gets past the header and reaches the entries.
	 */
	if (size >= RFL_SCRIPT_HDR_LEN) {
		memcpy(fixed, data, size);
		rfl_put_be32(fixed + 20, size);
		one(fixed, size);
	}
	return 0;
}
