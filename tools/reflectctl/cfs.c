// SPDX-License-Identifier: GPL-2.0
/*
 * reflectctl: the configfs layer. Reads the objects under a root (the
 * real /sys/kernel/config or a fake tree of plain directories and files,
 * for tests) into the model, and runs a plan against it.
 *
 * On a tree that is not configfs, mkdir creates missing parents (configfs
 * creates default groups itself) and rmdir removes the directory with its
 * files (configfs removes attributes and default groups with the item).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reflectctl.h"
#include "cfs.h"

char *read_value(const char *path)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t r;

		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 8192;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = 0;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\0'))
		buf[--len] = 0;
	return buf;
}

static char *full(const struct cfs *c, const char *rel)
{
	return xasprintf("%s/%s", c->root, rel);
}

int is_dir(const char *p)
{
	struct stat st;

	return !lstat(p, &st) && S_ISDIR(st.st_mode);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entries of a directory of one type (DT_DIR, DT_REG, DT_LNK). */
char **list_dir(const char *path, int want_type, int *n)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **v = NULL;
	int cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		struct stat st;
		char *p;
		int type;

		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", path, e->d_name);
		if (lstat(p, &st)) {
			free(p);
			continue;
		}
		free(p);
		type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ?
			DT_LNK : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		if (type != want_type)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, sizeof(*v) * (size_t)cap);
		}
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, (size_t)*n, sizeof(*v), name_cmp);
	return v;
}

