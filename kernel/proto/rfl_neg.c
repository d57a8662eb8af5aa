// SPDX-License-Identifier: GPL-2.0
/*
 * Negotiation of login and text keys (RFC 7143 sections 6.2 and 13): the
 * Boolean, numerical and list result functions, answering an offer,
 * checking an answer against our offer, and the resulting parameters.
 */

#include "rfl_keys.h"

/**
 * rfl_neg_bool() - result of a Boolean key.
 * @def: a key with %RFL_NEG_AND or %RFL_NEG_OR
 * @offer: the offered value
 * @own: the responder's value
 * @result: offer AND own, or offer OR own
 *
 * Return: %RFL_TEXT_OK, or %RFL_TEXT_E_INVAL for a key of another kind.
 */
int rfl_neg_bool(const struct rfl_key *def, bool offer, bool own,
		 bool *result)
{
	if (def->neg == RFL_NEG_AND)
		*result = offer && own;
	else if (def->neg == RFL_NEG_OR)
		*result = offer || own;
	else
		return RFL_TEXT_E_INVAL;
	return RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_neg_bool);

/**
 * rfl_neg_num() - result of a numerical key.
 * @def: a key with %RFL_NEG_MIN or %RFL_NEG_MAX
 * @offer: the offered value
 * @own: the responder's value, within the key's range
 * @result: the smaller or the larger of both
 *
 * Return: %RFL_TEXT_OK, %RFL_TEXT_E_RANGE when @offer is outside the
 * key's range (to be answered with Reject), %RFL_TEXT_E_INVAL for a bad
 * @own or a key of another kind.
 */
int rfl_neg_num(const struct rfl_key *def, u64 offer, u64 own, u64 *result)
{
	if ((def->neg != RFL_NEG_MIN && def->neg != RFL_NEG_MAX) ||
	    own < def->min || own > def->max)
		return RFL_TEXT_E_INVAL;
	if (offer < def->min || offer > def->max)
		return RFL_TEXT_E_RANGE;
	if (def->neg == RFL_NEG_MIN)
		*result = offer < own ? offer : own;
	else
		*result = offer > own ? offer : own;
	return RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_neg_num);

/* Is s[0..len) an item of the comma-separated list l[0..llen)? */
static bool rfl_list_has(const char *l, u32 llen, const char *s, u32 len)
{
	u32 i = 0, j;

	while (i <= llen) {
		for (j = i; j < llen && l[j] != ','; j++)
			;
		if (j - i == len && !memcmp(l + i, s, len))
			return true;
		i = j + 1;
	}
	return false;
}

/**
 * rfl_neg_list() - result of a list key.
 * @offer: the offered comma-separated list, in the originator's order
 *         of preference
 * @offer_len: its length
 * @own: NUL-terminated comma-separated list of the values we support
 * @pos: offset of the chosen value in @offer
 * @len: its length
 *
 * The responder takes the first offered value it supports; offered values
 * it does not know are ignored (RFC 7143 section 6.2.1).
 *
 * Return: %RFL_TEXT_OK or %RFL_TEXT_E_NO_COMMON (to be answered with
 * Reject).
 */
int rfl_neg_list(const char *offer, u32 offer_len, const char *own,
		 u32 *pos, u32 *len)
{
	u32 i = 0, j, own_len = strlen(own);

	while (i < offer_len) {
		for (j = i; j < offer_len && offer[j] != ','; j++)
			;
		if (j > i && rfl_list_has(own, own_len, offer + i, j - i)) {
			*pos = i;
			*len = j - i;
			return RFL_TEXT_OK;
		}
		i = j + 1;
	}
	return RFL_TEXT_E_NO_COMMON;
}
EXPORT_SYMBOL_GPL(rfl_neg_list);

static int rfl_answer(struct rfl_text_buf *out, const struct rfl_kv *kv,
		      const char *value, u32 len)
{
	char key[RFL_KEY_NAME_MAX + 1];

	if (kv->key_len > RFL_KEY_NAME_MAX)
		return RFL_TEXT_E_KEY_LONG;
	memcpy(key, kv->key, kv->key_len);
	key[kv->key_len] = '\0';
	return rfl_tb_add_len(out, key, value, len);
}

