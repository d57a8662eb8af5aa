// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness of the BHS validators. Built twice: with
 * RFL_FUZZ_TARGET=1 for rfl_pdu_check_target() (PDUs a target receives),
 * with 0 for rfl_pdu_check_initiator(). Input: 48 bytes of BHS, then
 * optionally 4 bytes of MaxRecvDataSegmentLength and 1 of AHS bound.
 * Besides sanitizer findings, it aborts when a verdict breaks an
 * invariant of the API.
 */

#include <stdlib.h>

#include "rfl_proto.h"

#ifndef RFL_FUZZ_TARGET
#error "build with -DRFL_FUZZ_TARGET=0 or 1"
#endif

#define ASSERT(c) do { if (!(c)) abort(); } while (0)

static int check(const struct iscsi_hdr *h, const struct rfl_pdu_limits *lim,
		 unsigned int flags, bool target)
{
	return target ? rfl_pdu_check_target(h, lim, flags) :
			rfl_pdu_check_initiator(h, lim, flags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfl_pdu_limits lim = { 8192, 1020 };
	struct iscsi_hdr h;
	int lenient, strict, other;
	u8 wire[4];
	u32 d;

	if (size < ISCSI_HDR_LEN)
		return 0;
	memcpy(&h, data, sizeof(h));
	if (size >= ISCSI_HDR_LEN + 4)
		lim.max_recv_dsl = (u32)data[48] << 24 | data[49] << 16 |
				   data[50] << 8 | data[51];
	if (size >= ISCSI_HDR_LEN + 5)
		lim.max_ahs_len = data[52] * 4;

	lenient = check(&h, &lim, 0, RFL_FUZZ_TARGET);
	strict = check(&h, &lim, RFL_PDU_STRICT, RFL_FUZZ_TARGET);
	other = check(&h, &lim, 0, !RFL_FUZZ_TARGET);

	ASSERT(lenient >= 0 && lenient < RFL_PDU_E_NR);
	ASSERT(strict >= 0 && strict < RFL_PDU_E_NR);
	ASSERT(strcmp(rfl_pdu_strerror(lenient), "unknown PDU error"));
	/*
	 * Strict mode only adds the reserved-field check (which runs before
	 * the length checks): it can turn any verdict into E_RSVD, no other.
	 */
	ASSERT(strict == lenient || strict == RFL_PDU_E_RSVD);
	if (strict == RFL_PDU_OK)
		ASSERT(lenient == RFL_PDU_OK);
	/* no opcode is valid both ways */
	ASSERT(!(lenient == RFL_PDU_OK && other == RFL_PDU_OK));
	if (lenient == RFL_PDU_OK) {
		ASSERT(rfl_pdu_dsl(&h) <= lim.max_recv_dsl);
		ASSERT(rfl_pdu_ahs_len(&h) <= lim.max_ahs_len);
		ASSERT(rfl_pdu_total_len(&h, true, true) <=
		       ISCSI_HDR_LEN + 1020 + 8 + rfl_pad4(rfl_pdu_dsl(&h)));
		ASSERT(((h.opcode & ISCSI_OPCODE_MASK) >= 0x20) ==
		       !RFL_FUZZ_TARGET);
	}
	ASSERT(rfl_pdu_reject_reason(lenient) ==
	       ISCSI_REASON_CMD_NOT_SUPPORTED ||
	       rfl_pdu_reject_reason(lenient) == ISCSI_REASON_PROTOCOL_ERROR);

	/* digests over whatever follows the BHS, as AHS */
	d = rfl_hdr_digest(&h, size >= ISCSI_HDR_LEN + rfl_pdu_ahs_len(&h) ?
			   data + ISCSI_HDR_LEN : NULL);
	rfl_digest_put(wire, d);
	ASSERT(rfl_digest_get(wire) == d);
	ASSERT(rfl_data_digest(data, size) ==
	       rfl_digest_final(rfl_digest_update(RFL_DIGEST_SEED, data,
						  size), size));
	return 0;
}
