// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness of extent maps. Input: map text. A map that parses
 * must format to a canonical text that parses to the same map and formats
 * to the same text; its capacity check passes with each LU exactly as
 * large as the map needs and fails with one block less; and random
 * ranges (from a hash of the input) translate into pieces that cover the
 * range exactly, each block agreeing with a naive reference translation.
 */

#include <stdlib.h>

#include "rfl_proto.h"

#define ASSERT(c) do { if (!(c)) abort(); } while (0)
#define MAX_PIECES 4096

static char text1[1 << 20], text2[1 << 20];
static struct rfl_map_piece pieces[MAX_PIECES];

/* The reference: a linear scan and the dm-stripe formula. */
static void ref_block(const struct rfl_map *m, u64 v, u16 *target, u64 *plba)
{
	const struct rfl_map_extent *e = NULL;
	const struct rfl_map_stripe *st;
	u32 i;
	u64 off;

	for (i = 0; i < m->nextents; i++)
		if (m->extents[i].vstart <= v &&
		    v - m->extents[i].vstart < m->extents[i].blocks)
			e = &m->extents[i];
	ASSERT(e);
	off = v - e->vstart;
	if (e->kind == RFL_MAP_LINEAR) {
		st = &m->stripes[e->stripe];
		*target = st->target;
		*plba = st->pstart + off;
		return;
	}
	st = &m->stripes[e->stripe + (off / e->chunk) % e->nstripes];
	*target = st->target;
	*plba = st->pstart + (off / e->chunk / e->nstripes) * e->chunk +
		off % e->chunk;
}

static u64 rnd_state;

static u64 rnd(void)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return rnd_state >> 17;
}

static void check_translate(const struct rfl_map *m)
{
	u32 it, k;

	for (it = 0; it < 16; it++) {
		u64 v = rnd() % m->size, left = m->size - v, done = 0;
		u32 blocks = 1 + rnd() % (left < 100000 ? left : 100000);
		u64 plba;
		u16 t;
		int n;

		n = rfl_map_translate(m, v, blocks, pieces, MAX_PIECES);
		if (n == -ENOSPC)
			continue;
		ASSERT(n >= 1 && n <= MAX_PIECES);
		for (k = 0; k < (u32)n; k++) {
			const struct rfl_map_piece *p = &pieces[k];

			ASSERT(p->vblock_off == done && p->blocks);
			ASSERT(p->target < m->ntargets);
			done += p->blocks;
			/* the reference is slow: a sample of the pieces */
			if (k >= 8 && k != (u32)n - 1 && rnd() % 64)
				continue;
			done -= p->blocks;
			ref_block(m, v + done, &t, &plba);
			ASSERT(t == p->target && plba == p->plba);
			ref_block(m, v + done + p->blocks - 1, &t, &plba);
			ASSERT(t == p->target && plba == p->plba + p->blocks - 1);
			done += p->blocks;
		}
		ASSERT(done == blocks);
	}
	ASSERT(rfl_map_translate(m, 0, 0, pieces, MAX_PIECES) == -ERANGE);
	ASSERT(rfl_map_translate(m, m->size, 1, pieces, MAX_PIECES) ==
	       -ERANGE);
}

static void check_capacity(const struct rfl_map *m)
{
	u64 cap[RFL_MAP_MAX_TARGETS] = { 0 };
	struct rfl_map_err err;
	u32 i, j;

	for (i = 0; i < m->nextents; i++) {
		const struct rfl_map_extent *e = &m->extents[i];

		for (j = 0; j < e->nstripes; j++) {
			const struct rfl_map_stripe *st =
				&m->stripes[e->stripe + j];
			u64 end = st->pstart + e->blocks / e->nstripes;

			if (end > cap[st->target])
				cap[st->target] = end;
		}
	}
	ASSERT(!rfl_map_check_capacity(m, cap, &err));
	i = rnd() % m->ntargets;
	cap[i]--;
	ASSERT(rfl_map_check_capacity(m, cap, &err) == -EINVAL);
	ASSERT(err.why && err.line >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfl_map m1, m2;
	struct rfl_map_err err;
	int n1, n2, r;
	u32 i;

	if (size > 1 << 16)
		return 0;
	r = rfl_map_parse((const char *)data, size, &m1, &err);
	if (r) {
		ASSERT(r == -EINVAL && err.why);
		ASSERT(!m1.targets && !m1.extents && !m1.stripes);
		return 0;
	}
	ASSERT(m1.nextents >= 1 && m1.size >= 1);
	n1 = rfl_map_format(&m1, text1, sizeof(text1));
	ASSERT(n1 > 0);
	ASSERT(text1[n1] == '\0');
	r = rfl_map_parse(text1, n1, &m2, &err);
	ASSERT(!r);
	n2 = rfl_map_format(&m2, text2, sizeof(text2));
	ASSERT(n2 == n1 && !memcmp(text1, text2, n1));
	ASSERT(m1.ntargets == m2.ntargets && m1.nextents == m2.nextents &&
	       m1.nstripes == m2.nstripes && m1.size == m2.size);
	for (i = 0; i < m1.nextents; i++)
		ASSERT(m1.extents[i].vstart == m2.extents[i].vstart &&
		       m1.extents[i].blocks == m2.extents[i].blocks);
	ASSERT(rfl_map_format(&m1, text2, n1 - 1) == -ENOSPC);

	rnd_state = size;
	for (i = 0; i < size; i++)
		rnd_state = rnd_state * 31 + data[i];
	check_capacity(&m1);
	check_translate(&m1);
	rfl_map_free(&m1);
	rfl_map_free(&m2);
	return 0;
}
