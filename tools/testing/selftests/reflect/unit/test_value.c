// SPDX-License-Identifier: GPL-2.0
/*
 * Value encodings: numbers (decimal, hex, 64-bit bounds), Yes/No, binary
 * values in hex and base64, and the per-type checks of rfl_value_check().
 */

#include "unit.h"

#define S(s) s, sizeof(s) - 1

static int num(const char *s, u64 *v)
{
	return rfl_num_decode(s, strlen(s), v);
}

static void t_numbers(void)
{
	u64 v = 0;

	CHECK_EQ(num("0", &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(num("8192", &v), 0);
	CHECK_EQ(v, 8192);
	CHECK_EQ(num("18446744073709551615", &v), 0);
	CHECK_EQ(v, U64_MAX);
	CHECK_EQ(num("18446744073709551616", &v), RFL_TEXT_E_RANGE);
	CHECK_EQ(num("99999999999999999999", &v), RFL_TEXT_E_RANGE);
	CHECK_EQ(num("0x1F", &v), 0);
	CHECK_EQ(v, 31);
	CHECK_EQ(num("0X1f", &v), 0);
	CHECK_EQ(v, 31);
	CHECK_EQ(num("0xffffffffffffffff", &v), 0);
	CHECK_EQ(v, U64_MAX);
	CHECK_EQ(num("0x0000000000000000001", &v), 0);
	CHECK_EQ(v, 1);
	CHECK_EQ(num("0x10000000000000000", &v), RFL_TEXT_E_RANGE);
	CHECK_EQ(num("", &v), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(num("00", &v), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(num("012", &v), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(num("-1", &v), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(num("+1", &v), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(num("1 ", &v), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(num("0x", &v), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(num("0xg", &v), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(num("0b1", &v), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(num("1e3", &v), RFL_TEXT_E_VALUE_SYNTAX);
}

static void t_number_encode(void)
{
	char buf[24];
	u64 v;

	CHECK_EQ(rfl_num_encode(0, buf, sizeof(buf)), 1);
	CHECK(!strcmp(buf, "0"));
	CHECK_EQ(rfl_num_encode(U64_MAX, buf, sizeof(buf)), 20);
	CHECK(!strcmp(buf, "18446744073709551615"));
	CHECK_EQ(rfl_num_encode(12345, buf, 6), 5);
	CHECK_EQ(rfl_num_encode(12345, buf, 5), 0);
	CHECK_EQ(rfl_num_encode_hex(0, buf, sizeof(buf)), 3);
	CHECK(!strcmp(buf, "0x0"));
	CHECK_EQ(rfl_num_encode_hex(0xabc, buf, sizeof(buf)), 5);
	CHECK(!strcmp(buf, "0xabc"));
	CHECK_EQ(rfl_num_encode_hex(U64_MAX, buf, sizeof(buf)), 18);
	CHECK_EQ(rfl_num_encode_hex(U64_MAX, buf, 18), 0);
	for (v = 1; v && v < U64_MAX / 3; v = v * 3 + 1) {
		u64 back;

		rfl_num_encode(v, buf, sizeof(buf));
		CHECK(!rfl_num_decode(buf, strlen(buf), &back) && back == v);
		rfl_num_encode_hex(v, buf, sizeof(buf));
		CHECK(!rfl_num_decode(buf, strlen(buf), &back) && back == v);
	}
}

static void t_booleans(void)
{
	bool b = false;

	CHECK_EQ(rfl_bool_decode(S("Yes"), &b), 0);
	CHECK(b);
	CHECK_EQ(rfl_bool_decode(S("No"), &b), 0);
	CHECK(!b);
	CHECK_EQ(rfl_bool_decode(S("yes"), &b), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bool_decode(S("Yes "), &b), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bool_decode(S("N"), &b), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bool_decode(S(""), &b), RFL_TEXT_E_VALUE_SYNTAX);
}

static void t_binary_decode(void)
{
	u8 out[8];
	u32 n = 0;

	CHECK_EQ(rfl_bin_decode(S("0x0"), out, 8, &n), 0);
	CHECK(n == 1 && out[0] == 0);
	CHECK_EQ(rfl_bin_decode(S("0xabc"), out, 8, &n), 0);
	CHECK(n == 2 && out[0] == 0x0a && out[1] == 0xbc);
	CHECK_EQ(rfl_bin_decode(S("0X00FF"), out, 8, &n), 0);
	CHECK(n == 2 && out[0] == 0 && out[1] == 0xff);
	CHECK_EQ(rfl_bin_decode(S("0bAQID"), out, 8, &n), 0);
	CHECK(n == 3 && out[0] == 1 && out[1] == 2 && out[2] == 3);
	CHECK_EQ(rfl_bin_decode(S("0BAQ=="), out, 8, &n), 0);
	CHECK(n == 1 && out[0] == 1);
	CHECK_EQ(rfl_bin_decode(S("0bAQI="), out, 8, &n), 0);
	CHECK(n == 2 && out[1] == 2);
	CHECK_EQ(rfl_bin_decode(S("0bAQ"), out, 8, &n), 0);	/* unpadded */
	CHECK(n == 1 && out[0] == 1);
	CHECK_EQ(rfl_bin_decode(S("0b/+/+"), out, 8, &n), 0);
	CHECK(n == 3 && out[0] == 0xff && out[1] == 0xef && out[2] == 0xfe);
	CHECK_EQ(rfl_bin_decode(S("0x"), out, 8, &n), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bin_decode(S("0b"), out, 8, &n), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bin_decode(S("0xg1"), out, 8, &n),
		 RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bin_decode(S("0bA"), out, 8, &n),
		 RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bin_decode(S("0bAQ="), out, 8, &n),
		 RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bin_decode(S("0b===="), out, 8, &n),
		 RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bin_decode(S("0bA=QI"), out, 8, &n),
		 RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bin_decode(S("0bAQ.D"), out, 8, &n),
		 RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bin_decode(S("123"), out, 8, &n),
		 RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bin_decode(S(""), out, 8, &n), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(rfl_bin_decode(S("0x112233445566778899"), out, 8, &n),
		 RFL_TEXT_E_VALUE_LONG);
	CHECK_EQ(rfl_bin_decode(S("0x1122334455667788"), out, 8, &n), 0);
	CHECK_EQ(rfl_bin_decode(S("0bAAAAAAAAAAAA"), out, 8, &n),
		 RFL_TEXT_E_VALUE_LONG);
	/* NULL output: measure only */
	CHECK_EQ(rfl_bin_decode(S("0xabcdef"), NULL, 8, &n), 0);
	CHECK_EQ(n, 3);
}

static void t_binary_roundtrip(void)
{
	static u8 in[RFL_CHAP_BIN_MAX], out[RFL_CHAP_BIN_MAX];
	static char enc[RFL_CHAP_VALUE_MAX + 1];
	u32 len, n, e, i;
	int b64;

	for (i = 0; i < sizeof(in); i++)
		in[i] = i * 7 + (i >> 3);
	for (b64 = 0; b64 < 2; b64++) {
		for (len = 1; len <= RFL_CHAP_BIN_MAX;
		     len += len < 40 ? 1 : 97) {
			e = rfl_bin_encode(in, len, b64, enc, sizeof(enc));
			CHECK(e > 2 && e == strlen(enc));
			n = 0;
			CHECK_EQ(rfl_bin_decode(enc, e, out, sizeof(out), &n),
				 0);
			CHECK(n == len && !memcmp(in, out, len));
		}
	}
	/* 1024 bytes in hex is exactly the CHAP limit */
	e = rfl_bin_encode(in, RFL_CHAP_BIN_MAX, false, enc, sizeof(enc));
	CHECK_EQ(e, RFL_CHAP_VALUE_MAX);
	CHECK_EQ(rfl_bin_encode(in, 3, false, enc, 8), 0);
	CHECK_EQ(rfl_bin_encode(in, 3, false, enc, 9), 8);
	CHECK_EQ(rfl_bin_encode(in, 3, true, enc, 6), 0);
	CHECK_EQ(rfl_bin_encode(in, 3, true, enc, 7), 6);
	CHECK_EQ(rfl_bin_encode(in, 0, true, enc, sizeof(enc)), 0);
}

static int vc(unsigned int id, const char *v)
{
	return rfl_value_check(rfl_key_get(id), v, strlen(v));
}

static void t_value_types(void)
{
	static char big[RFL_CHAP_VALUE_MAX + 8];

	/* text with a fixed set */
	CHECK_EQ(vc(RFL_KEY_SESSION_TYPE, "Discovery"), 0);
	CHECK_EQ(vc(RFL_KEY_SESSION_TYPE, "Normal"), 0);
	CHECK_EQ(vc(RFL_KEY_SESSION_TYPE, "Norma"), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(vc(RFL_KEY_SESSION_TYPE, "Normal,Discovery"),
		 RFL_TEXT_E_VALUE_SYNTAX);
	/* iSCSI names */
	CHECK_EQ(vc(RFL_KEY_TARGET_NAME, "iqn.2026-11.org.reflect:disk.a"), 0);
	CHECK_EQ(vc(RFL_KEY_TARGET_NAME, "eui.02004567A425678D"), 0);
	CHECK_EQ(vc(RFL_KEY_TARGET_NAME, "naa.52004567BA64678D"), 0);
	CHECK_EQ(vc(RFL_KEY_TARGET_NAME, "iqn."), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(vc(RFL_KEY_TARGET_NAME, "disk1"), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(vc(RFL_KEY_INITIATOR_NAME, "iqn.a b"),
		 RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(vc(RFL_KEY_INITIATOR_NAME, "iqn.a_b"),
		 RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(vc(RFL_KEY_INITIATOR_NAME, "iqn.\xc3\xa9t\xc3\xa9"), 0);
	/* local names take any UTF-8 */
	CHECK_EQ(vc(RFL_KEY_TARGET_ALIAS, "Disk A (\xe2\x82\xac 5)"), 0);
	CHECK_EQ(vc(RFL_KEY_TARGET_ALIAS, ""), 0);
	/* Booleans */
	CHECK_EQ(vc(RFL_KEY_IMMEDIATE_DATA, "Yes"), 0);
	CHECK_EQ(vc(RFL_KEY_IMMEDIATE_DATA, "True"), RFL_TEXT_E_VALUE_SYNTAX);
	/* numbers and their range */
	CHECK_EQ(vc(RFL_KEY_MAX_BURST_LENGTH, "511"), RFL_TEXT_E_RANGE);
	CHECK_EQ(vc(RFL_KEY_MAX_BURST_LENGTH, "512"), 0);
	CHECK_EQ(vc(RFL_KEY_MAX_BURST_LENGTH, "16777215"), 0);
	CHECK_EQ(vc(RFL_KEY_MAX_BURST_LENGTH, "0xffffff"), 0);
	CHECK_EQ(vc(RFL_KEY_MAX_BURST_LENGTH, "16777216"), RFL_TEXT_E_RANGE);
	CHECK_EQ(vc(RFL_KEY_ERROR_RECOVERY_LEVEL, "2"), 0);
	CHECK_EQ(vc(RFL_KEY_ERROR_RECOVERY_LEVEL, "3"), RFL_TEXT_E_RANGE);
	CHECK_EQ(vc(RFL_KEY_DEFAULT_TIME2WAIT, "3600"), 0);
	CHECK_EQ(vc(RFL_KEY_DEFAULT_TIME2WAIT, "3601"), RFL_TEXT_E_RANGE);
	CHECK_EQ(vc(RFL_KEY_MAX_CONNECTIONS, "0"), RFL_TEXT_E_RANGE);
	CHECK_EQ(vc(RFL_KEY_MAX_CONNECTIONS, "65536"), RFL_TEXT_E_RANGE);
	CHECK_EQ(vc(RFL_KEY_TARGET_PORTAL_GROUP_TAG, "0"), 0);
	CHECK_EQ(vc(RFL_KEY_TARGET_PORTAL_GROUP_TAG, "65536"),
		 RFL_TEXT_E_RANGE);
	CHECK_EQ(vc(RFL_KEY_CHAP_I, "255"), 0);
	CHECK_EQ(vc(RFL_KEY_CHAP_I, "256"), RFL_TEXT_E_RANGE);
	CHECK_EQ(vc(RFL_KEY_PROTOCOL_LEVEL, "32"), RFL_TEXT_E_RANGE);
	/* lists */
	CHECK_EQ(vc(RFL_KEY_HEADER_DIGEST, "CRC32C,None"), 0);
	CHECK_EQ(vc(RFL_KEY_HEADER_DIGEST, "None"), 0);
	CHECK_EQ(vc(RFL_KEY_HEADER_DIGEST, "CRC32C,,None"),
		 RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(vc(RFL_KEY_HEADER_DIGEST, ",None"), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(vc(RFL_KEY_HEADER_DIGEST, "None,"), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(vc(RFL_KEY_HEADER_DIGEST, ""), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(vc(RFL_KEY_AUTH_METHOD, "CHAP None"),
		 RFL_TEXT_E_VALUE_SYNTAX);
	/* addresses */
	CHECK_EQ(vc(RFL_KEY_TARGET_ADDRESS, "10.0.0.1:3260,1"), 0);
	CHECK_EQ(vc(RFL_KEY_TARGET_ADDRESS, "[fe80::1]:3260,1"), 0);
	CHECK_EQ(vc(RFL_KEY_TARGET_ADDRESS, "host.example.com"), 0);
	CHECK_EQ(vc(RFL_KEY_TARGET_ADDRESS, ""), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(vc(RFL_KEY_TARGET_ADDRESS, "a b"), RFL_TEXT_E_VALUE_SYNTAX);
	/* CHAP binary values: 1024 bytes at most */
	memset(big, 'a', sizeof(big));
	memcpy(big, "0x", 2);
	CHECK_EQ(rfl_value_check(rfl_key_get(RFL_KEY_CHAP_C), big,
				 RFL_CHAP_VALUE_MAX), 0);
	CHECK_EQ(rfl_value_check(rfl_key_get(RFL_KEY_CHAP_C), big,
				 RFL_CHAP_VALUE_MAX + 1),
		 RFL_TEXT_E_VALUE_LONG);
	CHECK_EQ(vc(RFL_KEY_CHAP_R, "0bAQID"), 0);
	CHECK_EQ(vc(RFL_KEY_CHAP_R, "1234"), RFL_TEXT_E_VALUE_SYNTAX);
	/* obsolete keys: anything */
	CHECK_EQ(vc(RFL_KEY_OF_MARK_INT, "1~65535"), 0);
}

static int ta(const char *v, struct rfl_target_address *t)
{
	return rfl_target_address_decode(v, strlen(v), t);
}

static void t_target_address(void)
{
	struct rfl_target_address t;

	CHECK_EQ(ta("10.0.0.1:3261,2", &t), 0);
	CHECK_EQ(t.host_len, 8);
	CHECK_MEM(t.host, t.host_len, "10.0.0.1");
	CHECK_EQ(t.port, 3261);
	CHECK_EQ(t.tpgt, 2);
	CHECK_EQ(ta("disk.example.com", &t), 0);
	CHECK_EQ(t.host_len, 16);
	CHECK_EQ(t.port, 3260);
	CHECK_EQ(t.tpgt, -1);
	CHECK_EQ(ta("[fd00::1]:0xCBD,0", &t), 0);
	CHECK_MEM(t.host, t.host_len, "[fd00::1]");
	CHECK_EQ(t.port, 3261);
	CHECK_EQ(t.tpgt, 0);
	CHECK_EQ(ta("[fd00::1],65535", &t), 0);
	CHECK_EQ(t.port, 3260);
	CHECK_EQ(t.tpgt, 65535);
	/* empty host, port 0 or above 65535, tag above 65535 */
	CHECK_EQ(ta("", &t), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(ta(":3260", &t), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(ta(",1", &t), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(ta("h:0", &t), RFL_TEXT_E_RANGE);
	CHECK_EQ(ta("h:65536", &t), RFL_TEXT_E_RANGE);
	CHECK_EQ(ta("h,65536", &t), RFL_TEXT_E_RANGE);
	/* bad numbers, brackets, characters */
	CHECK_EQ(ta("h:", &t), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(ta("h,", &t), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(ta("h:32a0", &t), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(ta("h,-1", &t), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(ta("[fd00::1", &t), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(ta("[fd00::1]x", &t), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(ta("[fd00::1]:", &t), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(ta("a b:3260", &t), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(ta("h\x7f", &t), RFL_TEXT_E_VALUE_SYNTAX);
	/* the first comma starts the tag, even inside brackets */
	CHECK_EQ(ta("[h,]", &t), RFL_TEXT_E_VALUE_SYNTAX);
}

const struct unit_test value_tests[] = {
	{ "decimal and hex numbers, 64-bit bounds", t_numbers },
	{ "number encoding and round trip", t_number_encode },
	{ "Yes and No", t_booleans },
	{ "binary values in hex and base64", t_binary_decode },
	{ "binary round trip up to 1024 bytes", t_binary_roundtrip },
	{ "value checks of every type", t_value_types },
	{ "TargetAddress values", t_target_address },
};
const unsigned int value_ntests = UNIT_COUNT(value_tests);
