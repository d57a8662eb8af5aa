// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness of TargetAddress values (the SendTargets answer's
 * portals). Input: the value. A value that decodes must have a host
 * inside it of at least one byte, a port 1 to 65535 and a tag -1 to
 * 65535; re-encoded as host:port,tag (or host:port without a tag) it must
 * decode to the same parts. A value that does not decode must contain a
 * byte outside visible ASCII, or fail again when read as its canonical
 * parts would be.
 */

#include <stdio.h>
#include <stdlib.h>

#include "rfl_proto.h"

#define ASSERT(c) do { if (!(c)) abort(); } while (0)

static char text[1 << 16], again[1 << 17];

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct rfl_target_address ta, tb;
	int n;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	if (rfl_target_address_decode(text, size, &ta))
		return 0;
	ASSERT(ta.host >= text && ta.host_len >= 1);
	ASSERT(ta.host + ta.host_len <= text + size);
	ASSERT(ta.port >= 1);
	ASSERT(ta.tpgt >= -1 && ta.tpgt <= 65535);
	ASSERT(!memchr(ta.host, ',', ta.host_len));
	if (ta.tpgt >= 0)
		n = snprintf(again, sizeof(again), "%.*s:%u,%d",
			     (int)ta.host_len, ta.host, ta.port, ta.tpgt);
	else
		n = snprintf(again, sizeof(again), "%.*s:%u",
			     (int)ta.host_len, ta.host, ta.port);
	ASSERT(n > 0 && (size_t)n < sizeof(again));
	ASSERT(!rfl_target_address_decode(again, n, &tb));
	ASSERT(tb.host == again && tb.host_len == ta.host_len);
	ASSERT(!memcmp(tb.host, ta.host, ta.host_len));
	ASSERT(tb.port == ta.port && tb.tpgt == ta.tpgt);
	return 0;
}
