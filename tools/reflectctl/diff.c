// SPDX-License-Identifier: GPL-2.0
/*
 * reflectctl: the differ. Compares the wanted tree (a file) with the
 * current one (read from configfs) and produces the operations that make
 * the second like the first, in four phases:
 *
 *   1. disable: tpgs that go away, initiator target objects that go away
 *      or whose values change while enabled;
 *   2. remove, deepest first: initiator target objects, then targets
 *      (mapped LUNs, ACLs, LUNs, portals, tpgs), volumes, and backstores
 *      that must be recreated;
 *   3. create and update, top down: initiator name, backstores, volumes,
 *      targets (tpgs, portals, LUNs, attributes, ACLs), initiator targets;
 *   4. enable, last.
 *
 * Pure code: paths are relative to the configfs root.
 */
#include <stdlib.h>
#include <string.h>

#include "reflectctl.h"

char *node_path(const struct node *n)
{
	char *p, *r;

	switch (n->kind) {
	case K_BACKSTORE:
		return xasprintf("target/core/%s", n->name);
	case K_VOLUME:
		return xasprintf("reflect_vvol/%s", n->name);
	case K_TARGET:
		return xasprintf("target/reflect/%s", n->name);
	case K_INITIATOR:
		return xstrdup("reflect_initiator");
	case K_ITARGET:
		return xasprintf("reflect_initiator/targets/%s", n->name);
	default:
		break;
	}
	p = node_path(n->parent);
	switch (n->kind) {
	case K_TPG:
		r = xasprintf("%s/tpgt_%s", p, n->name);
		break;
	case K_PORTAL:
		r = xasprintf("%s/np/%s", p, n->name);
		break;
	case K_LUN:
		r = xasprintf("%s/lun/lun_%s", p, n->name);
		break;
	case K_ACL:
		r = xasprintf("%s/acls/%s", p, n->name);
		break;
	case K_MLUN:
		r = xasprintf("%s/lun_%s", p, n->name);
		break;
	default:
		r = xstrdup(p);
		break;
	}
	free(p);
	return r;
}

static void add(struct plan *pl, enum op_type t, char *path, const char *arg,
		int secret)
{
	struct op *o;

	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? 2 * pl->cap : 32;
		pl->ops = xrealloc(pl->ops, sizeof(*pl->ops) * pl->cap);
	}
	o = &pl->ops[pl->n++];
	o->type = t;
	o->path = path;
	o->arg = arg ? xstrdup(arg) : NULL;
	o->secret = secret;
}

static void add_write(struct plan *pl, const struct node *n, const char *key,
		      const char *val)
{
	char *p = node_path(n);

	add(pl, OP_WRITE, xasprintf("%s/%s", p, key), val, key_is_secret(key));
	free(p);
}

void plan_free(struct plan *pl)
{
	int i;

	for (i = 0; i < pl->n; i++) {
		free(pl->ops[i].path);
		free(pl->ops[i].arg);
	}
	free(pl->ops);
	memset(pl, 0, sizeof(*pl));
}

void plan_print(FILE *f, const struct plan *pl)
{
	int i;

	for (i = 0; i < pl->n; i++) {
		const struct op *o = &pl->ops[i];

		switch (o->type) {
		case OP_MKDIR:
			fprintf(f, "mkdir %s\n", o->path);
			break;
		case OP_RMDIR:
			fprintf(f, "rmdir %s\n", o->path);
			break;
		case OP_WRITE:
			if (strchr(o->arg, '\n')) {
				int lines = 0;
				const char *s;

				for (s = o->arg; *s; s++)
					lines += *s == '\n';
				fprintf(f, "write %s = <%d lines>\n", o->path,
					lines);
				break;
			}
			fprintf(f, "write %s = %s\n", o->path,
				o->secret ? "***" : o->arg);
			break;
		case OP_LINK:
			fprintf(f, "link %s -> %s\n", o->path, o->arg);
			break;
		case OP_UNLINK:
			fprintf(f, "unlink %s\n", o->path);
			break;
		}
	}
}

void scope_from_file(const struct node *want, struct scope *sc)
{
	int i;

	memset(sc, 0, sizeof(*sc));
	for (i = 0; i < want->nkids; i++) {
		if (want->kids[i]->kind == K_TARGET)
			sc->own_targets = 1;
		if (want->kids[i]->kind == K_VOLUME)
			sc->own_volumes = 1;
		if (want->kids[i]->kind == K_INITIATOR)
			sc->own_itargets = 1;
	}
}

