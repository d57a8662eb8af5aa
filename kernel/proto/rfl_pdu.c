// SPDX-License-Identifier: GPL-2.0
/*
 * iSCSI BHS helpers: lengths, per-direction validation, serial numbers.
 *
 * RFC 7143 section 11.2: a sender sets reserved bits and fields to 0, a
 * receiver ignores them, but a reserved value in a defined field is a
 * protocol error. The checks below follow that: reserved bits and bytes
 * are only looked at under RFL_PDU_STRICT (useful to verify our own
 * PDUs), while reserved opcodes, stages and codes always fail.
 */

#include "rfl_pdu.h"

#define RFL_DIR_I2T	1	/* initiator to target */
#define RFL_DIR_T2I	2	/* target to initiator */

/* Bytes first..last of the BHS, as a bit mask. */
#define RFL_BYTES(first, last) \
	((~0ULL >> (63 - (last))) & (~0ULL << (first)))

/* The fixed shape of one opcode. */
struct rfl_op_rule {
	u8 dir;			/* RFL_DIR_*, 0 for an unused opcode */
	u8 flags_rsvd;		/* reserved bits of byte 1 */
	u8 byte0_rsvd;		/* reserved bits of byte 0 */
	bool final;		/* byte 1 bit 7 is fixed to 1 */
	bool data;		/* may carry a data segment */
	bool ahs;		/* may carry AHS */
	bool tag_rsvd;		/* bytes 16-19 are 0xffffffff */
	u64 rsvd;		/* reserved bytes */
};

/* bit 7 of byte 0 is reserved, bit 6 is I */
#define I2T(...) { .dir = RFL_DIR_I2T, .byte0_rsvd = 0x80, __VA_ARGS__ }
/* PDUs that are never immediate: bits 7 and 6 are reserved */
#define I2T_NI(...) { .dir = RFL_DIR_I2T, .byte0_rsvd = 0xc0, __VA_ARGS__ }
#define T2I(...) { .dir = RFL_DIR_T2I, .byte0_rsvd = 0xc0, __VA_ARGS__ }

