// SPDX-License-Identifier: GPL-2.0
/*
 * reflectctl: the configuration file parser and its validation. Pure code
 * (no file system access), fuzzed by fuzz_reflectctl.
 *
 * Format (Documentation/reflectctl.rst): one statement a line, words
 * separated by blanks, "double quotes" around a word with blanks, '#' or
 * quote characters (\" and \\ inside), '#' starts a comment. A statement
 * ending in '{' opens a block, a line holding '}' closes it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "reflectctl.h"

#ifdef RFL_HAVE_MAP
#include "rfl_map.h"
#endif

#define MAXTOK 8

static const char *const tpg_attribs[] = {
	"authentication", "generate_node_acls", "cache_dynamic_acls",
	"demo_mode_write_protect", "default_cmdsn_depth", "login_timeout",
	"netif_timeout", "reflection", NULL
};

static const char *const tpg_params[] = {
	"HeaderDigest", "DataDigest", "MaxRecvDataSegmentLength",
	"MaxBurstLength", "FirstBurstLength", "ImmediateData", "InitialR2T",
	"MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder",
	"DefaultTime2Wait", "DefaultTime2Retain", "ErrorRecoveryLevel",
	"MaxConnections", "TargetAlias", NULL
};

static const char *const auth_keys[] = {
	"userid", "password", "userid_mutual", "password_mutual", NULL
};

static const char *const itarget_keys[] = {
	"target_iqn", "portal", "header_digest", "data_digest",
	"max_recv_dlength", "max_burst", "first_burst", "immediate_data",
	"initial_r2t", "max_outstanding_r2t", "queue_depth", "nop_interval",
	"nop_timeout", "replacement_timeout", "reflection", "chap_userid",
	"chap_password",
	"chap_mutual_userid", "chap_mutual_password", "chap_sha256", "enable",
	NULL
};

static const char *const backstore_keys[] = {
	"file", "size", "pages", "device", "volume", NULL
};

static int in_list(const char *const *l, const char *w)
{
	for (; *l; l++)
		if (!strcmp(*l, w))
			return 1;
	return 0;
}

int conf_key_known(enum kind kind, const char *key)
{
	switch (kind) {
	case K_TPG:
		if (!strncmp(key, "attrib/", 7))
			return in_list(tpg_attribs, key + 7);
		if (!strncmp(key, "param/", 6))
			return in_list(tpg_params, key + 6);
		/* fall through */
	case K_ACL:
		if (!strncmp(key, "auth/", 5))
			return in_list(auth_keys, key + 5);
		return 0;
	case K_ITARGET:
		return in_list(itarget_keys, key);
	default:
		return 0;
	}
}

static int fail(struct perr *err, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct perr *err, int line, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------ names */

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* RFC 3720 3.2.6: iqn.yyyy-mm.reversed.domain[:id], eui.<16 hex>,
 * naa.<16 or 32 hex>; at most 223 bytes, lower case. */
int valid_iscsi_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 223)
		return 0;
	if (!strncmp(s, "eui.", 4))
		return n == 20 && is_hex(s + 4, 16);
	if (!strncmp(s, "naa.", 4))
		return (n == 20 || n == 36) && is_hex(s + 4, n - 4);
	if (strncmp(s, "iqn.", 4) || n < 13)
		return 0;
	for (i = 4; i < 8; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	if (s[8] != '-' || !isdigit((unsigned char)s[9]) ||
	    !isdigit((unsigned char)s[10]) || s[11] != '.')
		return 0;
	if ((s[9] - '0') * 10 + (s[10] - '0') < 1 ||
	    (s[9] - '0') * 10 + (s[10] - '0') > 12)
		return 0;
	for (i = 12; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(islower(c) || isdigit(c) || c == '.' || c == '-' ||
		      c == ':'))
			return 0;
	}
	return s[12] != '.' && s[12] != ':';
}