/* Keys that are not plain attribute files. */
static int special_key(const struct node *n, const char *key)
{
	if (key[0] == '_' || !strcmp(key, "enable") || !strcmp(key, "map-file"))
		return 1;
	if (n->kind == K_BACKSTORE)
		return !strcmp(key, "file") || !strcmp(key, "size") ||
		       !strcmp(key, "pages") || !strcmp(key, "device") ||
		       !strcmp(key, "volume");
	if (n->kind == K_LUN)
		return !strcmp(key, "backstore");
	if (n->kind == K_MLUN)
		return !strcmp(key, "lun");
	return 0;
}

static int same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* Values equal as the kernel sees them (maps in canonical form). */
static int same_val(const struct node *n, const char *key, const char *a,
		    const char *b)
{
	char *ca, *cb;
	int r;

	if (!a || !b)
		return 0;
	if (n->kind != K_VOLUME || strcmp(key, "map"))
		return !strcmp(a, b);
	ca = map_canon(a);
	cb = map_canon(b);
	r = !strcmp(ca, cb);
	free(ca);
	free(cb);
	return r;
}

static struct node *live(const struct node *h, enum kind k, const char *name)
{
	struct node *n;

	if (!h)
		return NULL;
	n = node_find(h, k, name);
	return n && !n->gone ? n : NULL;
}

static void gone_all(struct node *h)
{
	int i;

	h->gone = 1;
	for (i = 0; i < h->nkids; i++)
		gone_all(h->kids[i]);
}

static const char *const create_keys[] = { "file", "size", "pages",
					    "device", "volume", NULL };

/* Marks what must go: absent from an owned scope, or to be recreated. */
static void mark(struct node *hroot, struct node *h, const struct node *w,
		 int owned, const struct scope *sc)
{
	int i, pass;

	if (!w) {
		if (owned)
			gone_all(h);
		return;
	}
	switch (h->kind) {
	case K_BACKSTORE:
		for (i = 0; create_keys[i]; i++) {
			const char *a = attr_get(w, create_keys[i]);

			if (a && !same(a, attr_get(h, create_keys[i]))) {
				gone_all(h);
				return;
			}
		}
		break;
	case K_LUN: {
		const struct node *b = node_find(hroot, K_BACKSTORE,
						 attr_get(h, "backstore") ?
						 attr_get(h, "backstore") : "");

		if (!same(attr_get(w, "backstore"), attr_get(h, "backstore")) ||
		    (b && b->gone)) {
			gone_all(h);
			return;
		}
		break;
	}
	case K_MLUN: {
		const struct node *tpg = h->parent->parent;
		const struct node *l = node_find(tpg, K_LUN,
						 attr_get(h, "lun") ?
						 attr_get(h, "lun") : "");

		if (!same(attr_get(w, "lun"), attr_get(h, "lun")) ||
		    (l && l->gone)) {
			gone_all(h);
			return;
		}
		break;
	}
	default:
		break;
	}
	/* Backstores before the targets that link to them; LUNs before
	 * the ACLs that map them. */
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < h->nkids; i++) {
			struct node *hk = h->kids[i];
			int kown = 1;

			if (pass == 0 && hk->kind != K_BACKSTORE)
				continue;
			if (pass == 1 && (hk->kind == K_BACKSTORE ||
					  hk->kind == K_ACL))
				continue;
			if (pass == 2 && hk->kind != K_ACL)
				continue;
			if (h->kind == K_ROOT) {
				kown = hk->kind == K_TARGET ? sc->own_targets :
				       hk->kind == K_VOLUME ? sc->own_volumes :
				       0;
			} else if (h->kind == K_INITIATOR) {
				kown = sc->own_itargets;
			}
			mark(hroot, hk, node_find(w, hk->kind, hk->name), kown,
			     sc);
		}
	}
}

static int needs_write(const struct node *w, const struct node *h)
{
	int i;

	for (i = 0; i < w->nattrs; i++) {
		const char *k = w->attrs[i].key;

		if (special_key(w, k))
			continue;
		if (!same_val(w, k, w->attrs[i].val, attr_get(h, k)))
			return 1;
	}
	return 0;
}