static const struct rfl_op_rule rfl_op_rules[64] = {
	[ISCSI_OP_NOOP_OUT] = I2T(.final = true, .flags_rsvd = 0x7f,
				  .data = true,
				  .rsvd = RFL_BYTES(2, 3) | RFL_BYTES(32, 47)),
	[ISCSI_OP_SCSI_CMD] = I2T(.flags_rsvd = 0x18, .data = true,
				  .ahs = true, .rsvd = RFL_BYTES(2, 3)),
	[ISCSI_OP_SCSI_TMFUNC] = I2T(.final = true,
				     .rsvd = RFL_BYTES(2, 3) |
					     RFL_BYTES(40, 47)),
	[ISCSI_OP_LOGIN] = I2T(.flags_rsvd = 0x30, .data = true,
			       .rsvd = RFL_BYTES(22, 23) | RFL_BYTES(32, 47)),
	[ISCSI_OP_TEXT] = I2T(.flags_rsvd = 0x3f, .data = true,
			      .rsvd = RFL_BYTES(2, 3) | RFL_BYTES(32, 47)),
	[ISCSI_OP_SCSI_DATA_OUT] = I2T_NI(.flags_rsvd = 0x7f, .data = true,
					  .rsvd = RFL_BYTES(2, 3) |
						  RFL_BYTES(24, 27) |
						  RFL_BYTES(32, 35) |
						  RFL_BYTES(44, 47)),
	[ISCSI_OP_LOGOUT] = I2T(.final = true,
				.rsvd = RFL_BYTES(2, 3) | RFL_BYTES(8, 15) |
					RFL_BYTES(22, 23) | RFL_BYTES(32, 47)),
	[ISCSI_OP_SNACK] = I2T_NI(.final = true, .flags_rsvd = 0x70,
				  .rsvd = RFL_BYTES(2, 3) | RFL_BYTES(24, 27) |
					  RFL_BYTES(32, 39)),
	[ISCSI_OP_NOOP_IN] = T2I(.final = true, .flags_rsvd = 0x7f,
				 .data = true,
				 .rsvd = RFL_BYTES(2, 3) | RFL_BYTES(36, 47)),
	[ISCSI_OP_SCSI_CMD_RSP] = T2I(.final = true, .flags_rsvd = 0x61,
				      .data = true, .rsvd = RFL_BYTES(8, 15)),
	[ISCSI_OP_SCSI_TMFUNC_RSP] = T2I(.final = true, .flags_rsvd = 0x7f,
					 .rsvd = RFL_BYTES(3, 3) |
						 RFL_BYTES(8, 15) |
						 RFL_BYTES(20, 23) |
						 RFL_BYTES(36, 47)),
	[ISCSI_OP_LOGIN_RSP] = T2I(.flags_rsvd = 0x30, .data = true,
				   .rsvd = RFL_BYTES(20, 23) |
					   RFL_BYTES(38, 47)),
	[ISCSI_OP_TEXT_RSP] = T2I(.flags_rsvd = 0x3f, .data = true,
				  .rsvd = RFL_BYTES(2, 3) | RFL_BYTES(36, 47)),
	[ISCSI_OP_SCSI_DATA_IN] = T2I(.flags_rsvd = 0x38, .data = true,
				      .rsvd = RFL_BYTES(2, 2)),
	[ISCSI_OP_LOGOUT_RSP] = T2I(.final = true, .flags_rsvd = 0x7f,
				    .rsvd = RFL_BYTES(3, 3) | RFL_BYTES(8, 15) |
					    RFL_BYTES(20, 23) |
					    RFL_BYTES(36, 39) |
					    RFL_BYTES(44, 47)),
	[ISCSI_OP_R2T] = T2I(.final = true, .flags_rsvd = 0x7f,
			     .rsvd = RFL_BYTES(2, 3)),
	[ISCSI_OP_ASYNC_EVENT] = T2I(.final = true, .flags_rsvd = 0x7f,
				     .data = true, .tag_rsvd = true,
				     .rsvd = RFL_BYTES(2, 3) |
					     RFL_BYTES(20, 23) |
					     RFL_BYTES(44, 47)),
	[ISCSI_OP_REJECT] = T2I(.final = true, .flags_rsvd = 0x7f,
				.data = true, .tag_rsvd = true,
				.rsvd = RFL_BYTES(3, 3) | RFL_BYTES(8, 15) |
					RFL_BYTES(20, 23) | RFL_BYTES(40, 47)),
};

static bool rfl_op_vendor(u8 op, u8 dir)
{
	if (dir == RFL_DIR_I2T)
		return op >= ISCSI_OP_VENDOR1_CMD && op <= ISCSI_OP_VENDOR3_CMD;
	return op >= 0x3c && op <= 0x3e;
}

/* Login Request and Response: T, C, CSG and NSG. */
static int rfl_check_login_flags(u8 flags)
{
	u8 csg = ISCSI_LOGIN_CURRENT_STAGE(flags);
	u8 nsg = ISCSI_LOGIN_NEXT_STAGE(flags);
	bool transit = flags & ISCSI_FLAG_LOGIN_TRANSIT;

	if (transit && (flags & ISCSI_FLAG_LOGIN_CONTINUE))
		return RFL_PDU_E_FLAGS;
	if (csg != ISCSI_SECURITY_NEGOTIATION_STAGE &&
	    csg != ISCSI_OP_PARMS_NEGOTIATION_STAGE)
		return RFL_PDU_E_STAGE;
	if (transit && (nsg == 2 || nsg <= csg))
		return RFL_PDU_E_STAGE;
	return RFL_PDU_OK;
}

