// SPDX-License-Identifier: GPL-2.0
/*
 * reflectctl: configure, save, restore and watch the reflect modules
 * through configfs. Documentation/reflectctl.rst, reflectctl(8).
 *
 * Exit codes: 0 success; 1 a change or a read failed (the kernel said
 * no); 2 usage or configuration file error (nothing was changed); 3
 * refused by a safety rule (nothing was changed).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "reflectctl.h"
#include "cfs.h"

#define CONFIGFS_MAGIC		0x62656570
#define DEFAULT_CONF		"/etc/reflect/reflect.conf"
#define DEFAULT_SECRETS		"/var/lib/reflect/secrets"

#define EX_OK		0
#define EX_APPLY	1
#define EX_USAGE	2
#define EX_REFUSED	3

static struct cfs cfs;

static void usage(FILE *f)
{
	fputs("usage: reflectctl [--root DIR] [--secrets FILE] COMMAND ...\n"
	      "  apply [-n|--dry-run] [-q] FILE   make configfs match FILE\n"
	      "  save [--force] [FILE]            write the running configuration\n"
	      "  restore [-n] [--target IQN|--volume NAME] [FILE]\n"
	      "                                   apply the saved file (all or one object)\n"
	      "  check FILE                       validate FILE only\n"
	      "  status [--json]                  objects, sessions, negotiated values\n"
	      "  stats [--json]                   every statistics attribute\n"
	      "FILE defaults to " DEFAULT_CONF " for save and restore.\n", f);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 65536;
			buf = xrealloc(buf, cap + 1);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		if (f != stdin)
			fclose(f);
		free(buf);
		return NULL;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* `map file PATH`: read PATH (relative to the configuration's
 * directory) into the volume's map. */
static int load_maps(struct node *root, const char *conf)
{
	int i;

	for (i = 0; i < root->nkids; i++) {
		struct node *v = root->kids[i];
		struct attr *mf;
		char *path, *text, *slash;
		size_t len;

		if (v->kind != K_VOLUME || !(mf = attr_find(v, "map-file")))
			continue;
		slash = strrchr(conf, '/');
		if (mf->val[0] == '/' || !slash)
			path = xstrdup(mf->val);
		else
			path = xasprintf("%.*s/%s", (int)(slash - conf), conf,
					 mf->val);
		text = slurp(path, &len);
		if (!text) {
			fprintf(stderr, "reflectctl: %s:%d: map file %s: %s\n",
				conf, mf->line, path, strerror(errno));
			free(path);
			return -1;
		}
		if (strlen(text) != len) {
			fprintf(stderr, "reflectctl: %s:%d: map file %s: NUL byte\n",
				conf, mf->line, path);
			free(text);
			free(path);
			return -1;
		}
		attr_set(v, "map", text, mf->line);
		attr_set(v, "_mapfile", path, mf->line);
		attr_del(v, "map-file");
		free(text);
		free(path);
	}
	return 0;
}

/* Parse, load maps and validate; NULL (message printed) on error. */
static struct node *load_conf(const char *path)
{
	struct perr err;
	struct node *root;
	size_t len;
	char *text = slurp(path, &len);

