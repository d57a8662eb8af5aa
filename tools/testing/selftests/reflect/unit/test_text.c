// SPDX-License-Identifier: GPL-2.0
/*
 * Text segments: key name limits, value limits per key, duplicates,
 * special values, accumulation across the C bit, and the builder.
 */

#include "unit.h"

#define TXT(s) s, sizeof(s) - 1

static int parse(const char *t, u32 len, unsigned int flags,
		 struct rfl_kv *kvs, unsigned int max, unsigned int *n)
{
	return rfl_text_parse(t, len, NULL, flags, kvs, max, n);
}

/* "key=<n times c>\0" into buf; returns the length. */
static u32 pair(char *buf, const char *key, char c, u32 n)
{
	u32 k = strlen(key);

	memcpy(buf, key, k);
	buf[k] = '=';
	memset(buf + k + 1, c, n);
	buf[k + 1 + n] = '\0';
	return k + n + 2;
}

static void t_key_names(void)
{
	char key[80];

	memset(key, 'a', sizeof(key));
	key[0] = 'K';
	CHECK_EQ(rfl_key_name_check(key, 63), RFL_TEXT_OK);
	CHECK_EQ(rfl_key_name_check(key, 64), RFL_TEXT_E_KEY_LONG);
	CHECK_EQ(rfl_key_name_check(key, 1), RFL_TEXT_OK);
	CHECK_EQ(rfl_key_name_check(key, 0), RFL_TEXT_E_KEY_EMPTY);
	CHECK_EQ(rfl_key_name_check(TXT("lowercase")), RFL_TEXT_E_KEY_CHAR);
	/* RFC 7144's exception, and only it */
	CHECK_EQ(rfl_key_name_check(TXT("iSCSIProtocolLevel")), RFL_TEXT_OK);
	CHECK_EQ(rfl_key_name_check(TXT("iSCSIProtocolLeve")),
		 RFL_TEXT_E_KEY_CHAR);
	CHECK_EQ(rfl_key_name_check(TXT("1Key")), RFL_TEXT_E_KEY_CHAR);
	CHECK_EQ(rfl_key_name_check(TXT("Key Name")), RFL_TEXT_E_KEY_CHAR);
	CHECK_EQ(rfl_key_name_check(TXT("Key/Name")), RFL_TEXT_E_KEY_CHAR);
	CHECK_EQ(rfl_key_name_check(TXT("X-com.example.a_b+c@d-9")),
		 RFL_TEXT_OK);
	CHECK_EQ(rfl_key_name_check(TXT("X#IANA.key")), RFL_TEXT_OK);
	CHECK_EQ(rfl_key_name_check(TXT("Y#IANA.key")), RFL_TEXT_E_KEY_CHAR);
	CHECK_EQ(rfl_key_name_check(TXT("X-a#b")), RFL_TEXT_E_KEY_CHAR);
}

static void t_key_length_in_text(void)
{
	char buf[200];
	struct rfl_kv kvs[2];
	unsigned int n;
	u32 len;

	memset(buf, 'k', sizeof(buf));
	buf[0] = 'X';
	buf[1] = '-';
	buf[63] = '=';
	buf[64] = 'v';
	buf[65] = '\0';
	CHECK_EQ(parse(buf, 66, 0, kvs, 2, &n), RFL_TEXT_OK);
	CHECK(n == 1 && kvs[0].key_len == 63 && kvs[0].def == NULL);
	memset(buf, 'k', sizeof(buf));
	buf[0] = 'X';
	buf[1] = '-';
	buf[64] = '=';
	buf[65] = '\0';
	len = 66;
	CHECK_EQ(parse(buf, len, 0, kvs, 2, &n), RFL_TEXT_E_KEY_LONG);
}

