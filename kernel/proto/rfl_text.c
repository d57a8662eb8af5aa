// SPDX-License-Identifier: GPL-2.0
/*
 * Text segments of Login and Text PDUs: assembly across the C bit,
 * parsing into key=value pairs, and a bounded builder.
 */

#include "rfl_keys.h"

static const char * const rfl_text_errstr[RFL_TEXT_E_NR] = {
	[RFL_TEXT_OK] = "ok",
	[RFL_TEXT_E_NO_NUL] = "text does not end with a NUL",
	[RFL_TEXT_E_NO_EQUALS] = "key=value pair without '='",
	[RFL_TEXT_E_KEY_EMPTY] = "empty key name",
	[RFL_TEXT_E_KEY_LONG] = "key name longer than 63 bytes",
	[RFL_TEXT_E_KEY_CHAR] = "key name is not a standard-label",
	[RFL_TEXT_E_VALUE_LONG] = "value too long",
	[RFL_TEXT_E_VALUE_SYNTAX] = "value has the wrong syntax",
	[RFL_TEXT_E_RANGE] = "number out of range",
	[RFL_TEXT_E_DUPLICATE] = "key sent twice",
	[RFL_TEXT_E_TOO_MANY] = "too many keys",
	[RFL_TEXT_E_TOO_BIG] = "text too long",
	[RFL_TEXT_E_STATE] = "text after the final PDU",
	[RFL_TEXT_E_SENDER] = "key not allowed from this side",
	[RFL_TEXT_E_PHASE] = "key not allowed in this stage",
	[RFL_TEXT_E_ANSWER] = "answer not admissible for the offer",
	[RFL_TEXT_E_NO_COMMON] = "no common value in the list",
	[RFL_TEXT_E_INVAL] = "invalid argument",
};

/**
 * rfl_text_strerror() - short static text for a text or negotiation error.
 * @err: an enum rfl_text_err value
 *
 * Return: a constant string for a log line, never NULL.
 */
const char *rfl_text_strerror(int err)
{
	if (err < 0 || err >= RFL_TEXT_E_NR)
		return "unknown text error";
	return rfl_text_errstr[err];
}
EXPORT_SYMBOL_GPL(rfl_text_strerror);

/**
 * rfl_text_iter_init() - start walking a complete text segment.
 * @it: the iterator
 * @text: the logical text data segment (all PDUs of a C-bit sequence)
 * @len: its length without padding
 * @ks: registered vendor keys, or NULL
 */
void rfl_text_iter_init(struct rfl_text_iter *it, const char *text, u32 len,
			const struct rfl_keyset *ks)
{
	it->base = text;
	it->p = text;
	it->end = text + len;
	it->ks = ks;
	it->off = 0;
	it->err = RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_text_iter_init);

static u8 rfl_special_of(const char *v, u32 len)
{
	if (len == 13 && !memcmp(v, "NotUnderstood", 13))
		return RFL_SV_NOT_UNDERSTOOD;
	if (len == 6 && !memcmp(v, "Reject", 6))
		return RFL_SV_REJECT;
	if (len == 10 && !memcmp(v, "Irrelevant", 10))
		return RFL_SV_IRRELEVANT;
	return RFL_SV_PLAIN;
}

/**
 * rfl_text_next() - the next key=value pair of a text segment.
 * @it: the iterator
 * @kv: the pair; key and value point into the text
 *
 * Checks that the pair ends with a NUL, has a key name of RFC 7143
 * syntax, and that its value is within its key's length limit (255 bytes
 * for keys that are not understood). Values are otherwise not checked
 * here: see rfl_value_check(). Duplicates are not detected either: see
 * rfl_text_parse().
 *
 * Return: true with @kv filled, false at the end of the text or on an
 * error; then @it->err is %RFL_TEXT_OK or the error, and @it->off the
 * offset of the offending pair.
 */
bool rfl_text_next(struct rfl_text_iter *it, struct rfl_kv *kv)
{
	const char *start = it->p, *nul, *eq;
	const struct rfl_key *def;
	u32 klen, vlen, max;
	int err;

	if (it->err || start >= it->end)
		return false;
	it->off = start - it->base;
	nul = memchr(start, '\0', it->end - start);
	if (!nul) {
		it->err = RFL_TEXT_E_NO_NUL;
		return false;
	}
	eq = memchr(start, '=', nul - start);
	if (!eq) {
		it->err = RFL_TEXT_E_NO_EQUALS;
		return false;
	}
	klen = eq - start;
	vlen = nul - eq - 1;
	err = rfl_key_name_check(start, klen);
	if (err) {
		it->err = err;
		return false;
	}
	def = rfl_key_find(it->ks, start, klen);
	max = def ? def->max_len : RFL_VALUE_MAX;
	if (vlen > max) {
		it->err = RFL_TEXT_E_VALUE_LONG;
		return false;
	}
	kv->key = start;
	kv->key_len = klen;
	kv->value = eq + 1;
	kv->value_len = vlen;
	kv->special = rfl_special_of(eq + 1, vlen);
	kv->def = def;
	it->p = nul + 1;
	return true;
}
EXPORT_SYMBOL_GPL(rfl_text_next);

