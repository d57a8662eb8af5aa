// SPDX-License-Identifier: GPL-2.0
/*
 * Value encodings of RFC 7143 section 6.1: key names, decimal and hex
 * numbers, Yes/No, binary values in 0x hex or 0b base64, and the syntax
 * check of a value against its key's type.
 */

#include "rfl_keys.h"

static const char rfl_b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static bool rfl_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool rfl_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int rfl_hex_val(char c)
{
	if (rfl_is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int rfl_b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (rfl_is_digit(c))
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* letters, digits, dot, minus, plus, commercial at, underscore */
static bool rfl_is_label_char(char c)
{
	return rfl_is_alpha(c) || rfl_is_digit(c) || c == '.' || c == '-' ||
	       c == '+' || c == '@' || c == '_';
}

/* a standard-label character, slash, brackets or colon */
static bool rfl_is_text_char(char c)
{
	return rfl_is_label_char(c) || c == '/' || c == '[' || c == ']' ||
	       c == ':';
}

static bool rfl_has_prefix(const char *s, u32 len, char c0, char c1)
{
	return len >= 2 && s[0] == c0 && (s[1] == c1 || s[1] == c1 - 32);
}

/**
 * rfl_key_name_check() - check a key name against RFC 7143 section 6.1.
 * @key: the name, not necessarily NUL-terminated
 * @len: its length
 *
 * A key name is a standard-label: 1 to 63 letters, digits, dots, minus,
 * plus, commercial at or underscores, starting with a capital letter.
 * Public extension keys may also start with "X#" (section 13.5.2), and
 * RFC 7144 defines the one key that starts in lower case,
 * iSCSIProtocolLevel.
 *
 * Return: %RFL_TEXT_OK, %RFL_TEXT_E_KEY_EMPTY, %RFL_TEXT_E_KEY_LONG or
 * %RFL_TEXT_E_KEY_CHAR.
 */
int rfl_key_name_check(const char *key, u32 len)
{
	u32 i;

	if (!len)
		return RFL_TEXT_E_KEY_EMPTY;
	if (len > RFL_KEY_NAME_MAX)
		return RFL_TEXT_E_KEY_LONG;
	if ((key[0] < 'A' || key[0] > 'Z') &&
	    !(len == 18 && !memcmp(key, "iSCSIProtocolLevel", 18)))
		return RFL_TEXT_E_KEY_CHAR;
	for (i = 1; i < len; i++) {
		if (rfl_is_label_char(key[i]))
			continue;
		if (i == 1 && key[0] == 'X' && key[1] == '#')
			continue;
		return RFL_TEXT_E_KEY_CHAR;
	}
	return RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_key_name_check);

/**
 * rfl_num_decode() - decode a numerical-value.
 * @s: a decimal-constant (no leading zero) or a hex-constant (0x or 0X)
 * @len: its length
 * @out: the number
 *
 * Return: %RFL_TEXT_OK, %RFL_TEXT_E_VALUE_SYNTAX, or %RFL_TEXT_E_RANGE when
 * the number does not fit in 64 bits.
 */
int rfl_num_decode(const char *s, u32 len, u64 *out)
{
	u64 v = 0;
	u32 i;
	int d;

	if (rfl_has_prefix(s, len, '0', 'x')) {
		if (len == 2)
			return RFL_TEXT_E_VALUE_SYNTAX;
		for (i = 2; i < len; i++) {
			d = rfl_hex_val(s[i]);
			if (d < 0)
				return RFL_TEXT_E_VALUE_SYNTAX;
			if (v >> 60)
				return RFL_TEXT_E_RANGE;
			v = v << 4 | d;
		}
		*out = v;
		return RFL_TEXT_OK;
	}
	if (!len || (len > 1 && s[0] == '0'))
		return RFL_TEXT_E_VALUE_SYNTAX;
	for (i = 0; i < len; i++) {
		if (!rfl_is_digit(s[i]))
			return RFL_TEXT_E_VALUE_SYNTAX;
		d = s[i] - '0';
		if (v > (U64_MAX - d) / 10)
			return RFL_TEXT_E_RANGE;
		v = v * 10 + d;
	}
	*out = v;
	return RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_num_decode);

/**
 * rfl_num_encode() - write a number as a decimal-constant.
 * @v: the number
 * @buf: output, NUL-terminated
 * @cap: size of @buf
 *
 * Return: characters written without the NUL, or 0 if @buf is too small.
 */
u32 rfl_num_encode(u64 v, char *buf, u32 cap)
{
	char tmp[20];
	u32 n = 0, i;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	if (n + 1 > cap)
		return 0;
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}
EXPORT_SYMBOL_GPL(rfl_num_encode);

/**
 * rfl_num_encode_hex() - write a number as a hex-constant.
 * @v: the number
 * @buf: output, NUL-terminated, e.g. "0x1f"
 * @cap: size of @buf
 *
 * Return: characters written without the NUL, or 0 if @buf is too small.
 */
u32 rfl_num_encode_hex(u64 v, char *buf, u32 cap)
{
	static const char hex[] = "0123456789abcdef";
	u32 n = 1, i;

	while (n < 16 && (v >> (4 * n)))
		n++;
	if (n + 3 > cap)
		return 0;
	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < n; i++)
		buf[2 + i] = hex[(v >> (4 * (n - 1 - i))) & 0xf];
	buf[n + 2] = '\0';
	return n + 2;
}
EXPORT_SYMBOL_GPL(rfl_num_encode_hex);

/**
 * rfl_bool_decode() - decode a boolean-value.
 * @s: "Yes" or "No"
 * @len: its length
 * @out: the value
 *
 * Return: %RFL_TEXT_OK or %RFL_TEXT_E_VALUE_SYNTAX.
 */
int rfl_bool_decode(const char *s, u32 len, bool *out)
{
	if (len == 3 && !memcmp(s, "Yes", 3)) {
		*out = true;
		return RFL_TEXT_OK;
	}
	if (len == 2 && !memcmp(s, "No", 2)) {
		*out = false;
		return RFL_TEXT_OK;
	}
	return RFL_TEXT_E_VALUE_SYNTAX;
}
EXPORT_SYMBOL_GPL(rfl_bool_decode);

static int rfl_hex_decode(const char *s, u32 len, u8 *out, u32 cap,
			  u32 *out_len)
{
	u32 n = (len + 1) / 2, i = 0, j;
	int hi, lo;

	if (!len)
		return RFL_TEXT_E_VALUE_SYNTAX;
	if (n > cap)
		return RFL_TEXT_E_VALUE_LONG;
	for (j = 0; j < n; j++) {
		/* an odd digit count puts a lone digit in the first byte */
		hi = (j == 0 && (len & 1)) ? 0 : rfl_hex_val(s[i++]);
		lo = rfl_hex_val(s[i++]);
		if (hi < 0 || lo < 0)
			return RFL_TEXT_E_VALUE_SYNTAX;
		if (out)
			out[j] = hi << 4 | lo;
	}
	*out_len = n;
	return RFL_TEXT_OK;
}

static int rfl_base64_decode(const char *s, u32 len, u8 *out, u32 cap,
			     u32 *out_len)
{
	u32 pad = 0, i, n, acc = 0, bits = 0, j = 0;
	int d;

	while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
		pad++;
	if (pad && len % 4)
		return RFL_TEXT_E_VALUE_SYNTAX;
	len -= pad;
	if (!len || len % 4 == 1)
		return RFL_TEXT_E_VALUE_SYNTAX;
	n = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
	if (n > cap)
		return RFL_TEXT_E_VALUE_LONG;
	for (i = 0; i < len; i++) {
		d = rfl_b64_val(s[i]);
		if (d < 0)
			return RFL_TEXT_E_VALUE_SYNTAX;
		acc = (acc << 6 | d) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (out)
				out[j] = acc >> bits;
			j++;
		}
	}
	*out_len = n;
	return RFL_TEXT_OK;
}

