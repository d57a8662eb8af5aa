// SPDX-License-Identifier: GPL-2.0
/*
 * CRC32C digests: RFC 3720 B.4 vectors, an independent bitwise CRC,
 * incremental digests, padding, header digest with AHS, wire order.
 */

#include "unit.h"

/* Bit at a time, straight from the definition: independent of the table. */
static u32 ref_crc32c(const u8 *p, size_t len)
{
	u32 crc = ~0U;
	int bit;

	while (len--) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0x82f63b78U & -(crc & 1));
	}
	return ~crc;
}

static const u8 read_pdu[48] = {
	0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
	0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
	0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void fill_rand(u8 *p, size_t len, u32 seed)
{
	while (len--) {
		seed = seed * 1103515245 + 12345;
		*p++ = seed >> 16;
	}
}

static void t_rfc3720_vectors(void)
{
	u8 buf[32], wire[4];
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	CHECK_EQ(rfl_digest(buf, 32), 0x8a9136aa);
	/* B.4 shows the bytes as sent: aa 36 91 8a */
	rfl_digest_put(wire, rfl_digest(buf, 32));
	CHECK(wire[0] == 0xaa && wire[1] == 0x36 && wire[2] == 0x91 &&
	      wire[3] == 0x8a);
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(rfl_digest(buf, 32), 0x62a8ab43);
	for (i = 0; i < 32; i++)
		buf[i] = i;
	CHECK_EQ(rfl_digest(buf, 32), 0x46dd794e);
	for (i = 0; i < 32; i++)
		buf[i] = 31 - i;
	CHECK_EQ(rfl_digest(buf, 32), 0x113fdb5c);
	CHECK_EQ(rfl_digest(read_pdu, 48), 0xd9963a56);
	CHECK_EQ(rfl_hdr_digest((const struct iscsi_hdr *)read_pdu, NULL),
		 0xd9963a56);
	CHECK_EQ(rfl_digest("123456789", 9), 0xe3069283);
	CHECK_EQ(rfl_digest("", 0), 0);
}

static void t_matches_bitwise(void)
{
	u8 buf[1031];
	size_t len;

	fill_rand(buf, sizeof(buf), 7);
	for (len = 0; len <= sizeof(buf); len += 13)
		CHECK_EQ(rfl_digest(buf, len), ref_crc32c(buf, len));
}

static void t_incremental(void)
{
	u8 buf[100];
	u32 whole, crc, cut;

	fill_rand(buf, sizeof(buf), 3);
	whole = rfl_digest(buf, sizeof(buf));
	for (cut = 0; cut <= sizeof(buf); cut++) {
		crc = rfl_digest_update(RFL_DIGEST_SEED, buf, cut);
		crc = rfl_digest_update(crc, buf + cut, sizeof(buf) - cut);
		CHECK_EQ(rfl_digest_final(crc, sizeof(buf)), whole);
	}
}

static void t_data_padding(void)
{
	u8 buf[16], padded[16];
	u32 len, crc;

	fill_rand(buf, sizeof(buf), 11);
	for (len = 1; len <= 12; len++) {
		memset(padded, 0, sizeof(padded));
		memcpy(padded, buf, len);
		CHECK_EQ(rfl_data_digest(buf, len),
			 rfl_digest(padded, rfl_pad4(len)));
		crc = rfl_digest_update(RFL_DIGEST_SEED, buf, len);
		CHECK_EQ(rfl_digest_final(crc, len), rfl_data_digest(buf, len));
	}
	/* padding must matter: 3 bytes with and without it differ */
	CHECK(rfl_data_digest(buf, 3) != rfl_digest(buf, 3));
}

static void t_hdr_digest_ahs(void)
{
	u8 all[48 + 20];
	struct iscsi_hdr hdr;

	fill_rand(all, sizeof(all), 5);
	all[4] = 5;		/* TotalAHSLength: 5 words */
	memcpy(&hdr, all, 48);
	CHECK_EQ(rfl_hdr_digest(&hdr, all + 48), rfl_digest(all, 68));
	/* AHS separate from the BHS in memory gives the same digest */
	CHECK_EQ(rfl_hdr_digest(&hdr, all + 48),
		 ref_crc32c(all, sizeof(all)));
	/* without an AHS pointer only the BHS is covered */
	CHECK_EQ(rfl_hdr_digest(&hdr, NULL), rfl_digest(all, 48));
}

static void t_wire_order(void)
{
	u8 wire[4];

	rfl_digest_put(wire, 0x11223344);
	CHECK(wire[0] == 0x44 && wire[1] == 0x33 && wire[2] == 0x22 &&
	      wire[3] == 0x11);
	CHECK_EQ(rfl_digest_get(wire), 0x11223344);
	rfl_digest_put(wire, 0xfedcba98);
	CHECK_EQ(rfl_digest_get(wire), 0xfedcba98);
}

static void t_selftest(void)
{
	const char *what = "unset";

	CHECK_EQ(rfl_selftest(&what), 0);
	CHECK(what == NULL);
	if (what)
		printf("# selftest failed at: %s\n", what);
}

const struct unit_test digest_tests[] = {
	{ "RFC 3720 B.4 CRC32C vectors and wire bytes", t_rfc3720_vectors },
	{ "table CRC32C matches a bitwise one", t_matches_bitwise },
	{ "incremental digest equals one-shot at every split",
	  t_incremental },
	{ "data digest covers zero padding", t_data_padding },
	{ "header digest covers BHS and AHS", t_hdr_digest_ahs },
	{ "digest wire order is little-endian", t_wire_order },
	{ "the module's known-answer selftest passes", t_selftest },
};
const unsigned int digest_ntests = UNIT_COUNT(digest_tests);