	if (!text) {
		fprintf(stderr, "reflectctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (strlen(text) != len) {
		fprintf(stderr, "reflectctl: %s: NUL byte in the file\n", path);
		free(text);
		return NULL;
	}
	root = conf_parse(text, len, &err);
	free(text);
	if (!root) {
		fprintf(stderr, "reflectctl: %s:%d: %s\n", path, err.line,
			err.msg);
		return NULL;
	}
	if (load_maps(root, path)) {
		node_free(root);
		return NULL;
	}
	if (conf_validate(root, &err)) {
		if (err.line)
			fprintf(stderr, "reflectctl: %s:%d: %s\n", path,
				err.line, err.msg);
		else
			fprintf(stderr, "reflectctl: %s: %s\n", path, err.msg);
		node_free(root);
		return NULL;
	}
	return root;
}

static int run_plan(struct node *want, const struct scope *sc, int dry,
		    int quiet)
{
	struct node *have = cfs_read(&cfs);
	struct plan pl = { 0 };
	int rc = EX_OK;

	secrets_fill(&cfs, have);
	diff(want, have, sc, &pl);
	if (dry) {
		plan_print(stdout, &pl);
	} else if (cfs_apply(&cfs, &pl, quiet ? NULL : stdout)) {
		rc = EX_APPLY;
	} else if (secrets_store(&cfs, want)) {
		fprintf(stderr, "reflectctl: %s: write failed: %s\n",
			cfs.secrets, strerror(errno));
		rc = EX_APPLY;
	}
	plan_free(&pl);
	node_free(have);
	return rc;
}

static int cmd_apply(int argc, char **argv, int restore)
{
	static const struct option lo[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "target", required_argument, NULL, 't' },
		{ "volume", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = restore ? DEFAULT_CONF : NULL;
	const char *tgt = NULL, *vol = NULL;
	int dry = 0, quiet = 0, c, rc;
	struct node *want;
	struct scope sc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "nq", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			dry = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 't':
			tgt = optarg;
			break;
		case 'v':
			vol = optarg;
			break;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if ((!restore && (tgt || vol)) || (tgt && vol) ||
	    argc - optind > 1 || (!restore && argc - optind != 1)) {
		usage(stderr);
		return EX_USAGE;
	}
	if (optind < argc)
		file = argv[optind];
	if (restore && access(file, F_OK) && errno == ENOENT && !tgt && !vol) {
		fprintf(stderr, "reflectctl: %s: no saved configuration, nothing to restore\n",
			file);
		return EX_OK;
	}
	want = load_conf(file);
	if (!want)
		return EX_USAGE;
	scope_from_file(want, &sc);
	if (tgt || vol) {
		memset(&sc, 0, sizeof(sc));
		if (conf_select(want, tgt ? K_TARGET : K_VOLUME,
				tgt ? tgt : vol)) {
			fprintf(stderr, "reflectctl: %s: no %s %s in the file\n",
				file, tgt ? "target" : "volume",
				tgt ? tgt : vol);
			node_free(want);
			return EX_USAGE;
		}
	}
	rc = run_plan(want, &sc, dry, quiet);
	node_free(want);
	return rc;
}

static int cmd_check(int argc, char **argv)
{
	struct node *want;

	if (argc != 2) {
		usage(stderr);
		return EX_USAGE;
	}
	want = load_conf(argv[1]);
	if (!want)
		return EX_USAGE;
	node_free(want);
	return EX_OK;
}

/* Drop what save does not write: backstore attributes (many are read
 * only or fixed once exported) and secrets the kernel hides. */
static void strip_for_save(struct node *n, int *hidden)
{
	int i;

	for (i = 0; i < n->nattrs;) {
		struct attr *a = &n->attrs[i];

		if ((n->kind == K_BACKSTORE && !strncmp(a->key, "attrib/", 7)) ||
		    (key_is_secret(a->key) && !strcmp(a->val, "[set]")) ||
		    (n->kind != K_ROOT && !*a->val &&
		     (strstr(a->key, "userid") || key_is_secret(a->key)))) {
			if (!strcmp(a->val, "[set]")) {
				char *p = node_path(n);

				fprintf(stderr,
					"reflectctl: warning: %s/%s: the kernel hides this secret and it is not in %s; add it to the saved file\n",
					p, a->key, cfs.secrets);
				free(p);
				(*hidden)++;
			}
			attr_del(n, a->key);
			continue;
		}
		i++;
	}
	for (i = 0; i < n->nkids; i++)
		strip_for_save(n->kids[i], hidden);
}

static int lun_uses(const struct node *n, const char *bs)
{
	int i;

	if (n->kind == K_LUN && attr_get(n, "backstore") &&
	    !strcmp(attr_get(n, "backstore"), bs))
		return 1;
	for (i = 0; i < n->nkids; i++)
		if (lun_uses(n->kids[i], bs))
			return 1;
	return 0;
}

/* Save only the backstores a reflect target's LUN uses: the others belong
 * to other fabrics (a stock iscsi target on the same machine). */
static void drop_unused_backstores(struct node *root)
{
	int i, j;

	for (i = 0, j = 0; i < root->nkids; i++) {
		struct node *n = root->kids[i];

		if (n->kind == K_BACKSTORE && !lun_uses(root, n->name)) {
			node_free(n);
			continue;
		}
		root->kids[j++] = n;
	}
	root->nkids = j;
}

static int file_has_config(const char *path)
{
	size_t len;
	char *text = slurp(path, &len);
	struct perr err;
	struct node *root;
	int r;

	if (!text)
		return 0;
	root = conf_parse(text, len, &err);
	/* An unreadable file is not empty: keep it. */
	r = root ? !conf_is_empty(root) : len > 0;
	node_free(root);
	free(text);
	return r;
}

static int cmd_save(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = DEFAULT_CONF;
	int force = 0, c, hidden = 0, rc = EX_OK;
	struct node *have;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f", lo, NULL)) != -1) {
		if (c != 'f') {
			usage(stderr);
			return EX_USAGE;
		}
		force = 1;
	}
	if (argc - optind > 1) {
		usage(stderr);
		return EX_USAGE;
	}
	if (optind < argc)
		file = argv[optind];
	have = cfs_read(&cfs);
	secrets_fill(&cfs, have);
	strip_for_save(have, &hidden);
	drop_unused_backstores(have);
	if (conf_is_empty(have) && !force && file_has_config(file)) {
		fprintf(stderr,
			"reflectctl: %s: refusing to replace a saved configuration with an empty one (use --force)\n",
			file);
		node_free(have);
		return EX_REFUSED;
	}
	f = open_memstream(&text, &len);
	if (!f) {
		node_free(have);
		return EX_APPLY;
	}
	fputs("# reflect configuration, written by reflectctl save\n", f);
	if (conf_has_secrets(have))
		fputs("# contains CHAP secrets: keep this file mode 0600\n", f);
	fputc('\n', f);
	conf_print(f, have, 1);
	fclose(f);
	if (!strcmp(file, "-")) {
		fwrite(text, 1, len, stdout);
	} else if (write_atomic(file, text, len,
				conf_has_secrets(have) ? 0600 : 0644)) {
		fprintf(stderr, "reflectctl: %s: write failed: %s\n", file,
			strerror(errno));
		rc = EX_APPLY;
	}
	free(text);
	node_free(have);
	return rc;
}

/* ------------------------------------------------------------ status */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* "k=v" / "k: v" / "k v" lines become a JSON object; else a string. */
static void json_value(FILE *f, const char *v)
{
	char *copy, *line, *save = NULL;
	int ok = strchr(v, '\n') || strchr(v, '=');
	int first = 1;

	if (ok) {
		const char *s = v;

		while (*s && ok) {
			size_t n = strcspn(s, "\n");
			size_t k = strcspn(s, "=: \t");

			if (n && (k == 0 || k >= n))
				ok = 0;
			s += n + (s[n] ? 1 : 0);
		}
	}
	if (!ok) {
		json_str(f, v);
		return;
	}
	copy = xstrdup(v);
	fputc('{', f);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t k = strcspn(line, "=: \t");
		char *val = line + k;

		line[k] = 0;
		val++;
		while (*val == ' ' || *val == '\t' || *val == ':' ||
		       *val == '=')
			val++;
		fputs(first ? "" : ",", f);
		first = 0;
		json_str(f, line);
		fputc(':', f);
		{
			char *end;

			strtoull(val, &end, 10);
			if (*val && !*end && val[0] != '0')
				fputs(val, f);
			else if (!strcmp(val, "0"))
				fputc('0', f);
			else
				json_str(f, val);
		}
	}
	fputc('}', f);
	free(copy);
}

