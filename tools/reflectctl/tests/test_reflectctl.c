// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of reflectctl's pure parts: parser (every refusal with its
 * line number), printer round trip, differ (idempotence, only the
 * difference, safe order, ownership). TAP output; ASan + UBSan build.
 */
#include <stdlib.h>
#include <string.h>

#include "reflectctl.h"

static int n_tests, n_fail;

static void ok(int cond, const char *what)
{
	n_tests++;
	if (!cond)
		n_fail++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", n_tests, what);
}

static const char *base =
	"# the worked example's manager\n"
	"backstore fileio_0/disk0 {\n"
	"\tfile /var/lib/reflect/disk0.img\n"
	"\tsize 1048576\n"
	"}\n"
	"backstore rd_mcp_0/rd0 {\n"
	"\tpages 256\n"
	"}\n"
	"target iqn.2003-01.org.linux-iscsi.reflect:manager {\n"
	"\ttpg 1 {\n"
	"\t\tportal 10.0.0.2:3260\n"
	"\t\tportal [fd00::2]:3260\n"
	"\t\tlun 0 fileio_0/disk0\n"
	"\t\tlun 1 rd_mcp_0/rd0\n"
	"\t\tattrib authentication 1\n"
	"\t\tparam TargetAlias \"reflect manager\"\n"
	"\t\tacl iqn.2026-11.org.example:host1 {\n"
	"\t\t\tlun 0 0\n"
	"\t\t\tauth userid alice\n"
	"\t\t\tauth password \"secret #1\"\n"
	"\t\t\tauth userid_mutual target\n"
	"\t\t\tauth password_mutual target-secret\n"
	"\t\t}\n"
	"\t\tenable 1\n"
	"\t}\n"
	"}\n"
	"volume vol0 {\n"
	"\tmap {\n"
	"\t\ttarget A iqn.2003-01.org.linux-iscsi.reflect:disk-a 10.0.0.11:3260 0\n"
	"\t\tlinear 0 1000 A 0\n"
	"\t}\n"
	"}\n"
	"initiator {\n"
	"\tname iqn.2026-11.org.example:host1\n"
	"\ttarget manager {\n"
	"\t\ttarget_iqn iqn.2003-01.org.linux-iscsi.reflect:manager\n"
	"\t\tportal 10.0.0.2\n"
	"\t\theader_digest CRC32C\n"
	"\t\tchap_userid alice\n"
	"\t\tchap_password \"secret #1\"\n"
	"\t\tchap_sha256 1\n"
	"\t\tenable 1\n"
	"\t}\n"
	"}\n";

static struct node *parse_ok(const char *text)
{
	struct perr err;
	struct node *n = conf_parse(text, strlen(text), &err);

	if (!n) {
		printf("# parse: line %d: %s\n", err.line, err.msg);
		return NULL;
	}
	if (conf_validate(n, &err)) {
		printf("# validate: line %d: %s\n", err.line, err.msg);
		node_free(n);
		return NULL;
	}
	return n;
}

/* The line a bad text is refused on (parse or validate), 0 if accepted. */
static int refused_line(const char *text, char *msg, size_t msglen)
{
	struct perr err;
	struct node *n = conf_parse(text, strlen(text), &err);

	if (n && !conf_validate(n, &err)) {
		node_free(n);
		return 0;
	}
	node_free(n);
	snprintf(msg, msglen, "%s", err.msg);
	return err.line ? err.line : -1;
}

static char *plan_text(struct node *want, struct node *have)
{
	struct plan pl = { 0 };
	struct scope sc;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	scope_from_file(want, &sc);
	diff(want, have, &sc, &pl);
	plan_print(f, &pl);
	fclose(f);
	plan_free(&pl);
	return text;
}

/* What configfs would show after applying want: the same tree. */
static struct node *as_configfs(const char *text)
{
	return parse_ok(text);
}

static char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	char *r;

	if (!p)
		return NULL;
	r = xasprintf("%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return r;
}

