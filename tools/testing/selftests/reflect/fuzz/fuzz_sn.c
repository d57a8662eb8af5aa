// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness of the command window arithmetic (RFC 7143 4.2.2.1,
 * RFC 1982): how the initiator applies the ExpCmdSN/MaxCmdSN a target
 * sends, and which CmdSN a target accepts. Input: five big-endian u32,
 * the current ExpCmdSN and MaxCmdSN, those a PDU carries, and a CmdSN.
 * It aborts when an update breaks an invariant:
 *  - a PDU with an invalid window (MaxCmdSN < ExpCmdSN - 1) changes
 *    nothing; so does one whose values, each taken on its own, would
 *    leave no valid window; no other PDU is ignored;
 *  - each value either stays or takes the PDU's, only ever forward, and
 *    the returned mask says which moved;
 *  - from a valid window, the result is a valid window: a target cannot
 *    lead the initiator into a state where no CmdSN may be sent, nor one
 *    where "in the window" means nothing;
 *  - a CmdSN is in a window only if the window is valid, and both
 *    ExpCmdSN and MaxCmdSN, when they differ by at most 2^31 - 1, bound
 *    it.
 */

#include <stdlib.h>

#include "rfl_proto.h"

#define ASSERT(c) do { if (!(c)) abort(); } while (0)

static u32 be32_at(const u8 *p)
{
	return (u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u32 exp, max, pexp, pmax, sn, e, m;
	unsigned int moved;

	if (size < 20)
		return 0;
	exp = be32_at(data);
	max = be32_at(data + 4);
	pexp = be32_at(data + 8);
	pmax = be32_at(data + 12);
	sn = be32_at(data + 16);

	e = exp;
	m = max;
	moved = rfl_sn_update_window(&e, &m, pexp, pmax);
	if (!rfl_sn_window_valid(pexp, pmax)) {
		ASSERT(moved == RFL_SN_IGNORED && e == exp && m == max);
	} else if (moved == RFL_SN_IGNORED) {
		/* Only when taking each value on its own leaves no window. */
		ASSERT(e == exp && m == max);
		ASSERT(!rfl_sn_window_valid(iscsi_sna_gt(pexp, exp) ? pexp : exp,
					    iscsi_sna_gt(pmax, max) ? pmax : max));
	} else {
		ASSERT(moved != RFL_SN_IGNORED);
		ASSERT(!(moved & ~(RFL_SN_EXP_MOVED | RFL_SN_MAX_MOVED)));
		ASSERT(e == ((moved & RFL_SN_EXP_MOVED) ? pexp : exp));
		ASSERT(m == ((moved & RFL_SN_MAX_MOVED) ? pmax : max));
		ASSERT(e == exp || iscsi_sna_gt(e, exp));
		ASSERT(m == max || iscsi_sna_gt(m, max));
		if (rfl_sn_window_valid(exp, max))
			ASSERT(rfl_sn_window_valid(e, m));
	}

	if (rfl_sn_in_window(sn, exp, max)) {
		ASSERT(rfl_sn_window_valid(exp, max));
		ASSERT(sn == exp || iscsi_sna_gt(sn, exp));
		ASSERT(sn == max || iscsi_sna_lt(sn, max));
	}
	/* The window's own ends are in it, when it is open. */
	if (rfl_sn_window_valid(exp, max) && max != exp - 1) {
		ASSERT(rfl_sn_in_window(exp, exp, max));
		ASSERT(rfl_sn_in_window(max, exp, max));
	}
	return 0;
}
