/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The login and text keys of RFC 7143 section 13 (plus iSCSIProtocolLevel
 * of RFC 7144) with their negotiation rules, and the negotiation itself.
 */
#ifndef RFL_KEYS_H
#define RFL_KEYS_H

#include "rfl_text.h"

enum rfl_key_id {
	RFL_KEY_HEADER_DIGEST,
	RFL_KEY_DATA_DIGEST,
	RFL_KEY_MAX_CONNECTIONS,
	RFL_KEY_SEND_TARGETS,
	RFL_KEY_TARGET_NAME,
	RFL_KEY_INITIATOR_NAME,
	RFL_KEY_TARGET_ALIAS,
	RFL_KEY_INITIATOR_ALIAS,
	RFL_KEY_TARGET_ADDRESS,
	RFL_KEY_TARGET_PORTAL_GROUP_TAG,
	RFL_KEY_INITIAL_R2T,
	RFL_KEY_IMMEDIATE_DATA,
	RFL_KEY_MAX_RECV_DSL,
	RFL_KEY_MAX_BURST_LENGTH,
	RFL_KEY_FIRST_BURST_LENGTH,
	RFL_KEY_DEFAULT_TIME2WAIT,
	RFL_KEY_DEFAULT_TIME2RETAIN,
	RFL_KEY_MAX_OUTSTANDING_R2T,
	RFL_KEY_DATA_PDU_IN_ORDER,
	RFL_KEY_DATA_SEQUENCE_IN_ORDER,
	RFL_KEY_ERROR_RECOVERY_LEVEL,
	RFL_KEY_SESSION_TYPE,
	RFL_KEY_AUTH_METHOD,
	RFL_KEY_CHAP_A,
	RFL_KEY_CHAP_I,
	RFL_KEY_CHAP_C,
	RFL_KEY_CHAP_N,
	RFL_KEY_CHAP_R,
	RFL_KEY_TASK_REPORTING,
	RFL_KEY_PROTOCOL_LEVEL,
	RFL_KEY_IF_MARKER,
	RFL_KEY_OF_MARKER,
	RFL_KEY_IF_MARK_INT,
	RFL_KEY_OF_MARK_INT,
	RFL_KEY_NR,
	RFL_KEY_VENDOR = 0xff,	/* a registered X- key */
};

/* How the result of a key is reached. */
enum rfl_neg {
	RFL_NEG_DECLARE,	/* declarative: no answer */
	RFL_NEG_AND,		/* Boolean, result = offer AND own */
	RFL_NEG_OR,		/* Boolean, result = offer OR own */
	RFL_NEG_MIN,		/* numerical, result = the smaller */
	RFL_NEG_MAX,		/* numerical, result = the larger */
	RFL_NEG_LIST,		/* first offered value the responder has */
	RFL_NEG_AUTH,		/* CHAP exchange: left to the auth code */
	RFL_NEG_OBSOLETE,	/* RFC 7143 13.26: answered Reject */
};

/* Syntax of the value. */
enum rfl_vtype {
	RFL_VT_TEXT,		/* text-value */
	RFL_VT_NAME,		/* iSCSI name: iqn., eui. or naa. */
	RFL_VT_LOCAL,		/* UTF-8, any byte but NUL */
	RFL_VT_BOOL,		/* Yes or No */
	RFL_VT_NUM,		/* decimal or 0x hex constant */
	RFL_VT_LIST,		/* comma-separated text-values */
	RFL_VT_BINARY,		/* 0x hex or 0b base64 */
	RFL_VT_ADDR,		/* host[:port][,tpgt] */
	RFL_VT_ANY,		/* not checked (obsolete keys) */
};

/* enum rfl_phase: where a key may be used. */
enum rfl_phase {
	RFL_PHASE_SECURITY,	/* login, security negotiation stage */
	RFL_PHASE_OPERATIONAL,	/* login, operational negotiation stage */
	RFL_PHASE_FFP,		/* Text Request/Response in full feature */
};