/* Fields with defined values, and flags that exclude each other. */
static int rfl_check_fields(const struct iscsi_hdr *hdr, u8 op)
{
	const u8 *b = (const u8 *)hdr;
	u8 f = hdr->flags;

	switch (op) {
	case ISCSI_OP_SCSI_CMD:
		if ((f & ISCSI_FLAG_CMD_ATTR_MASK) > ISCSI_ATTR_ACA)
			return RFL_PDU_E_CODE_RSVD;
		break;
	case ISCSI_OP_LOGIN:
	case ISCSI_OP_LOGIN_RSP:
		return rfl_check_login_flags(f);
	case ISCSI_OP_TEXT:
	case ISCSI_OP_TEXT_RSP:
		if ((f & ISCSI_FLAG_CMD_FINAL) && (f & ISCSI_FLAG_TEXT_CONTINUE))
			return RFL_PDU_E_FLAGS;
		break;
	case ISCSI_OP_LOGOUT:
		if ((f & ISCSI_FLAG_LOGOUT_REASON_MASK) >
		    ISCSI_LOGOUT_REASON_RECOVERY)
			return RFL_PDU_E_CODE_RSVD;
		break;
	case ISCSI_OP_SNACK:
		if ((f & ISCSI_FLAG_SNACK_TYPE_MASK) >
		    ISCSI_FLAG_SNACK_TYPE_RDATA)
			return RFL_PDU_E_CODE_RSVD;
		break;
	case ISCSI_OP_SCSI_CMD_RSP:
		/* 0x00 completed, 0x01 target failure, 0x80-0xff vendor */
		if (b[2] > ISCSI_STATUS_TARGET_FAILURE && b[2] < 0x80)
			return RFL_PDU_E_CODE_RSVD;
		if ((f & ISCSI_FLAG_CMD_OVERFLOW) &&
		    (f & ISCSI_FLAG_CMD_UNDERFLOW))
			return RFL_PDU_E_FLAGS;
		if ((f & ISCSI_FLAG_CMD_BIDI_OVERFLOW) &&
		    (f & ISCSI_FLAG_CMD_BIDI_UNDERFLOW))
			return RFL_PDU_E_FLAGS;
		break;
	case ISCSI_OP_SCSI_TMFUNC_RSP:
		if (b[2] > ISCSI_TMF_RSP_AUTH_FAILED &&
		    b[2] != ISCSI_TMF_RSP_REJECTED)
			return RFL_PDU_E_CODE_RSVD;
		break;
	case ISCSI_OP_SCSI_DATA_IN:
		if ((f & ISCSI_FLAG_DATA_STATUS) && !(f & ISCSI_FLAG_CMD_FINAL))
			return RFL_PDU_E_FLAGS;
		if ((f & ISCSI_FLAG_DATA_OVERFLOW) &&
		    (f & ISCSI_FLAG_DATA_UNDERFLOW))
			return RFL_PDU_E_FLAGS;
		break;
	case ISCSI_OP_LOGOUT_RSP:
		if (b[2] > ISCSI_LOGOUT_CLEANUP_FAILED)
			return RFL_PDU_E_CODE_RSVD;
		break;
	case ISCSI_OP_ASYNC_EVENT:
		if (b[36] > ISCSI_ASYNC_MSG_PARAM_NEGOTIATION &&
		    b[36] != ISCSI_ASYNC_MSG_VENDOR_SPECIFIC)
			return RFL_PDU_E_CODE_RSVD;
		break;
	case ISCSI_OP_REJECT:
		/* 0x01-0x0c are assigned (0x01 and 0x0b only historically) */
		if (b[2] < 0x01 || b[2] > 0x0c)
			return RFL_PDU_E_CODE_RSVD;
		break;
	}
	return RFL_PDU_OK;
}

