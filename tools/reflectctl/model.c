// SPDX-License-Identifier: GPL-2.0
/* reflectctl: the configuration tree. Pure code. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "reflectctl.h"

static void oom(void)
{
	fputs("reflectctl: out of memory\n", stderr);
	exit(1);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		oom();
	return d;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xcalloc(1, (size_t)len + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return s;
}

struct node *node_new(enum kind kind, const char *name, int line)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->name = xstrdup(name);
	n->line = line;
	return n;
}

struct node *node_add(struct node *parent, enum kind kind, const char *name,
		      int line)
{
	struct node *n = node_new(kind, name, line);

	if (parent->nkids == parent->ckids) {
		parent->ckids = parent->ckids ? 2 * parent->ckids : 8;
		parent->kids = xrealloc(parent->kids,
					sizeof(*parent->kids) * parent->ckids);
	}
	parent->kids[parent->nkids++] = n;
	n->parent = parent;
	return n;
}

void node_free(struct node *n)
{
	int i;

	if (!n)
		return;
	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	for (i = 0; i < n->nattrs; i++) {
		free(n->attrs[i].key);
		free(n->attrs[i].val);
	}
	free(n->kids);
	free(n->attrs);
	free(n->name);
	free(n);
}

struct node *node_find(const struct node *parent, enum kind kind,
		       const char *name)
{
	int i;

	for (i = 0; i < parent->nkids; i++)
		if (parent->kids[i]->kind == kind &&
		    !strcmp(parent->kids[i]->name, name))
			return parent->kids[i];
	return NULL;
}

struct attr *attr_find(const struct node *n, const char *key)
{
	int i;

	for (i = 0; i < n->nattrs; i++)
		if (!strcmp(n->attrs[i].key, key))
			return &n->attrs[i];
	return NULL;
}

const char *attr_get(const struct node *n, const char *key)
{
	struct attr *a = attr_find(n, key);

	return a ? a->val : NULL;
}

void attr_set(struct node *n, const char *key, const char *val, int line)
{
	struct attr *a = attr_find(n, key);

	if (a) {
		free(a->val);
		a->val = xstrdup(val);
		a->line = line;
		return;
	}
	if (n->nattrs == n->cattrs) {
		n->cattrs = n->cattrs ? 2 * n->cattrs : 8;
		n->attrs = xrealloc(n->attrs, sizeof(*n->attrs) * n->cattrs);
	}
	a = &n->attrs[n->nattrs++];
	a->key = xstrdup(key);
	a->val = xstrdup(val);
	a->line = line;
}

void attr_del(struct node *n, const char *key)
{
	struct attr *a = attr_find(n, key);
	int i;

	if (!a)
		return;
	i = (int)(a - n->attrs);
	free(a->key);
	free(a->val);
	memmove(&n->attrs[i], &n->attrs[i + 1],
		sizeof(*a) * (size_t)(n->nattrs - i - 1));
	n->nattrs--;
}

const char *kind_word(enum kind kind)
{
	static const char *const w[K_NKINDS] = {
		[K_ROOT] = "root", [K_BACKSTORE] = "backstore",
		[K_VOLUME] = "volume", [K_TARGET] = "target",
		[K_TPG] = "tpg", [K_PORTAL] = "portal", [K_LUN] = "lun",
		[K_ACL] = "acl", [K_MLUN] = "lun", [K_INITIATOR] = "initiator",
		[K_ITARGET] = "target",
	};

	return (unsigned)kind < K_NKINDS ? w[kind] : "?";
}

int key_is_secret(const char *key)
{
	const char *b = strrchr(key, '/');

	b = b ? b + 1 : key;
	return !strcmp(b, "password") || !strcmp(b, "password_mutual") ||
	       !strcmp(b, "chap_password") ||
	       !strcmp(b, "chap_mutual_password");
}
