/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal TAP harness: each test function is one "ok N - name" line;
 * CHECK() and friends report a failed expectation as a TAP diagnostic and
 * mark the current test failed.
 */
#ifndef RFL_UNIT_H
#define RFL_UNIT_H

#include <inttypes.h>
#include <stdio.h>

#include "rfl_proto.h"

extern int unit_failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: CHECK(%s) failed\n",			\
		       __FILE__, __LINE__, #cond);			\
		unit_failed++;						\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long _a = (a), _b = (b);				\
	if (_a != _b) {							\
		printf("# %s:%d: %s == %s failed: 0x%llx != 0x%llx\n",	\
		       __FILE__, __LINE__, #a, #b, _a, _b);		\
		unit_failed++;						\
	}								\
} while (0)

/* Compare a counted buffer with a C string (may contain NULs: use sizeof). */
#define CHECK_MEM(buf, len, lit) do {					\
	if ((len) != sizeof(lit) - 1 ||					\
	    memcmp((buf), (lit), sizeof(lit) - 1)) {			\
		printf("# %s:%d: %s != %s (len %u)\n", __FILE__,	\
		       __LINE__, #buf, #lit, (unsigned int)(len));	\
		unit_failed++;						\
	}								\
} while (0)

struct unit_test {
	const char *name;
	void (*fn)(void);
};

extern const struct unit_test pdu_tests[], digest_tests[], text_tests[],
	value_tests[], neg_tests[], script_tests[], map_tests[],
	vpd_tests[];
extern const unsigned int pdu_ntests, digest_ntests, text_ntests,
	value_ntests, neg_ntests, script_ntests, map_ntests,
	vpd_ntests;

#define UNIT_COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))

#endif