void free_list(char **v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Attribute files of dir/sub into key "prefix/name" (or "name"). */
static void read_attrs(struct node *n, const char *dir, const char *sub,
		       int known_only)
{
	char *d = sub ? xasprintf("%s/%s", dir, sub) : xstrdup(dir);
	int i, cnt;
	char **v = list_dir(d, DT_REG, &cnt);

	for (i = 0; i < cnt; i++) {
		char *key = sub ? xasprintf("%s/%s", sub, v[i]) : xstrdup(v[i]);
		char *p, *val;

		if (known_only && !conf_key_known(n->kind, key)) {
			free(key);
			continue;
		}
		p = xasprintf("%s/%s", d, v[i]);
		val = read_value(p);
		if (val)
			attr_set(n, key, val, 0);
		free(val);
		free(p);
		free(key);
	}
	free_list(v, cnt);
	free(d);
}

/* The one symlink of a LUN directory: its name and target. */
static int read_link(const char *dir, char **name, char **dest)
{
	int cnt;
	char **v = list_dir(dir, DT_LNK, &cnt);
	char buf[PATH_MAX];
	ssize_t r;
	char *p;

	if (!cnt) {
		free_list(v, cnt);
		return -1;
	}
	p = xasprintf("%s/%s", dir, v[0]);
	r = readlink(p, buf, sizeof(buf) - 1);
	free(p);
	if (r < 0) {
		free_list(v, cnt);
		return -1;
	}
	buf[r] = 0;
	*name = xstrdup(v[0]);
	*dest = xstrdup(buf);
	free_list(v, cnt);
	return 0;
}

/* Last n components of a path. */
static const char *tail(const char *p, int n)
{
	const char *s = p + strlen(p);

	while (s > p && s[-1] == '/')
		s--;
	while (s > p) {
		if (s[-1] == '/' && --n == 0)
			return s;
		s--;
	}
	return p;
}

static char *between(const char *s, const char *start, const char *end)
{
	const char *a = strstr(s, start), *b;

	if (!a)
		return NULL;
	a += strlen(start);
	b = end ? strstr(a, end) : NULL;
	if (!b)
		b = a + strcspn(a, " \n");
	return xasprintf("%.*s", (int)(b - a), a);
}

/* fd_dev_name=F,fd_dev_size=S | rd_pages=P | udev_path=D, in the words
 * of the kernel's info attribute. */
static char *read_ctl(char *ctl)
{
	char *out, *f, *z, *p, *u, *vo;

	if (!ctl)
		return NULL;
	f = between(ctl, "fd_dev_name=", ",");
	z = between(ctl, "fd_dev_size=", ",");
	p = between(ctl, "rd_pages=", ",");
	u = between(ctl, "udev_path=", ",");
	vo = between(ctl, "volume=", ",");
	out = xasprintf("File: %s  Size: %s  PAGES/PAGE_SIZE: %s*4096  UDEV PATH: %s  readonly: 0 Volume: %s  Generation: 0",
			f ? f : "", z ? z : "", p ? p : "", u ? u : "",
			vo ? vo : "");
	free(vo);
	free(f);
	free(z);
	free(p);
	free(u);
	free(ctl);
	return out;
}

static void read_backstores(const struct cfs *c, struct node *root)
{
	char *core = full(c, "target/core");
	int nh, i, j;
	char **hbas = list_dir(core, DT_DIR, &nh);

	for (i = 0; i < nh; i++) {
		const char *us = strrchr(hbas[i], '_');
		char *hp = xasprintf("%s/%s", core, hbas[i]);
		int nd;
		char **devs;

		if (!us || !strcmp(hbas[i], "alua")) {
			free(hp);
			continue;
		}
		devs = list_dir(hp, DT_DIR, &nd);
		for (j = 0; j < nd; j++) {
			char *name = xasprintf("%s/%s", hbas[i], devs[j]);
			struct node *b = node_add(root, K_BACKSTORE, name, 0);
			char *dp = xasprintf("%s/%s", hp, devs[j]);
			char *ip = xasprintf("%s/info", dp);
			char *info = read_value(ip);
			char *v;

			if (!info) {
				/* Not configfs: what was written to control. */
				free(ip);
				ip = xasprintf("%s/control", dp);
				info = read_ctl(read_value(ip));
			}

			if (info && !strncmp(hbas[i], "fileio_", 7)) {
				v = between(info, "File: ", "  Size: ");
				if (v)
					attr_set(b, "file", v, 0);
				free(v);
				v = strstr(info, "File: ") ?
				    between(strstr(info, "File: "), "  Size: ",
					    NULL) : NULL;
				if (v)
					attr_set(b, "size", v, 0);
				free(v);
			} else if (info && !strncmp(hbas[i], "rd_mcp_", 7)) {
				v = between(info, "PAGES/PAGE_SIZE: ", "*");
				if (v)
					attr_set(b, "pages", v, 0);
				free(v);
			} else if (info && !strncmp(hbas[i], "rvol_", 5)) {
				v = between(info, "Volume: ", "  ");
				if (v)
					attr_set(b, "volume", v, 0);
				free(v);
			} else if (info && !strncmp(hbas[i], "iblock_", 7)) {
				v = between(info, "UDEV PATH: ", "  readonly");
				if (v)
					attr_set(b, "device", v, 0);
				free(v);
			}
			read_attrs(b, dp, "attrib", 0);
			free(info);
			free(ip);
			free(dp);
			free(name);
		}
		free_list(devs, nd);
		free(hp);
	}
	free_list(hbas, nh);
	free(core);
}

static void read_tpg(struct node *tpg, const char *tp)
{
	int i, j, n, m;
	char *d, *v;
	char **e;

	v = xasprintf("%s/enable", tp);
	d = read_value(v);
	if (d)
		attr_set(tpg, "enable", d, 0);
	free(d);
	free(v);
	read_attrs(tpg, tp, "attrib", 1);
	read_attrs(tpg, tp, "param", 1);
	read_attrs(tpg, tp, "auth", 1);

	d = xasprintf("%s/np", tp);
	e = list_dir(d, DT_DIR, &n);
	for (i = 0; i < n; i++)
		node_add(tpg, K_PORTAL, e[i], 0);
	free_list(e, n);
	free(d);

	d = xasprintf("%s/lun", tp);
	e = list_dir(d, DT_DIR, &n);
	for (i = 0; i < n; i++) {
		char *lp, *ln, *dest;
		struct node *l;

		if (strncmp(e[i], "lun_", 4))
			continue;
		l = node_add(tpg, K_LUN, e[i] + 4, 0);
		lp = xasprintf("%s/%s", d, e[i]);
		if (!read_link(lp, &ln, &dest)) {
			attr_set(l, "backstore", tail(dest, 2), 0);
			attr_set(l, "_link", ln, 0);
			free(ln);
			free(dest);
		}
		free(lp);
	}
	free_list(e, n);
	free(d);

	d = xasprintf("%s/acls", tp);
	e = list_dir(d, DT_DIR, &n);
	for (i = 0; i < n; i++) {
		struct node *a = node_add(tpg, K_ACL, e[i], 0);
		char *ap = xasprintf("%s/%s", d, e[i]);
		char **ml = list_dir(ap, DT_DIR, &m);

		read_attrs(a, ap, "auth", 1);
		for (j = 0; j < m; j++) {
			char *mp, *ln, *dest;
			struct node *ml_n;

			if (strncmp(ml[j], "lun_", 4))
				continue;
			ml_n = node_add(a, K_MLUN, ml[j] + 4, 0);
			mp = xasprintf("%s/%s", ap, ml[j]);
			if (!read_link(mp, &ln, &dest)) {
				const char *t = tail(dest, 1);

				if (!strncmp(t, "lun_", 4))
					attr_set(ml_n, "lun", t + 4, 0);
				attr_set(ml_n, "_link", ln, 0);
				free(ln);
				free(dest);
			}
			free(mp);
		}
		free_list(ml, m);
		free(ap);
	}
	free_list(e, n);
	free(d);
}

static void read_targets(const struct cfs *c, struct node *root)
{
	char *rp = full(c, "target/reflect");
	int nt, i, j, ng;
	char **t = list_dir(rp, DT_DIR, &nt);

	for (i = 0; i < nt; i++) {
		struct node *tn;
		char *tp;
		char **g;

		if (!strcmp(t[i], "discovery_auth"))
			continue;
		tn = node_add(root, K_TARGET, t[i], 0);
		tp = xasprintf("%s/%s", rp, t[i]);
		g = list_dir(tp, DT_DIR, &ng);
		for (j = 0; j < ng; j++) {
			char *gp;

			if (strncmp(g[j], "tpgt_", 5))
				continue;
			gp = xasprintf("%s/%s", tp, g[j]);
			read_tpg(node_add(tn, K_TPG, g[j] + 5, 0), gp);
			free(gp);
		}
		free_list(g, ng);
		free(tp);
	}
	free_list(t, nt);
	free(rp);
}

static void read_volumes(const struct cfs *c, struct node *root)
{
	char *vp = full(c, "reflect_vvol");
	int nv, i;
	char **v = list_dir(vp, DT_DIR, &nv);

	for (i = 0; i < nv; i++) {
		struct node *vn = node_add(root, K_VOLUME, v[i], 0);
		char *mp = xasprintf("%s/%s/map", vp, v[i]);
		char *m = read_value(mp);

		if (m && *m) {
			char *nl = xasprintf("%s\n", m);

			attr_set(vn, "map", nl, 0);
			free(nl);
		}
		free(m);
		free(mp);
		mp = xasprintf("%s/%s/block_size", vp, v[i]);
		m = read_value(mp);
		if (m)
			attr_set(vn, "block_size", m, 0);
		free(m);
		free(mp);
	}
	free_list(v, nv);
	free(vp);
}

static void read_initiator(const struct cfs *c, struct node *root)
{
	char *ip = full(c, "reflect_initiator");
	char *tp, *p, *v;
	struct node *in;
	int n, i;
	char **t;

	if (!is_dir(ip)) {
		free(ip);
		return;
	}
	in = node_add(root, K_INITIATOR, "", 0);
	p = xasprintf("%s/initiator_name", ip);
	v = read_value(p);
	if (v && *v)
		attr_set(in, "initiator_name", v, 0);
	free(v);
	free(p);
	tp = xasprintf("%s/targets", ip);
	t = list_dir(tp, DT_DIR, &n);
	for (i = 0; i < n; i++) {
		struct node *o = node_add(in, K_ITARGET, t[i], 0);

		p = xasprintf("%s/%s", tp, t[i]);
		read_attrs(o, p, NULL, 1);
		free(p);
	}
	free_list(t, n);
	free(tp);
	free(ip);
}

struct node *cfs_read(const struct cfs *c)
{
	struct node *root = node_new(K_ROOT, "", 0);

	read_backstores(c, root);
	read_volumes(c, root);
	read_targets(c, root);
	read_initiator(c, root);
	return root;
}

/* ------------------------------------------------------------ apply */

static int mkdir_p(char *p)
{
	char *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return mkdir(p, 0755);
}

static int rm_rf(const char *p)
{
	int n, i, rc = 0;
	char **v;

	if (!is_dir(p))
		return unlink(p);
	for (int t = 0; t < 3; t++) {
		static const int types[] = { DT_REG, DT_LNK, DT_DIR };

		v = list_dir(p, types[t], &n);
		for (i = 0; i < n; i++) {
			char *q = xasprintf("%s/%s", p, v[i]);

			if (rm_rf(q))
				rc = -1;
			free(q);
		}
		free_list(v, n);
	}
	return rc ? rc : rmdir(p);
}

static int write_value(const char *p, const char *val, int fake)
{
	int fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC | (fake ? O_CREAT : 0),
		      0644);
	char *buf;
	size_t len, off = 0;
	int e;

	if (fd < 0)
		return -1;
	buf = xasprintf("%s\n", val);
	len = strlen(buf);
	while (off < len) {
		ssize_t r = write(fd, buf + off, len - off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			free(buf);
			close(fd);
			errno = e;
			return -1;
		}
		off += (size_t)r;
	}
	free(buf);
	if (close(fd))
		return -1;
	return 0;
}

