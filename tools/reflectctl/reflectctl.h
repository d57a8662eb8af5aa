/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reflectctl: the configuration model shared by the pure parts (parser,
 * validation, printer, differ) and the configfs layer.
 *
 * A configuration is a tree of objects. Each object has a kind, a name
 * unique among its siblings of the same kind, a list of attributes
 * (key, value) and children. The same tree describes a file and what
 * configfs holds, so the differ compares like with like.
 */
#ifndef REFLECTCTL_H
#define REFLECTCTL_H

#include <stddef.h>
#include <stdio.h>

enum kind {
	K_ROOT,
	K_BACKSTORE,	/* name "<hba>/<dev>", e.g. fileio_0/disk0 */
	K_VOLUME,	/* name: the volume */
	K_TARGET,	/* name: target IQN */
	K_TPG,		/* name: TPGT number */
	K_PORTAL,	/* name: addr:port */
	K_LUN,		/* name: LUN number; attr backstore */
	K_ACL,		/* name: initiator IQN */
	K_MLUN,		/* name: mapped LUN number; attr lun (tpg LUN) */
	K_INITIATOR,	/* the host side, singleton, name "" */
	K_ITARGET,	/* name: the initiator's target object */
	K_NKINDS
};

struct attr {
	char *key;
	char *val;
	int line;
};

struct node {
	enum kind kind;
	char *name;
	int line;
	struct node *parent;
	struct attr *attrs;
	int nattrs, cattrs;
	struct node **kids;
	int nkids, ckids;
	int gone;		/* differ: this (current) object is removed */
	int touched;		/* differ: disabled on the way, re-enable */
};

/* ---- model (model.c) */
struct node *node_new(enum kind kind, const char *name, int line);
struct node *node_add(struct node *parent, enum kind kind, const char *name,
		      int line);
void node_free(struct node *n);
struct node *node_find(const struct node *parent, enum kind kind,
		       const char *name);
struct attr *attr_find(const struct node *n, const char *key);
const char *attr_get(const struct node *n, const char *key);
void attr_set(struct node *n, const char *key, const char *val, int line);
void attr_del(struct node *n, const char *key);
const char *kind_word(enum kind kind);
int key_is_secret(const char *key);
char *xstrdup(const char *s);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- parser and validation (parse.c) */
struct perr {
	int line;		/* 0: no line */
	char msg[256];
};

/*
 * Parse a configuration text. A `map file PATH` statement keeps the path
 * as attribute "map-file"; conf_load_maps() (outside the pure part) reads
 * it. Returns the tree, or NULL with *err filled.
 */
struct node *conf_parse(const char *text, size_t len, struct perr *err);
/* Semantic checks: names, portals, references, secrets, maps. */
int conf_validate(const struct node *root, struct perr *err);
/* Check one map text (line numbers relative to the map's first line). */
int conf_check_map(const char *text, int *line, char *why, size_t whylen);
int valid_iscsi_name(const char *s);
int conf_key_known(enum kind kind, const char *key);
/* A map in canonical form, for comparison. Caller frees. */
char *map_canon(const char *text);
int valid_portal(const char *s, int port_optional);
/* Canonical portal: a missing port becomes :3260. Caller frees. */
char *portal_canon(const char *s);

/* ---- printer (print.c) */
void conf_print(FILE *f, const struct node *root, int show_secrets);
int conf_is_empty(const struct node *root);
int conf_has_secrets(const struct node *root);

/* ---- differ (diff.c) */
enum op_type { OP_MKDIR, OP_RMDIR, OP_WRITE, OP_LINK, OP_UNLINK };

struct op {
	enum op_type type;
	char *path;		/* relative to the configfs root */
	char *arg;		/* value to write, or link target */
	int secret;
};

struct plan {
	struct op *ops;
	int n, cap;
};

/* Scope: which top-level kinds are owned (objects absent are removed). */
struct scope {
	int own_targets, own_volumes, own_itargets;
};

void scope_from_file(const struct node *want, struct scope *sc);
void diff(struct node *want, struct node *have, const struct scope *sc,
	  struct plan *plan);
void plan_print(FILE *f, const struct plan *plan);
void plan_free(struct plan *plan);
char *node_path(const struct node *n);

/* Kept only the object named (target IQN or volume) and what it uses. */
int conf_select(struct node *root, enum kind kind, const char *name);

/* ---- configfs layer (cfs.c) */
struct cfs {
	const char *root;	/* /sys/kernel/config or a fake tree */
	int fake;		/* not configfs: emulate rmdir of groups */
	const char *secrets;	/* secret cache file */
};

struct node *cfs_read(const struct cfs *c);
/* Runs the plan; prints one line per failure, stops at the first. */
int cfs_apply(const struct cfs *c, const struct plan *plan, FILE *trace);
void secrets_fill(const struct cfs *c, struct node *have);
int secrets_store(const struct cfs *c, const struct node *want);

#endif