/**
 * rfl_bin_decode() - decode a binary-value.
 * @s: "0x" or "0X" and hex digits, or "0b" or "0B" and base64
 * @len: its length
 * @out: decoded bytes; may be NULL to only check and measure
 * @cap: room in @out
 * @out_len: number of decoded bytes
 *
 * A hex-constant of n digits is (n + 1) / 2 bytes, leading zeros count.
 * Base64 padding is optional. Decimal binary values are not supported.
 *
 * Return: %RFL_TEXT_OK, %RFL_TEXT_E_VALUE_SYNTAX, or %RFL_TEXT_E_VALUE_LONG
 * when the result exceeds @cap.
 */
int rfl_bin_decode(const char *s, u32 len, u8 *out, u32 cap, u32 *out_len)
{
	if (rfl_has_prefix(s, len, '0', 'x'))
		return rfl_hex_decode(s + 2, len - 2, out, cap, out_len);
	if (rfl_has_prefix(s, len, '0', 'b'))
		return rfl_base64_decode(s + 2, len - 2, out, cap, out_len);
	return RFL_TEXT_E_VALUE_SYNTAX;
}
EXPORT_SYMBOL_GPL(rfl_bin_decode);

/**
 * rfl_bin_encode() - encode bytes as a binary-value.
 * @bin: the bytes
 * @len: their count, at least 1
 * @base64: "0b" and padded base64 if true, else "0x" and lower-case hex
 * @buf: output, NUL-terminated
 * @cap: size of @buf
 *
 * Return: characters written without the NUL, or 0 if @buf is too small
 * or @len is 0.
 */