static bool rfl_rsvd_clear(const struct iscsi_hdr *hdr,
			   const struct rfl_op_rule *r)
{
	const u8 *b = (const u8 *)hdr;
	unsigned int i;

	if ((b[0] & r->byte0_rsvd) || (b[1] & r->flags_rsvd))
		return false;
	for (i = 0; i < ISCSI_HDR_LEN; i++)
		if ((r->rsvd & BIT_ULL(i)) && b[i])
			return false;
	if (r->tag_rsvd && hdr->itt != RESERVED_ITT)
		return false;
	return true;
}

static int rfl_pdu_check(const struct iscsi_hdr *hdr,
			 const struct rfl_pdu_limits *lim,
			 unsigned int flags, u8 dir)
{
	u8 op = hdr->opcode & ISCSI_OPCODE_MASK;
	const struct rfl_op_rule *r = &rfl_op_rules[op];
	u32 dsl = rfl_pdu_dsl(hdr);
	int err;

	if (r->dir != dir) {
		if (r->dir)
			return RFL_PDU_E_OPCODE_DIR;
		if (rfl_op_vendor(op, dir))
			return RFL_PDU_E_OPCODE_VENDOR;
		return RFL_PDU_E_OPCODE_RSVD;
	}
	if (op == ISCSI_OP_LOGIN && !(hdr->opcode & ISCSI_OP_IMMEDIATE))
		return RFL_PDU_E_IMMEDIATE;
	if (r->final && !(hdr->flags & ISCSI_FLAG_CMD_FINAL))
		return RFL_PDU_E_FINAL;
	err = rfl_check_fields(hdr, op);
	if (err)
		return err;
	if ((flags & RFL_PDU_STRICT) && !rfl_rsvd_clear(hdr, r))
		return RFL_PDU_E_RSVD;
	if (hdr->hlength) {
		if (!r->ahs)
			return RFL_PDU_E_AHS_UNEXPECTED;
		if (rfl_pdu_ahs_len(hdr) > lim->max_ahs_len)
			return RFL_PDU_E_AHS_LEN;
	}
	if (dsl) {
		if (!r->data)
			return RFL_PDU_E_DSL_UNEXPECTED;
		if (dsl > lim->max_recv_dsl)
			return RFL_PDU_E_DSL_LEN;
	}
	return RFL_PDU_OK;
}

/**
 * rfl_pdu_check_initiator() - validate a BHS received by an initiator.
 * @hdr: the 48-byte BHS as received (a target-to-initiator PDU)
 * @lim: our MaxRecvDataSegmentLength and AHS bound
 * @flags: %RFL_PDU_STRICT to also require reserved bits and bytes clear
 *
 * Checks that the opcode is one a target sends, the fixed F bit, flags
 * that exclude each other, reserved code values, and the AHS and data
 * segment lengths. Only the BHS is looked at.
 *
 * Return: %RFL_PDU_OK or the first failed check (enum rfl_pdu_err).
 */
int rfl_pdu_check_initiator(const struct iscsi_hdr *hdr,
			    const struct rfl_pdu_limits *lim,
			    unsigned int flags)
{
	return rfl_pdu_check(hdr, lim, flags, RFL_DIR_T2I);
}
EXPORT_SYMBOL_GPL(rfl_pdu_check_initiator);

/**
 * rfl_pdu_check_target() - validate a BHS received by a target.
 * @hdr: the 48-byte BHS as received (an initiator-to-target PDU)
 * @lim: our MaxRecvDataSegmentLength and AHS bound
 * @flags: %RFL_PDU_STRICT to also require reserved bits and bytes clear
 *
 * Like rfl_pdu_check_initiator() for the other direction; also requires
 * the I bit on a Login Request.
 *
 * Return: %RFL_PDU_OK or the first failed check (enum rfl_pdu_err).
 */
int rfl_pdu_check_target(const struct iscsi_hdr *hdr,
			 const struct rfl_pdu_limits *lim, unsigned int flags)
{
	return rfl_pdu_check(hdr, lim, flags, RFL_DIR_I2T);
}
EXPORT_SYMBOL_GPL(rfl_pdu_check_target);

