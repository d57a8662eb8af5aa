// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness of the text codec and negotiation. Input: one control
 * byte, then a text segment. The control byte picks the side, stage,
 * session type, where the segment is split into PDUs for the C-bit
 * accumulator, and the room for answers. Every pair is answered like a
 * responder would; the answers must parse back and pass the originator's
 * admissibility check. Values are also pushed through the number and
 * binary codecs, which must round-trip.
 */

#include <stdlib.h>

#include "rfl_proto.h"

#define ASSERT(c) do { if (!(c)) abort(); } while (0)
#define MAX_KV 64

static const struct rfl_key vendor_keys[] = {
	{ .name = "X-org.example.Reflection", .id = RFL_KEY_VENDOR,
	  .neg = RFL_NEG_AND, .vtype = RFL_VT_BOOL,
	  .flags = RFL_KF_FROM_I | RFL_KF_FROM_T | RFL_KF_LO | RFL_KF_IO,
	  .max_len = RFL_VALUE_MAX, .max = 1, .dflt_str = "No" },
	{ .name = "X-org.example.Depth", .id = RFL_KEY_VENDOR,
	  .neg = RFL_NEG_MIN, .vtype = RFL_VT_NUM,
	  .flags = RFL_KF_FROM_I | RFL_KF_FROM_T,
	  .max_len = RFL_VALUE_MAX, .min = 1, .max = 1000, .dflt = 16,
	  .dflt_str = "16" },
};
static const struct rfl_keyset ks = { vendor_keys, 2 };
static const char * const vendor_own[] = { "Yes", "64" };

static char acc_buf[16384], ans_buf[16384];
static struct rfl_kv kvs[MAX_KV], akvs[MAX_KV];
static u8 bin[RFL_CHAP_BIN_MAX];
static char enc[RFL_CHAP_VALUE_MAX + 1];

static void codecs(const struct rfl_kv *kv)
{
	u64 num, back;
	u32 n, m, e;
	char buf[24];

	if (!rfl_num_decode(kv->value, kv->value_len, &num)) {
		ASSERT(rfl_num_encode(num, buf, sizeof(buf)));
		ASSERT(!rfl_num_decode(buf, strlen(buf), &back) && back == num);
		ASSERT(rfl_num_encode_hex(num, buf, sizeof(buf)));
		ASSERT(!rfl_num_decode(buf, strlen(buf), &back) && back == num);
	}
	if (!rfl_bin_decode(kv->value, kv->value_len, bin, sizeof(bin), &n)) {
		ASSERT(n >= 1 && n <= sizeof(bin));
		e = rfl_bin_encode(bin, n, kv->value[1] == 'b' ||
				   kv->value[1] == 'B', enc, sizeof(enc));
		ASSERT(e > 2);
		ASSERT(!rfl_bin_decode(enc, e, NULL, sizeof(bin), &m) &&
		       m == n);
	}
}

