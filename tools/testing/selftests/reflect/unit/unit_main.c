// SPDX-License-Identifier: GPL-2.0
/*
 * Runs every unit test of the shared protocol code as TAP. Exit status is
 * non-zero when any test failed. Optional argument: a substring of the
 * test names to run.
 */

#include <stdlib.h>

#include "unit.h"

int unit_failed;

struct suite {
	const char *name;
	const struct unit_test *tests;
	const unsigned int *n;
};

static const struct suite suites[] = {
	{ "pdu", pdu_tests, &pdu_ntests },
	{ "digest", digest_tests, &digest_ntests },
	{ "text", text_tests, &text_ntests },
	{ "value", value_tests, &value_ntests },
	{ "neg", neg_tests, &neg_ntests },
	{ "script", script_tests, &script_ntests },
	{ "map", map_tests, &map_ntests },
	{ "vpd", vpd_tests, &vpd_ntests },
};

static int selected(const char *filter, const char *suite, const char *name)
{
	char full[256];

	snprintf(full, sizeof(full), "%s: %s", suite, name);
	return !filter || strstr(full, filter);
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	unsigned int s, i, total = 0, num = 0, failed = 0;

	for (s = 0; s < UNIT_COUNT(suites); s++)
		for (i = 0; i < *suites[s].n; i++)
			total += selected(filter, suites[s].name,
					  suites[s].tests[i].name);
	printf("TAP version 13\n1..%u\n", total);
	for (s = 0; s < UNIT_COUNT(suites); s++) {
		for (i = 0; i < *suites[s].n; i++) {
			const struct unit_test *t = &suites[s].tests[i];

			if (!selected(filter, suites[s].name, t->name))
				continue;
			unit_failed = 0;
			t->fn();
			num++;
			printf("%s %u - %s: %s\n", unit_failed ? "not ok" : "ok",
			       num, suites[s].name, t->name);
			failed += !!unit_failed;
		}
	}
	printf("# %u tests, %u failed\n", num, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