static const char * const rfl_pdu_errstr[RFL_PDU_E_NR] = {
	[RFL_PDU_OK] = "ok",
	[RFL_PDU_E_OPCODE_RSVD] = "reserved opcode",
	[RFL_PDU_E_OPCODE_DIR] = "opcode not valid in this direction",
	[RFL_PDU_E_OPCODE_VENDOR] = "unsupported vendor-specific opcode",
	[RFL_PDU_E_IMMEDIATE] = "login request without the I bit",
	[RFL_PDU_E_FINAL] = "F bit clear where it must be set",
	[RFL_PDU_E_FLAGS] = "mutually exclusive flags set",
	[RFL_PDU_E_STAGE] = "reserved or backward login stage",
	[RFL_PDU_E_CODE_RSVD] = "reserved value in a defined field",
	[RFL_PDU_E_RSVD] = "reserved bit or field not zero",
	[RFL_PDU_E_AHS_UNEXPECTED] = "AHS on a PDU that has none",
	[RFL_PDU_E_AHS_LEN] = "AHS too long",
	[RFL_PDU_E_DSL_UNEXPECTED] = "data segment on a PDU that has none",
	[RFL_PDU_E_DSL_LEN] = "data segment exceeds MaxRecvDataSegmentLength",
};

/**
 * rfl_pdu_strerror() - short static text for a validation verdict.
 * @err: an enum rfl_pdu_err value
 *
 * Return: a constant string for a log line, never NULL.
 */
const char *rfl_pdu_strerror(int err)
{
	if (err < 0 || err >= RFL_PDU_E_NR)
		return "unknown PDU error";
	return rfl_pdu_errstr[err];
}
EXPORT_SYMBOL_GPL(rfl_pdu_strerror);

/**
 * rfl_pdu_reject_reason() - Reject PDU reason for a validation verdict.
 * @err: an enum rfl_pdu_err value other than %RFL_PDU_OK
 *
 * Return: %ISCSI_REASON_CMD_NOT_SUPPORTED for opcode failures,
 * %ISCSI_REASON_PROTOCOL_ERROR for the rest.
 */
u8 rfl_pdu_reject_reason(int err)
{
	switch (err) {
	case RFL_PDU_E_OPCODE_RSVD:
	case RFL_PDU_E_OPCODE_DIR:
	case RFL_PDU_E_OPCODE_VENDOR:
		return ISCSI_REASON_CMD_NOT_SUPPORTED;
	default:
		return ISCSI_REASON_PROTOCOL_ERROR;
	}
}
EXPORT_SYMBOL_GPL(rfl_pdu_reject_reason);

/**
 * rfl_pdu_total_len() - bytes of a whole PDU on the wire.
 * @hdr: the BHS
 * @hdr_digest: HeaderDigest=CRC32C was negotiated
 * @data_digest: DataDigest=CRC32C was negotiated
 *
 * Return: BHS + AHS + header digest + padded data segment + data digest
 * (the data digest only when there is a data segment).
 */
u32 rfl_pdu_total_len(const struct iscsi_hdr *hdr, bool hdr_digest,
		      bool data_digest)
{
	u32 dsl = rfl_pdu_dsl(hdr);
	u32 len = ISCSI_HDR_LEN + rfl_pdu_ahs_len(hdr) + rfl_pad4(dsl);

	if (hdr_digest)
		len += ISCSI_CRC_LEN;
	if (dsl && data_digest)
		len += ISCSI_CRC_LEN;
	return len;
}
EXPORT_SYMBOL_GPL(rfl_pdu_total_len);

/**
 * rfl_pdu_set_dsl() - store DataSegmentLength in a BHS.
 * @hdr: the BHS
 * @len: data segment length in bytes, below 2^24
 */
void rfl_pdu_set_dsl(struct iscsi_hdr *hdr, u32 len)
{
	hton24(hdr->dlength, len);
}
EXPORT_SYMBOL_GPL(rfl_pdu_set_dsl);