static void test_refusals(void)
{
	static const struct {
		const char *from, *to, *why;
		int line;
	} bad[] = {
		{ "\tsize 1048576\n", "\tsize 1048576\n\tcolour blue\n",
		  "unknown key", 5 },
		{ "manager {", "Manager {", "bad iSCSI name", 9 },
		{ "10.0.0.2:3260\n\t\tportal", "10.0.0.256:3260\n\t\tportal",
		  "bad portal", 11 },
		{ "[fd00::2]:3260", "[fd00::2]", "bad portal", 12 },
		{ "\t\tportal 10.0.0.2\n", "\t\tportal 10.0.0.2:99999\n",
		  "bad portal", 37 },
		{ "\t\t\tauth password_mutual target-secret\n", "",
		  "missing secret", 21 },
		{ "\t\tchap_password \"secret #1\"\n", "",
		  "missing secret", 39 },
		{ "lun 1 rd_mcp_0/rd0", "lun 0 rd_mcp_0/rd0", "duplicate",
		  14 },
		{ "backstore rd_mcp_0/rd0", "backstore fileio_0/disk0",
		  "duplicate", 6 },
		{ "lun 1 rd_mcp_0/rd0", "lun 1 rd_mcp_0/nosuch",
		  "not declared", 14 },
		{ "\t\t\tlun 0 0\n", "\t\t\tlun 0 7\n", "has no lun", 18 },
		{ "\t\tattrib authentication 1\n",
		  "\t\tattrib authentication 1\n\t\tattrib authentication 0\n",
		  "set twice", 16 },
		{ "\t\tparam TargetAlias", "\t\tparam NoSuchKey", "unknown key",
		  16 },
		{ "tpg 1 {", "tpg 0 {", "TPGT", 10 },
		{ "\tpages 256\n", "", "needs pages", 6 },
#ifdef RFL_HAVE_MAP
		{ "linear 0 1000 A 0\n", "linear 0 1000 A 0\n\t\tlinear 500 1000 A 0\n",
		  "overlap", 31 },
#else
		{ "linear 0 1000 A 0\n", "", "no extent", 29 },
#endif
		{ "\"reflect manager\"", "\"reflect manager", "quote", 16 },
		{ "initiator {\n", "initiator\n", "expected", 33 },
		{ "\t\tenable 1\n\t}\n}\n", "\t\tenable 1\n\t}\n}\n}\n",
		  "without a block", 27 },
		{ "\tname iqn.2026-11.org.example:host1\n",
		  "\tname iqn.2026-13.org.example:host1\n", "bad iSCSI name",
		  34 },
		{ "portal [fd00::2]:3260", "portal 10.0.0.2:3260",
		  "duplicate", 12 },
	};
	unsigned i;
	char msg[256];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *t = replace(base, bad[i].from, bad[i].to);
		char what[400];
		int line;

		if (!t) {
			ok(0, bad[i].from);
			continue;
		}
		line = refused_line(t, msg, sizeof(msg));
		snprintf(what, sizeof(what),
			 "refused: %s on line %d (got line %d: %s)",
			 bad[i].why, bad[i].line, line, msg);
		ok(line == bad[i].line && strstr(msg, bad[i].why), what);
		free(t);
	}
}

static void test_unclosed(void)
{
	char *t = xasprintf("%svolume v2 {\n", base);
	char msg[256];
	int line = refused_line(t, msg, sizeof(msg));

	printf("# line %d %s\n", line, msg);
	ok(line == 45 && strstr(msg, "not closed"), "unclosed block: its line");
	free(t);
	t = xasprintf("%s\n", base);
	ok(refused_line(t, msg, sizeof(msg)) == 0, "trailing blank line is fine");
	free(t);
}

static void test_roundtrip(void)
{
	struct node *a = parse_ok(base), *b;
	char *t1 = NULL, *t2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *f;

	ok(a != NULL, "the worked example parses and validates");
	if (!a)
		return;
	f = open_memstream(&t1, &l1);
	conf_print(f, a, 1);
	fclose(f);
	b = parse_ok(t1);
	ok(b != NULL, "printed configuration parses again");
	if (b) {
		f = open_memstream(&t2, &l2);
		conf_print(f, b, 1);
		fclose(f);
		ok(!strcmp(t1, t2), "print(parse(print(x))) == print(x)");
		free(t2);
		node_free(b);
	}
	f = open_memstream(&t2, &l2);
	conf_print(f, a, 0);
	fclose(f);
	ok(!strstr(t2, "secret #1") && strstr(t2, "***"),
	   "secrets hidden when not asked for");
	ok(conf_has_secrets(a) && !conf_is_empty(a), "has secrets, not empty");
	free(t1);
	free(t2);
	node_free(a);
}

