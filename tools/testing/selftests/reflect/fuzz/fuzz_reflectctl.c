// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness of reflectctl's pure parts: any text is parsed and
 * validated; an accepted configuration is printed, parsed again (it must
 * be accepted and print the same), and diffed against itself (the plan
 * must be empty) and against nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reflectctl.h"

static char *print(const struct node *n)
{
	char *t = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&t, &len);

	conf_print(f, n, 1);
	fclose(f);
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perr err;
	struct node *a, *b, *empty;
	struct plan pl = { 0 };
	struct scope sc;
	char *t1, *t2;

	if (size > 65536)
		return 0;
	a = conf_parse((const char *)data, size, &err);
	if (!a)
		return 0;
	if (conf_validate(a, &err)) {
		node_free(a);
		return 0;
	}
	t1 = print(a);
	b = conf_parse(t1, strlen(t1), &err);
	if (!b || conf_validate(b, &err))
		abort();
	t2 = print(b);
	if (strcmp(t1, t2))
		abort();
	scope_from_file(a, &sc);
	diff(a, b, &sc, &pl);
	if (pl.n)
		abort();
	plan_free(&pl);
	empty = node_new(K_ROOT, "", 0);
	diff(a, empty, &sc, &pl);
	plan_free(&pl);
	node_free(empty);
	free(t1);
	free(t2);
	node_free(a);
	node_free(b);
	return 0;
}
