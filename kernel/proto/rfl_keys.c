// SPDX-License-Identifier: GPL-2.0
/*
 * The standard login and text keys: RFC 7143 section 13 and
 * iSCSIProtocolLevel of RFC 7144. Vendor (X-) keys are not understood
 * unless a caller registers them in a struct rfl_keyset.
 */

#include "rfl_keys.h"
#include "rfl_script.h"

#define RFL_BOTH	(RFL_KF_FROM_I | RFL_KF_FROM_T)
/* operational keys negotiated once per session, at login */
#define RFL_SESS	(RFL_BOTH | RFL_KF_LO | RFL_KF_IO)
#define RFL_AUTH	(RFL_KF_SEC | RFL_KF_IO)
#define RFL_LEN24	16777215	/* 2^24 - 1 */

/* Entries stand in enum rfl_key_id order: rfl_selftest() checks it. */
#define KEY(nm, kid, kneg, vt, fl, len, ...)				\
	{ .name = nm, .id = kid, .neg = kneg, .vtype = vt, .flags = fl,	\
	  .max_len = len, __VA_ARGS__ }

#define NUMKEY(nm, kid, kneg, fl, lo, hi, d, ds)			\
	KEY(nm, kid, kneg, RFL_VT_NUM, fl, RFL_VALUE_MAX, .min = lo, .max = hi,	\
	    .dflt = d, .dflt_str = ds)

#define BOOLKEY(nm, kid, kneg, fl, d, ds)				\
	KEY(nm, kid, kneg, RFL_VT_BOOL, fl, RFL_VALUE_MAX, .max = 1,	\
	    .dflt = d, .dflt_str = ds)