static void t_value_limits(void)
{
	static char buf[4096];
	struct rfl_kv kv;
	unsigned int n;
	u32 len;

	/* 255 for a standard key, for an unknown key, and the default */
	len = pair(buf, "TargetAlias", 'a', 255);
	CHECK_EQ(parse(buf, len, 0, &kv, 1, &n), RFL_TEXT_OK);
	CHECK_EQ(kv.value_len, 255);
	len = pair(buf, "TargetAlias", 'a', 256);
	CHECK_EQ(parse(buf, len, 0, &kv, 1, &n), RFL_TEXT_E_VALUE_LONG);
	len = pair(buf, "X-org.example.K", 'a', 255);
	CHECK_EQ(parse(buf, len, 0, &kv, 1, &n), RFL_TEXT_OK);
	len = pair(buf, "X-org.example.K", 'a', 256);
	CHECK_EQ(parse(buf, len, 0, &kv, 1, &n), RFL_TEXT_E_VALUE_LONG);
	/* iSCSI names: 223 bytes */
	len = pair(buf, "TargetName", 'a', 223);
	CHECK_EQ(parse(buf, len, 0, &kv, 1, &n), RFL_TEXT_OK);
	len = pair(buf, "TargetName", 'a', 224);
	CHECK_EQ(parse(buf, len, 0, &kv, 1, &n), RFL_TEXT_E_VALUE_LONG);
	/* CHAP_C and CHAP_R: 1024 bytes in hex */
	len = pair(buf, "CHAP_C", 'f', RFL_CHAP_VALUE_MAX);
	CHECK_EQ(parse(buf, len, 0, &kv, 1, &n), RFL_TEXT_OK);
	len = pair(buf, "CHAP_R", 'f', RFL_CHAP_VALUE_MAX + 1);
	CHECK_EQ(parse(buf, len, 0, &kv, 1, &n), RFL_TEXT_E_VALUE_LONG);
	/* but CHAP_N is an ordinary 255-byte value */
	len = pair(buf, "CHAP_N", 'n', 256);
	CHECK_EQ(parse(buf, len, 0, &kv, 1, &n), RFL_TEXT_E_VALUE_LONG);
	/* a special value is never too long */
	CHECK_EQ(parse(TXT("TargetAlias=\0"), 0, &kv, 1, &n), RFL_TEXT_OK);
	CHECK_EQ(kv.value_len, 0);
}

static void t_syntax_errors(void)
{
	struct rfl_text_iter it;
	struct rfl_kv kvs[4];
	unsigned int n;

	CHECK_EQ(parse(TXT("A=1\0B=2"), 0, kvs, 4, &n), RFL_TEXT_E_NO_NUL);
	CHECK_EQ(n, 1);
	CHECK_EQ(parse(TXT("A=1\0B\0"), 0, kvs, 4, &n), RFL_TEXT_E_NO_EQUALS);
	CHECK_EQ(parse(TXT("\0"), 0, kvs, 4, &n), RFL_TEXT_E_NO_EQUALS);
	CHECK_EQ(parse(TXT("=1\0"), 0, kvs, 4, &n), RFL_TEXT_E_KEY_EMPTY);
	CHECK_EQ(parse(TXT("a=1\0"), 0, kvs, 4, &n), RFL_TEXT_E_KEY_CHAR);
	CHECK_EQ(parse("", 0, 0, kvs, 4, &n), RFL_TEXT_OK);
	CHECK_EQ(n, 0);
	/* the first '=' splits; the value may contain more */
	CHECK_EQ(parse(TXT("A=b=c\0"), 0, kvs, 4, &n), RFL_TEXT_OK);
	CHECK_MEM(kvs[0].value, kvs[0].value_len, "b=c");
	/* the iterator reports where it stopped */
	rfl_text_iter_init(&it, TXT("A=1\0Bb=2\0c=3\0"), NULL);
	CHECK(rfl_text_next(&it, &kvs[0]));
	CHECK(rfl_text_next(&it, &kvs[0]));
	CHECK(!rfl_text_next(&it, &kvs[0]));
	CHECK_EQ(it.err, RFL_TEXT_E_KEY_CHAR);
	CHECK_EQ(it.off, 9);
	CHECK(!rfl_text_next(&it, &kvs[0]));
	for (n = 0; n < RFL_TEXT_E_NR; n++)
		CHECK(rfl_text_strerror(n)[0]);
	CHECK(!strcmp(rfl_text_strerror(RFL_TEXT_E_NR), "unknown text error"));
}

static void t_duplicates(void)
{
	struct rfl_kv kvs[4];
	unsigned int n;

	CHECK_EQ(parse(TXT("MaxBurstLength=512\0MaxBurstLength=512\0"), 0,
		       kvs, 4, &n), RFL_TEXT_E_DUPLICATE);
	CHECK_EQ(parse(TXT("X-a=1\0Y=2\0X-a=3\0"), 0, kvs, 4, &n),
		 RFL_TEXT_E_DUPLICATE);
	/* prefixes are different keys */
	CHECK_EQ(parse(TXT("X-a=1\0X-ab=2\0X=3\0"), 0, kvs, 4, &n),
		 RFL_TEXT_OK);
	CHECK_EQ(n, 3);
	/* SendTargets responses repeat TargetName and TargetAddress */
	CHECK_EQ(parse(TXT("TargetName=iqn.a:1\0TargetAddress=1.2.3.4,1\0"
			   "TargetName=iqn.a:2\0TargetAddress=1.2.3.4,1\0"),
		       RFL_TEXT_REPEAT_OK, kvs, 4, &n), RFL_TEXT_OK);
	CHECK_EQ(n, 4);
	CHECK_EQ(parse(TXT("A=1\0B=2\0C=3\0"), 0, kvs, 2, &n),
		 RFL_TEXT_E_TOO_MANY);
	CHECK_EQ(parse(TXT("A=1\0B=2\0"), 0, kvs, 2, &n), RFL_TEXT_OK);
}