#define RFL_KF_FROM_I	0x01	/* the initiator may send it */
#define RFL_KF_FROM_T	0x02	/* the target may send it */
#define RFL_KF_LO	0x04	/* leading connection only */
#define RFL_KF_IO	0x08	/* login only (not in full feature phase) */
#define RFL_KF_FFP	0x10	/* full feature phase only */
#define RFL_KF_SEC	0x20	/* security stage only */
#define RFL_KF_IRR_DISC	0x40	/* Irrelevant in a discovery session */

struct rfl_key {
	const char *name;
	u8 id;			/* enum rfl_key_id */
	u8 neg;			/* enum rfl_neg */
	u8 vtype;		/* enum rfl_vtype */
	u8 flags;		/* RFL_KF_* */
	u16 max_len;		/* bytes of the encoded value */
	u64 min;		/* numerical range */
	u64 max;
	u64 dflt;		/* numerical or Boolean default */
	const char *dflt_str;	/* default as text */
	const char *values;	/* the legal values of a text key */
};

extern const struct rfl_keyset rfl_reflect_keyset;

const struct rfl_key *rfl_key_get(unsigned int id);
const struct rfl_key *rfl_key_find(const struct rfl_keyset *ks,
				   const char *name, u32 len);
int rfl_key_check_use(const struct rfl_key *def, bool from_target,
		      unsigned int phase);
int rfl_value_check(const struct rfl_key *def, const char *v, u32 len);

/* Outcome of answering one offered key. */
enum rfl_neg_outcome {
	RFL_NEG_AGREED,		/* answered with the result */
	RFL_NEG_DECLARED,	/* declarative: nothing to answer */
	RFL_NEG_NOT_UNDERSTOOD,	/* answered NotUnderstood */
	RFL_NEG_REJECTED,	/* answered Reject */
	RFL_NEG_IRRELEVANT,	/* answered Irrelevant */
	RFL_NEG_DEFERRED,	/* auth key: the caller answers */
};

/* A negotiated value: numbers and Booleans in num, lists and text in str. */
struct rfl_neg_value {
	u64 num;
	const char *str;	/* points into the answer or the offer */
	u32 len;
	u8 outcome;		/* enum rfl_neg_outcome */
};

int rfl_neg_bool(const struct rfl_key *def, bool offer, bool own,
		 bool *result);
int rfl_neg_num(const struct rfl_key *def, u64 offer, u64 own, u64 *result);
int rfl_neg_list(const char *offer, u32 offer_len, const char *own,
		 u32 *pos, u32 *len);
int rfl_neg_answer(const struct rfl_key *def, const struct rfl_kv *kv,
		   const char *own, bool discovery, struct rfl_text_buf *out,
		   struct rfl_neg_value *res);
int rfl_neg_check(const struct rfl_key *def, const char *offered,
		  const struct rfl_kv *answer, struct rfl_neg_value *res);

/* Operational parameters of a session and connection after login. */
struct rfl_params {
	u32 max_recv_dsl;	/* declared by us: what we receive */
	u32 max_xmit_dsl;	/* declared by the peer: what we send */
	u32 max_burst;
	u32 first_burst;
	u16 max_connections;
	u16 max_r2t;
	u16 time2wait;
	u16 time2retain;
	u8 erl;
	u8 protocol_level;
	bool initial_r2t;
	bool immediate_data;
	bool data_pdu_in_order;
	bool data_seq_in_order;
	bool header_digest;
	bool data_digest;
	bool discovery;
};

void rfl_params_init(struct rfl_params *p);
int rfl_params_set(struct rfl_params *p, const struct rfl_key *def,
		   const struct rfl_neg_value *v, bool declared_by_peer);
int rfl_params_check(const struct rfl_params *p);

/* One side's view of a login or text negotiation. */
struct rfl_neg_ctx {
	const char *own[RFL_KEY_NR];	/* our values; NULL: the default */
	const struct rfl_keyset *ks;
	const char * const *vendor_own;	/* per ks->vendor; NULL: default */
	bool is_target;
	u8 phase;			/* enum rfl_phase */
	struct rfl_params params;
};

int rfl_neg_respond(struct rfl_neg_ctx *ctx, const struct rfl_kv *kvs,
		    unsigned int n, struct rfl_text_buf *out);

#endif /* RFL_KEYS_H */