/**
 * rfl_sn_window_valid() - whether ExpCmdSN and MaxCmdSN form a window.
 * @exp_sn: ExpCmdSN
 * @max_sn: MaxCmdSN
 *
 * RFC 7143 4.2.2.1: MaxCmdSN = ExpCmdSN - 1 is a closed window; a MaxCmdSN
 * below that (in serial arithmetic) makes both values invalid.
 *
 * Return: true if MaxCmdSN >= ExpCmdSN - 1 in serial arithmetic.
 */
bool rfl_sn_window_valid(u32 exp_sn, u32 max_sn)
{
	return iscsi_sna_gte(max_sn, exp_sn - 1);
}
EXPORT_SYMBOL_GPL(rfl_sn_window_valid);

/**
 * rfl_sn_in_window() - whether a CmdSN may be accepted now.
 * @sn: CmdSN of a non-immediate command
 * @exp_sn: ExpCmdSN
 * @max_sn: MaxCmdSN
 *
 * Return: true if the window is valid and ExpCmdSN <= @sn <= MaxCmdSN in
 * serial arithmetic (RFC 1982).
 */
bool rfl_sn_in_window(u32 sn, u32 exp_sn, u32 max_sn)
{
	return rfl_sn_window_valid(exp_sn, max_sn) &&
	       iscsi_sna_gte(sn, exp_sn) && iscsi_sna_lte(sn, max_sn);
}
EXPORT_SYMBOL_GPL(rfl_sn_in_window);

/**
 * rfl_sn_comparable() - whether RFC 1982 defines the order of two numbers.
 * @a: a serial number
 * @b: another
 *
 * Return: false when @a and @b are exactly 2^31 apart (order undefined).
 */
bool rfl_sn_comparable(u32 a, u32 b)
{
	return a - b != 0x80000000U;
}
EXPORT_SYMBOL_GPL(rfl_sn_comparable);

/**
 * rfl_sn_update_window() - apply ExpCmdSN/MaxCmdSN of a received PDU.
 * @exp_sn: the initiator's ExpCmdSN, updated in place
 * @max_sn: the initiator's MaxCmdSN, updated in place
 * @pdu_exp: ExpCmdSN carried by the PDU
 * @pdu_max: MaxCmdSN carried by the PDU
 *
 * RFC 7143 4.2.2.1: both values are ignored if MaxCmdSN < ExpCmdSN - 1;
 * otherwise each one only ever moves forward. Each moves on its own, so a
 * PDU whose values are 2^31 or more away from ours can move ExpCmdSN and
 * not MaxCmdSN, leaving MaxCmdSN < ExpCmdSN - 1: no CmdSN could be sent,
 * and no value a sane target sends next would count as "forward" to
 * repair it. Such a PDU is ignored as a whole too, so that a valid window
 * stays valid.
 *
 * Return: %RFL_SN_IGNORED, or a mask of %RFL_SN_EXP_MOVED and
 * %RFL_SN_MAX_MOVED.
 */
unsigned int rfl_sn_update_window(u32 *exp_sn, u32 *max_sn, u32 pdu_exp,
				  u32 pdu_max)
{
	u32 exp = *exp_sn, max = *max_sn;
	unsigned int moved = 0;

	if (!rfl_sn_window_valid(pdu_exp, pdu_max))
		return RFL_SN_IGNORED;
	if (iscsi_sna_gt(pdu_max, max)) {
		max = pdu_max;
		moved |= RFL_SN_MAX_MOVED;
	}
	if (iscsi_sna_gt(pdu_exp, exp)) {
		exp = pdu_exp;
		moved |= RFL_SN_EXP_MOVED;
	}
	if (moved && !rfl_sn_window_valid(exp, max))
		return RFL_SN_IGNORED;
	*exp_sn = exp;
	*max_sn = max;
	return moved;
}
EXPORT_SYMBOL_GPL(rfl_sn_update_window);
