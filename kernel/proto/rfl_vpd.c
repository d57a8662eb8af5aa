// SPDX-License-Identifier: GPL-2.0
/*
 * The Device Identification VPD page (0x83): choosing the designator by
 * which a backing LU is named in reflection scripts and checked before a
 * script runs. Pure: builds in the kernel and in userspace.
 */

#include "rfl_vpd.h"

/* Preference of a designator type (SPC-4 table 459); 0: not used. */
static int rfl_vpd83_rank(u8 type)
{
	switch (type) {
	case 0x3:
		return 4;	/* NAA */
	case 0x2:
		return 3;	/* EUI-64 */
	case 0x8:
		return 2;	/* SCSI name string */
	case 0x1:
		return 1;	/* T10 vendor ID */
	default:
		return 0;
	}
}

/**
 * rfl_vpd83_pick() - the preferred LU designator of a VPD page 0x83
 * @vpd: the page as received, its 4-byte header included
 * @len: bytes of @vpd received
 * @max: the longest designator, with its 4-byte header, the caller keeps
 * @off: set to the chosen designator's offset in @vpd
 *
 * Walks the designation descriptors within both @len and the page length
 * the page states, stopping at one that runs past them. Of those with
 * association 0 (the LU itself, not a port or target) and at most @max
 * bytes, the first of the most preferred type wins: NAA, then EUI-64,
 * then SCSI name string, then T10 vendor ID.
 *
 * Return: the designator's length with its header, 0 if there is none.
 */
u32 rfl_vpd83_pick(const u8 *vpd, u32 len, u32 max, u32 *off)
{
	u32 pos = 4, end, best_len = 0;
	int best = 0;

	*off = 0;
	if (len < 4)
		return 0;
	end = 4 + (u32)rfl_get_be16(vpd + 2);
	if (end > len)
		end = len;
	while (pos + 4 <= end) {
		u32 dlen = 4 + vpd[pos + 3];
		int rank = rfl_vpd83_rank(vpd[pos + 1] & 0x0f);

		if (pos + dlen > end)
			break;
		if (!(vpd[pos + 1] & 0x30) && rank > best && dlen <= max) {
			best = rank;
			*off = pos;
			best_len = dlen;
		}
		pos += dlen;
	}
	return best_len;
}
EXPORT_SYMBOL_GPL(rfl_vpd83_pick);