/* The object's last_error, if it has one and it says something. */
static char *last_error(const char *p)
{
	char *d = xstrdup(p), *s, *q, *v = NULL;
	int up;

	for (up = 0; up < 3 && !v; up++) {
		q = xasprintf("%s/last_error", d);
		v = read_value(q);
		free(q);
		if (v && !*v) {
			free(v);
			v = NULL;
		}
		s = strrchr(d, '/');
		if (!s)
			break;
		*s = 0;
	}
	free(d);
	return v;
}

static const char *op_word(enum op_type t)
{
	switch (t) {
	case OP_MKDIR: return "mkdir";
	case OP_RMDIR: return "rmdir";
	case OP_WRITE: return "write";
	case OP_LINK: return "link";
	case OP_UNLINK: return "unlink";
	}
	return "?";
}

int cfs_apply(const struct cfs *c, const struct plan *pl, FILE *trace)
{
	int i;

	for (i = 0; i < pl->n; i++) {
		const struct op *o = &pl->ops[i];
		char *p = full(c, o->path), *a = NULL;
		int rc = 0, e;

		switch (o->type) {
		case OP_MKDIR:
			/* Parents too: an LIO HBA (fileio_0) is made by
			 * its first mkdir. */
			rc = mkdir_p(p);
			break;
		case OP_RMDIR:
			rc = c->fake ? rm_rf(p) : rmdir(p);
			break;
		case OP_WRITE:
			if (c->fake) {
				char *d = xstrdup(p), *sl = strrchr(d, '/');

				*sl = 0;
				if (!is_dir(d))
					mkdir_p(d);
				free(d);
			}
			rc = write_value(p, o->arg, c->fake);
			if (!rc && !strncmp(o->path, "reflect_vvol/", 13) &&
			    strlen(p) > 4 && !strcmp(p + strlen(p) - 4, "/map")) {
				/* Committed at close: its verdict is in
				 * last_error. */
				char *le = last_error(p);

				if (le) {
					fprintf(stderr,
						"reflectctl: %s: write map failed: %s (%s)\n",
						p, strerror(EINVAL), le);
					free(le);
					free(p);
					return -1;
				}
			}
			break;
		case OP_LINK:
			a = full(c, o->arg);
			rc = symlink(a, p);
			break;
		case OP_UNLINK:
			rc = unlink(p);
			break;
		}
		e = errno;
		if (rc) {
			char *le = last_error(p);

			fprintf(stderr, "reflectctl: %s: %s%s%s failed: %s",
				p, op_word(o->type),
				o->type == OP_WRITE ? " " : "",
				o->type == OP_WRITE ?
				(o->secret ? "***" : o->arg) : "",
				strerror(e));
			if (le)
				fprintf(stderr, " (%s)", le);
			fputc('\n', stderr);
			free(le);
			free(a);
			free(p);
			return -1;
		}
		if (trace) {
			struct plan one = { .ops = (struct op *)o, .n = 1 };

			plan_print(trace, &one);
		}
		free(a);
		free(p);
	}
	return 0;
}

