/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Login and Text key=value codec (RFC 7143 section 6.1): accumulation of a
 * text segment spread over PDUs with the C bit, parsing with duplicate
 * detection, a bounded builder, and the value encodings (numbers, Yes/No,
 * binary in 0x hex or 0b base64).
 */
#ifndef RFL_TEXT_H
#define RFL_TEXT_H

#include "rfl_port.h"

#define RFL_KEY_NAME_MAX	63	/* bytes of a key name */
#define RFL_VALUE_MAX		255	/* bytes of a value, unless stated */
#define RFL_NAME_MAX		223	/* bytes of an iSCSI name */
#define RFL_CHAP_BIN_MAX	1024	/* decoded bytes of CHAP_C, CHAP_R */
/* 0x and two hex digits per byte */
#define RFL_CHAP_VALUE_MAX	(2 + 2 * RFL_CHAP_BIN_MAX)
/* Every implementation must take this much text in one sequence. */
#define RFL_TEXT_MIN_LTDS	8192

/* Errors of the text codec and of negotiation; 0 is success. */
enum rfl_text_err {
	RFL_TEXT_OK = 0,
	RFL_TEXT_E_NO_NUL,	/* text does not end with a NUL */
	RFL_TEXT_E_NO_EQUALS,	/* a pair without '=' */
	RFL_TEXT_E_KEY_EMPTY,	/* "=value" */
	RFL_TEXT_E_KEY_LONG,	/* key name above 63 bytes */
	RFL_TEXT_E_KEY_CHAR,	/* key name not a standard-label */
	RFL_TEXT_E_VALUE_LONG,	/* value above its key's limit */
	RFL_TEXT_E_VALUE_SYNTAX, /* value not of its key's type */
	RFL_TEXT_E_RANGE,	/* number out of the key's range */
	RFL_TEXT_E_DUPLICATE,	/* a key sent twice */
	RFL_TEXT_E_TOO_MANY,	/* more pairs than the caller's array */
	RFL_TEXT_E_TOO_BIG,	/* text longer than the buffer */
	RFL_TEXT_E_STATE,	/* data after the final PDU */
	RFL_TEXT_E_SENDER,	/* key not sent by this side */
	RFL_TEXT_E_PHASE,	/* key not allowed in this stage */
	RFL_TEXT_E_ANSWER,	/* answer not admissible for our offer */
	RFL_TEXT_E_NO_COMMON,	/* no offered list value is supported */
	RFL_TEXT_E_INVAL,	/* bad argument from the caller */
	RFL_TEXT_E_NR
};

const char *rfl_text_strerror(int err);

struct rfl_key;

/* Special values (RFC 7143 section 6.2). */
enum rfl_special {
	RFL_SV_PLAIN = 0,
	RFL_SV_NOT_UNDERSTOOD,
	RFL_SV_REJECT,
	RFL_SV_IRRELEVANT,
};

/* One key=value pair; key and value point into the parsed text. */
struct rfl_kv {
	const char *key;
	const char *value;	/* NUL-terminated */
	u16 key_len;
	u16 value_len;
	u8 special;		/* enum rfl_special */
	const struct rfl_key *def; /* NULL: not understood */
};

/* Registered vendor keys, in addition to the standard table. */
struct rfl_keyset {
	const struct rfl_key *vendor;
	unsigned int nvendor;
};

/* Walks a complete text segment pair by pair. */
struct rfl_text_iter {
	const char *p;
	const char *end;
	const struct rfl_keyset *ks;
	u32 off;		/* offset of the pair last returned or failed */
	int err;		/* enum rfl_text_err once the walk stopped */
	const char *base;
};

void rfl_text_iter_init(struct rfl_text_iter *it, const char *text, u32 len,
			const struct rfl_keyset *ks);
bool rfl_text_next(struct rfl_text_iter *it, struct rfl_kv *kv);

#define RFL_TEXT_REPEAT_OK	0x1	/* SendTargets responses */

int rfl_text_parse(const char *text, u32 len, const struct rfl_keyset *ks,
		   unsigned int flags, struct rfl_kv *kvs, unsigned int max,
		   unsigned int *n);
const struct rfl_kv *rfl_text_find(const struct rfl_kv *kvs, unsigned int n,
				   const char *key);

/* A text segment assembled from the data of PDUs with the C bit. */
struct rfl_text_acc {
	char *buf;
	u32 cap;
	u32 len;
	bool done;
};

void rfl_text_acc_init(struct rfl_text_acc *acc, char *buf, u32 cap);
int rfl_text_acc_add(struct rfl_text_acc *acc, const void *data, u32 len,
		     bool more);

/* A text segment being built; the first error sticks. */
struct rfl_text_buf {
	char *buf;
	u32 cap;
	u32 len;
	int err;
};

void rfl_tb_init(struct rfl_text_buf *tb, char *buf, u32 cap);
int rfl_tb_add(struct rfl_text_buf *tb, const char *key, const char *value);
int rfl_tb_add_len(struct rfl_text_buf *tb, const char *key,
		   const char *value, u32 value_len);
int rfl_tb_add_num(struct rfl_text_buf *tb, const char *key, u64 value);
int rfl_tb_add_bin(struct rfl_text_buf *tb, const char *key, const u8 *bin,
		   u32 len, bool base64);

/* Value encodings. */
int rfl_key_name_check(const char *key, u32 len);
int rfl_num_decode(const char *s, u32 len, u64 *out);
u32 rfl_num_encode(u64 v, char *buf, u32 cap);
u32 rfl_num_encode_hex(u64 v, char *buf, u32 cap);
int rfl_bool_decode(const char *s, u32 len, bool *out);
int rfl_bin_decode(const char *s, u32 len, u8 *out, u32 cap, u32 *out_len);
u32 rfl_bin_encode(const u8 *bin, u32 len, bool base64, char *buf, u32 cap);

/* A TargetAddress value (RFC 7143 13.8), decoded. */
struct rfl_target_address {
	const char *host;	/* in the value; an IPv6 address keeps [] */
	u32 host_len;		/* at least 1 */
	u16 port;		/* 3260 when absent; never 0 */
	int tpgt;		/* portal group tag; -1 when absent */
};

int rfl_target_address_decode(const char *v, u32 len,
			      struct rfl_target_address *ta);

#endif /* RFL_TEXT_H */