static int parse_port(const char *p)
{
	char *end;
	long v;

	if (!*p || !isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	v = strtol(p, &end, 10);
	return !errno && !*end && v >= 1 && v <= 65535;
}

/* a.b.c.d:port or [v6]:port; the port may be left out when allowed. */
int valid_portal(const char *s, int port_optional)
{
	char addr[64];
	unsigned char buf[16];
	const char *colon;
	size_t n;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close)
			return 0;
		n = (size_t)(close - s - 1);
		if (n == 0 || n >= sizeof(addr))
			return 0;
		memcpy(addr, s + 1, n);
		addr[n] = 0;
		if (inet_pton(AF_INET6, addr, buf) != 1)
			return 0;
		if (!close[1])
			return port_optional;
		return close[1] == ':' && parse_port(close + 2);
	}
	colon = strchr(s, ':');
	n = colon ? (size_t)(colon - s) : strlen(s);
	if (n == 0 || n >= sizeof(addr))
		return 0;
	memcpy(addr, s, n);
	addr[n] = 0;
	if (inet_pton(AF_INET, addr, buf) != 1)
		return 0;
	if (!colon)
		return port_optional;
	return parse_port(colon + 1);
}

char *portal_canon(const char *s)
{
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close && !close[1])
			return xasprintf("%s:3260", s);
		return xstrdup(s);
	}
	if (!strchr(s, ':'))
		return xasprintf("%s:3260", s);
	return xstrdup(s);
}

static int valid_uint(const char *s, unsigned long long max)
{
	char *end;
	unsigned long long v;

	if (!*s || !isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	return !errno && !*end && v <= max;
}

/* An object name: no '/', no blanks, not . or .. */
static int valid_word(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, "..") || strlen(s) > 200)
		return 0;
	for (; *s; s++)
		if (*s == '/' || isspace((unsigned char)*s) ||
		    !isprint((unsigned char)*s))
			return 0;
	return 1;
}

/* <type>_<N>/<dev> */
static int valid_backstore(const char *s)
{
	const char *slash = strchr(s, '/'), *us;
	char hba[64];
	size_t n;

	if (!slash || !valid_word(slash + 1))
		return 0;
	n = (size_t)(slash - s);
	if (n == 0 || n >= sizeof(hba))
		return 0;
	memcpy(hba, s, n);
	hba[n] = 0;
	us = strrchr(hba, '_');
	if (!us || us == hba || !valid_uint(us + 1, 1000000))
		return 0;
	return valid_word(hba);
}

/* ------------------------------------------------------------ lexer */

struct line {
	int ntok;
	char *tok[MAXTOK];
	int open;		/* ends with '{' */
	int close;		/* is '}' */
};

static void line_free(struct line *l)
{
	int i;

	for (i = 0; i < l->ntok; i++)
		free(l->tok[i]);
	memset(l, 0, sizeof(*l));
}

static int lex(const char *s, size_t n, int lineno, struct line *l,
	       struct perr *err)
{
	size_t i = 0;

	memset(l, 0, sizeof(*l));
	while (i < n) {
		char *w;
		size_t wl = 0;

		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i >= n || s[i] == '#')
			break;
		if (l->ntok == MAXTOK)
			return fail(err, lineno, "too many words");
		w = xcalloc(1, n - i + 1);
		if (s[i] == '"') {
			i++;
			for (;;) {
				if (i >= n) {
					free(w);
					return fail(err, lineno,
						    "unterminated quote");
				}
				if (s[i] == '"')
					break;
				if (s[i] == '\\' && i + 1 < n &&
				    (s[i + 1] == '"' || s[i + 1] == '\\'))
					i++;
				if (s[i] == 0 || (unsigned char)s[i] < 0x20) {
					free(w);
					return fail(err, lineno,
						    "control character in a quoted word");
				}
				w[wl++] = s[i++];
			}
			i++;
			if (i < n && s[i] != ' ' && s[i] != '\t' &&
			    s[i] != '\r' && s[i] != '#') {
				free(w);
				return fail(err, lineno,
					    "text right after a closing quote");
			}
		} else {
			while (i < n && s[i] != ' ' && s[i] != '\t' &&
			       s[i] != '\r' && s[i] != '#') {
				if (s[i] == '"' || s[i] == 0 ||
				    (unsigned char)s[i] < 0x20) {
					free(w);
					return fail(err, lineno,
						    "bad character in a word");
				}
				w[wl++] = s[i++];
			}
		}
		l->tok[l->ntok++] = w;
	}
	if (l->ntok && !strcmp(l->tok[l->ntok - 1], "{")) {
		l->open = 1;
		free(l->tok[--l->ntok]);
		l->tok[l->ntok] = NULL;
	}
	if (l->ntok == 1 && !l->open && !strcmp(l->tok[0], "}")) {
		l->close = 1;
		free(l->tok[0]);
		l->ntok = 0;
		l->tok[0] = NULL;
	}
	for (int k = 0; k < l->ntok; k++)
		if (!strcmp(l->tok[k], "{") || !strcmp(l->tok[k], "}"))
			return fail(err, lineno,
				    "'{' must end a line, '}' stand alone");
	return 0;
}

