// SPDX-License-Identifier: GPL-2.0
/* reflectctl: writes a tree in the file format. Pure code. */
#include <string.h>

#include "reflectctl.h"

static void word(FILE *f, const char *s)
{
	const char *p;
	int quote = !*s;

	for (p = s; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '#' || *p == '"' ||
		    *p == '\\' || *p == '{' || *p == '}')
			quote = 1;
	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

static void indent(FILE *f, int d)
{
	while (d-- > 0)
		fputc('\t', f);
}

/* "attrib/x" -> "attrib x"; other keys as they are. */
static void key_value(FILE *f, int d, const struct attr *a, int secrets)
{
	const char *slash = strchr(a->key, '/');

	indent(f, d);
	if (slash)
		fprintf(f, "%.*s %s ", (int)(slash - a->key), a->key,
			slash + 1);
	else
		fprintf(f, "%s ", a->key);
	if (key_is_secret(a->key) && !secrets)
		fputs("\"***\"", f);
	else
		word(f, a->val);
	fputc('\n', f);
}

static void attrs(FILE *f, const struct node *n, int d, int secrets,
		  const char *skip)
{
	int i;

	for (i = 0; i < n->nattrs; i++) {
		const struct attr *a = &n->attrs[i];

		if ((skip && !strcmp(a->key, skip)) || a->key[0] == '_')
			continue;
		if (!strcmp(a->key, "enable"))
			continue;
		key_value(f, d, a, secrets);
	}
}

static void enable_last(FILE *f, const struct node *n, int d)
{
	const char *e = attr_get(n, "enable");

	if (e) {
		indent(f, d);
		fprintf(f, "enable %s\n", e);
	}
}

static void print_node(FILE *f, const struct node *n, int d, int secrets)
{
	int i;

	switch (n->kind) {
	case K_ROOT:
		for (i = 0; i < n->nkids; i++) {
			if (i)
				fputc('\n', f);
			print_node(f, n->kids[i], d, secrets);
		}
		return;
	case K_PORTAL:
		indent(f, d);
		fprintf(f, "portal %s\n", n->name);
		return;
	case K_LUN:
		indent(f, d);
		fprintf(f, "lun %s %s\n", n->name, attr_get(n, "backstore"));
		return;
	case K_MLUN:
		indent(f, d);
		fprintf(f, "lun %s %s\n", n->name, attr_get(n, "lun"));
		return;
	case K_VOLUME: {
		const char *m = attr_get(n, "map");

		indent(f, d);
		fprintf(f, "volume %s {\n", n->name);
		attrs(f, n, d + 1, secrets, "map");
		if (m) {
			const char *s = m;

			indent(f, d + 1);
			fputs("map {\n", f);
			while (*s) {
				const char *e = strchr(s, '\n');
				size_t len = e ? (size_t)(e - s) : strlen(s);

				if (len) {
					indent(f, d + 2);
					fprintf(f, "%.*s", (int)len, s);
				}
				fputc('\n', f);
				s += len + (e ? 1 : 0);
			}
			indent(f, d + 1);
			fputs("}\n", f);
		}
		indent(f, d);
		fputs("}\n", f);
		return;
	}
	case K_INITIATOR:
		indent(f, d);
		fputs("initiator {\n", f);
		if (attr_get(n, "initiator_name")) {
			indent(f, d + 1);
			fputs("name ", f);
			word(f, attr_get(n, "initiator_name"));
			fputc('\n', f);
		}
		for (i = 0; i < n->nkids; i++)
			print_node(f, n->kids[i], d + 1, secrets);
		indent(f, d);
		fputs("}\n", f);
		return;
	default:
		break;
	}
	indent(f, d);
	fprintf(f, "%s ", kind_word(n->kind));
	word(f, n->name);
	fputs(" {\n", f);
	/* Objects first (portals, LUNs before ACLs), then values. */
	for (i = 0; i < n->nkids; i++)
		if (n->kids[i]->kind != K_ACL)
			print_node(f, n->kids[i], d + 1, secrets);
	attrs(f, n, d + 1, secrets, NULL);
	for (i = 0; i < n->nkids; i++)
		if (n->kids[i]->kind == K_ACL)
			print_node(f, n->kids[i], d + 1, secrets);
	enable_last(f, n, d + 1);
	indent(f, d);
	fputs("}\n", f);
}

void conf_print(FILE *f, const struct node *root, int show_secrets)
{
	print_node(f, root, 0, show_secrets);
}

int conf_is_empty(const struct node *root)
{
	int i;

	for (i = 0; i < root->nkids; i++) {
		const struct node *k = root->kids[i];

		/* Backstores alone belong to LIO, not to this file. */
		if (k->kind == K_BACKSTORE)
			continue;
		if (k->kind != K_INITIATOR)
			return 0;
		if (k->nkids || (attr_get(k, "initiator_name") &&
				 *attr_get(k, "initiator_name")))
			return 0;
	}
	return 1;
}

int conf_has_secrets(const struct node *n)
{
	int i;

	for (i = 0; i < n->nattrs; i++)
		if (key_is_secret(n->attrs[i].key) && *n->attrs[i].val)
			return 1;
	for (i = 0; i < n->nkids; i++)
		if (conf_has_secrets(n->kids[i]))
			return 1;
	return 0;
}