static int rfl_answer_special(struct rfl_text_buf *out,
			      const struct rfl_kv *kv,
			      struct rfl_neg_value *res, u8 outcome)
{
	static const char * const text[] = {
		[RFL_NEG_NOT_UNDERSTOOD] = "NotUnderstood",
		[RFL_NEG_REJECTED] = "Reject",
		[RFL_NEG_IRRELEVANT] = "Irrelevant",
	};

	res->outcome = outcome;
	return rfl_answer(out, kv, text[outcome], strlen(text[outcome]));
}

static int rfl_answer_num(struct rfl_text_buf *out, const struct rfl_kv *kv,
			  u64 num)
{
	char buf[24];

	return rfl_answer(out, kv, buf, rfl_num_encode(num, buf, sizeof(buf)));
}

/**
 * rfl_neg_answer() - answer one key offered by the peer.
 * @def: the key, NULL when not understood
 * @kv: the offered pair
 * @own: our value (Yes/No, a number, or a list of supported values);
 *       NULL for the key's default
 * @discovery: the session is a discovery session
 * @out: where the answer is appended, if any
 * @res: the outcome and the negotiated value
 *
 * Unknown keys are answered NotUnderstood; malformed or out-of-range
 * offers, offers of special values, lists without a common value and the
 * obsolete marker keys are answered Reject; keys that do not apply to a
 * discovery session are answered Irrelevant. Declarative keys are checked
 * and not answered; the CHAP keys are left to the caller.
 *
 * Return: %RFL_TEXT_OK, %RFL_TEXT_E_TOO_BIG when @out is full (sticky in
 * @out), or %RFL_TEXT_E_INVAL for a bad @own.
 */
int rfl_neg_answer(const struct rfl_key *def, const struct rfl_kv *kv,
		   const char *own, bool discovery, struct rfl_text_buf *out,
		   struct rfl_neg_value *res)
{
	u64 offer_num, own_num;
	bool offer_b, own_b;
	u32 pos, len;
	int err;

	res->num = 0;
	res->str = kv->value;
	res->len = kv->value_len;
	if (!def)
		return rfl_answer_special(out, kv, res, RFL_NEG_NOT_UNDERSTOOD);
	if (def->neg == RFL_NEG_AUTH) {
		res->outcome = RFL_NEG_DEFERRED;
		return RFL_TEXT_OK;
	}
	if (kv->special != RFL_SV_PLAIN || def->neg == RFL_NEG_OBSOLETE ||
	    rfl_value_check(def, kv->value, kv->value_len))
		return rfl_answer_special(out, kv, res, RFL_NEG_REJECTED);
	if (discovery && (def->flags & RFL_KF_IRR_DISC))
		return rfl_answer_special(out, kv, res, RFL_NEG_IRRELEVANT);
	if (!own)
		own = def->dflt_str;

	switch (def->neg) {
	case RFL_NEG_DECLARE:
		res->outcome = RFL_NEG_DECLARED;
		if (def->vtype == RFL_VT_NUM)
			rfl_num_decode(kv->value, kv->value_len, &res->num);
		return RFL_TEXT_OK;
	case RFL_NEG_AND:
	case RFL_NEG_OR:
		if (!own || rfl_bool_decode(own, strlen(own), &own_b))
			return RFL_TEXT_E_INVAL;
		rfl_bool_decode(kv->value, kv->value_len, &offer_b);
		rfl_neg_bool(def, offer_b, own_b, &offer_b);
		res->outcome = RFL_NEG_AGREED;
		res->num = offer_b;
		res->str = offer_b ? "Yes" : "No";
		res->len = strlen(res->str);
		return rfl_answer(out, kv, res->str, res->len);
	case RFL_NEG_MIN:
	case RFL_NEG_MAX:
		if (!own || rfl_num_decode(own, strlen(own), &own_num))
			return RFL_TEXT_E_INVAL;
		rfl_num_decode(kv->value, kv->value_len, &offer_num);
		err = rfl_neg_num(def, offer_num, own_num, &res->num);
		if (err)
			return err;
		res->outcome = RFL_NEG_AGREED;
		res->str = NULL;
		res->len = 0;
		return rfl_answer_num(out, kv, res->num);
	case RFL_NEG_LIST:
		if (!own)
			return RFL_TEXT_E_INVAL;
		if (rfl_neg_list(kv->value, kv->value_len, own, &pos, &len))
			return rfl_answer_special(out, kv, res,
						  RFL_NEG_REJECTED);
		res->outcome = RFL_NEG_AGREED;
		res->str = kv->value + pos;
		res->len = len;
		return rfl_answer(out, kv, res->str, len);
	default:
		return RFL_TEXT_E_INVAL;
	}
}
EXPORT_SYMBOL_GPL(rfl_neg_answer);