static const struct rfl_key rfl_keys[RFL_KEY_NR] = {
	KEY("HeaderDigest", RFL_KEY_HEADER_DIGEST, RFL_NEG_LIST, RFL_VT_LIST,
	    RFL_BOTH | RFL_KF_IO, RFL_VALUE_MAX, .dflt_str = "None",
	    .values = "CRC32C,None"),
	KEY("DataDigest", RFL_KEY_DATA_DIGEST, RFL_NEG_LIST, RFL_VT_LIST,
	    RFL_BOTH | RFL_KF_IO, RFL_VALUE_MAX, .dflt_str = "None",
	    .values = "CRC32C,None"),
	NUMKEY("MaxConnections", RFL_KEY_MAX_CONNECTIONS, RFL_NEG_MIN,
	       RFL_SESS | RFL_KF_IRR_DISC, 1, 65535, 1, "1"),
	KEY("SendTargets", RFL_KEY_SEND_TARGETS, RFL_NEG_DECLARE,
	    RFL_VT_LOCAL, RFL_KF_FROM_I | RFL_KF_FFP, RFL_VALUE_MAX),
	KEY("TargetName", RFL_KEY_TARGET_NAME, RFL_NEG_DECLARE, RFL_VT_NAME,
	    RFL_BOTH, RFL_NAME_MAX),
	KEY("InitiatorName", RFL_KEY_INITIATOR_NAME, RFL_NEG_DECLARE,
	    RFL_VT_NAME, RFL_KF_FROM_I | RFL_KF_IO, RFL_NAME_MAX),
	KEY("TargetAlias", RFL_KEY_TARGET_ALIAS, RFL_NEG_DECLARE,
	    RFL_VT_LOCAL, RFL_KF_FROM_T, RFL_VALUE_MAX),
	KEY("InitiatorAlias", RFL_KEY_INITIATOR_ALIAS, RFL_NEG_DECLARE,
	    RFL_VT_LOCAL, RFL_KF_FROM_I, RFL_VALUE_MAX),
	KEY("TargetAddress", RFL_KEY_TARGET_ADDRESS, RFL_NEG_DECLARE,
	    RFL_VT_ADDR, RFL_KF_FROM_T, RFL_VALUE_MAX),
	NUMKEY("TargetPortalGroupTag", RFL_KEY_TARGET_PORTAL_GROUP_TAG,
	       RFL_NEG_DECLARE, RFL_KF_FROM_T | RFL_KF_IO, 0, 65535, 0, NULL),
	BOOLKEY("InitialR2T", RFL_KEY_INITIAL_R2T, RFL_NEG_OR,
		RFL_SESS | RFL_KF_IRR_DISC, 1, "Yes"),
	BOOLKEY("ImmediateData", RFL_KEY_IMMEDIATE_DATA, RFL_NEG_AND,
		RFL_SESS | RFL_KF_IRR_DISC, 1, "Yes"),
	NUMKEY("MaxRecvDataSegmentLength", RFL_KEY_MAX_RECV_DSL,
	       RFL_NEG_DECLARE, RFL_BOTH, 512, RFL_LEN24, 8192, "8192"),
	NUMKEY("MaxBurstLength", RFL_KEY_MAX_BURST_LENGTH, RFL_NEG_MIN,
	       RFL_SESS | RFL_KF_IRR_DISC, 512, RFL_LEN24, 262144, "262144"),
	NUMKEY("FirstBurstLength", RFL_KEY_FIRST_BURST_LENGTH, RFL_NEG_MIN,
	       RFL_SESS | RFL_KF_IRR_DISC, 512, RFL_LEN24, 65536, "65536"),
	NUMKEY("DefaultTime2Wait", RFL_KEY_DEFAULT_TIME2WAIT, RFL_NEG_MAX,
	       RFL_SESS, 0, 3600, 2, "2"),
	NUMKEY("DefaultTime2Retain", RFL_KEY_DEFAULT_TIME2RETAIN, RFL_NEG_MIN,
	       RFL_SESS, 0, 3600, 20, "20"),
	NUMKEY("MaxOutstandingR2T", RFL_KEY_MAX_OUTSTANDING_R2T, RFL_NEG_MIN,
	       RFL_SESS | RFL_KF_IRR_DISC, 1, 65535, 1, "1"),
	BOOLKEY("DataPDUInOrder", RFL_KEY_DATA_PDU_IN_ORDER, RFL_NEG_OR,
		RFL_SESS | RFL_KF_IRR_DISC, 1, "Yes"),
	BOOLKEY("DataSequenceInOrder", RFL_KEY_DATA_SEQUENCE_IN_ORDER,
		RFL_NEG_OR, RFL_SESS | RFL_KF_IRR_DISC, 1, "Yes"),
	NUMKEY("ErrorRecoveryLevel", RFL_KEY_ERROR_RECOVERY_LEVEL, RFL_NEG_MIN,
	       RFL_SESS, 0, 2, 0, "0"),
	KEY("SessionType", RFL_KEY_SESSION_TYPE, RFL_NEG_DECLARE, RFL_VT_TEXT,
	    RFL_KF_FROM_I | RFL_KF_LO | RFL_KF_IO, RFL_VALUE_MAX,
	    .dflt_str = "Normal", .values = "Discovery,Normal"),
	KEY("AuthMethod", RFL_KEY_AUTH_METHOD, RFL_NEG_LIST, RFL_VT_LIST,
	    RFL_BOTH | RFL_AUTH, RFL_VALUE_MAX, .dflt_str = "None",
	    .values = "KRB5,SRP,SPKM1,SPKM2,CHAP,None"),
	KEY("CHAP_A", RFL_KEY_CHAP_A, RFL_NEG_AUTH, RFL_VT_LIST,
	    RFL_BOTH | RFL_AUTH, RFL_VALUE_MAX),
	/* From the initiator too: its challenge in mutual CHAP. */
	KEY("CHAP_I", RFL_KEY_CHAP_I, RFL_NEG_AUTH, RFL_VT_NUM,
	    RFL_BOTH | RFL_AUTH, RFL_VALUE_MAX, .max = 255),
	KEY("CHAP_C", RFL_KEY_CHAP_C, RFL_NEG_AUTH, RFL_VT_BINARY,
	    RFL_BOTH | RFL_AUTH, RFL_CHAP_VALUE_MAX),
	KEY("CHAP_N", RFL_KEY_CHAP_N, RFL_NEG_AUTH, RFL_VT_LOCAL,
	    RFL_BOTH | RFL_AUTH, RFL_VALUE_MAX),
	KEY("CHAP_R", RFL_KEY_CHAP_R, RFL_NEG_AUTH, RFL_VT_BINARY,
	    RFL_BOTH | RFL_AUTH, RFL_CHAP_VALUE_MAX),
	KEY("TaskReporting", RFL_KEY_TASK_REPORTING, RFL_NEG_LIST,
	    RFL_VT_LIST, RFL_SESS | RFL_KF_IRR_DISC, RFL_VALUE_MAX,
	    .dflt_str = "RFC3720",
	    .values = "RFC3720,ResponseFence,FastAbort"),
	NUMKEY("iSCSIProtocolLevel", RFL_KEY_PROTOCOL_LEVEL, RFL_NEG_MIN,
	       RFL_SESS | RFL_KF_IRR_DISC, 0, 31, 0, "0"),
	KEY("IFMarker", RFL_KEY_IF_MARKER, RFL_NEG_OBSOLETE, RFL_VT_ANY,
	    RFL_BOTH | RFL_KF_IO, RFL_VALUE_MAX),
	KEY("OFMarker", RFL_KEY_OF_MARKER, RFL_NEG_OBSOLETE, RFL_VT_ANY,
	    RFL_BOTH | RFL_KF_IO, RFL_VALUE_MAX),
	KEY("IFMarkInt", RFL_KEY_IF_MARK_INT, RFL_NEG_OBSOLETE, RFL_VT_ANY,
	    RFL_BOTH | RFL_KF_IO, RFL_VALUE_MAX),
	KEY("OFMarkInt", RFL_KEY_OF_MARK_INT, RFL_NEG_OBSOLETE, RFL_VT_ANY,
	    RFL_BOTH | RFL_KF_IO, RFL_VALUE_MAX),
};