struct kvlist {
	char **k, **v;
	int n;
};

static void kvl_add(struct kvlist *l, const char *k, const char *v)
{
	l->k = xrealloc(l->k, sizeof(char *) * (size_t)(l->n + 1));
	l->v = xrealloc(l->v, sizeof(char *) * (size_t)(l->n + 1));
	l->k[l->n] = xstrdup(k);
	l->v[l->n++] = xstrdup(v);
}

static void kvl_free(struct kvlist *l)
{
	free_list(l->k, l->n);
	free_list(l->v, l->n);
	memset(l, 0, sizeof(*l));
}

static int is_stat_name(const char *n)
{
	return strstr(n, "stats") || strstr(n, "statistic") ||
	       strstr(n, "count") ||
	       strstr(n, "fallback") || strstr(n, "reflected") ||
	       strstr(n, "proxied");
}

/* Read-only attribute files of dir (recursing into statistics groups
 * for stats), keyed by their path below dir. */
static void ro_attrs(const char *dir, const char *prefix, int stats,
		     int in_stats_dir, int depth, struct kvlist *out)
{
	int n, i;
	char **v = list_dir(dir, DT_REG, &n);

	for (i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", dir, v[i]);
		struct stat st;
		char *val;

		if (stat(p, &st) || (st.st_mode & 0222) ||
		    !strcmp(v[i], "info") || !strcmp(v[i], "version")) {
			free(p);
			continue;
		}
		if (stats != (in_stats_dir || is_stat_name(v[i]))) {
			free(p);
			continue;
		}
		val = read_value(p);
		if (val) {
			char *k = *prefix ? xasprintf("%s/%s", prefix, v[i]) :
				  xstrdup(v[i]);

			kvl_add(out, k, val);
			free(k);
		}
		free(val);
		free(p);
	}
	free_list(v, n);
	if (!stats || depth > 3)
		return;
	v = list_dir(dir, DT_DIR, &n);
	for (i = 0; i < n; i++) {
		int sd = in_stats_dir || !strcmp(v[i], "statistics") ||
			 !strcmp(v[i], "stats") ||
			 !strcmp(v[i], "fabric_statistics");

		if (sd) {
			char *p = xasprintf("%s/%s", dir, v[i]);
			char *pre = *prefix ? xasprintf("%s/%s", prefix, v[i]) :
				    xstrdup(v[i]);

			ro_attrs(p, pre, 1, 1, depth + 1, out);
			free(pre);
			free(p);
		}
	}
	free_list(v, n);
}