/* ------------------------------------------------------------ parser */

struct pstate {
	const char *text;
	size_t len, pos;
	int lineno;
	struct perr *err;
};

static int next_line(struct pstate *p, const char **s, size_t *n)
{
	const char *nl;

	if (p->pos >= p->len)
		return 0;
	*s = p->text + p->pos;
	nl = memchr(*s, '\n', p->len - p->pos);
	*n = nl ? (size_t)(nl - *s) : p->len - p->pos;
	p->pos += *n + (nl ? 1 : 0);
	p->lineno++;
	return 1;
}

static int set_attr(struct pstate *p, struct node *n, const char *key,
		    const char *val)
{
	struct attr *a = attr_find(n, key);

	if (a)
		return fail(p->err, p->lineno,
			    "%s set twice (first on line %d)", key, a->line);
	attr_set(n, key, val, p->lineno);
	return 0;
}

static struct node *add_obj(struct pstate *p, struct node *parent,
			    enum kind kind, const char *name)
{
	struct node *o = node_find(parent, kind, name);

	if (o) {
		fail(p->err, p->lineno,
		     "duplicate %s %s (first on line %d)", kind_word(kind),
		     name, o->line);
		return NULL;
	}
	return node_add(parent, kind, name, p->lineno);
}

/* map { ... }: raw lines until a line holding only '}'. */
static int raw_block(struct pstate *p, struct node *n)
{
	int first = p->lineno + 1;
	const char *s;
	size_t len, total = 0;
	char *buf = xcalloc(1, 1);

	while (next_line(p, &s, &len)) {
		size_t a = 0, b = len;

		while (a < b && (s[a] == ' ' || s[a] == '\t'))
			a++;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' ||
				 s[b - 1] == '\r'))
			b--;
		if (b - a == 1 && s[a] == '}') {
			attr_set(n, "map", buf, first);
			free(buf);
			return 0;
		}
		if (memchr(s + a, 0, b - a)) {
			free(buf);
			return fail(p->err, p->lineno, "NUL byte in a map");
		}
		buf = xrealloc(buf, total + (b - a) + 2);
		memcpy(buf + total, s + a, b - a);
		total += b - a;
		buf[total++] = '\n';
		buf[total] = 0;
	}
	free(buf);
	return fail(p->err, first - 1, "map block is not closed");
}

static int block(struct pstate *p, struct node *n);


/*
 * An initiator target's portal list: one to RFL_MAX_PORTALS portals,
 * given as separate words or as one quoted value (as save writes it);
 * each checked and given :3260 when it has no port; stored joined by
 * single spaces, as the kernel's attribute reads back.
 */
#define RFL_MAX_PORTALS 4
static int itarget_portals(struct pstate *p, struct node *n,
			   const struct line *l)
{
	char *list = NULL, *words, *save = NULL, *tok, *canon, *joined;
	int i, count = 0, rc;

	if (l->ntok < 2 || l->open)
		return fail(p->err, p->lineno, "portal: expected 1 to %d values",
			    RFL_MAX_PORTALS);
	for (i = 1; i < l->ntok; i++) {
		words = xstrdup(l->tok[i]);
		for (tok = strtok_r(words, " \t", &save); tok;
		     tok = strtok_r(NULL, " \t", &save)) {
			if (!valid_portal(tok, 1)) {
				rc = fail(p->err, p->lineno,
					  "bad portal %s (want a.b.c.d[:port] or [v6][:port])",
					  tok);
				free(words);
				free(list);
				return rc;
			}
			if (++count > RFL_MAX_PORTALS) {
				free(words);
				free(list);
				return fail(p->err, p->lineno,
					    "portal: at most %d portals",
					    RFL_MAX_PORTALS);
			}
			canon = portal_canon(tok);
			joined = list ? xasprintf("%s %s", list, canon) :
					xstrdup(canon);
			free(canon);
			free(list);
			list = joined;
		}
		free(words);
	}
	if (!list)
		return fail(p->err, p->lineno, "portal: expected 1 to %d values",
			    RFL_MAX_PORTALS);
	rc = set_attr(p, n, "portal", list);
	free(list);
	return rc;
}

