// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer checks of the shared code, run by the module when loaded
 * with selftest=1 and by the userspace unit tests: CRC32C vectors of RFC
 * 3720 appendix B.4, BHS validation, and one text parse and negotiation
 * round with a text segment split over two PDUs, and the worked example
 * of the README: an extent map, the translation of READ 40 blocks at 500
 * and the reflection script that carries it.
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

/* README's worked example: three 1000-block disks, a scattered volume. */
static const char rfl_st_map[] =
	"target A iqn.2003-01.org.linux-iscsi.reflect:disk-a 10.0.0.11:3260 0\n"
	"target B iqn.2003-01.org.linux-iscsi.reflect:disk-b 10.0.0.12:3260 0\n"
	"target C iqn.2003-01.org.linux-iscsi.reflect:disk-c 10.0.0.13:3260 0\n"
	"linear 0 300 B 0\n"
	"linear 300 200 C 0\n"
	"linear 500 10 A 400\n"
	"linear 510 20 B 300\n"
	"linear 530 10 C 600\n"
	"linear 540 400 A 0\n"
	"linear 940 400 C 200\n"
	"linear 1340 680 B 320\n"
	"linear 2020 590 A 410\n"
	"linear 2610 390 C 610\n";

/* READ 40 at 500: A 400-409, B 300-319, C 600-609, as a script and back. */
static int rfl_st_script(struct rfl_map *map)
{
	static const struct rfl_script_lu lus[3] = {
		{ 1000, 512 }, { 1000, 512 }, { 1000, 512 },
	};
	static const u64 want_plba[3] = { 400, 300, 600 };
	static const u32 want_blocks[3] = { 10, 20, 10 };
	static struct rfl_script_target tg[3], tg2[3];
	static struct rfl_script_piece pc[3], pc2[3];
	static struct rfl_map_piece mp[4];
	static u8 buf[512], buf2[512];
	struct rfl_script s = { .version = RFL_SCRIPT_VERSION, .ntargets = 3,
				.npieces = 3, .targets = tg, .pieces = pc };
	struct rfl_script s2 = { .targets = tg2, .pieces = pc2 };
	const char *why;
	int i, n, len;
	u16 nt, np;

	if (rfl_map_translate(map, 500, 40, mp, ARRAY_SIZE(mp)) != 3)
		return -1;
	for (i = 0; i < 3; i++) {
		const struct rfl_map_target *mt = &map->targets[mp[i].target];

		if (mp[i].target != i || mp[i].plba != want_plba[i] ||
		    mp[i].blocks != want_blocks[i])
			return -1;
		tg[i].name = mt->iqn;
		tg[i].name_len = strlen(mt->iqn);
		tg[i].nportals = 1;
		tg[i].portals[0].family = mt->portals[0].family;
		tg[i].portals[0].port = mt->portals[0].port;
		memcpy(tg[i].portals[0].addr, mt->portals[0].addr, 16);
		pc[i].target = i;
		pc[i].flags = RFL_PIECE_READ;
		pc[i].offset = mp[i].vblock_off * 512;
		pc[i].length = mp[i].blocks * 512;
		n = rfl_cdb_rw_build(pc[i].cdb, false, mp[i].plba,
				     mp[i].blocks, 0);
		if (n != 10)
			return -1;
		pc[i].cdb_len = n;
	}
	s.total_len = 40 * 512;
	len = rfl_script_encode(&s, buf, sizeof(buf));
	if (len <= 0 || (u32)len != rfl_script_size(&s))
		return -1;
	if (rfl_script_peek(buf, len, &nt, &np) || nt != 3 || np != 3 ||
	    rfl_script_parse(buf, len, &s2, &why) ||
	    rfl_script_check(&s2, lus, 40 * 512, false, &why) ||
	    !rfl_script_check(&s2, lus, 40 * 512, true, &why))
		return -1;
	if (rfl_script_encode(&s2, buf2, sizeof(buf2)) != len ||
	    memcmp(buf, buf2, len))
		return -1;
	return 0;
}

static int rfl_st_map_script(void)
{
	struct rfl_map_err err;
	struct rfl_map map;
	int ret;

	if (rfl_map_parse(rfl_st_map, sizeof(rfl_st_map) - 1, &map, &err))
		return -1;
	ret = map.size == 3000 ? rfl_st_script(&map) : -1;
	rfl_map_free(&map);
	return ret;
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
	*what = "worked example map, translation and script";
	if (rfl_st_map_script())
		return -1;
	*what = NULL;
	return 0;
}