static void t_special_values(void)
{
	struct rfl_kv kvs[5];
	unsigned int n;

	CHECK_EQ(parse(TXT("A=NotUnderstood\0B=Reject\0C=Irrelevant\0"
			   "HeaderDigest=None\0E=reject\0"), 0, kvs, 5, &n),
		 RFL_TEXT_OK);
	CHECK_EQ(kvs[0].special, RFL_SV_NOT_UNDERSTOOD);
	CHECK_EQ(kvs[1].special, RFL_SV_REJECT);
	CHECK_EQ(kvs[2].special, RFL_SV_IRRELEVANT);
	CHECK_EQ(kvs[3].special, RFL_SV_PLAIN);	/* None is a list value */
	CHECK(kvs[3].def == rfl_key_get(RFL_KEY_HEADER_DIGEST));
	CHECK_EQ(kvs[4].special, RFL_SV_PLAIN);
	CHECK(rfl_text_find(kvs, n, "C") == &kvs[2]);
	CHECK(rfl_text_find(kvs, n, "D") == NULL);
}

static const char ltds[] =
	"InitiatorName=iqn.2026-11.org.reflect:h\0SessionType=Normal\0"
	"HeaderDigest=CRC32C,None\0MaxRecvDataSegmentLength=65536\0";

static void t_accumulate_every_split(void)
{
	char buf[sizeof(ltds)];
	struct rfl_text_acc acc;
	struct rfl_kv kvs[4];
	unsigned int n;
	u32 cut, len = sizeof(ltds) - 1;

	for (cut = 0; cut <= len; cut++) {
		rfl_text_acc_init(&acc, buf, sizeof(buf));
		CHECK_EQ(rfl_text_acc_add(&acc, ltds, cut, true), RFL_TEXT_OK);
		CHECK_EQ(rfl_text_acc_add(&acc, ltds + cut, len - cut, false),
			 RFL_TEXT_OK);
		CHECK_EQ(acc.len, len);
		CHECK_EQ(parse(acc.buf, acc.len, 0, kvs, 4, &n), RFL_TEXT_OK);
		CHECK_EQ(n, 4);
	}
	/* three PDUs, one byte at a time through the middle */
	rfl_text_acc_init(&acc, buf, sizeof(buf));
	CHECK_EQ(rfl_text_acc_add(&acc, ltds, 10, true), 0);
	CHECK_EQ(rfl_text_acc_add(&acc, ltds + 10, 1, true), 0);
	CHECK_EQ(rfl_text_acc_add(&acc, ltds + 11, len - 11, false), 0);
	CHECK(!memcmp(acc.buf, ltds, len));
}

static void t_accumulate_errors(void)
{
	char buf[16];
	struct rfl_text_acc acc;

	rfl_text_acc_init(&acc, buf, sizeof(buf));
	CHECK_EQ(rfl_text_acc_add(&acc, "A=0123456789", 12, true), 0);
	CHECK_EQ(rfl_text_acc_add(&acc, "abcde", 5, true), RFL_TEXT_E_TOO_BIG);
	CHECK_EQ(rfl_text_acc_add(&acc, "abc\0", 4, false), 0);
	CHECK_EQ(acc.len, 16);
	CHECK_EQ(rfl_text_acc_add(&acc, "B=1", 0, false), RFL_TEXT_E_STATE);
	rfl_text_acc_init(&acc, buf, sizeof(buf));
	CHECK_EQ(rfl_text_acc_add(&acc, "A=1", 3, false), RFL_TEXT_E_NO_NUL);
	rfl_text_acc_init(&acc, buf, sizeof(buf));
	CHECK_EQ(rfl_text_acc_add(&acc, NULL, 0, false), RFL_TEXT_OK);
	CHECK_EQ(acc.len, 0);
}