static int statement(struct pstate *p, struct node *n, struct line *l)
{
	const char *w = l->tok[0];
	int nt = l->ntok;
	struct node *o;
	int rc;

#define ARGS(k) do { if (nt != (k) + 1 || l->open) \
		return fail(p->err, p->lineno, "%s: expected %d value%s", \
			    w, (k), (k) == 1 ? "" : "s"); } while (0)
#define OPEN(k) do { if (nt != (k) + 1 || !l->open) \
		return fail(p->err, p->lineno, "%s: expected %s{", w, \
			    (k) ? "a name and " : ""); } while (0)

	switch (n->kind) {
	case K_ROOT:
		if (!strcmp(w, "backstore")) {
			OPEN(1);
			if (!valid_backstore(l->tok[1]))
				return fail(p->err, p->lineno,
					    "bad backstore name %s (want <type>_<N>/<name>, e.g. fileio_0/disk0)",
					    l->tok[1]);
		} else if (!strcmp(w, "volume")) {
			OPEN(1);
			if (!valid_word(l->tok[1]))
				return fail(p->err, p->lineno,
					    "bad volume name %s", l->tok[1]);
		} else if (!strcmp(w, "target")) {
			OPEN(1);
			if (!valid_iscsi_name(l->tok[1]))
				return fail(p->err, p->lineno,
					    "bad iSCSI name %s", l->tok[1]);
		} else if (!strcmp(w, "initiator")) {
			OPEN(0);
		} else {
			return fail(p->err, p->lineno, "unknown statement %s",
				    w);
		}
		o = add_obj(p, n, !strcmp(w, "backstore") ? K_BACKSTORE :
			    !strcmp(w, "volume") ? K_VOLUME :
			    !strcmp(w, "target") ? K_TARGET : K_INITIATOR,
			    nt > 1 ? l->tok[1] : "");
		return o ? block(p, o) : -1;
	case K_BACKSTORE:
		if (!strcmp(w, "attrib")) {
			char *k;

			ARGS(2);
			if (!valid_word(l->tok[1]))
				return fail(p->err, p->lineno,
					    "bad attribute name %s", l->tok[1]);
			k = xasprintf("attrib/%s", l->tok[1]);
			rc = set_attr(p, n, k, l->tok[2]);
			free(k);
			return rc;
		}
		if (!in_list(backstore_keys, w))
			return fail(p->err, p->lineno,
				    "unknown key %s in backstore", w);
		ARGS(1);
		if ((!strcmp(w, "size") || !strcmp(w, "pages")) &&
		    !valid_uint(l->tok[1], 1ULL << 62))
			return fail(p->err, p->lineno, "%s: not a number: %s",
				    w, l->tok[1]);
		if (!strcmp(w, "volume") && !valid_word(l->tok[1]))
			return fail(p->err, p->lineno, "bad volume name %s",
				    l->tok[1]);
		if ((!strcmp(w, "file") || !strcmp(w, "device")) &&
		    (l->tok[1][0] != '/' || strchr(l->tok[1], ',')))
			return fail(p->err, p->lineno,
				    "%s: want an absolute path without ','", w);
		return set_attr(p, n, w, l->tok[1]);
	case K_VOLUME:
		if (!strcmp(w, "map")) {
			if (l->open && nt == 1) {
				if (attr_find(n, "map") ||
				    attr_find(n, "map-file"))
					return fail(p->err, p->lineno,
						    "map given twice");
				return raw_block(p, n);
			}
			if (nt == 3 && !l->open && !strcmp(l->tok[1], "file")) {
				if (attr_find(n, "map") ||
				    attr_find(n, "map-file"))
					return fail(p->err, p->lineno,
						    "map given twice");
				return set_attr(p, n, "map-file", l->tok[2]);
			}
			return fail(p->err, p->lineno,
				    "map: want 'map {' or 'map file PATH'");
		}
		if (!strcmp(w, "block_size")) {
			ARGS(1);
			if (!valid_uint(l->tok[1], 65536))
				return fail(p->err, p->lineno,
					    "block_size: not a number: %s",
					    l->tok[1]);
			return set_attr(p, n, w, l->tok[1]);
		}
		return fail(p->err, p->lineno, "unknown key %s in volume", w);
	case K_TARGET:
		if (strcmp(w, "tpg"))
			return fail(p->err, p->lineno,
				    "unknown key %s in target", w);
		OPEN(1);
		if (!valid_uint(l->tok[1], 65535) || !strcmp(l->tok[1], "0") ||
		    l->tok[1][0] == '0')
			return fail(p->err, p->lineno,
				    "tpg: want a TPGT 1..65535, not %s",
				    l->tok[1]);
		o = add_obj(p, n, K_TPG, l->tok[1]);
		return o ? block(p, o) : -1;
	case K_TPG:
		if (!strcmp(w, "portal")) {
			ARGS(1);
			if (!valid_portal(l->tok[1], 0))
				return fail(p->err, p->lineno,
					    "bad portal %s (want a.b.c.d:port or [v6]:port)",
					    l->tok[1]);
			return add_obj(p, n, K_PORTAL, l->tok[1]) ? 0 : -1;
		}
		if (!strcmp(w, "lun")) {
			ARGS(2);
			if (!valid_uint(l->tok[1], 65535) ||
			    (l->tok[1][0] == '0' && l->tok[1][1]))
				return fail(p->err, p->lineno, "bad LUN %s",
					    l->tok[1]);
			if (!valid_backstore(l->tok[2]))
				return fail(p->err, p->lineno,
					    "bad backstore name %s", l->tok[2]);
			o = add_obj(p, n, K_LUN, l->tok[1]);
			if (!o)
				return -1;
			attr_set(o, "backstore", l->tok[2], p->lineno);
			return 0;
		}
		if (!strcmp(w, "acl")) {
			OPEN(1);
			if (!valid_iscsi_name(l->tok[1]))
				return fail(p->err, p->lineno,
					    "bad iSCSI name %s", l->tok[1]);
			o = add_obj(p, n, K_ACL, l->tok[1]);
			return o ? block(p, o) : -1;
		}
		if (!strcmp(w, "enable")) {
			ARGS(1);
			if (strcmp(l->tok[1], "0") && strcmp(l->tok[1], "1"))
				return fail(p->err, p->lineno,
					    "enable: want 0 or 1");
			return set_attr(p, n, "enable", l->tok[1]);
		}
		if (!strcmp(w, "attrib") || !strcmp(w, "param") ||
		    !strcmp(w, "auth")) {
			char *k;

			ARGS(2);
			if (!in_list(!strcmp(w, "attrib") ? tpg_attribs :
				     !strcmp(w, "param") ? tpg_params :
				     auth_keys, l->tok[1]))
				return fail(p->err, p->lineno,
					    "unknown key %s %s", w, l->tok[1]);
			k = xasprintf("%s/%s", w, l->tok[1]);
			rc = set_attr(p, n, k, l->tok[2]);
			free(k);
			return rc;
		}
		return fail(p->err, p->lineno, "unknown key %s in tpg", w);
	case K_ACL:
		if (!strcmp(w, "lun")) {
			ARGS(2);
			if (!valid_uint(l->tok[1], 65535) ||
			    !valid_uint(l->tok[2], 65535))
				return fail(p->err, p->lineno,
					    "lun: want <mapped LUN> <tpg LUN>");
			o = add_obj(p, n, K_MLUN, l->tok[1]);
			if (!o)
				return -1;
			attr_set(o, "lun", l->tok[2], p->lineno);
			return 0;
		}
		if (!strcmp(w, "auth")) {
			char *k;

			ARGS(2);
			if (!in_list(auth_keys, l->tok[1]))
				return fail(p->err, p->lineno,
					    "unknown key auth %s", l->tok[1]);
			k = xasprintf("auth/%s", l->tok[1]);
			rc = set_attr(p, n, k, l->tok[2]);
			free(k);
			return rc;
		}
		return fail(p->err, p->lineno, "unknown key %s in acl", w);
	case K_INITIATOR:
		if (!strcmp(w, "name")) {
			ARGS(1);
			if (!valid_iscsi_name(l->tok[1]))
				return fail(p->err, p->lineno,
					    "bad iSCSI name %s", l->tok[1]);
			return set_attr(p, n, "initiator_name", l->tok[1]);
		}
		if (!strcmp(w, "target")) {
			OPEN(1);
			if (!valid_word(l->tok[1]))
				return fail(p->err, p->lineno,
					    "bad target object name %s",
					    l->tok[1]);
			o = add_obj(p, n, K_ITARGET, l->tok[1]);
			return o ? block(p, o) : -1;
		}
		return fail(p->err, p->lineno, "unknown key %s in initiator",
			    w);
	case K_ITARGET:
		if (!in_list(itarget_keys, w))
			return fail(p->err, p->lineno,
				    "unknown key %s in initiator target", w);
		if (!strcmp(w, "portal"))
			return itarget_portals(p, n, l);
		ARGS(1);
		if (!strcmp(w, "target_iqn") && !valid_iscsi_name(l->tok[1]))
			return fail(p->err, p->lineno, "bad iSCSI name %s",
				    l->tok[1]);
		if (!strcmp(w, "enable") && strcmp(l->tok[1], "0") &&
		    strcmp(l->tok[1], "1"))
			return fail(p->err, p->lineno, "enable: want 0 or 1");
		return set_attr(p, n, w, l->tok[1]);
	default:
		break;
	}