u32 rfl_bin_encode(const u8 *bin, u32 len, bool base64, char *buf, u32 cap)
{
	static const char hex[] = "0123456789abcdef";
	u32 n, i, j = 2, v;

	if (!len || len > (U32_MAX - 8) / 2)
		return 0;
	n = base64 ? 2 + (len + 2) / 3 * 4 : 2 + 2 * len;
	if (n + 1 > cap)
		return 0;
	buf[0] = '0';
	buf[1] = base64 ? 'b' : 'x';
	if (!base64) {
		for (i = 0; i < len; i++) {
			buf[j++] = hex[bin[i] >> 4];
			buf[j++] = hex[bin[i] & 0xf];
		}
	} else {
		for (i = 0; i < len; i += 3) {
			v = bin[i] << 16;
			if (i + 1 < len)
				v |= bin[i + 1] << 8;
			if (i + 2 < len)
				v |= bin[i + 2];
			buf[j++] = rfl_b64[v >> 18 & 0x3f];
			buf[j++] = rfl_b64[v >> 12 & 0x3f];
			buf[j++] = i + 1 < len ? rfl_b64[v >> 6 & 0x3f] : '=';
			buf[j++] = i + 2 < len ? rfl_b64[v & 0x3f] : '=';
		}
	}
	buf[n] = '\0';
	return n;
}
EXPORT_SYMBOL_GPL(rfl_bin_encode);

/* Is the item s[0..len) one of the comma-separated @list? */
static bool rfl_in_list(const char *list, const char *s, u32 len)
{
	const char *p = list, *comma;
	u32 n;

	while (*p) {
		comma = strchr(p, ',');
		n = comma ? (u32)(comma - p) : (u32)strlen(p);
		if (n == len && !memcmp(p, s, len))
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}

static int rfl_check_chars(const char *v, u32 len, bool comma_ok)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (!rfl_is_text_char(v[i]) && !(comma_ok && v[i] == ','))
			return RFL_TEXT_E_VALUE_SYNTAX;
	return RFL_TEXT_OK;
}

static int rfl_check_list(const char *v, u32 len)
{
	u32 i, item = 0;

	for (i = 0; i < len; i++) {
		if (v[i] == ',') {
			if (!item)
				return RFL_TEXT_E_VALUE_SYNTAX;
			item = 0;
			continue;
		}
		if (!rfl_is_text_char(v[i]))
			return RFL_TEXT_E_VALUE_SYNTAX;
		item++;
	}
	return item ? RFL_TEXT_OK : RFL_TEXT_E_VALUE_SYNTAX;
}

static int rfl_check_name(const char *v, u32 len)
{
	u32 i;

	if (len < 5 || (memcmp(v, "iqn.", 4) && memcmp(v, "eui.", 4) &&
			memcmp(v, "naa.", 4)))
		return RFL_TEXT_E_VALUE_SYNTAX;
	for (i = 0; i < len; i++) {
		if (rfl_is_alpha(v[i]) || rfl_is_digit(v[i]) || v[i] == '.' ||
		    v[i] == '-' || v[i] == ':' || (u8)v[i] >= 0x80)
			continue;
		return RFL_TEXT_E_VALUE_SYNTAX;
	}
	return RFL_TEXT_OK;
}