/* ------------------------------------------------------------ secrets */

/*
 * The kernel's initiator shows "[set]" for a secret. The last secrets
 * applied are kept in c->secrets (0600), one "<path>\t<value>" a line, so
 * that apply can compare and save can write them back.
 */
struct kv {
	char **k, **v;
	int n;
};

static void kv_load(const char *file, struct kv *kv)
{
	char *text = file ? read_value(file) : NULL, *s, *nl;

	memset(kv, 0, sizeof(*kv));
	if (!text)
		return;
	for (s = text; s && *s; s = nl) {
		char *tab;

		nl = strchr(s, '\n');
		if (nl)
			*nl++ = 0;
		tab = strchr(s, '\t');
		if (!tab)
			continue;
		*tab = 0;
		kv->k = xrealloc(kv->k, sizeof(char *) * (size_t)(kv->n + 1));
		kv->v = xrealloc(kv->v, sizeof(char *) * (size_t)(kv->n + 1));
		kv->k[kv->n] = xstrdup(s);
		kv->v[kv->n++] = xstrdup(tab + 1);
	}
	free(text);
}

static void kv_free(struct kv *kv)
{
	free_list(kv->k, kv->n);
	free_list(kv->v, kv->n);
}

static const char *kv_get(const struct kv *kv, const char *k)
{
	int i;

	for (i = 0; i < kv->n; i++)
		if (!strcmp(kv->k[i], k))
			return kv->v[i];
	return NULL;
}