#undef ARGS
#undef OPEN
	return fail(p->err, p->lineno, "unexpected %s", w);
}

/* Statements until the closing '}' (or the end, for the root). */
static int block(struct pstate *p, struct node *n)
{
	int start = p->lineno;
	const char *s;
	size_t len;
	struct line l;
	int rc;

	while (next_line(p, &s, &len)) {
		if (memchr(s, 0, len))
			return fail(p->err, p->lineno, "NUL byte");
		if (lex(s, len, p->lineno, &l, p->err)) {
			line_free(&l);
			return -1;
		}
		if (l.close) {
			line_free(&l);
			if (n->kind == K_ROOT)
				return fail(p->err, p->lineno,
					    "'}' without a block");
			return 0;
		}
		if (!l.ntok) {
			rc = l.open ? fail(p->err, p->lineno, "'{' alone") : 0;
			line_free(&l);
			if (rc)
				return rc;
			continue;
		}
		rc = statement(p, n, &l);
		line_free(&l);
		if (rc)
			return rc;
	}
	if (n->kind != K_ROOT)
		return fail(p->err, start, "block is not closed");
	return 0;
}

struct node *conf_parse(const char *text, size_t len, struct perr *err)
{
	struct pstate p = { .text = text, .len = len, .err = err };
	struct node *root = node_new(K_ROOT, "", 0);

