// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer checks of the shared code, run by the module when loaded
 * with selftest=1 and by the userspace unit tests: CRC32C vectors of RFC
 * 3720 appendix B.4, BHS validation, and one text parse and negotiation
 * round with a text segment split over two PDUs.
 */

#include "rfl_proto.h"

/* RFC 3720 B.4: an iSCSI SCSI Read (10) command PDU. */
static const u8 rfl_st_read_pdu[ISCSI_HDR_LEN] = {
	0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
	0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
	0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const char rfl_st_offer[] =
	"InitiatorName=iqn.2026-11.org.reflect:host\0"
	"SessionType=Normal\0"
	"HeaderDigest=CRC32C,None\0"
	"MaxBurstLength=131072\0"
	"ImmediateData=No\0"
	"DefaultTime2Wait=5\0"
	"X-org.example.Unknown=Yes\0";

static const char rfl_st_answer[] =
	"HeaderDigest=CRC32C\0"
	"MaxBurstLength=131072\0"
	"ImmediateData=No\0"
	"DefaultTime2Wait=5\0"
	"X-org.example.Unknown=NotUnderstood\0";

static int rfl_st_keys(void)
{
	const struct rfl_key *def;
	unsigned int i;

	for (i = 0; i < RFL_KEY_NR; i++) {
		def = rfl_key_get(i);
		if (!def->name || def->id != i ||
		    rfl_key_find(NULL, def->name, strlen(def->name)) != def)
			return -1;
	}
	return 0;
}

static int rfl_st_crc(void)
{
	u8 buf[32];
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	if (rfl_digest(buf, sizeof(buf)) != 0x8a9136aa)
		return -1;
	memset(buf, 0xff, sizeof(buf));
	if (rfl_digest(buf, sizeof(buf)) != 0x62a8ab43)
		return -1;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i;
	if (rfl_digest(buf, sizeof(buf)) != 0x46dd794e)
		return -1;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = 31 - i;
	if (rfl_digest(buf, sizeof(buf)) != 0x113fdb5c)
		return -1;
	if (rfl_hdr_digest((const struct iscsi_hdr *)rfl_st_read_pdu, NULL) !=
	    0xd9963a56)
		return -1;
	if (rfl_digest("123456789", 9) != 0xe3069283)
		return -1;
	/* the data digest covers the zero padding */
	if (rfl_data_digest("abc", 3) != rfl_digest("abc\0", 4))
		return -1;
	return 0;
}

static int rfl_st_pdu(void)
{
	static const struct rfl_pdu_limits lim = { 8192, 0 };
	struct iscsi_hdr hdr;

	memcpy(&hdr, rfl_st_read_pdu, sizeof(hdr));
	if (rfl_pdu_check_target(&hdr, &lim, RFL_PDU_STRICT) != RFL_PDU_OK)
		return -1;
	if (rfl_pdu_check_initiator(&hdr, &lim, 0) != RFL_PDU_E_OPCODE_DIR)
		return -1;
	memset(&hdr, 0, sizeof(hdr));
	hdr.opcode = ISCSI_OP_LOGIN;
	if (rfl_pdu_check_target(&hdr, &lim, 0) != RFL_PDU_E_IMMEDIATE)
		return -1;
	hdr.opcode |= ISCSI_OP_IMMEDIATE;
	rfl_pdu_set_dsl(&hdr, 8193);
	if (rfl_pdu_check_target(&hdr, &lim, 0) != RFL_PDU_E_DSL_LEN)
		return -1;
	return 0;
}

static int rfl_st_text(void)
{
	static char acc_buf[256], out_buf[256];
	static struct rfl_neg_ctx ctx;
	static struct rfl_kv kvs[8];
	struct rfl_text_acc acc;
	struct rfl_text_buf out;
	struct rfl_neg_value res;
	const struct rfl_kv *kv;
	unsigned int n;
	u32 half = sizeof(rfl_st_offer) / 2;

	/* the offer arrives in two PDUs, split inside a pair */
	rfl_text_acc_init(&acc, acc_buf, sizeof(acc_buf));
	if (rfl_text_acc_add(&acc, rfl_st_offer, half, true) ||
	    rfl_text_acc_add(&acc, rfl_st_offer + half,
			     sizeof(rfl_st_offer) - 1 - half, false))
		return -1;
	if (rfl_text_parse(acc.buf, acc.len, NULL, 0, kvs, ARRAY_SIZE(kvs),
			   &n) || n != 7)
		return -1;

	memset(&ctx, 0, sizeof(ctx));
	rfl_params_init(&ctx.params);
	ctx.is_target = true;
	ctx.phase = RFL_PHASE_OPERATIONAL;
	ctx.own[RFL_KEY_HEADER_DIGEST] = "CRC32C,None";
	rfl_tb_init(&out, out_buf, sizeof(out_buf));
	if (rfl_neg_respond(&ctx, kvs, n, &out))
		return -1;
	if (out.len != sizeof(rfl_st_answer) - 1 ||
	    memcmp(out.buf, rfl_st_answer, out.len))
		return -1;
	if (!ctx.params.header_digest || ctx.params.data_digest ||
	    ctx.params.max_burst != 131072 || ctx.params.immediate_data ||
	    ctx.params.time2wait != 5 || ctx.params.discovery)
		return -1;

	/* the initiator's view of the answer */
	if (rfl_text_parse(out.buf, out.len, NULL, 0, kvs, ARRAY_SIZE(kvs),
			   &n) || n != 5)
		return -1;
	kv = rfl_text_find(kvs, n, "MaxBurstLength");
	if (!kv || rfl_neg_check(kv->def, "131072", kv, &res) ||
	    res.num != 131072)
		return -1;
	kv = rfl_text_find(kvs, n, "X-org.example.Unknown");
	if (!kv || kv->special != RFL_SV_NOT_UNDERSTOOD)
		return -1;
	return 0;
}

/**
 * rfl_selftest() - run the known-answer checks.
 * @what: set to the name of the failed check
 *
 * Return: 0 if every check passed, -1 otherwise.
 */
int rfl_selftest(const char **what)
{
	*what = "key table order";
	if (rfl_st_keys())
		return -1;
	*what = "crc32c vectors of RFC 3720 B.4";
	if (rfl_st_crc())
		return -1;
	*what = "BHS validation";
	if (rfl_st_pdu())
		return -1;
	*what = "text parse and negotiation round";
	if (rfl_st_text())
		return -1;
	*what = NULL;
	return 0;
}
