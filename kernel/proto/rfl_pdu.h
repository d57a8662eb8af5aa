/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iSCSI PDU header helpers on top of <scsi/iscsi_proto.h>: segment lengths,
 * validation of a received Basic Header Segment (BHS) for either side, and
 * serial number windows (RFC 7143 sections 4.2.2.1, 11.2).
 */
#ifndef RFL_PDU_H
#define RFL_PDU_H

#include "rfl_port.h"

/* Verdicts of rfl_pdu_check_initiator() and rfl_pdu_check_target(). */
enum rfl_pdu_err {
	RFL_PDU_OK = 0,
	RFL_PDU_E_OPCODE_RSVD,	/* opcode value reserved by RFC 7143 */
	RFL_PDU_E_OPCODE_DIR,	/* opcode sent the wrong way */
	RFL_PDU_E_OPCODE_VENDOR,/* vendor-specific opcode, not supported */
	RFL_PDU_E_IMMEDIATE,	/* Login Request without the I bit */
	RFL_PDU_E_FINAL,	/* F bit clear where RFC 7143 fixes it to 1 */
	RFL_PDU_E_FLAGS,	/* mutually exclusive flags both set */
	RFL_PDU_E_STAGE,	/* reserved or backward login stage */
	RFL_PDU_E_CODE_RSVD,	/* reserved value in a defined field */
	RFL_PDU_E_RSVD,		/* reserved bit or byte set (strict mode) */
	RFL_PDU_E_AHS_UNEXPECTED, /* TotalAHSLength on a PDU without AHS */
	RFL_PDU_E_AHS_LEN,	/* AHS longer than the caller's bound */
	RFL_PDU_E_DSL_UNEXPECTED, /* data segment on a PDU without one */
	RFL_PDU_E_DSL_LEN,	/* DataSegmentLength > MaxRecvDataSegmentLength */
	RFL_PDU_E_NR
};

/* What the receiver accepts; from negotiation (8192 during login). */
struct rfl_pdu_limits {
	u32 max_recv_dsl;	/* our MaxRecvDataSegmentLength */
	u32 max_ahs_len;	/* bytes of AHS accepted on a SCSI Command */
};

/* Flags of the checks. */
#define RFL_PDU_STRICT	0x1	/* reserved bits and bytes must be zero */

/**
 * rfl_pdu_dsl() - DataSegmentLength of a PDU.
 * @hdr: the BHS
 *
 * Return: the data segment length in bytes, without padding.
 */
static inline u32 rfl_pdu_dsl(const struct iscsi_hdr *hdr)
{
	return ntoh24(hdr->dlength);
}

/**
 * rfl_pdu_ahs_len() - length of the Additional Header Segments.
 * @hdr: the BHS
 *
 * Return: TotalAHSLength in bytes (the field counts 4-byte words).
 */
static inline u32 rfl_pdu_ahs_len(const struct iscsi_hdr *hdr)
{
	return (u32)hdr->hlength * 4;
}

/**
 * rfl_pad4() - a length rounded up to the next multiple of 4.
 * @len: unpadded length
 *
 * Return: @len plus the padding iSCSI puts after a segment.
 */
static inline u32 rfl_pad4(u32 len)
{
	return (len + 3) & ~3U;
}

u32 rfl_pdu_total_len(const struct iscsi_hdr *hdr, bool hdr_digest,
		      bool data_digest);
void rfl_pdu_set_dsl(struct iscsi_hdr *hdr, u32 len);
int rfl_pdu_check_initiator(const struct iscsi_hdr *hdr,
			    const struct rfl_pdu_limits *lim,
			    unsigned int flags);
int rfl_pdu_check_target(const struct iscsi_hdr *hdr,
			 const struct rfl_pdu_limits *lim, unsigned int flags);
const char *rfl_pdu_strerror(int err);
u8 rfl_pdu_reject_reason(int err);

bool rfl_sn_window_valid(u32 exp_sn, u32 max_sn);
bool rfl_sn_in_window(u32 sn, u32 exp_sn, u32 max_sn);
bool rfl_sn_comparable(u32 a, u32 b);
unsigned int rfl_sn_update_window(u32 *exp_sn, u32 *max_sn, u32 pdu_exp,
				  u32 pdu_max);

/* Bits returned by rfl_sn_update_window(). */
#define RFL_SN_EXP_MOVED	0x1
#define RFL_SN_MAX_MOVED	0x2
#define RFL_SN_IGNORED		0x4	/* no valid window with them */

#endif /* RFL_PDU_H */