	memset(err, 0, sizeof(*err));
	if (block(&p, root)) {
		node_free(root);
		return NULL;
	}
	return root;
}

/* ------------------------------------------------------------ validation */

int conf_check_map(const char *text, int *line, char *why, size_t whylen)
{
#ifdef RFL_HAVE_MAP
	struct rfl_map map;
	struct rfl_map_err e = { 0, NULL };
	size_t len = strlen(text);

	if (len > 0xffffffffu) {
		*line = 0;
		snprintf(why, whylen, "map too large");
		return -1;
	}
	memset(&map, 0, sizeof(map));
	if (rfl_map_parse(text, (u32)len, &map, &e)) {
		*line = (int)e.line;
		snprintf(why, whylen, "%s", e.why ? e.why : "bad map");
		return -1;
	}
	rfl_map_free(&map);
	return 0;
#else
	/* Without kernel/proto/rfl_map.c: only require an extent. */
	const char *s = text;
	int ln = 1;

	for (; *s; ln++) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		size_t i = 0;

		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (n - i > 7 && (!strncmp(s + i, "linear ", 7) ||
				  !strncmp(s + i, "striped ", 8)))
			return 0;
		s += n + (e ? 1 : 0);
	}
	*line = 0;
	snprintf(why, whylen, "no extent in the map");
	return -1;