/**
 * rfl_text_parse() - split a text segment into pairs.
 * @text: the logical text data segment
 * @len: its length
 * @ks: registered vendor keys, or NULL
 * @flags: %RFL_TEXT_REPEAT_OK to accept a key more than once (the
 *         TargetName and TargetAddress lists of a SendTargets response)
 * @kvs: array for the pairs
 * @max: its size
 * @n: number of pairs stored
 *
 * Like rfl_text_next() for every pair; a key sent twice is a protocol
 * error (RFC 7143 section 6.2).
 *
 * Return: %RFL_TEXT_OK or the first error (enum rfl_text_err).
 */
int rfl_text_parse(const char *text, u32 len, const struct rfl_keyset *ks,
		   unsigned int flags, struct rfl_kv *kvs, unsigned int max,
		   unsigned int *n)
{
	struct rfl_text_iter it;
	struct rfl_kv kv;
	unsigned int i;

	*n = 0;
	rfl_text_iter_init(&it, text, len, ks);
	while (rfl_text_next(&it, &kv)) {
		if (!(flags & RFL_TEXT_REPEAT_OK)) {
			for (i = 0; i < *n; i++)
				if (kvs[i].key_len == kv.key_len &&
				    !memcmp(kvs[i].key, kv.key, kv.key_len))
					return RFL_TEXT_E_DUPLICATE;
		}
		if (*n >= max)
			return RFL_TEXT_E_TOO_MANY;
		kvs[(*n)++] = kv;
	}
	return it.err;
}
EXPORT_SYMBOL_GPL(rfl_text_parse);

/**
 * rfl_text_find() - look a key up among parsed pairs.
 * @kvs: the pairs
 * @n: their number
 * @key: NUL-terminated key name
 *
 * Return: the first pair with that key, or NULL.
 */
const struct rfl_kv *rfl_text_find(const struct rfl_kv *kvs, unsigned int n,
				   const char *key)
{
	size_t len = strlen(key);
	unsigned int i;

	for (i = 0; i < n; i++)
		if (kvs[i].key_len == len && !memcmp(kvs[i].key, key, len))
			return &kvs[i];
	return NULL;
}
EXPORT_SYMBOL_GPL(rfl_text_find);

/**
 * rfl_text_acc_init() - start assembling a text segment.
 * @acc: the accumulator
 * @buf: storage, at least %RFL_TEXT_MIN_LTDS bytes to be RFC compliant
 * @cap: its size
 */
void rfl_text_acc_init(struct rfl_text_acc *acc, char *buf, u32 cap)
{
	acc->buf = buf;
	acc->cap = cap;
	acc->len = 0;
	acc->done = false;
}
EXPORT_SYMBOL_GPL(rfl_text_acc_init);

/**
 * rfl_text_acc_add() - append the data segment of one PDU.
 * @acc: the accumulator
 * @data: the data segment, without padding
 * @len: DataSegmentLength
 * @more: the PDU had the C bit set: more text follows
 *
 * A pair may be split anywhere between PDUs. When the PDU without the C
 * bit arrives, the whole text must end with a NUL; @acc->buf and
 * @acc->len then hold it for rfl_text_parse().
 *
 * Return: %RFL_TEXT_OK, %RFL_TEXT_E_TOO_BIG, %RFL_TEXT_E_STATE after the
 * final PDU, or %RFL_TEXT_E_NO_NUL.
 */
int rfl_text_acc_add(struct rfl_text_acc *acc, const void *data, u32 len,
		     bool more)
{
	if (acc->done)
		return RFL_TEXT_E_STATE;
	if (len > acc->cap - acc->len)
		return RFL_TEXT_E_TOO_BIG;
	if (len) {
		memcpy(acc->buf + acc->len, data, len);
		acc->len += len;
	}
	if (more)
		return RFL_TEXT_OK;
	acc->done = true;
	if (acc->len && acc->buf[acc->len - 1] != '\0')
		return RFL_TEXT_E_NO_NUL;
	return RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_text_acc_add);