static void t_builder(void)
{
	char buf[40];
	struct rfl_text_buf tb;
	static const u8 bin[] = { 0x01, 0x02, 0xfe };

	rfl_tb_init(&tb, buf, sizeof(buf));
	CHECK_EQ(rfl_tb_add(&tb, "ErrorRecoveryLevel", "0"), 0);
	CHECK_EQ(rfl_tb_add_num(&tb, "MaxConnections", 7), 0);
	CHECK_MEM(tb.buf, tb.len, "ErrorRecoveryLevel=0\0MaxConnections=7\0");
	/* does not fit: nothing appended, and the error sticks */
	CHECK_EQ(rfl_tb_add(&tb, "A", "1"), RFL_TEXT_E_TOO_BIG);
	CHECK_EQ(tb.len, 38);
	CHECK_EQ(rfl_tb_add(&tb, "B", ""), RFL_TEXT_E_TOO_BIG);
	CHECK_EQ(tb.err, RFL_TEXT_E_TOO_BIG);
	/* exactly full */
	rfl_tb_init(&tb, buf, 4);
	CHECK_EQ(rfl_tb_add(&tb, "A", "1"), 0);
	CHECK_EQ(tb.len, 4);

	rfl_tb_init(&tb, buf, sizeof(buf));
	CHECK_EQ(rfl_tb_add(&tb, "bad", "1"), RFL_TEXT_E_KEY_CHAR);
	CHECK_EQ(tb.len, 0);
	rfl_tb_init(&tb, buf, sizeof(buf));
	CHECK_EQ(rfl_tb_add_len(&tb, "A", "a\0b", 3), RFL_TEXT_E_VALUE_SYNTAX);
	rfl_tb_init(&tb, buf, sizeof(buf));
	CHECK_EQ(rfl_tb_add_bin(&tb, "CHAP_C", bin, 3, false), 0);
	CHECK_EQ(rfl_tb_add_bin(&tb, "CHAP_R", bin, 3, true), 0);
	CHECK_MEM(tb.buf, tb.len, "CHAP_C=0x0102fe\0CHAP_R=0bAQL+\0");
	CHECK_EQ(rfl_tb_add_bin(&tb, "CHAP_R", bin, 0, true),
		 RFL_TEXT_E_VALUE_LONG);
}

static void t_builder_limits(void)
{
	static char big[8192], val[300];
	static u8 bin[RFL_CHAP_BIN_MAX + 1];
	struct rfl_text_buf tb;
	struct rfl_kv kvs[8];
	unsigned int n;

	memset(val, 'v', sizeof(val));
	rfl_tb_init(&tb, big, sizeof(big));
	CHECK_EQ(rfl_tb_add_len(&tb, "TargetAlias", val, 255), 0);
	CHECK_EQ(rfl_tb_add_len(&tb, "X-org.example.Big", val, 255), 0);
	CHECK_EQ(rfl_tb_add_bin(&tb, "CHAP_C", bin, RFL_CHAP_BIN_MAX, false),
		 0);
	CHECK_EQ(rfl_tb_add_bin(&tb, "CHAP_R", bin, RFL_CHAP_BIN_MAX, true),
		 0);
	CHECK_EQ(parse(tb.buf, tb.len, 0, kvs, 8, &n), RFL_TEXT_OK);
	CHECK_EQ(n, 4);
	CHECK_EQ(kvs[2].value_len, RFL_CHAP_VALUE_MAX);
	CHECK_EQ(rfl_tb_add_len(&tb, "TargetAlias", val, 256),
		 RFL_TEXT_E_VALUE_LONG);
	rfl_tb_init(&tb, big, sizeof(big));
	CHECK_EQ(rfl_tb_add_len(&tb, "X-org.example.Big", val, 256),
		 RFL_TEXT_E_VALUE_LONG);
	rfl_tb_init(&tb, big, sizeof(big));
	CHECK_EQ(rfl_tb_add_bin(&tb, "CHAP_C", bin, RFL_CHAP_BIN_MAX + 1,
				false), RFL_TEXT_E_VALUE_LONG);
	rfl_tb_init(&tb, big, sizeof(big));
	/* a binary value under a 255-byte key */
	CHECK_EQ(rfl_tb_add_bin(&tb, "X-org.example.Bin", bin, 200, false),
		 RFL_TEXT_E_VALUE_LONG);
	CHECK_EQ(tb.len, 0);
}

const struct unit_test text_tests[] = {
	{ "key names: 63/64 bytes, characters, X#", t_key_names },
	{ "63-byte key parses, 64-byte key fails", t_key_length_in_text },
	{ "value limits: 255/256, names 223, CHAP 2050", t_value_limits },
	{ "malformed text segments", t_syntax_errors },
	{ "duplicate keys and too many keys", t_duplicates },
	{ "NotUnderstood, Reject, Irrelevant, None", t_special_values },
	{ "C-bit accumulation at every split point",
	  t_accumulate_every_split },
	{ "accumulator overflow, state and missing NUL",
	  t_accumulate_errors },
	{ "builder appends, bounds, sticky errors", t_builder },
	{ "builder value limits round-trip through the parser",
	  t_builder_limits },
};
const unsigned int text_ntests = UNIT_COUNT(text_tests);
