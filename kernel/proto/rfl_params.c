// SPDX-License-Identifier: GPL-2.0
/*
 * Session and connection parameters that negotiation produces, and the
 * responder's pass over a whole received text segment.
 */

#include "rfl_keys.h"

/**
 * rfl_params_init() - the RFC 7143 defaults of every parameter.
 * @p: the parameters
 */
void rfl_params_init(struct rfl_params *p)
{
	memset(p, 0, sizeof(*p));
	p->max_recv_dsl = ISCSI_DEF_MAX_RECV_SEG_LEN;
	p->max_xmit_dsl = ISCSI_DEF_MAX_RECV_SEG_LEN;
	p->max_burst = ISCSI_DEF_MAX_BURST_LEN;
	p->first_burst = ISCSI_DEF_FIRST_BURST_LEN;
	p->max_connections = 1;
	p->max_r2t = 1;
	p->time2wait = ISCSI_DEF_TIME2WAIT;
	p->time2retain = 20;
	p->initial_r2t = true;
	p->immediate_data = true;
	p->data_pdu_in_order = true;
	p->data_seq_in_order = true;
}
EXPORT_SYMBOL_GPL(rfl_params_init);

static bool rfl_str_is(const struct rfl_neg_value *v, const char *s)
{
	return v->str && v->len == strlen(s) && !memcmp(v->str, s, v->len);
}

/**
 * rfl_params_set() - record a negotiated or declared value.
 * @p: the parameters
 * @def: the key
 * @v: its value, from rfl_neg_answer() or rfl_neg_check()
 * @declared_by_peer: for MaxRecvDataSegmentLength: the peer declared it
 *                    (it limits what we send), else we did
 *
 * Keys without a field in struct rfl_params are ignored.
 *
 * Return: %RFL_TEXT_OK, or %RFL_TEXT_E_RANGE for a number outside the
 * key's range.
 */
int rfl_params_set(struct rfl_params *p, const struct rfl_key *def,
		   const struct rfl_neg_value *v, bool declared_by_peer)
{
	u64 n = v->num;

	if (def->vtype == RFL_VT_NUM && (n < def->min || n > def->max))
		return RFL_TEXT_E_RANGE;
	switch (def->id) {
	case RFL_KEY_HEADER_DIGEST:
		p->header_digest = rfl_str_is(v, "CRC32C");
		break;
	case RFL_KEY_DATA_DIGEST:
		p->data_digest = rfl_str_is(v, "CRC32C");
		break;
	case RFL_KEY_MAX_CONNECTIONS:
		p->max_connections = n;
		break;
	case RFL_KEY_INITIAL_R2T:
		p->initial_r2t = n;
		break;
	case RFL_KEY_IMMEDIATE_DATA:
		p->immediate_data = n;
		break;
	case RFL_KEY_MAX_RECV_DSL:
		if (declared_by_peer)
			p->max_xmit_dsl = n;
		else
			p->max_recv_dsl = n;
		break;
	case RFL_KEY_MAX_BURST_LENGTH:
		p->max_burst = n;
		break;
	case RFL_KEY_FIRST_BURST_LENGTH:
		p->first_burst = n;
		break;
	case RFL_KEY_DEFAULT_TIME2WAIT:
		p->time2wait = n;
		break;
	case RFL_KEY_DEFAULT_TIME2RETAIN:
		p->time2retain = n;
		break;
	case RFL_KEY_MAX_OUTSTANDING_R2T:
		p->max_r2t = n;
		break;
	case RFL_KEY_DATA_PDU_IN_ORDER:
		p->data_pdu_in_order = n;
		break;
	case RFL_KEY_DATA_SEQUENCE_IN_ORDER:
		p->data_seq_in_order = n;
		break;
	case RFL_KEY_ERROR_RECOVERY_LEVEL:
		p->erl = n;
		break;
	case RFL_KEY_PROTOCOL_LEVEL:
		p->protocol_level = n;
		break;
	case RFL_KEY_SESSION_TYPE:
		p->discovery = rfl_str_is(v, "Discovery");
		break;
	}
	return RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_params_set);

/**
 * rfl_params_check() - consistency of negotiated parameters.
 * @p: the parameters
 *
 * Return: %RFL_TEXT_OK, or %RFL_TEXT_E_RANGE when FirstBurstLength
 * exceeds MaxBurstLength (RFC 7143 section 13.14).
 */
int rfl_params_check(const struct rfl_params *p)
{
	if (!p->discovery && p->first_burst > p->max_burst)
		return RFL_TEXT_E_RANGE;
	return RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_params_check);

static const char *rfl_own_value(const struct rfl_neg_ctx *ctx,
				 const struct rfl_key *def)
{
	const struct rfl_keyset *ks = ctx->ks;

	if (def->id < RFL_KEY_NR)
		return ctx->own[def->id];
	if (ks && ctx->vendor_own && def >= ks->vendor &&
	    def < ks->vendor + ks->nvendor)
		return ctx->vendor_own[def - ks->vendor];
	return NULL;
}

/**
 * rfl_neg_respond() - answer every key of a received text segment.
 * @ctx: our values, our side, the stage, and the parameters to update
 * @kvs: the pairs, from rfl_text_parse() with @ctx->ks
 * @n: their number
 * @out: where the answers are appended
 *
 * Rejects keys the peer may not send in this stage, then answers each
 * pair with rfl_neg_answer() and records agreed and declared values in
 * @ctx->params. SessionType is looked at first, so that keys that do not
 * apply to a discovery session are answered Irrelevant wherever they
 * stand. CHAP keys are not answered: the caller's authentication code
 * reads them from @kvs.
 *
 * Return: %RFL_TEXT_OK or the first error; a key from the wrong side or
 * stage, or parameters inconsistent after the exchange, are protocol
 * errors that should fail the login.
 */
int rfl_neg_respond(struct rfl_neg_ctx *ctx, const struct rfl_kv *kvs,
		    unsigned int n, struct rfl_text_buf *out)
{
	const struct rfl_kv *st;
	struct rfl_neg_value res;
	unsigned int i;
	int err;

	st = rfl_text_find(kvs, n, "SessionType");
	if (st && st->value_len == 9 && !memcmp(st->value, "Discovery", 9))
		ctx->params.discovery = true;
	for (i = 0; i < n; i++) {
		const struct rfl_key *def = kvs[i].def;

		if (def) {
			err = rfl_key_check_use(def, !ctx->is_target,
						ctx->phase);
			if (err)
				return err;
		}
		err = rfl_neg_answer(def, &kvs[i],
				     def ? rfl_own_value(ctx, def) : NULL,
				     ctx->params.discovery, out, &res);
		if (err)
			return err;
		if (res.outcome == RFL_NEG_AGREED ||
		    res.outcome == RFL_NEG_DECLARED) {
			err = rfl_params_set(&ctx->params, def, &res, true);
			if (err)
				return err;
		}
	}
	return rfl_params_check(&ctx->params);
}
EXPORT_SYMBOL_GPL(rfl_neg_respond);
