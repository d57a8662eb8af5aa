// SPDX-License-Identifier: GPL-2.0
/*
 * Extent maps of virtual volumes: the parser of the text table, its
 * canonical formatter, the capacity check against the backing LUs and the
 * translation of a virtual range into pieces on backing LUs.
 * Documentation/map-format.rst is the specification.
 *
 * Parsing is two linear passes over the text: the first counts
 * statements to size the arrays, the second fills and checks them. The
 * only step that is not linear is the check that no backing block is
 * mapped twice, a heap sort of the stripes (n log n, no recursion).
 */

#include "rfl_map.h"
#include "rfl_script.h"

#define RFL_INT_MAX		0x7fffffffU

/* The most fields a statement has: striped with RFL_MAP_MAX_STRIPES. */
#define RFL_MAX_TOK		(4 + 2 * RFL_MAP_MAX_STRIPES)

struct rfl_tok {
	u32 off;
	u32 len;
};

/* The line being read. */
struct rfl_lex {
	const char *text;
	u32 len;
	u32 pos;			/* start of the next line */
	u32 line;			/* number of the current line */
	u32 ntok;			/* fields of the line (all counted) */
	bool bad_char;			/* a byte no statement may contain */
	struct rfl_tok tok[RFL_MAX_TOK + 1];
};

static bool rfl_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Splits the next line into fields. False at the end of the text. */
static bool rfl_lex_next(struct rfl_lex *lx)
{
	bool comment = false;
	u32 i, start = 0;
	bool in_tok = false;

	if (lx->pos >= lx->len)
		return false;
	lx->line++;
	lx->ntok = 0;
	lx->bad_char = false;
	for (i = lx->pos; i < lx->len && lx->text[i] != '\n'; i++) {
		char c = lx->text[i];

		if (comment)
			continue;
		/* a comment also ends the field it touches */
		if (c == '#')
			comment = true;
		if (comment || rfl_is_blank(c)) {
			if (in_tok && lx->ntok <= RFL_MAX_TOK)
				lx->tok[lx->ntok].len = i - start;
			if (in_tok)
				lx->ntok++;
			in_tok = false;
			continue;
		}
		if ((u8)c < 0x20 || (u8)c >= 0x7f)
			lx->bad_char = true;
		if (!in_tok) {
			in_tok = true;
			start = i;
			if (lx->ntok <= RFL_MAX_TOK)
				lx->tok[lx->ntok].off = i;
		}
	}
	if (in_tok) {
		if (lx->ntok <= RFL_MAX_TOK)
			lx->tok[lx->ntok].len = i - start;
		lx->ntok++;
	}
	lx->pos = i < lx->len ? i + 1 : lx->len;
	return true;
}

static bool rfl_tok_is(const struct rfl_lex *lx, u32 n, const char *word)
{
	const struct rfl_tok *t = &lx->tok[n];

	return t->len == strlen(word) && !memcmp(lx->text + t->off, word,
						 t->len);
}

enum {
	RFL_KW_NONE,
	RFL_KW_TARGET,
	RFL_KW_LINEAR,
	RFL_KW_STRIPED,
};

static int rfl_keyword(const struct rfl_lex *lx)
{
	if (!lx->ntok)
		return RFL_KW_NONE;
	if (rfl_tok_is(lx, 0, "target"))
		return RFL_KW_TARGET;
	if (rfl_tok_is(lx, 0, "linear"))
		return RFL_KW_LINEAR;
	if (rfl_tok_is(lx, 0, "striped"))
		return RFL_KW_STRIPED;
	return -1;
}

