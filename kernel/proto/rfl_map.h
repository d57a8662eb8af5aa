/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extent maps of virtual volumes: the text table an administrator writes
 * (Documentation/vvol.rst), its parser and canonical formatter, its
 * validation, and the translation of a virtual block range into pieces on
 * backing LUs.
 *
 * Table syntax, one statement per line, '#' starts a comment:
 *
 *   target <label> <iqn> <portal>[,<portal>...] <lun>
 *   linear <vstart> <blocks> <label> <pstart>
 *   striped <vstart> <blocks> <chunk> <label> <pstart> [<label> <pstart>...]
 *
 * A portal is a.b.c.d:port or [v6]:port. Numbers are decimal blocks of
 * the volume's block size. Extents must be listed in ascending vstart,
 * start at 0 and leave no gap or overlap; a striped extent's blocks are a
 * multiple of chunk times its number of stripes.
 *
 * Pure code: builds in the kernel and in userspace.
 */
#ifndef RFL_MAP_H
#define RFL_MAP_H

#include "rfl_port.h"

#define RFL_MAP_LABEL_MAX	31
#define RFL_MAP_NAME_MAX	223
#define RFL_MAP_MAX_TARGETS	64
#define RFL_MAP_MAX_PORTALS	8
#define RFL_MAP_MAX_STRIPES	16
#define RFL_MAP_MAX_EXTENTS	65536

enum rfl_map_kind {
	RFL_MAP_LINEAR,
	RFL_MAP_STRIPED,
};

struct rfl_map_portal {
	u8 family;			/* 4 or 6 */
	u16 port;
	u8 addr[16];
};

struct rfl_map_target {
	char label[RFL_MAP_LABEL_MAX + 1];
	char iqn[RFL_MAP_NAME_MAX + 1];
	u8 nportals;
	struct rfl_map_portal portals[RFL_MAP_MAX_PORTALS];
	u64 lun;			/* LUN number as administrators write it */
	u32 line;			/* where it was declared (0: built) */
};

struct rfl_map_stripe {
	u16 target;			/* index in the target table */
	u64 pstart;			/* first block on the backing LU */
};

struct rfl_map_extent {
	u64 vstart;			/* first virtual block */
	u64 blocks;
	u8 kind;			/* enum rfl_map_kind */
	u8 nstripes;			/* 1 for linear */
	u32 chunk;			/* striped: blocks per chunk */
	u32 stripe;			/* index of its first rfl_map_stripe */
	u32 line;			/* source line of the statement */
};

/* A parsed map. Arrays are allocated by rfl_map_parse; rfl_map_free. */
struct rfl_map {
	u32 ntargets;
	u32 nextents;
	u32 nstripes;
	u64 size;			/* blocks of the volume */
	struct rfl_map_target *targets;
	struct rfl_map_extent *extents;
	struct rfl_map_stripe *stripes;
};

/* A parse or check failure: line number (1-based, 0: none) and reason. */
struct rfl_map_err {
	u32 line;
	const char *why;
};

/* One piece of a translated range, in order of virtual block. */
struct rfl_map_piece {
	u16 target;
	u64 plba;
	u32 blocks;
	u32 vblock_off;			/* blocks from the start of the range */
};

int rfl_map_parse(const char *text, u32 len, struct rfl_map *map,
		  struct rfl_map_err *err);
void rfl_map_free(struct rfl_map *map);
int rfl_map_check_capacity(const struct rfl_map *map, const u64 *capacity,
			   struct rfl_map_err *err);
int rfl_map_format(const struct rfl_map *map, char *buf, u32 len);
int rfl_map_translate(const struct rfl_map *map, u64 vlba, u32 blocks,
		      struct rfl_map_piece *pieces, u32 max);

#endif /* RFL_MAP_H */