/**
 * rfl_neg_check() - check the peer's answer to a key we offered.
 * @def: the key
 * @offered: NUL-terminated value we offered
 * @answer: the answer pair
 * @res: the outcome and the negotiated value
 *
 * An answer must follow the key's result function: at most our offer for
 * a minimum, at least for a maximum, No if we offered No to an AND, Yes if
 * we offered Yes to an OR, one of our offered values for a list.
 * NotUnderstood, Reject and Irrelevant are reported in @res->outcome; the
 * key then keeps its default.
 *
 * Return: %RFL_TEXT_OK, %RFL_TEXT_E_ANSWER for an answer the rules do not
 * allow, a value syntax or range error, or %RFL_TEXT_E_INVAL.
 */
int rfl_neg_check(const struct rfl_key *def, const char *offered,
		  const struct rfl_kv *answer, struct rfl_neg_value *res)
{
	static const u8 outcome_of[] = {
		[RFL_SV_NOT_UNDERSTOOD] = RFL_NEG_NOT_UNDERSTOOD,
		[RFL_SV_REJECT] = RFL_NEG_REJECTED,
		[RFL_SV_IRRELEVANT] = RFL_NEG_IRRELEVANT,
	};
	u32 olen = strlen(offered);
	u64 o_num, a_num;
	bool o_b, a_b;
	int err;

	res->num = 0;
	res->str = answer->value;
	res->len = answer->value_len;
	if (answer->special >= ARRAY_SIZE(outcome_of))
		return RFL_TEXT_E_INVAL;
	if (answer->special != RFL_SV_PLAIN) {
		res->outcome = outcome_of[answer->special];
		return RFL_TEXT_OK;
	}
	err = rfl_value_check(def, answer->value, answer->value_len);
	if (err)
		return err;
	res->outcome = RFL_NEG_AGREED;
	switch (def->neg) {
	case RFL_NEG_AND:
	case RFL_NEG_OR:
		if (rfl_bool_decode(offered, olen, &o_b))
			return RFL_TEXT_E_INVAL;
		rfl_bool_decode(answer->value, answer->value_len, &a_b);
		if ((def->neg == RFL_NEG_AND && !o_b && a_b) ||
		    (def->neg == RFL_NEG_OR && o_b && !a_b))
			return RFL_TEXT_E_ANSWER;
		res->num = a_b;
		return RFL_TEXT_OK;
	case RFL_NEG_MIN:
	case RFL_NEG_MAX:
		if (rfl_num_decode(offered, olen, &o_num))
			return RFL_TEXT_E_INVAL;
		rfl_num_decode(answer->value, answer->value_len, &a_num);
		if ((def->neg == RFL_NEG_MIN && a_num > o_num) ||
		    (def->neg == RFL_NEG_MAX && a_num < o_num))
			return RFL_TEXT_E_ANSWER;
		res->num = a_num;
		return RFL_TEXT_OK;
	case RFL_NEG_LIST:
		if (memchr(answer->value, ',', answer->value_len) ||
		    !rfl_list_has(offered, olen, answer->value,
				  answer->value_len))
			return RFL_TEXT_E_ANSWER;
		return RFL_TEXT_OK;
	case RFL_NEG_DECLARE:
		res->outcome = RFL_NEG_DECLARED;
		if (def->vtype == RFL_VT_NUM)
			rfl_num_decode(answer->value, answer->value_len,
				       &res->num);
		return RFL_TEXT_OK;
	case RFL_NEG_AUTH:
		res->outcome = RFL_NEG_DEFERRED;
		return RFL_TEXT_OK;
	default:
		return RFL_TEXT_E_INVAL;
	}
}
EXPORT_SYMBOL_GPL(rfl_neg_check);