/* Decimal without sign or leading zeros: 0, -EINVAL or -ERANGE. */
static int rfl_dec(const char *s, u32 len, u64 *out)
{
	u64 v = 0;
	u32 i;

	if (!len || (len > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		u32 d = (u8)s[i] - '0';

		if (d > 9)
			return -EINVAL;
		if (v > (U64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int rfl_ipv4(const char *s, u32 len, u8 *addr)
{
	u32 i = 0, n;

	for (n = 0; n < 4; n++) {
		u32 start = i, v = 0;

		if (n) {
			if (i >= len || s[i] != '.')
				return -EINVAL;
			start = ++i;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			v = v * 10 + (s[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
			return -EINVAL;
		addr[n] = v;
	}
	return i == len ? 0 : -EINVAL;
}

static int rfl_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 4291 2.2 text forms, embedded IPv4 included. */
static int rfl_ipv6(const char *s, u32 len, u8 *addr)
{
	u16 g[8];
	int gap = -1;
	u32 i = 0, j, ng = 0, k;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (len && s[0] == ':') {
		return -EINVAL;
	}
	while (i < len) {
		u32 v = 0;

		for (j = i; j < len && s[j] != ':' && s[j] != '.'; j++)
			;
		if (j < len && s[j] == '.') {
			u8 b4[4];

			if (ng > 6 || rfl_ipv4(s + i, len - i, b4))
				return -EINVAL;
			g[ng++] = b4[0] << 8 | b4[1];
			g[ng++] = b4[2] << 8 | b4[3];
			break;
		}
		if (j == i || j - i > 4 || ng == 8)
			return -EINVAL;
		for (k = i; k < j; k++) {
			int h = rfl_hexval(s[k]);

			if (h < 0)
				return -EINVAL;
			v = v << 4 | h;
		}
		g[ng++] = v;
		i = j;
		if (i == len)
			break;
		i++;			/* ':' */
		if (i < len && s[i] == ':') {
			if (gap >= 0)
				return -EINVAL;
			gap = ng;
			i++;
		} else if (i == len) {
			return -EINVAL;
		}
	}
	if (gap < 0 ? ng != 8 : ng > 7)
		return -EINVAL;
	memset(addr, 0, 16);
	for (k = 0; k < ng; k++) {
		u32 at = (gap >= 0 && k >= (u32)gap) ? 8 - ng + k : k;

		addr[2 * at] = g[k] >> 8;
		addr[2 * at + 1] = (u8)g[k];
	}
	return 0;
}

/* a.b.c.d:port or [v6]:port */
static int rfl_portal(const char *s, u32 len, struct rfl_map_portal *p)
{
	u32 colon, alen;
	u64 port;

	for (colon = len; colon > 0 && s[colon - 1] != ':'; colon--)
		;
	if (!colon || rfl_dec(s + colon, len - colon, &port) ||
	    !port || port > U16_MAX)
		return -EINVAL;
	alen = colon - 1;
	memset(p, 0, sizeof(*p));
	p->port = port;
	if (s[0] == '[') {
		if (alen < 2 || s[alen - 1] != ']')
			return -EINVAL;
		p->family = 6;
		return rfl_ipv6(s + 1, alen - 2, p->addr);
	}
	p->family = 4;
	return rfl_ipv4(s, alen, p->addr);
}

static bool rfl_label_ok(const char *s, u32 len)
{
	u32 i;

	if (!len || len > RFL_MAP_LABEL_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return false;
	}
	return true;
}

static int rfl_find_label(const struct rfl_map *map, const char *s, u32 len)
{
	u32 i;

	for (i = 0; i < map->ntargets; i++)
		if (strlen(map->targets[i].label) == len &&
		    !memcmp(map->targets[i].label, s, len))
			return i;
	return -1;
}

static const char *rfl_parse_target(struct rfl_map *map,
				    const struct rfl_lex *lx)
{
	const char *s = lx->text;
	const struct rfl_tok *tk = lx->tok;
	struct rfl_map_target *t;
	u32 i, j, start, end;
	int err;

	if (lx->ntok != 5)
		return "bad syntax: target <label> <iqn> <portal>[,<portal>...] <lun>";
	if (map->ntargets == RFL_MAP_MAX_TARGETS)
		return "more than 64 targets";
	if (!rfl_label_ok(s + tk[1].off, tk[1].len))
		return "bad label";
	if (rfl_find_label(map, s + tk[1].off, tk[1].len) >= 0)
		return "duplicate label";
	if (tk[2].len > RFL_MAP_NAME_MAX ||
	    rfl_iscsi_name_check(s + tk[2].off, tk[2].len))
		return "bad iSCSI name";
	t = &map->targets[map->ntargets];
	memcpy(t->label, s + tk[1].off, tk[1].len);
	memcpy(t->iqn, s + tk[2].off, tk[2].len);
	t->line = lx->line;
	start = tk[3].off;
	end = tk[3].off + tk[3].len;
	while (start <= end) {
		for (i = start; i < end && s[i] != ','; i++)
			;
		if (t->nportals == RFL_MAP_MAX_PORTALS)
			return "more than 8 portals";
		if (i == start ||
		    rfl_portal(s + start, i - start, &t->portals[t->nportals]))
			return "bad portal";
		for (j = 0; j < t->nportals; j++)
			if (!memcmp(&t->portals[j], &t->portals[t->nportals],
				    sizeof(t->portals[j])))
				return "duplicate portal";
		t->nportals++;
		start = i + 1;
	}
	err = rfl_dec(s + tk[4].off, tk[4].len, &t->lun);
	if (err)
		return err == -ERANGE ? "numeric overflow" : "bad number";
	for (i = 0; i < map->ntargets; i++)
		if (!strcmp(map->targets[i].iqn, t->iqn) &&
		    map->targets[i].lun == t->lun)
			return "LU declared twice (same iqn and lun)";
	map->ntargets++;
	return NULL;
}

static const char *rfl_num(const struct rfl_lex *lx, u32 n, u64 *v)
{
	int err = rfl_dec(lx->text + lx->tok[n].off, lx->tok[n].len, v);

	if (!err)
		return NULL;
	return err == -ERANGE ? "numeric overflow" : "bad number";
}

static const char *rfl_parse_extent(struct rfl_map *map,
				    const struct rfl_lex *lx, bool striped,
				    bool *used)
{
	struct rfl_map_extent *e;
	u64 vstart, blocks, chunk = 0, per, pstart;
	u32 first = striped ? 4 : 3, n, i;
	const char *why;
	int t;

	if (!striped && lx->ntok != 5)
		return "bad syntax: linear <vstart> <blocks> <label> <pstart>";
	if (striped && (lx->ntok < 6 || lx->ntok % 2))
		return "bad syntax: striped <vstart> <blocks> <chunk> <label> <pstart>...";
	n = striped ? (lx->ntok - 4) / 2 : 1;
	if (striped && n < 2)
		return "striped needs at least 2 stripes";
	if (n > RFL_MAP_MAX_STRIPES)
		return "more than 16 stripes";
	if (map->nextents == RFL_MAP_MAX_EXTENTS)
		return "more than 65536 extents";
	why = rfl_num(lx, 1, &vstart);
	if (!why)
		why = rfl_num(lx, 2, &blocks);
	if (!why && striped)
		why = rfl_num(lx, 3, &chunk);
	if (why)
		return why;
	if (!blocks)
		return "zero length";
	if (vstart > U64_MAX - blocks)
		return "numeric overflow";
	if (vstart < map->size)
		return "overlap: extent starts before the end of the previous one";
	if (vstart > map->size)
		return map->nextents ? "gap: extent starts after the end of the previous one" :
		       "gap: the first extent does not start at 0";
	if (striped) {
		if (!chunk)
			return "zero chunk";
		if (chunk > U32_MAX)
			return "numeric overflow";
		if (blocks % (chunk * n))
			return "striped blocks not a multiple of chunk * stripes";
	}
	per = blocks / n;
	e = &map->extents[map->nextents];
	for (i = 0; i < n; i++) {
		struct rfl_map_stripe *st = &map->stripes[map->nstripes + i];
		const struct rfl_tok *lt = &lx->tok[first + 2 * i];

		t = rfl_find_label(map, lx->text + lt->off, lt->len);
		if (t < 0)
			return "unknown label";
		why = rfl_num(lx, first + 2 * i + 1, &pstart);
		if (why)
			return why;
		if (pstart > U64_MAX - per)
			return "numeric overflow";
		st->target = t;
		st->pstart = pstart;
		used[t] = true;
	}
	e->vstart = vstart;
	e->blocks = blocks;
	e->kind = striped ? RFL_MAP_STRIPED : RFL_MAP_LINEAR;
	e->nstripes = n;
	e->chunk = chunk;
	e->stripe = map->nstripes;
	e->line = lx->line;
	map->nstripes += n;
	map->nextents++;
	map->size = vstart + blocks;
	return NULL;
}

/* A backing range, for the check that no block is mapped twice. */
struct rfl_prange {
	u64 start;
	u64 end;
	u32 target;
	u32 line;
};

static bool rfl_prange_less(const struct rfl_prange *a,
			    const struct rfl_prange *b)
{
	return a->target < b->target ||
	       (a->target == b->target && a->start < b->start);
}

static void rfl_prange_sift(struct rfl_prange *r, u32 root, u32 n)
{
	struct rfl_prange tmp;
	u32 child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && rfl_prange_less(&r[child], &r[child + 1]))
			child++;
		if (!rfl_prange_less(&r[root], &r[child]))
			return;
		tmp = r[root];
		r[root] = r[child];
		r[child] = tmp;
		root = child;
	}
}

static void rfl_prange_sort(struct rfl_prange *r, u32 n)
{
	struct rfl_prange tmp;
	u32 i;

	for (i = n / 2; i-- > 0;)
		rfl_prange_sift(r, i, n);
	for (i = n; i-- > 1;) {
		tmp = r[0];
		r[0] = r[i];
		r[i] = tmp;
		rfl_prange_sift(r, 0, i);
	}
}

/* 0, -EINVAL with err set when two extents share a backing block. */
static int rfl_check_backing(const struct rfl_map *map,
			     struct rfl_map_err *err)
{
	struct rfl_prange *r;
	u32 i, j, n = 0, line = 0;
	u64 end = 0;

	r = rfl_alloc(map->nstripes, sizeof(*r));
	if (!r) {
		err->line = 0;
		err->why = "out of memory";
		return -ENOMEM;
	}
	for (i = 0; i < map->nextents; i++) {
		const struct rfl_map_extent *e = &map->extents[i];
		u64 per = e->blocks / e->nstripes;

		for (j = 0; j < e->nstripes; j++, n++) {
			const struct rfl_map_stripe *st =
				&map->stripes[e->stripe + j];

			r[n].start = st->pstart;
			r[n].end = st->pstart + per;
			r[n].target = st->target;
			r[n].line = e->line;
		}
	}
	rfl_prange_sort(r, n);
	for (i = 0; i < n; i++) {
		if (i && r[i].target == r[i - 1].target && r[i].start < end) {
			err->line = r[i].line > line ? r[i].line : line;
			err->why = "overlap: backing blocks mapped twice";
			rfl_free(r);
			return -EINVAL;
		}
		if (!i || r[i].target != r[i - 1].target || r[i].end > end) {
			end = r[i].end;
			line = r[i].line;
		}
	}
	rfl_free(r);
	return 0;
}

/**
 * rfl_map_free() - free the arrays of a parsed map.
 * @map: the map; zeroed afterwards, so freeing twice is harmless
 */
void rfl_map_free(struct rfl_map *map)
{
	rfl_free(map->targets);
	rfl_free(map->extents);
	rfl_free(map->stripes);
	memset(map, 0, sizeof(*map));
}
EXPORT_SYMBOL_GPL(rfl_map_free);

static int rfl_map_fail(struct rfl_map *map, struct rfl_map_err *err,
			u32 line, const char *why, int ret)
{
	rfl_map_free(map);
	err->line = line;
	err->why = why;
	return ret;
}

/**
 * rfl_map_parse() - parse and validate an extent map.
 * @text: the table (Documentation/map-format.rst), need not be
 *	NUL-terminated
 * @len: its length
 * @map: the result; its arrays are allocated here, rfl_map_free() them
 * @err: set to the line and reason of the first error
 *
 * Every target must be declared before an extent names it and every
 * declared target must be used. Extents start at 0 and follow each other
 * without gap or overlap; no backing block may be mapped twice.
 * Allocates with rfl_alloc() (GFP_KERNEL in the kernel): may sleep.
 *
 * Return: 0; -EINVAL with @err set (@map is then empty); -ENOMEM.
 */
int rfl_map_parse(const char *text, u32 len, struct rfl_map *map,
		  struct rfl_map_err *err)
{
	bool used[RFL_MAP_MAX_TARGETS] = { false };
	u32 nt = 0, ne = 0, ns = 0, i;
	struct rfl_lex lx;
	const char *why;
	int kw, ret;

	memset(map, 0, sizeof(*map));
	err->line = 0;
	err->why = NULL;

	/* pass 1: sizes, capped at the limits pass 2 enforces */
	memset(&lx, 0, sizeof(lx));
	lx.text = text;
	lx.len = len;
	while (rfl_lex_next(&lx)) {
		kw = rfl_keyword(&lx);
		if (kw == RFL_KW_TARGET && nt < RFL_MAP_MAX_TARGETS) {
			nt++;
		} else if ((kw == RFL_KW_LINEAR || kw == RFL_KW_STRIPED) &&
			   ne < RFL_MAP_MAX_EXTENTS) {
			ne++;
			if (kw == RFL_KW_LINEAR)
				ns++;
			else if (lx.ntok >= 4 + 2 * RFL_MAP_MAX_STRIPES)
				ns += RFL_MAP_MAX_STRIPES;
			else if (lx.ntok >= 4)
				ns += (lx.ntok - 4) / 2;
		}
	}
	map->targets = rfl_alloc(nt ? nt : 1, sizeof(*map->targets));
	map->extents = rfl_alloc(ne ? ne : 1, sizeof(*map->extents));
	map->stripes = rfl_alloc(ns ? ns : 1, sizeof(*map->stripes));
	if (!map->targets || !map->extents || !map->stripes)
		return rfl_map_fail(map, err, 0, "out of memory", -ENOMEM);

	/* pass 2 */
	memset(&lx, 0, sizeof(lx));
	lx.text = text;
	lx.len = len;
	while (rfl_lex_next(&lx)) {
		if (lx.bad_char)
			return rfl_map_fail(map, err, lx.line,
					    "bad character", -EINVAL);
		kw = rfl_keyword(&lx);
		switch (kw) {
		case RFL_KW_NONE:
			continue;
		case RFL_KW_TARGET:
			why = rfl_parse_target(map, &lx);
			break;
		case RFL_KW_LINEAR:
		case RFL_KW_STRIPED:
			why = rfl_parse_extent(map, &lx, kw == RFL_KW_STRIPED,
					       used);
			break;
		default:
			why = "unknown keyword";
			break;
		}
		if (why)
			return rfl_map_fail(map, err, lx.line, why, -EINVAL);
	}
	if (!map->nextents)
		return rfl_map_fail(map, err, 0, "no extents", -EINVAL);
	for (i = 0; i < map->ntargets; i++)
		if (!used[i])
			return rfl_map_fail(map, err, map->targets[i].line,
					    "target declared but not used",
					    -EINVAL);
	ret = rfl_check_backing(map, err);
	if (ret)
		return rfl_map_fail(map, err, err->line, err->why, ret);
	return 0;
}
EXPORT_SYMBOL_GPL(rfl_map_parse);

/**
 * rfl_map_check_capacity() - check a map against its backing LUs.
 * @map: a parsed map
 * @capacity: the capacity in blocks of each target's LU (map->ntargets)
 * @err: set to the line of the first extent that does not fit
 *
 * Return: 0, or -EINVAL when an extent maps blocks past the end of a LU.
 */
int rfl_map_check_capacity(const struct rfl_map *map, const u64 *capacity,
			   struct rfl_map_err *err)
{
	u32 i, j;

	err->line = 0;
	err->why = NULL;
	for (i = 0; i < map->nextents; i++) {
		const struct rfl_map_extent *e = &map->extents[i];
		u64 per = e->blocks / e->nstripes;

		for (j = 0; j < e->nstripes; j++) {
			const struct rfl_map_stripe *st =
				&map->stripes[e->stripe + j];
			u64 cap = capacity[st->target];

			if (per > cap || st->pstart > cap - per) {
				err->line = e->line;
				err->why = "extent goes past the end of its LU";
				return -EINVAL;
			}
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(rfl_map_check_capacity);

/* Output of the formatter: counts what does not fit. */
struct rfl_out {
	char *buf;
	u64 len;
	u64 pos;
};

static void rfl_out_mem(struct rfl_out *o, const char *s, u32 n)
{
	if (o->pos <= o->len && n <= o->len - o->pos)
		memcpy(o->buf + o->pos, s, n);
	o->pos += n;
}

static void rfl_out_str(struct rfl_out *o, const char *s)
{
	rfl_out_mem(o, s, strlen(s));
}

static void rfl_out_u64(struct rfl_out *o, u64 v)
{
	char d[20];
	u32 n = 0;

	do {
		d[sizeof(d) - 1 - n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	rfl_out_mem(o, d + sizeof(d) - n, n);
}

static void rfl_out_hex16(struct rfl_out *o, u16 v)
{
	static const char hex[] = "0123456789abcdef";
	char d[4];
	u32 n = 0;

	do {
		d[sizeof(d) - 1 - n++] = hex[v & 0xf];
		v >>= 4;
	} while (v);
	rfl_out_mem(o, d + sizeof(d) - n, n);
}

static void rfl_out_ipv4(struct rfl_out *o, const u8 *a)
{
	u32 i;

	for (i = 0; i < 4; i++) {
		if (i)
			rfl_out_str(o, ".");
		rfl_out_u64(o, a[i]);
	}
}

/* RFC 5952: lowercase, no leading zeros, the longest zero run as "::". */
static void rfl_out_ipv6(struct rfl_out *o, const u8 *a)
{
	static const u8 mapped[12] = { [10] = 0xff, [11] = 0xff };
	u32 i, run = 0, best = 0, best_at = 8, at = 0;
	u16 g[8];

	if (!memcmp(a, mapped, sizeof(mapped))) {
		rfl_out_str(o, "::ffff:");
		rfl_out_ipv4(o, a + 12);
		return;
	}
	for (i = 0; i < 8; i++) {
		g[i] = a[2 * i] << 8 | a[2 * i + 1];
		if (g[i]) {
			run = 0;
			continue;
		}
		if (!run++)
			at = i;
		if (run > best) {
			best = run;
			best_at = at;
		}
	}
	if (best < 2)
		best_at = 8;
	for (i = 0; i < 8; i++) {
		if (i == best_at) {
			rfl_out_str(o, "::");
			i += best - 1;
			continue;
		}
		if (i && i != best_at + best)
			rfl_out_str(o, ":");
		rfl_out_hex16(o, g[i]);
	}
}

static void rfl_out_portal(struct rfl_out *o, const struct rfl_map_portal *p)
{
	if (p->family == 6) {
		rfl_out_str(o, "[");
		rfl_out_ipv6(o, p->addr);
		rfl_out_str(o, "]");
	} else {
		rfl_out_ipv4(o, p->addr);
	}
	rfl_out_str(o, ":");
	rfl_out_u64(o, p->port);
}

/**
 * rfl_map_format() - write a map in canonical form.
 * @map: the map
 * @buf: the output
 * @len: room in @buf
 *
 * One statement per line, each ending with a newline, fields separated
 * by one space, no comments: the targets in declaration order, then the
 * extents. Portals are comma-joined, IPv6 ones as [addr]:port in RFC 5952
 * form. rfl_map_format() of rfl_map_parse() of a canonical text is that
 * text.
 *
 * Return: the bytes written, not counting the NUL that terminates the
 * text when there is room for it; -ENOSPC when the text does not fit.
 */
int rfl_map_format(const struct rfl_map *map, char *buf, u32 len)
{
	struct rfl_out o = { buf, len, 0 };
	u32 i, j;

	for (i = 0; i < map->ntargets; i++) {
		const struct rfl_map_target *t = &map->targets[i];

		rfl_out_str(&o, "target ");
		rfl_out_str(&o, t->label);
		rfl_out_str(&o, " ");
		rfl_out_str(&o, t->iqn);
		for (j = 0; j < t->nportals; j++) {
			rfl_out_str(&o, j ? "," : " ");
			rfl_out_portal(&o, &t->portals[j]);
		}
		rfl_out_str(&o, " ");
		rfl_out_u64(&o, t->lun);
		rfl_out_str(&o, "\n");
	}
	for (i = 0; i < map->nextents; i++) {
		const struct rfl_map_extent *e = &map->extents[i];
		bool striped = e->kind == RFL_MAP_STRIPED;

		rfl_out_str(&o, striped ? "striped " : "linear ");
		rfl_out_u64(&o, e->vstart);
		rfl_out_str(&o, " ");
		rfl_out_u64(&o, e->blocks);
		if (striped) {
			rfl_out_str(&o, " ");
			rfl_out_u64(&o, e->chunk);
		}
		for (j = 0; j < e->nstripes; j++) {
			const struct rfl_map_stripe *st =
				&map->stripes[e->stripe + j];

			rfl_out_str(&o, " ");
			rfl_out_str(&o, map->targets[st->target].label);
			rfl_out_str(&o, " ");
			rfl_out_u64(&o, st->pstart);
		}
		rfl_out_str(&o, "\n");
	}
	if (o.pos > len || o.pos > RFL_INT_MAX)
		return -ENOSPC;
	if (o.pos < len)
		buf[o.pos] = '\0';
	return (int)o.pos;
}
EXPORT_SYMBOL_GPL(rfl_map_format);

/* The last extent that starts at or before vlba (vlba < map->size). */
static u32 rfl_map_find(const struct rfl_map *map, u64 vlba)
{
	u32 lo = 0, hi = map->nextents;

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (map->extents[mid].vstart <= vlba)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/**
 * rfl_map_translate() - split a virtual range into backing pieces.
 * @map: a parsed map
 * @vlba: first virtual block
 * @blocks: number of blocks, at least 1
 * @pieces: the output, in order of virtual block
 * @max: room in @pieces
 *
 * A linear extent maps its block vstart + k to pstart + k. A striped
 * extent of n stripes maps chunk c (counted from its vstart) to stripe
 * c % n at that stripe's pstart + (c / n) * chunk, as dm-stripe does.
 * Consecutive pieces on the same target whose backing blocks follow each
 * other are merged into one.
 *
 * Return: the number of pieces; -ERANGE when @blocks is 0 or the range
 * ends past the volume; -ENOSPC when more than @max pieces are needed.
 */
int rfl_map_translate(const struct rfl_map *map, u64 vlba, u32 blocks,
		      struct rfl_map_piece *pieces, u32 max)
{
	u32 e = 0, done = 0, n = 0;

	if (!blocks || vlba >= map->size || blocks > map->size - vlba)
		return -ERANGE;
	e = rfl_map_find(map, vlba);
	while (done < blocks) {
		const struct rfl_map_extent *ex = &map->extents[e];
		u64 v = vlba + done, off = v - ex->vstart, plba, len;
		const struct rfl_map_stripe *st;
		u32 target;

		if (off >= ex->blocks) {
			e++;
			continue;
		}
		len = ex->blocks - off;
		if (ex->kind == RFL_MAP_STRIPED) {
			u64 c = off / ex->chunk, in = off % ex->chunk;

			st = &map->stripes[ex->stripe + c % ex->nstripes];
			plba = st->pstart + (c / ex->nstripes) * ex->chunk + in;
			len = ex->chunk - in;
		} else {
			st = &map->stripes[ex->stripe];
			plba = st->pstart + off;
		}
		target = st->target;
		if (len > blocks - done)
			len = blocks - done;
		if (n && pieces[n - 1].target == target &&
		    pieces[n - 1].plba + pieces[n - 1].blocks == plba) {
			pieces[n - 1].blocks += len;
		} else {
			if (n == max)
				return -ENOSPC;
			pieces[n].target = target;
			pieces[n].plba = plba;
			pieces[n].blocks = len;
			pieces[n].vblock_off = done;
			n++;
		}
		done += len;
	}
	return n;
}
EXPORT_SYMBOL_GPL(rfl_map_translate);