/**
 * rfl_key_get() - a standard key by id.
 * @id: an enum rfl_key_id below %RFL_KEY_NR
 *
 * Return: the key, or NULL for an id out of range.
 */
const struct rfl_key *rfl_key_get(unsigned int id)
{
	return id < RFL_KEY_NR ? &rfl_keys[id] : NULL;
}
EXPORT_SYMBOL_GPL(rfl_key_get);

static bool rfl_key_is(const struct rfl_key *k, const char *name, u32 len)
{
	return strlen(k->name) == len && !memcmp(k->name, name, len);
}

/**
 * rfl_key_find() - look a key up by name.
 * @ks: registered vendor keys, or NULL
 * @name: the key name, not necessarily NUL-terminated
 * @len: its length
 *
 * Return: the standard or registered key, or NULL when not understood.
 */
const struct rfl_key *rfl_key_find(const struct rfl_keyset *ks,
				   const char *name, u32 len)
{
	unsigned int i;

	if (!len || len > RFL_KEY_NAME_MAX)
		return NULL;
	for (i = 0; i < RFL_KEY_NR; i++)
		if (rfl_key_is(&rfl_keys[i], name, len))
			return &rfl_keys[i];
	for (i = 0; ks && i < ks->nvendor; i++)
		if (rfl_key_is(&ks->vendor[i], name, len))
			return &ks->vendor[i];
	return NULL;
}
EXPORT_SYMBOL_GPL(rfl_key_find);

/**
 * rfl_key_check_use() - whether a received key may be sent there.
 * @def: the key
 * @from_target: the target sent it
 * @phase: enum rfl_phase of the exchange
 *
 * Return: %RFL_TEXT_OK, %RFL_TEXT_E_SENDER for a key the other side owns
 * (e.g. InitiatorName from a target), or %RFL_TEXT_E_PHASE for a key of
 * another stage (e.g. CHAP_R after security negotiation, SendTargets
 * during login).
 */
int rfl_key_check_use(const struct rfl_key *def, bool from_target,
		      unsigned int phase)
{
	if (!(def->flags & (from_target ? RFL_KF_FROM_T : RFL_KF_FROM_I)))
		return RFL_TEXT_E_SENDER;
	if ((def->flags & RFL_KF_SEC) && phase != RFL_PHASE_SECURITY)
		return RFL_TEXT_E_PHASE;
	if ((def->flags & RFL_KF_IO) && phase == RFL_PHASE_FFP)
		return RFL_TEXT_E_PHASE;
	if ((def->flags & RFL_KF_FFP) && phase != RFL_PHASE_FFP)
		return RFL_TEXT_E_PHASE;
	return RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_key_check_use);

/* The reflection login key (Documentation/reflection-protocol.rst). */
static const struct rfl_key rfl_reflect_keys[] = {
	{
		.name = RFL_REFLECT_KEY,
		.id = RFL_KEY_VENDOR,
		.neg = RFL_NEG_AND,
		.vtype = RFL_VT_BOOL,
		.flags = RFL_KF_FROM_I | RFL_KF_FROM_T | RFL_KF_LO |
			 RFL_KF_IO | RFL_KF_IRR_DISC,
		.max_len = RFL_VALUE_MAX,
		.dflt = 0,
		.dflt_str = "No",
	},
};

/*
 * rfl_reflect_keyset - the vendor keys both sides understand in a login:
 * the reflection key. Passed to the text parser and the negotiation.
 */
const struct rfl_keyset rfl_reflect_keyset = {
	.vendor = rfl_reflect_keys,
	.nvendor = ARRAY_SIZE(rfl_reflect_keys),
};
EXPORT_SYMBOL_GPL(rfl_reflect_keyset);