static const char *own_of(const struct rfl_key *def)
{
	if (def == &vendor_keys[0])
		return vendor_own[0];
	if (def == &vendor_keys[1])
		return vendor_own[1];
	if (def->id == RFL_KEY_HEADER_DIGEST || def->id == RFL_KEY_DATA_DIGEST)
		return "CRC32C,None";
	if (def->id == RFL_KEY_AUTH_METHOD)
		return "CHAP,None";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfl_text_acc acc;
	struct rfl_text_buf tb;
	struct rfl_neg_value res, chk;
	static struct rfl_neg_ctx ctx;
	unsigned int n, an, i, j;
	u32 len, cut1, cut2;
	u8 ctl;
	int err;

	if (size < 1 || size - 1 > sizeof(acc_buf))
		return 0;
	ctl = data[0];
	data++;
	len = size - 1;

	/* up to three PDUs */
	cut1 = len ? (ctl * 7u) % (len + 1) : 0;
	cut2 = cut1 + (len - cut1) / 2;
	rfl_text_acc_init(&acc, acc_buf, sizeof(acc_buf));
	ASSERT(!rfl_text_acc_add(&acc, data, cut1, true));
	ASSERT(!rfl_text_acc_add(&acc, data + cut1, cut2 - cut1, true));
	err = rfl_text_acc_add(&acc, data + cut2, len - cut2, false);
	ASSERT(err == RFL_TEXT_OK || err == RFL_TEXT_E_NO_NUL);
	ASSERT(acc.len == len && !memcmp(acc.buf, data, len));
	ASSERT(rfl_text_acc_add(&acc, data, 0, false) == RFL_TEXT_E_STATE);

	err = rfl_text_parse(acc.buf, acc.len, &ks, ctl & 0x80 ?
			     RFL_TEXT_REPEAT_OK : 0, kvs, MAX_KV, &n);
	ASSERT(err >= 0 && err < RFL_TEXT_E_NR);
	ASSERT(n <= MAX_KV);
	for (i = 0; i < n; i++) {
		ASSERT(!rfl_key_name_check(kvs[i].key, kvs[i].key_len));
		ASSERT(kvs[i].value[kvs[i].value_len] == '\0');
		ASSERT(kvs[i].value_len <= (kvs[i].def ? kvs[i].def->max_len :
					    RFL_VALUE_MAX));
		codecs(&kvs[i]);
		if (kvs[i].def)
			rfl_value_check(kvs[i].def, kvs[i].value,
					kvs[i].value_len);
	}
	if (err || (ctl & 0x80))
		return 0;

	/* answer pair by pair; every answer must be admissible */
	rfl_tb_init(&tb, ans_buf, ctl & 0x40 ? 64 : sizeof(ans_buf));
	for (i = 0; i < n; i++) {
		const struct rfl_key *def = kvs[i].def;

		err = rfl_neg_answer(def, &kvs[i], def ? own_of(def) : NULL,
				     ctl & 0x20, &tb, &res);
		if (err) {
			ASSERT(err == RFL_TEXT_E_TOO_BIG);
			break;
		}
		if (res.outcome != RFL_NEG_AGREED)
			continue;
		ASSERT(!rfl_text_parse(tb.buf, tb.len, &ks, 0, akvs, MAX_KV,
				       &an) && an >= 1);
		ASSERT(akvs[an - 1].key_len == kvs[i].key_len &&
		       !memcmp(akvs[an - 1].key, kvs[i].key, kvs[i].key_len));
		ASSERT(!rfl_neg_check(def, kvs[i].value, &akvs[an - 1], &chk));
		ASSERT(chk.outcome == RFL_NEG_AGREED && chk.num == res.num);
	}
	if (!err && !(ctl & 0x40)) {
		ASSERT(!rfl_text_parse(tb.buf, tb.len, &ks, 0, akvs, MAX_KV,
				       &an));
		/* answers only ever name offered keys */
		for (j = 0; j < an; j++) {
			for (i = 0; i < n; i++)
				if (kvs[i].key_len == akvs[j].key_len &&
				    !memcmp(kvs[i].key, akvs[j].key,
					    akvs[j].key_len))
					break;
			ASSERT(i < n);
		}
	}

	/* the whole-segment responder, as either side */
	memset(&ctx, 0, sizeof(ctx));
	rfl_params_init(&ctx.params);
	ctx.ks = &ks;
	ctx.vendor_own = vendor_own;
	ctx.is_target = ctl & 1;
	ctx.phase = (ctl >> 1) % 3;
	ctx.own[RFL_KEY_HEADER_DIGEST] = "CRC32C,None";
	rfl_tb_init(&tb, ans_buf, sizeof(ans_buf));
	err = rfl_neg_respond(&ctx, kvs, n, &tb);
	ASSERT(err >= 0 && err < RFL_TEXT_E_NR);
	if (!err) {
		ASSERT(!rfl_params_check(&ctx.params));
		ASSERT(ctx.params.max_xmit_dsl >= 512 &&
		       ctx.params.max_xmit_dsl <= 16777215);
		ASSERT(!rfl_text_parse(tb.buf, tb.len, &ks, 0, akvs, MAX_KV,
				       &an) && an <= n);
	}
	return 0;
}