/**
 * rfl_tb_init() - start building a text segment.
 * @tb: the builder
 * @buf: storage
 * @cap: its size
 */
void rfl_tb_init(struct rfl_text_buf *tb, char *buf, u32 cap)
{
	tb->buf = buf;
	tb->cap = cap;
	tb->len = 0;
	tb->err = RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_tb_init);

/* Check @key and room for "key=" plus @vlen bytes and a NUL; write "key=". */
static int rfl_tb_start(struct rfl_text_buf *tb, const char *key, u32 vlen,
			bool special)
{
	u32 klen = strlen(key);
	const struct rfl_key *def;
	int err;

	if (tb->err)
		return tb->err;
	err = rfl_key_name_check(key, klen);
	if (err)
		return tb->err = err;
	def = rfl_key_find(NULL, key, klen);
	if (!special && vlen > (def ? def->max_len : RFL_VALUE_MAX))
		return tb->err = RFL_TEXT_E_VALUE_LONG;
	if ((u64)klen + vlen + 2 > tb->cap - tb->len)
		return tb->err = RFL_TEXT_E_TOO_BIG;
	memcpy(tb->buf + tb->len, key, klen);
	tb->buf[tb->len + klen] = '=';
	return RFL_TEXT_OK;
}

/**
 * rfl_tb_add_len() - append key=value with a counted value.
 * @tb: the builder
 * @key: NUL-terminated key name
 * @value: the value, without NUL bytes
 * @value_len: its length
 *
 * Checks the key name, the value length limit of the key (255 bytes for
 * keys not in the standard table) and the room left. On failure nothing
 * is appended and the error sticks: later calls fail too.
 *
 * Return: %RFL_TEXT_OK or the (sticky) error.
 */
int rfl_tb_add_len(struct rfl_text_buf *tb, const char *key,
		   const char *value, u32 value_len)
{
	u32 klen = strlen(key);
	bool special = rfl_special_of(value, value_len) != RFL_SV_PLAIN;
	int err;

	if (!tb->err && memchr(value, '\0', value_len))
		return tb->err = RFL_TEXT_E_VALUE_SYNTAX;
	err = rfl_tb_start(tb, key, value_len, special);
	if (err)
		return err;
	memcpy(tb->buf + tb->len + klen + 1, value, value_len);
	tb->len += klen + 1 + value_len;
	tb->buf[tb->len++] = '\0';
	return RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_tb_add_len);

/**
 * rfl_tb_add() - append key=value.
 * @tb: the builder
 * @key: NUL-terminated key name
 * @value: NUL-terminated value
 *
 * Return: as rfl_tb_add_len().
 */
int rfl_tb_add(struct rfl_text_buf *tb, const char *key, const char *value)
{
	return rfl_tb_add_len(tb, key, value, strlen(value));
}
EXPORT_SYMBOL_GPL(rfl_tb_add);

/**
 * rfl_tb_add_num() - append key=number, in decimal.
 * @tb: the builder
 * @key: NUL-terminated key name
 * @value: the number
 *
 * Return: as rfl_tb_add_len().
 */
int rfl_tb_add_num(struct rfl_text_buf *tb, const char *key, u64 value)
{
	char num[24];
	u32 n = rfl_num_encode(value, num, sizeof(num));

	return rfl_tb_add_len(tb, key, num, n);
}
EXPORT_SYMBOL_GPL(rfl_tb_add_num);

/**
 * rfl_tb_add_bin() - append key=binary value, e.g. CHAP_C or CHAP_R.
 * @tb: the builder
 * @key: NUL-terminated key name
 * @bin: the bytes
 * @len: their count, 1 to %RFL_CHAP_BIN_MAX
 * @base64: encode as 0b base64 instead of 0x hex
 *
 * Return: as rfl_tb_add_len(); %RFL_TEXT_E_VALUE_LONG for a @len out of
 * bounds.
 */
int rfl_tb_add_bin(struct rfl_text_buf *tb, const char *key, const u8 *bin,
		   u32 len, bool base64)
{
	u32 klen = strlen(key), vlen, n;
	int err;

	if (tb->err)
		return tb->err;
	if (!len || len > RFL_CHAP_BIN_MAX)
		return tb->err = RFL_TEXT_E_VALUE_LONG;
	vlen = base64 ? 2 + (len + 2) / 3 * 4 : 2 + 2 * len;
	err = rfl_tb_start(tb, key, vlen, false);
	if (err)
		return err;
	n = rfl_bin_encode(bin, len, base64, tb->buf + tb->len + klen + 1,
			   tb->cap - tb->len - klen - 1);
	tb->len += klen + 1 + n + 1;
	return RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_tb_add_bin);