/* A host target's portal list: words or one quoted value, canonical. */
static void test_portal_list(void)
{
	char *t = replace(base, "\t\tportal 10.0.0.2\n",
			  "\t\tportal 10.0.0.2 \"[fd00::2]:3261 10.0.0.3\"\n");
	const char *want = "10.0.0.2:3260 [fd00::2]:3261 10.0.0.3:3260";
	struct node *a, *ini, *tgt;
	char *t1 = NULL, msg[256];
	size_t l1 = 0;
	FILE *f;

	a = t ? parse_ok(t) : NULL;
	ini = a ? node_find(a, K_INITIATOR, "") : NULL;
	tgt = ini ? node_find(ini, K_ITARGET, "manager") : NULL;
	ok(tgt && attr_get(tgt, "portal") &&
	   !strcmp(attr_get(tgt, "portal"), want),
	   "portal list: three portals, canonical, one space apart");
	if (a) {
		f = open_memstream(&t1, &l1);
		conf_print(f, a, 1);
		fclose(f);
		node_free(a);
		a = parse_ok(t1);
		ini = a ? node_find(a, K_INITIATOR, "") : NULL;
		tgt = ini ? node_find(ini, K_ITARGET, "manager") : NULL;
		ok(tgt && !strcmp(attr_get(tgt, "portal"), want),
		   "portal list survives print and parse");
		node_free(a);
		free(t1);
	}
	free(t);
	t = replace(base, "\t\tportal 10.0.0.2\n",
		    "\t\tportal 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5\n");
	ok(t && refused_line(t, msg, sizeof(msg)) == 37 &&
	   strstr(msg, "at most 4"), "a fifth portal is refused");
	free(t);
	t = replace(base, "\t\tportal 10.0.0.2\n",
		    "\t\tportal 10.0.0.2 10.0.0.300\n");
	ok(t && refused_line(t, msg, sizeof(msg)) == 37 &&
	   strstr(msg, "bad portal 10.0.0.300"), "a bad portal in a list is refused");
	free(t);
}