/**
 * rfl_value_check() - check a value against the type of its key.
 * @def: the key
 * @v: the value
 * @len: its length
 *
 * Checks the length limit, the character set of the type, the range of a
 * numerical key and the legal values of a text key with a fixed set. The
 * special values NotUnderstood, Reject and Irrelevant are not values of
 * any type: callers handle them before.
 *
 * Return: %RFL_TEXT_OK, %RFL_TEXT_E_VALUE_LONG, %RFL_TEXT_E_VALUE_SYNTAX or
 * %RFL_TEXT_E_RANGE.
 */
int rfl_value_check(const struct rfl_key *def, const char *v, u32 len)
{
	u32 bin_len;
	bool b;
	u64 num;
	int err;

	if (len > def->max_len)
		return RFL_TEXT_E_VALUE_LONG;
	switch (def->vtype) {
	case RFL_VT_TEXT:
		err = rfl_check_chars(v, len, false);
		if (!err && def->values && !rfl_in_list(def->values, v, len))
			err = RFL_TEXT_E_VALUE_SYNTAX;
		return err;
	case RFL_VT_NAME:
		return rfl_check_name(v, len);
	case RFL_VT_LOCAL:
		return memchr(v, '\0', len) ? RFL_TEXT_E_VALUE_SYNTAX : 0;
	case RFL_VT_BOOL:
		return rfl_bool_decode(v, len, &b);
	case RFL_VT_NUM:
		err = rfl_num_decode(v, len, &num);
		if (!err && (num < def->min || num > def->max))
			err = RFL_TEXT_E_RANGE;
		return err;
	case RFL_VT_LIST:
		return rfl_check_list(v, len);
	case RFL_VT_BINARY:
		return rfl_bin_decode(v, len, NULL, RFL_CHAP_BIN_MAX,
				      &bin_len);
	case RFL_VT_ADDR:
		return len ? rfl_check_chars(v, len, true) :
			     RFL_TEXT_E_VALUE_SYNTAX;
	default:
		return RFL_TEXT_OK;
	}
}
EXPORT_SYMBOL_GPL(rfl_value_check);

/**
 * rfl_target_address_decode() - decode a TargetAddress value
 * @v: "domainname[:port][,portal-group-tag]" (RFC 7143 section 13.8); an
 *     IPv6 address in brackets
 * @len: its length
 * @ta: the parts; ta->host points into @v
 *
 * Every byte must be a visible ASCII character. The port is 1 to 65535
 * (3260 when absent), the tag 0 to 65535 (-1 when absent); both are
 * numerical-values (decimal or hex).
 *
 * Return: %RFL_TEXT_OK, %RFL_TEXT_E_VALUE_SYNTAX or %RFL_TEXT_E_RANGE.
 */
int rfl_target_address_decode(const char *v, u32 len,
			      struct rfl_target_address *ta)
{
	const char *comma, *host_end, *colon;
	u64 n;
	u32 i;
	int err;

	for (i = 0; i < len; i++)
		if (v[i] <= ' ' || v[i] > '~')
			return RFL_TEXT_E_VALUE_SYNTAX;
	ta->port = 3260;
	ta->tpgt = -1;
	comma = memchr(v, ',', len);
	host_end = comma ? comma : v + len;
	if (comma) {
		err = rfl_num_decode(comma + 1, v + len - comma - 1, &n);
		if (err)
			return err;
		if (n > 65535)
			return RFL_TEXT_E_RANGE;
		ta->tpgt = (int)n;
	}
	if (len && *v == '[') {
		colon = memchr(v, ']', host_end - v);
		if (!colon)
			return RFL_TEXT_E_VALUE_SYNTAX;
		colon++;
		if (colon != host_end && *colon != ':')
			return RFL_TEXT_E_VALUE_SYNTAX;
	} else {
		colon = memchr(v, ':', host_end - v);
		if (!colon)
			colon = host_end;
	}
	ta->host = v;
	ta->host_len = colon - v;
	if (!ta->host_len)
		return RFL_TEXT_E_VALUE_SYNTAX;
	if (colon != host_end) {
		err = rfl_num_decode(colon + 1, host_end - colon - 1, &n);
		if (err)
			return err;
		if (!n || n > 65535)
			return RFL_TEXT_E_RANGE;
		ta->port = (u16)n;
	}
	return RFL_TEXT_OK;
}
EXPORT_SYMBOL_GPL(rfl_target_address_decode);