#endif
}

static int check_chap(const struct node *n, const char *user,
		      const char *pass, const char *muser, const char *mpass,
		      struct perr *err)
{
	struct attr *u = attr_find(n, user), *p = attr_find(n, pass);
	struct attr *mu = attr_find(n, muser), *mp = attr_find(n, mpass);
	int has_u = u && *u->val, has_p = p && *p->val;
	int has_mu = mu && *mu->val, has_mp = mp && *mp->val;

	if (has_u && !has_p)
		return fail(err, u->line, "%s without %s (missing secret)",
			    user, pass);
	if (has_p && !has_u)
		return fail(err, p->line, "%s without %s", pass, user);
	if (has_mu && !has_mp)
		return fail(err, mu->line, "%s without %s (missing secret)",
			    muser, mpass);
	if (has_mp && !has_mu)
		return fail(err, mp->line, "%s without %s", mpass, muser);
	if (has_mu && !has_u)
		return fail(err, mu->line,
			    "mutual CHAP without one-way CHAP (%s)", user);
	return 0;
}

static int validate_node(const struct node *root, const struct node *n,
			 struct perr *err)
{
	const struct node *tpg;
	int i;

	switch (n->kind) {
	case K_BACKSTORE: {
		const char *type = n->name;

		if (!strncmp(type, "fileio_", 7)) {
			if (!attr_find(n, "file") || !attr_find(n, "size"))
				return fail(err, n->line,
					    "fileio backstore needs file and size");
			if (attr_find(n, "pages") || attr_find(n, "device") ||
			    attr_find(n, "volume"))
				return fail(err, n->line,
					    "fileio backstore takes file and size only");
		} else if (!strncmp(type, "rd_mcp_", 7)) {
			if (!attr_find(n, "pages"))
				return fail(err, n->line,
					    "rd_mcp backstore needs pages");
			if (attr_find(n, "file") || attr_find(n, "device") ||
			    attr_find(n, "size") || attr_find(n, "volume"))
				return fail(err, n->line,
					    "rd_mcp backstore takes pages only");
		} else if (!strncmp(type, "rvol_", 5)) {
			const char *v = attr_get(n, "volume");

			if (!v)
				return fail(err, n->line,
					    "rvol backstore needs volume");
			if (attr_find(n, "file") || attr_find(n, "pages") ||
			    attr_find(n, "size") || attr_find(n, "device"))
				return fail(err, n->line,
					    "rvol backstore takes volume only");
			if (!node_find(root, K_VOLUME, v))
				return fail(err, attr_find(n, "volume")->line,
					    "volume %s is not declared in this file",
					    v);
		} else if (!strncmp(type, "iblock_", 7)) {
			if (!attr_find(n, "device"))
				return fail(err, n->line,
					    "iblock backstore needs device");
			if (attr_find(n, "file") || attr_find(n, "pages") ||
			    attr_find(n, "size") || attr_find(n, "volume"))
				return fail(err, n->line,
					    "iblock backstore takes device only");
		} else {
			return fail(err, n->line,
				    "backstore type of %s not supported (fileio, iblock, rd_mcp, rvol)",
				    n->name);
		}
		break;
	}
	case K_VOLUME: {
		struct attr *m = attr_find(n, "map");
		char why[200];
		int line = 0;

		if (!m)
			return fail(err, n->line, "volume %s has no map",
				    n->name);
		if (conf_check_map(m->val, &line, why, sizeof(why))) {
			if (attr_get(n, "_mapfile"))
				return fail(err, m->line,
					    "map of volume %s: %s line %d: %s",
					    n->name, attr_get(n, "_mapfile"),
					    line, why);
			return fail(err, line ? m->line + line - 1 : m->line,
				    "map of volume %s: %s", n->name, why);
		}
		break;
	}
	case K_LUN: {
		const char *b = attr_get(n, "backstore");

		if (!node_find(root, K_BACKSTORE, b))
			return fail(err, n->line,
				    "lun %s: backstore %s is not declared in this file",
				    n->name, b);
		break;
	}
	case K_MLUN: {
		const char *t = attr_get(n, "lun");

		tpg = n->parent->parent;
		if (!node_find(tpg, K_LUN, t))
			return fail(err, n->line,
				    "mapped lun %s: tpg %s has no lun %s",
				    n->name, tpg->name, t);
		break;
	}
	case K_TPG:
	case K_ACL:
		if (check_chap(n, "auth/userid", "auth/password",
			       "auth/userid_mutual", "auth/password_mutual",
			       err))
			return -1;
		break;
	case K_ITARGET:
		if (!attr_find(n, "target_iqn") || !attr_find(n, "portal"))
			return fail(err, n->line,
				    "initiator target %s needs target_iqn and portal",
				    n->name);
		if (check_chap(n, "chap_userid", "chap_password",
			       "chap_mutual_userid", "chap_mutual_password",
			       err))
			return -1;
		break;
	default:
		break;
	}
	for (i = 0; i < n->nkids; i++)
		if (validate_node(root, n->kids[i], err))
			return -1;
	return 0;
}