/* Phase 1: disable what goes away or changes under a session. */
static void phase_disable(struct node *h, const struct node *w,
			  struct plan *pl)
{
	int i;

	if ((h->kind == K_TPG || h->kind == K_ITARGET) &&
	    same(attr_get(h, "enable"), "1")) {
		if (h->gone || (h->kind == K_ITARGET && w && needs_write(w, h))) {
			add_write(pl, h, "enable", "0");
			h->touched = 1;
		}
	}
	for (i = 0; i < h->nkids; i++)
		phase_disable(h->kids[i],
			      w ? node_find(w, h->kids[i]->kind,
					    h->kids[i]->name) : NULL, pl);
}

/* Phase 2: removals, deepest first. */
static void phase_remove(struct node *h, struct plan *pl)
{
	int i;
	char *p;

	/* Mapped LUNs and ACLs before the tpg's LUNs and portals. */
	for (i = 0; i < h->nkids; i++)
		if (h->kids[i]->kind == K_ACL)
			phase_remove(h->kids[i], pl);
	for (i = 0; i < h->nkids; i++)
		if (h->kids[i]->kind != K_ACL)
			phase_remove(h->kids[i], pl);
	if (!h->gone)
		return;
	p = node_path(h);
	if ((h->kind == K_LUN || h->kind == K_MLUN) && attr_get(h, "_link"))
		add(pl, OP_UNLINK, xasprintf("%s/%s", p, attr_get(h, "_link")),
		    NULL, 0);
	add(pl, OP_RMDIR, p, NULL, 0);
}

static char *link_name(const char *backstore)
{
	const char *s = strchr(backstore, '/');

	return xstrdup(s ? s + 1 : backstore);
}

/* Phase 3: creation and updates, top down. */
static void phase_create(const struct node *w, struct node *h,
			 struct plan *pl)
{
	int i, pass;
	char *p = w->kind == K_ROOT ? NULL : node_path(w);

	if (w->kind != K_ROOT && w->kind != K_INITIATOR && !h) {
		add(pl, OP_MKDIR, xstrdup(p), NULL, 0);
		if (w->kind == K_BACKSTORE) {
			const char *f = attr_get(w, "file");
			char *ctl;

			if (f)
				ctl = xasprintf("fd_dev_name=%s,fd_dev_size=%s",
						f, attr_get(w, "size"));
			else if (attr_get(w, "pages"))
				ctl = xasprintf("rd_pages=%s",
						attr_get(w, "pages"));
			else if (attr_get(w, "volume"))
				ctl = xasprintf("volume=%s",
						attr_get(w, "volume"));
			else
				ctl = xasprintf("udev_path=%s",
						attr_get(w, "device") ?
						attr_get(w, "device") : "");
			add(pl, OP_WRITE, xasprintf("%s/control", p), ctl, 0);
			free(ctl);
		} else if (w->kind == K_LUN) {
			const char *b = attr_get(w, "backstore");
			char *ln = link_name(b);

			add(pl, OP_LINK, xasprintf("%s/%s", p, ln),
			    NULL, 0);
			pl->ops[pl->n - 1].arg = xasprintf("target/core/%s", b);
			free(ln);
		} else if (w->kind == K_MLUN) {
			char *tp = node_path(w->parent->parent);

			add(pl, OP_LINK, xasprintf("%s/lun%s", p,
						   attr_get(w, "lun")), NULL,
			    0);
			pl->ops[pl->n - 1].arg = xasprintf("%s/lun/lun_%s", tp,
							   attr_get(w, "lun"));
			free(tp);
		}
	}
	for (i = 0; w->kind != K_ROOT && i < w->nattrs; i++) {
		const struct attr *a = &w->attrs[i];

		if (special_key(w, a->key))
			continue;
		if (w->kind == K_VOLUME && !strcmp(a->key, "map"))
			continue;
		if (h && same_val(w, a->key, a->val, attr_get(h, a->key)))
			continue;
		add_write(pl, w, a->key, a->val);
	}
	if (w->kind == K_VOLUME && attr_get(w, "map") &&
	    (!h || !same_val(w, "map", attr_get(w, "map"),
			     attr_get(h, "map"))))
		add_write(pl, w, "map", attr_get(w, "map"));
	if (w->kind == K_BACKSTORE && !h)
		add_write(pl, w, "enable", "1");
	free(p);

