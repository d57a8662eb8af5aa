// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness of the VPD 0x83 designator choice. Input: one byte
 * for the caller's size limit, then the page. The walk must read nothing
 * outside the bytes given (ASan), and its choice must be the one a naive
 * reference makes: the first descriptor of the best type among those of
 * association 0 within the limit, walking only while whole descriptors
 * fit in both the page length and the bytes given.
 */

#include <stdlib.h>

#include "rfl_proto.h"

#define ASSERT(c) do { if (!(c)) abort(); } while (0)

static int rank(u8 type)
{
	static const int r[16] = { [3] = 4, [2] = 3, [8] = 2, [1] = 1 };

	return r[type & 0x0f];
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u32 len, max, off, n, pos, end, ref_off = 0, ref_len = 0;
	int best = 0;
	u8 *page;

	if (size < 1 || size > 8192)
		return 0;
	max = data[0] + 4;
	len = size - 1;
	/* An exact-size copy, so that ASan sees any read past it. */
	page = malloc(len ? len : 1);
	ASSERT(page);
	memcpy(page, data + 1, len);
	n = rfl_vpd83_pick(page, len, max, &off);
	if (len >= 4) {
		end = 4 + ((u32)page[2] << 8 | page[3]);
		end = end < len ? end : len;
		for (pos = 4; pos + 4 <= end; pos += 4 + page[pos + 3]) {
			u32 dlen = 4 + page[pos + 3];

			if (pos + dlen > end)
				break;
			if ((page[pos + 1] & 0x30) || dlen > max ||
			    rank(page[pos + 1]) <= best)
				continue;
			best = rank(page[pos + 1]);
			ref_off = pos;
			ref_len = dlen;
		}
	}
	ASSERT(n == ref_len);
	ASSERT(off == ref_off);
	if (n) {
		ASSERT(off >= 4 && off + n <= len);
		ASSERT(n == 4u + page[off + 3] && n <= max);
	}
	free(page);
	return 0;
}