static void kv_put(struct kv *kv, const char *k, const char *v)
{
	int i;

	for (i = 0; i < kv->n; i++)
		if (!strcmp(kv->k[i], k)) {
			free(kv->v[i]);
			kv->v[i] = xstrdup(v);
			return;
		}
	kv->k = xrealloc(kv->k, sizeof(char *) * (size_t)(kv->n + 1));
	kv->v = xrealloc(kv->v, sizeof(char *) * (size_t)(kv->n + 1));
	kv->k[kv->n] = xstrdup(k);
	kv->v[kv->n++] = xstrdup(v);
}

static void fill(const struct kv *kv, struct node *n)
{
	int i;

	for (i = 0; i < n->nattrs; i++) {
		struct attr *a = &n->attrs[i];

		if (key_is_secret(a->key) && !strcmp(a->val, "[set]")) {
			char *p = node_path(n);
			char *k = xasprintf("%s/%s", p, a->key);
			const char *v = kv_get(kv, k);

			if (v) {
				free(a->val);
				a->val = xstrdup(v);
			}
			free(k);
			free(p);
		}
	}
	for (i = 0; i < n->nkids; i++)
		fill(kv, n->kids[i]);
}

void secrets_fill(const struct cfs *c, struct node *have)
{
	struct kv kv;

	kv_load(c->secrets, &kv);
	fill(&kv, have);
	kv_free(&kv);
}

static void collect(struct kv *kv, const struct node *n)
{
	int i;

	for (i = 0; i < n->nattrs; i++) {
		const struct attr *a = &n->attrs[i];

		if (key_is_secret(a->key) && n->kind != K_ROOT) {
			char *p = node_path(n);
			char *k = xasprintf("%s/%s", p, a->key);

			kv_put(kv, k, a->val);
			free(k);
			free(p);
		}
	}
	for (i = 0; i < n->nkids; i++)
		collect(kv, n->kids[i]);
}

int secrets_store(const struct cfs *c, const struct node *want)
{
	struct kv kv;
	FILE *f;
	char *text = NULL;
	size_t len = 0;
	int i, rc;

	if (!c->secrets || !conf_has_secrets(want))
		return 0;
	kv_load(c->secrets, &kv);
	collect(&kv, want);
	f = open_memstream(&text, &len);
	if (!f) {
		kv_free(&kv);
		return -1;
	}
	for (i = 0; i < kv.n; i++)
		fprintf(f, "%s\t%s\n", kv.k[i], kv.v[i]);
	fclose(f);
	rc = write_atomic(c->secrets, text, len, 0600);
	free(text);
	kv_free(&kv);
	return rc;
}

/* Write a file through a temporary in the same directory: fsync, rename,
 * fsync of the directory. Creates the directory if needed. */
int write_atomic(const char *path, const char *data, size_t len, int mode)
{
	char *dir = xstrdup(path), *s = strrchr(dir, '/'), *tmp;
	size_t off = 0;
	int fd, e;

	if (s && s != dir) {
		*s = 0;
		if (!is_dir(dir)) {
			char *d2 = xstrdup(dir);

			mkdir_p(d2);
			free(d2);
		}
	} else {
		free(dir);
		dir = xstrdup(s ? "/" : ".");
	}
	tmp = xasprintf("%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		goto fail;
	if (fchmod(fd, (mode_t)mode))
		goto fail_fd;
	while (off < len) {
		ssize_t r = write(fd, data + off, len - off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail_fd;
		}
		off += (size_t)r;
	}
	if (fsync(fd))
		goto fail_fd;
	if (close(fd)) {
		fd = -1;
		goto fail_fd;
	}
	if (rename(tmp, path)) {
		fd = -1;
		goto fail_fd;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(tmp);
	free(dir);
	return 0;
fail_fd:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = e;
fail:
	e = errno;
	free(tmp);
	free(dir);
	errno = e;
	return -1;
}