int conf_validate(const struct node *root, struct perr *err)
{
	int i, j;

	memset(err, 0, sizeof(*err));
	/* A portal may listen in one tpg only (one socket per address). */
	for (i = 0; i < root->nkids; i++) {
		const struct node *t = root->kids[i];

		if (t->kind != K_TARGET)
			continue;
		for (j = 0; j < t->nkids; j++) {
			const struct node *tpg = t->kids[j];
			int k;

			for (k = 0; k < tpg->nkids; k++) {
				const struct node *np = tpg->kids[k];
				int a, b;

				if (np->kind != K_PORTAL)
					continue;
				for (a = 0; a < root->nkids; a++) {
					const struct node *t2 = root->kids[a];

					if (t2->kind != K_TARGET)
						continue;
					for (b = 0; b < t2->nkids; b++) {
						const struct node *o =
							node_find(t2->kids[b],
								  K_PORTAL,
								  np->name);

						if (o && o->line < np->line)
							return fail(err, np->line,
								    "portal %s already used on line %d",
								    np->name,
								    o->line);
					}
				}
			}
		}
	}
	return validate_node(root, root, err);
}

/* Canonical map text: the map library's formatter when it is built in,
 * else the statements with comments and repeated blanks removed. */
char *map_canon(const char *text)
{
#ifdef RFL_HAVE_MAP
	struct rfl_map map;
	struct rfl_map_err e = { 0, NULL };
	size_t len = strlen(text);

	memset(&map, 0, sizeof(map));
	if (len < 0x10000000u && !rfl_map_parse(text, (u32)len, &map, &e)) {
		size_t cap = 4096 + (size_t)map.ntargets * 512 +
			     (size_t)map.nextents * 96 +
			     (size_t)map.nstripes * 48;
		char *buf = xcalloc(1, cap);

		if (cap < 0xffffffffu && rfl_map_format(&map, buf, (u32)cap) >= 0) {
			rfl_map_free(&map);
			return buf;
		}
		free(buf);
		rfl_map_free(&map);
	}
#endif
	{
		char *out = xcalloc(1, strlen(text) + 2);
		size_t o = 0;
		int in_comment = 0, blank = 0, bol = 1;

		for (; *text; text++) {
			char c = *text;

			if (c == '\n') {
				if (!bol)
					out[o++] = '\n';
				in_comment = 0;
				blank = 0;
				bol = 1;
				continue;
			}
			if (in_comment)
				continue;
			if (c == '#') {
				in_comment = 1;
				continue;
			}
			if (c == ' ' || c == '\t' || c == '\r') {
				blank = 1;
				continue;
			}
			if (blank && !bol)
				out[o++] = ' ';
			blank = 0;
			bol = 0;
			out[o++] = c;
		}
		if (!bol)
			out[o++] = '\n';
		out[o] = 0;
		return out;
	}
}