static const char *const status_keys[] = {
	"enable", "target_iqn", "portal", "nop_interval", "nop_timeout",
	"replacement_timeout", "attrib/login_timeout",
	"attrib/netif_timeout", "attrib/default_cmdsn_depth",
	"attrib/authentication", "attrib/generate_node_acls", "backstore",
	"lun", "file", "size", "pages", "device", "initiator_name", NULL
};

struct walk {
	int stats, json, count;
	FILE *f;
};

static const char *kind_name(const struct node *n)
{
	switch (n->kind) {
	case K_ITARGET:
		return "initiator-target";
	case K_MLUN:
		return "mapped-lun";
	default:
		return kind_word(n->kind);
	}
}

static void show_node(struct walk *w, const struct node *n, int depth)
{
	struct kvlist l = { 0 };
	char *rel, *dir;
	int i;

	if (n->kind == K_ROOT)
		goto kids;
	rel = node_path(n);
	dir = xasprintf("%s/%s", cfs.root, rel);
	if (!w->stats)
		for (i = 0; status_keys[i]; i++) {
			const char *v = attr_get(n, status_keys[i]);

			if (v)
				kvl_add(&l, status_keys[i], v);
		}
	ro_attrs(dir, "", w->stats, 0, 0, &l);
	if (w->stats && !l.n && n->kind != K_TARGET && n->kind != K_TPG &&
	    n->kind != K_INITIATOR)
		goto done;
	if (w->json) {
		fputs(w->count++ ? ",\n " : " ", w->f);
		fputs("{\"kind\":", w->f);
		json_str(w->f, kind_name(n));
		fputs(",\"name\":", w->f);
		json_str(w->f, n->name);
		fputs(",\"path\":", w->f);
		json_str(w->f, rel);
		fputs(",\"attributes\":{", w->f);
		for (i = 0; i < l.n; i++) {
			fputs(i ? "," : "", w->f);
			json_str(w->f, l.k[i]);
			fputc(':', w->f);
			json_value(w->f, l.v[i]);
		}
		fputs("}}", w->f);
	} else {
		fprintf(w->f, "%*s%s %s\n", 2 * depth, "", kind_name(n),
			n->name);
		for (i = 0; i < l.n; i++) {
			const char *s = l.v[i];

			if (!strchr(s, '\n')) {
				fprintf(w->f, "%*s  %-24s %s\n", 2 * depth, "",
					l.k[i], s);
				continue;
			}
			fprintf(w->f, "%*s  %s:\n", 2 * depth, "", l.k[i]);
			while (*s) {
				size_t len = strcspn(s, "\n");

				fprintf(w->f, "%*s    %.*s\n", 2 * depth, "",
					(int)len, s);
				s += len + (s[len] ? 1 : 0);
			}
		}
	}
done:
	kvl_free(&l);
	free(dir);
	free(rel);
kids:
	for (i = 0; i < n->nkids; i++)
		show_node(w, n->kids[i], n->kind == K_ROOT ? 0 : depth + 1);
}

static int cmd_show(int argc, char **argv, int stats)
{
	struct walk w = { .stats = stats, .f = stdout };
	struct node *have;

	if (argc == 2 && !strcmp(argv[1], "--json"))
		w.json = 1;
	else if (argc != 1) {
		usage(stderr);
		return EX_USAGE;
	}
	have = cfs_read(&cfs);
	if (w.json)
		fputs("[\n", w.f);
	show_node(&w, have, 0);
	if (w.json)
		fputs("\n]\n", w.f);
	else if (!have->nkids)
		fputs("no reflect objects in configfs\n", w.f);
	node_free(have);
	return EX_OK;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "secrets", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct statfs sfs;
	const char *cmd;
	int c;

	cfs.root = getenv("REFLECTCTL_ROOT") ? getenv("REFLECTCTL_ROOT") :
		   "/sys/kernel/config";
	cfs.secrets = getenv("REFLECTCTL_SECRETS") ?
		      getenv("REFLECTCTL_SECRETS") : DEFAULT_SECRETS;
	while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			cfs.root = optarg;
			break;
		case 's':
			cfs.secrets = optarg;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	cfs.fake = !statfs(cfs.root, &sfs) && sfs.f_type != CONFIGFS_MAGIC;
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "apply"))
		return cmd_apply(argc, argv, 0);
	if (!strcmp(cmd, "restore"))
		return cmd_apply(argc, argv, 1);
	if (!strcmp(cmd, "save"))
		return cmd_save(argc, argv);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc, argv);
	if (!strcmp(cmd, "status"))
		return cmd_show(argc, argv, 0);
	if (!strcmp(cmd, "stats"))
		return cmd_show(argc, argv, 1);
	fprintf(stderr, "reflectctl: unknown command %s\n", cmd);
	usage(stderr);
	return EX_USAGE;
}