	if (w->kind == K_ROOT) {
		static const enum kind order[] = { K_INITIATOR, K_VOLUME,
						   K_BACKSTORE, K_TARGET };

		for (pass = 0; pass < 4; pass++)
			for (i = 0; i < w->nkids; i++)
				if (w->kids[i]->kind == order[pass])
					phase_create(w->kids[i],
						     live(h, order[pass],
							  w->kids[i]->name),
						     pl);
		return;
	}
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < w->nkids; i++) {
			const struct node *wk = w->kids[i];

			if ((wk->kind == K_ACL) != (pass == 1))
				continue;
			phase_create(wk, live(h, wk->kind, wk->name), pl);
		}
}

/* Phase 4: enable. */
static void phase_enable(const struct node *w, struct node *h,
			 struct plan *pl)
{
	int i;

	if (w->kind == K_TPG || w->kind == K_ITARGET) {
		const char *e = attr_get(w, "enable");

		if (!e && h && h->touched)
			e = "1";
		if (e && (!h || h->touched || !same(e, attr_get(h, "enable"))))
			if (h || strcmp(e, "0"))
				add_write(pl, w, "enable", e);
	}
	for (i = 0; i < w->nkids; i++)
		phase_enable(w->kids[i], live(h, w->kids[i]->kind,
					     w->kids[i]->name), pl);
}

static void unmark(struct node *h)
{
	int i;

	h->gone = 0;
	h->touched = 0;
	for (i = 0; i < h->nkids; i++)
		unmark(h->kids[i]);
}

void diff(struct node *want, struct node *have, const struct scope *sc,
	  struct plan *pl)
{
	static const enum kind rm_order[] = { K_INITIATOR, K_TARGET,
					      K_BACKSTORE, K_VOLUME };
	int i, k;

	unmark(have);
	mark(have, have, want, 0, sc);
	phase_disable(have, want, pl);
	for (k = 0; k < 4; k++)
		for (i = 0; i < have->nkids; i++)
			if (have->kids[i]->kind == rm_order[k])
				phase_remove(have->kids[i], pl);
	phase_create(want, have, pl);
	phase_enable(want, have, pl);
}

/* A backstore used by a LUN of target t. */
static int target_uses(const struct node *t, const char *backstore)
{
	int a, b;

	for (a = 0; a < t->nkids; a++)
		for (b = 0; b < t->kids[a]->nkids; b++) {
			const struct node *l = t->kids[a]->kids[b];

			if (l->kind == K_LUN &&
			    same(attr_get(l, "backstore"), backstore))
				return 1;
		}
	return 0;
}

/* Keeps the named target (with the backstores its LUNs use, the volumes
 * those use, and the host's target objects that name it) or the named
 * volume. Returns -1 when nothing matches. */
int conf_select(struct node *root, enum kind kind, const char *name)
{
	struct node *keep = NULL;
	int i, j, found = 0;
	int *want = xcalloc((size_t)root->nkids + 1, sizeof(int));

	for (i = 0; i < root->nkids; i++)
		if (root->kids[i]->kind == kind &&
		    !strcmp(root->kids[i]->name, name)) {
			keep = root->kids[i];
			want[i] = 1;
			found = 1;
		}
	for (i = 0; keep && kind == K_TARGET && i < root->nkids; i++) {
		struct node *b = root->kids[i];

		if (b->kind != K_BACKSTORE || !target_uses(keep, b->name))
			continue;
		want[i] = 1;
		for (j = 0; j < root->nkids; j++)
			if (root->kids[j]->kind == K_VOLUME &&
			    same(attr_get(b, "volume"), root->kids[j]->name))
				want[j] = 1;
	}
	for (i = 0; kind == K_TARGET && i < root->nkids; i++) {
		struct node *n = root->kids[i];
		int k = 0;

		if (n->kind != K_INITIATOR)
			continue;
		for (j = 0; j < n->nkids; j++) {
			struct node *t = n->kids[j];

			if (!strcmp(t->name, name) ||
			    same(attr_get(t, "target_iqn"), name))
				n->kids[k++] = t;
			else
				node_free(t);
		}
		n->nkids = k;
		if (k)
			want[i] = found = 1;
	}
	for (i = 0, j = 0; i < root->nkids; i++) {
		if (want[i])
			root->kids[j++] = root->kids[i];
		else
			node_free(root->kids[i]);
	}
	root->nkids = j;
	free(want);
	return found ? 0 : -1;
}