static void test_diff(void)
{
	struct node *want = parse_ok(base), *have = as_configfs(base);
	struct node *empty = node_new(K_ROOT, "", 0);
	char *p, *t, *mod;

	if (!want || !have) {
		ok(0, "diff setup");
		return;
	}
	p = plan_text(want, have);
	ok(!*p, "same configuration: empty plan (idempotent)");
	free(p);

	/* From nothing: backstores before LUN links, enable last. */
	p = plan_text(want, empty);
	{
		char *bs = strstr(p, "mkdir target/core/fileio_0/disk0");
		char *ln = strstr(p, "link target/reflect/");
		char *en = strstr(p, "tpgt_1/enable = 1");
		char *ie = strstr(p, "targets/manager/enable = 1");

		ok(bs && ln && bs < ln, "backstore created before its LUN link");
		ok(en && ie && !strstr(en + 1, "mkdir") &&
		   !strstr(ie, "\nwrite reflect_initiator/targets/manager/c"),
		   "enables come last");
		ok(!strstr(p, "secret #1"), "plan hides secrets");
	}
	free(p);

	/* Only the difference: one attribute. */
	mod = replace(base, "attrib authentication 1", "attrib authentication 0");
	node_free(want);
	want = parse_ok(mod);
	p = plan_text(want, have);
	ok(!strcmp(p, "write target/reflect/iqn.2003-01.org.linux-iscsi.reflect:manager/tpgt_1/attrib/authentication = 0\n"),
	   "changed attribute: one write");
	printf("# %s", p);
	free(p);
	free(mod);

	/* A portal removed: rmdir only that portal. */
	mod = replace(base, "\t\tportal [fd00::2]:3260\n", "");
	node_free(want);
	want = parse_ok(mod);
	p = plan_text(want, have);
	ok(!strcmp(p, "rmdir target/reflect/iqn.2003-01.org.linux-iscsi.reflect:manager/tpgt_1/np/[fd00::2]:3260\n"),
	   "removed portal: one rmdir");
	free(p);
	free(mod);

	/* Initiator target changed while enabled: disable, write, enable. */
	mod = replace(base, "header_digest CRC32C", "header_digest None");
	node_free(want);
	want = parse_ok(mod);
	p = plan_text(want, have);
	ok(!strcmp(p, "write reflect_initiator/targets/manager/enable = 0\n"
		   "write reflect_initiator/targets/manager/header_digest = None\n"
		   "write reflect_initiator/targets/manager/enable = 1\n"),
	   "initiator target: disable, change, enable");
	printf("# %s", p);
	free(p);
	free(mod);

	/* Backstore changed: LUN and mapped LUN unlinked, recreated. */
	mod = replace(base, "size 1048576", "size 2097152");
	node_free(want);
	want = parse_ok(mod);
	p = plan_text(want, have);
	{
		char *um = strstr(p, "rmdir target/reflect/iqn.2003-01.org.linux-iscsi.reflect:manager/tpgt_1/acls/iqn.2026-11.org.example:host1/lun_0\n");
		char *ul = strstr(p, "rmdir target/reflect/iqn.2003-01.org.linux-iscsi.reflect:manager/tpgt_1/lun/lun_0\n");
		char *rb = strstr(p, "rmdir target/core/fileio_0/disk0\n");
		char *mb = strstr(p, "mkdir target/core/fileio_0/disk0\n");
		char *ml = strstr(p, "link target/reflect/iqn.2003-01.org.linux-iscsi.reflect:manager/tpgt_1/lun/lun_0/disk0");
		char *mm = strstr(p, "link target/reflect/iqn.2003-01.org.linux-iscsi.reflect:manager/tpgt_1/acls/");

		ok(um && ul && rb && mb && ml && mm && um < ul && ul < rb &&
		   rb < mb && mb < ml && ml < mm,
		   "recreated backstore: unmap, unlink, rmdir, mkdir, link, map");
		ok(!strstr(p, "rd_mcp_0"), "the other backstore is untouched");
	}
	free(p);
	free(mod);

	/* Target missing from a file with targets: removed, tpg disabled
	 * first; a file without targets leaves it alone. */
	mod = replace(base, "target iqn.2003-01.org.linux-iscsi.reflect:manager {",
		      "target iqn.2003-01.org.linux-iscsi.reflect:other {");
	node_free(want);
	want = parse_ok(mod);
	p = plan_text(want, have);
	{
		char *dis = strstr(p, "write target/reflect/iqn.2003-01.org.linux-iscsi.reflect:manager/tpgt_1/enable = 0\n");
		char *rm = strstr(p, "rmdir target/reflect/iqn.2003-01.org.linux-iscsi.reflect:manager\n");

		ok(dis && rm && dis < rm, "target not in the file: disabled, then removed");
	}
	free(p);
	free(mod);

	t = xstrdup("initiator {\n\tname iqn.2026-11.org.example:host1\n}\n");
	node_free(want);
	want = parse_ok(t);
	p = plan_text(want, have);
	ok(strstr(p, "rmdir reflect_initiator/targets/manager\n") &&
	   !strstr(p, "target/reflect") && !strstr(p, "target/core") &&
	   !strstr(p, "reflect_vvol"),
	   "initiator section owned entirely; targets, volumes, backstores left alone");
	printf("# %s", p);
	free(p);
	free(t);

	/* Partial restore of one target: nothing else is touched. */
	node_free(want);
	want = parse_ok(base);
	ok(!conf_select(want, K_TARGET,
			"iqn.2003-01.org.linux-iscsi.reflect:manager"),
	   "select one target");
	{
		struct plan pl = { 0 };
		struct scope sc = { 0, 0, 0 };
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		diff(want, empty, &sc, &pl);
		plan_print(f, &pl);
		fclose(f);
		ok(strstr(text, "mkdir target/core/fileio_0/disk0") &&
		   strstr(text, "targets/manager") && !strstr(text, "vol0"),
		   "partial restore: target, its backstores, host object");
		plan_free(&pl);
		free(text);
	}
	node_free(want);
	node_free(have);
	node_free(empty);
}

static void test_names(void)
{
	ok(valid_iscsi_name("iqn.2003-01.org.linux-iscsi.reflect:disk-a"),
	   "iqn accepted");
	ok(valid_iscsi_name("eui.0123456789abcdef"), "eui accepted");
	ok(valid_iscsi_name("naa.0123456789abcdef0123456789abcdef"),
	   "naa accepted");
	ok(!valid_iscsi_name("iqn.2003-1.org"), "short date refused");
	ok(!valid_iscsi_name("iqn.2003-01.org.Linux"), "upper case refused");
	ok(!valid_iscsi_name("eui.0123"), "short eui refused");
	ok(valid_portal("[::1]:3260", 0) && valid_portal("1.2.3.4", 1) &&
	   !valid_portal("1.2.3.4", 0) && !valid_portal("host:3260", 0) &&
	   !valid_portal("1.2.3.4:0", 0), "portals");
}

int main(void)
{
	printf("TAP version 13\n");
	test_names();
	test_refusals();
	test_unclosed();
	test_roundtrip();
	test_portal_list();
	test_diff();
	printf("1..%d\n", n_tests);
	if (n_fail)
		printf("# %d of %d failed\n", n_fail, n_tests);
	return n_fail ? 1 : 0;
}
