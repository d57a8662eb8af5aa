// SPDX-License-Identifier: GPL-2.0
/*
 * Login, in the context of the process that wrote enable=1, on the still
 * blocking socket (as nvme-tcp's host does its ICReq/ICResp): security
 * stage with AuthMethod=None, or CHAP (RFC 1994 as profiled by RFC 7143
 * section 12.1.3; CHAP_A 7 SHA-256 or 5 MD5; one-way or mutual) when a
 * CHAP user name is configured, then operational negotiation of every key
 * through the shared codec (kernel/proto), then full feature phase.
 * A refused login is logged once with the status class and detail in
 * words and kept in last_error.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "rfl_ini.h"

#define RFL_INI_LOGIN_ROUNDS	8	/* PDU exchanges per stage, at most */
#define RFL_INI_MAX_KV		64	/* pairs in one login response */

/* Login state between PDUs. */
struct rfl_ini_login {
	struct rfl_ini_sess *sess;
	char *tx_text;			/* text we send */
	char *rx_text;			/* text we received, assembled */
	char *rx_pdu;			/* data segment of one response */
	struct rfl_text_acc acc;
	struct rfl_kv kvs[RFL_INI_MAX_KV];
	unsigned int nkv;
	u8 rsp[ISCSI_HDR_LEN];		/* last Login Response header */
	u32 cmd_sn;
	u32 exp_stat_sn;
	bool have_stat_sn;
	/* The operational values we offer, by key id. */
	const char *offer[RFL_KEY_NR];
	char nums[8][12];		/* storage of numeric offers */
};

const char *rfl_ini_login_class(u8 cls)
{
	switch (cls) {
	case ISCSI_STATUS_CLS_SUCCESS:
		return "success";
	case ISCSI_STATUS_CLS_REDIRECT:
		return "redirection";
	case ISCSI_STATUS_CLS_INITIATOR_ERR:
		return "initiator error";
	case ISCSI_STATUS_CLS_TARGET_ERR:
		return "target error";
	default:
		return "unknown class";
	}
}

const char *rfl_ini_login_detail(u8 cls, u8 detail)
{
	if (cls == ISCSI_STATUS_CLS_REDIRECT)
		return detail == ISCSI_LOGIN_STATUS_TGT_MOVED_TEMP ?
		       "target moved temporarily" :
		       detail == ISCSI_LOGIN_STATUS_TGT_MOVED_PERM ?
		       "target moved permanently" : "unknown redirection";
	if (cls == ISCSI_STATUS_CLS_INITIATOR_ERR) {
		switch (detail) {
		case ISCSI_LOGIN_STATUS_INIT_ERR:
			return "initiator error";
		case ISCSI_LOGIN_STATUS_AUTH_FAILED:
			return "authentication failure";
		case ISCSI_LOGIN_STATUS_TGT_FORBIDDEN:
			return "authorization failure";
		case ISCSI_LOGIN_STATUS_TGT_NOT_FOUND:
			return "target not found";
		case ISCSI_LOGIN_STATUS_TGT_REMOVED:
			return "target removed";
		case ISCSI_LOGIN_STATUS_NO_VERSION:
			return "unsupported version";
		case ISCSI_LOGIN_STATUS_ISID_ERROR:
			return "too many connections";
		case ISCSI_LOGIN_STATUS_MISSING_FIELDS:
			return "missing parameter";
		case ISCSI_LOGIN_STATUS_CONN_ADD_FAILED:
			return "cannot include in session";
		case ISCSI_LOGIN_STATUS_NO_SESSION_TYPE:
			return "session type not supported";
		case ISCSI_LOGIN_STATUS_NO_SESSION:
			return "session does not exist";
		case ISCSI_LOGIN_STATUS_INVALID_REQUEST:
			return "invalid request during login";
		default:
			return "unknown initiator error";
		}
	}
	if (cls == ISCSI_STATUS_CLS_TARGET_ERR) {
		switch (detail) {
		case ISCSI_LOGIN_STATUS_TARGET_ERROR:
			return "target error";
		case ISCSI_LOGIN_STATUS_SVC_UNAVAILABLE:
			return "service unavailable";
		case ISCSI_LOGIN_STATUS_NO_RESOURCES:
			return "out of resources";
		default:
			return "unknown target error";
		}
	}
	return "";
}

int rfl_ini_send_all(struct socket *sock, const void *buf, u32 len)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	int ret = kernel_sendmsg(sock, &msg, &iov, 1, len);

	if (ret < 0)
		return ret;
	return ret == len ? 0 : -EIO;
}

int rfl_ini_recv_all(struct socket *sock, void *buf, u32 len)
{
	struct msghdr msg = { .msg_flags = MSG_WAITALL };
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	int ret = kernel_recvmsg(sock, &msg, &iov, 1, len, msg.msg_flags);

	if (ret < 0)
		return ret;
	return ret == len ? 0 : -ECONNRESET;
}

/* One Login Request with @text, one Login Response (all of its text). */
static int rfl_ini_login_pdu(struct rfl_ini_login *l, u8 csg, u8 nsg,
			     bool transit, u32 text_len)
{
	struct rfl_ini_sess *sess = l->sess;
	struct rfl_ini_tgt *tgt = sess->tgt;
	struct iscsi_login_req req = {};
	struct iscsi_login_rsp *rsp = (struct iscsi_login_rsp *)l->rsp;
	struct rfl_pdu_limits lim = {
		.max_recv_dsl = RFL_INI_LOGIN_BUF,
	};
	static const u8 zero[4];
	u32 dsl;
	int ret, err;
	bool more;

	rfl_text_acc_init(&l->acc, l->rx_text, RFL_INI_LOGIN_BUF);
	do {
		memset(&req, 0, sizeof(req));
		req.opcode = ISCSI_OP_LOGIN | ISCSI_OP_IMMEDIATE;
		req.flags = (csg << 2) |
			    (transit ? ISCSI_FLAG_LOGIN_TRANSIT | nsg : 0);
		memcpy(req.isid, tgt->isid, sizeof(req.isid));
		req.tsih = cpu_to_be16(sess->tsih);
		req.itt = 0;
		req.cmdsn = cpu_to_be32(l->cmd_sn);
		req.exp_statsn = cpu_to_be32(l->exp_stat_sn);
		rfl_pdu_set_dsl((struct iscsi_hdr *)&req, text_len);
		ret = rfl_ini_send_all(sess->sock, &req, sizeof(req));
		if (!ret && text_len)
			ret = rfl_ini_send_all(sess->sock, l->tx_text,
					       text_len);
		if (!ret && rfl_pad4(text_len) != text_len)
			ret = rfl_ini_send_all(sess->sock, zero,
					       rfl_pad4(text_len) - text_len);
		if (!ret)
			ret = rfl_ini_recv_all(sess->sock, l->rsp,
					       ISCSI_HDR_LEN);
		if (ret) {
			rfl_ini_set_error(tgt, "login: connection lost: %d",
					  ret);
			return ret;
		}
		err = rfl_pdu_check_initiator((struct iscsi_hdr *)rsp, &lim, 0);
		if (!err && (rsp->opcode & ISCSI_OPCODE_MASK) !=
		    ISCSI_OP_LOGIN_RSP)
			err = RFL_PDU_E_OPCODE_DIR;
		if (err || rsp->hlength) {
			rfl_ini_set_error(tgt, "login: malformed response: %s",
					  err ? rfl_pdu_strerror(err) : "AHS");
			return -EPROTO;
		}
		dsl = rfl_pdu_dsl((struct iscsi_hdr *)rsp);
		/* Not for an empty segment: MSG_WAITALL would wait for 1 byte. */
		ret = dsl ? rfl_ini_recv_all(sess->sock, l->rx_pdu,
					     rfl_pad4(dsl)) : 0;
		if (ret) {
			rfl_ini_set_error(tgt, "login: connection lost: %d",
					  ret);
			return ret;
		}
		if (rsp->status_class) {
			rfl_ini_set_error(tgt,
					  "login refused by %s: %s: %s (class 0x%02x detail 0x%02x)",
					  sess->discovery ?
					  "the discovery portal" :
					  sess->cfg.target_iqn,
					  rfl_ini_login_class(rsp->status_class),
					  rfl_ini_login_detail(rsp->status_class,
							       rsp->status_detail),
					  rsp->status_class,
					  rsp->status_detail);
			return rsp->status_class == ISCSI_STATUS_CLS_TARGET_ERR ?
			       -EAGAIN : -EACCES;
		}
		l->exp_stat_sn = be32_to_cpu(rsp->statsn) + 1;
		l->have_stat_sn = true;
		more = rsp->flags & ISCSI_FLAG_LOGIN_CONTINUE;
		ret = rfl_text_acc_add(&l->acc, l->rx_pdu, dsl, more);
		if (ret) {
			rfl_ini_set_error(tgt, "login: bad text: %s",
					  rfl_text_strerror(ret));
			return -EPROTO;
		}
		/* More text to come: ask for it with an empty request. */
		text_len = 0;
		transit = false;
	} while (more);
	ret = rfl_text_parse(l->acc.buf, l->acc.len, &rfl_reflect_keyset, 0, l->kvs,
			     ARRAY_SIZE(l->kvs), &l->nkv);
	if (ret) {
		rfl_ini_set_error(tgt, "login: bad text: %s",
				  rfl_text_strerror(ret));
		return -EPROTO;
	}
	return 0;
}

static u8 rfl_ini_rsp_csg(const struct rfl_ini_login *l)
{
	return (l->rsp[1] & ISCSI_FLAG_LOGIN_CURRENT_STAGE_MASK) >> 2;
}

static u8 rfl_ini_rsp_nsg(const struct rfl_ini_login *l)
{
	return l->rsp[1] & ISCSI_FLAG_LOGIN_NEXT_STAGE_MASK;
}

static bool rfl_ini_rsp_transit(const struct rfl_ini_login *l)
{
	return l->rsp[1] & ISCSI_FLAG_LOGIN_TRANSIT;
}

static const char *rfl_ini_num(struct rfl_ini_login *l, unsigned int slot,
			       u32 v)
{
	rfl_num_encode(v, l->nums[slot], sizeof(l->nums[slot]));
	return l->nums[slot];
}

/* The operational keys we offer, from the target object's values. */
static void rfl_ini_offers(struct rfl_ini_login *l)
{
	const struct rfl_ini_cfg *c = &l->sess->cfg;

	l->offer[RFL_KEY_HEADER_DIGEST] = c->header_digest ? "CRC32C" : "None";
	l->offer[RFL_KEY_DATA_DIGEST] = c->data_digest ? "CRC32C" : "None";
	l->offer[RFL_KEY_MAX_RECV_DSL] = rfl_ini_num(l, 0, c->max_recv_dlength);
	l->offer[RFL_KEY_MAX_BURST_LENGTH] = rfl_ini_num(l, 1, c->max_burst);
	l->offer[RFL_KEY_FIRST_BURST_LENGTH] = rfl_ini_num(l, 2,
							   c->first_burst);
	l->offer[RFL_KEY_IMMEDIATE_DATA] = c->immediate_data ? "Yes" : "No";
	l->offer[RFL_KEY_INITIAL_R2T] = c->initial_r2t ? "Yes" : "No";
	l->offer[RFL_KEY_MAX_OUTSTANDING_R2T] = rfl_ini_num(l, 3, c->max_outstanding_r2t);
	l->offer[RFL_KEY_MAX_CONNECTIONS] = "1";
	l->offer[RFL_KEY_DATA_PDU_IN_ORDER] = "Yes";
	l->offer[RFL_KEY_DATA_SEQUENCE_IN_ORDER] = "Yes";
	l->offer[RFL_KEY_DEFAULT_TIME2WAIT] = "2";
	l->offer[RFL_KEY_DEFAULT_TIME2RETAIN] = "0";
	l->offer[RFL_KEY_ERROR_RECOVERY_LEVEL] = "0";
	if (!l->sess->discovery)
		return;
	/* Irrelevant in a discovery session (RFC 7143 section 13). */
	l->offer[RFL_KEY_MAX_BURST_LENGTH] = NULL;
	l->offer[RFL_KEY_FIRST_BURST_LENGTH] = NULL;
	l->offer[RFL_KEY_IMMEDIATE_DATA] = NULL;
	l->offer[RFL_KEY_INITIAL_R2T] = NULL;
	l->offer[RFL_KEY_MAX_OUTSTANDING_R2T] = NULL;
	l->offer[RFL_KEY_MAX_CONNECTIONS] = NULL;
	l->offer[RFL_KEY_DATA_PDU_IN_ORDER] = NULL;
	l->offer[RFL_KEY_DATA_SEQUENCE_IN_ORDER] = NULL;
}

/*
 * Check the target's answers and record the results; keys the target
 * offered itself are answered into @tb.
 */
static int rfl_ini_check_answers(struct rfl_ini_login *l,
				 struct rfl_text_buf *tb)
{
	struct rfl_ini_tgt *tgt = l->sess->tgt;
	struct rfl_params *p = &l->sess->params;
	struct rfl_neg_value res;
	unsigned int i;
	int err;

	for (i = 0; i < l->nkv; i++) {
		const struct rfl_kv *kv = &l->kvs[i];
		const struct rfl_key *def = kv->def;

		if (!def)
			continue;	/* a key we never sent; ignored */
		err = rfl_key_check_use(def, true, RFL_PHASE_OPERATIONAL);
		if (err && err != RFL_TEXT_E_PHASE)
			goto bad;
		if (def->id == RFL_KEY_VENDOR) {
			/* Reflection: ours if offered and answered Yes. */
			if (l->sess->cfg.reflection)
				err = rfl_neg_check(def, "Yes", kv, &res);
			else
				err = rfl_neg_answer(def, kv, NULL, false, tb,
						     &res);
			if (err)
				goto bad;
			l->sess->reflect = l->sess->cfg.reflection &&
					   res.outcome == RFL_NEG_AGREED &&
					   res.num;
			continue;
		}
		if (def->id < RFL_KEY_NR && l->offer[def->id])
			err = rfl_neg_check(def, l->offer[def->id], kv, &res);
		else if (def->neg == RFL_NEG_DECLARE)
			err = rfl_neg_check(def, "", kv, &res);
		else
			err = rfl_neg_answer(def, kv, NULL, false, tb, &res);
		if (err)
			goto bad;
		if (res.outcome != RFL_NEG_AGREED &&
		    res.outcome != RFL_NEG_DECLARED)
			continue;
		err = rfl_params_set(p, def, &res, true);
		if (err)
			goto bad;
	}
	return 0;
bad:
	rfl_ini_set_error(tgt, "login: target answered %.*s=%.*s: %s",
			  l->kvs[i].key_len, l->kvs[i].key,
			  l->kvs[i].value_len, l->kvs[i].value,
			  rfl_text_strerror(err));
	return -EPROTO;
}

/* CHAP_A values we offer, in order of preference, and their digests. */
static const struct {
	u8 id;
	const char *alg;
	u8 len;
} rfl_ini_chap_algs[] = {
	{ 7, "sha256", 32 },
	{ 5, "md5", 16 },
};

#define RFL_INI_CHAP_CHALLENGE	32	/* bytes of our mutual challenge */

/* CHAP response: digest of identifier, secret and challenge. */
static int rfl_ini_chap_hash(const char *alg, u8 id, const char *secret,
			     const u8 *chal, u32 chal_len, u8 *out)
{
	struct crypto_shash *tfm = crypto_alloc_shash(alg, 0, 0);
	int ret;

	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = crypto_shash_init(desc);
		if (!ret)
			ret = crypto_shash_update(desc, &id, 1);
		if (!ret)
			ret = crypto_shash_update(desc, secret, strlen(secret));
		if (!ret)
			ret = crypto_shash_update(desc, chal, chal_len);
		if (!ret)
			ret = crypto_shash_final(desc, out);
		shash_desc_zero(desc);
	}
	crypto_free_shash(tfm);
	return ret;
}

/**
 * rfl_ini_chap_prepare() - load the CHAP digests before connecting.
 *
 * The first allocation of a hash may load a module and run its self
 * tests, which on a slow machine can outlast the target's login timer;
 * doing it before the connection exists keeps that out of the login.
 */
void rfl_ini_chap_prepare(void)
{
	struct crypto_shash *tfm;
	unsigned int a;

	for (a = 0; a < ARRAY_SIZE(rfl_ini_chap_algs); a++) {
		tfm = crypto_alloc_shash(rfl_ini_chap_algs[a].alg, 0, 0);
		if (!IS_ERR(tfm))
			crypto_free_shash(tfm);
	}
}

static const struct rfl_kv *rfl_ini_need(struct rfl_ini_login *l,
					 const char *key)
{
	const struct rfl_kv *kv = rfl_text_find(l->kvs, l->nkv, key);

	if (!kv || kv->special != RFL_SV_PLAIN) {
		rfl_ini_set_error(l->sess->tgt, "login: CHAP: no valid %s from the target",
				  key);
		return NULL;
	}
	return kv;
}

/*
 * The CHAP exchange, after the target accepted AuthMethod=CHAP: offer
 * the algorithms, answer the challenge, and for mutual CHAP challenge
 * the target and check its answer.
 */
static int rfl_ini_chap(struct rfl_ini_login *l)
{
	struct rfl_ini_sess *sess = l->sess;
	struct rfl_ini_tgt *tgt = sess->tgt;
	const struct rfl_ini_cfg *c = &sess->cfg;
	bool mutual = c->chap_mutual_userid[0];
	u8 *chal, resp[32], mchal[RFL_INI_CHAP_CHALLENGE], mid = 0;
	const struct rfl_kv *ka, *ki, *kc, *kn, *kr;
	u32 chal_len, rlen;
	unsigned int a;
	struct rfl_text_buf tb;
	u64 id;
	int ret;

	rfl_tb_init(&tb, l->tx_text, RFL_INI_LOGIN_BUF);
	/* tgt takes 7 for SHA-1: chap_sha256 0 offers MD5 alone. */
	rfl_tb_add(&tb, "CHAP_A", c->chap_sha256 ? "7,5" : "5");
	ret = rfl_ini_login_pdu(l, ISCSI_SECURITY_NEGOTIATION_STAGE, 0, false,
				tb.len);
	if (ret)
		return ret;
	ka = rfl_ini_need(l, "CHAP_A");
	ki = rfl_ini_need(l, "CHAP_I");
	kc = rfl_ini_need(l, "CHAP_C");
	if (!ka || !ki || !kc)
		return -EPROTO;
	for (a = 0; a < ARRAY_SIZE(rfl_ini_chap_algs); a++) {
		u64 n;

		if (!rfl_num_decode(ka->value, ka->value_len, &n) &&
		    n == rfl_ini_chap_algs[a].id &&
		    (c->chap_sha256 || n != 7))
			break;
	}
	if (a == ARRAY_SIZE(rfl_ini_chap_algs) ||
	    rfl_num_decode(ki->value, ki->value_len, &id) || id > 255) {
		rfl_ini_set_error(tgt, "login: CHAP: target chose CHAP_A=%s CHAP_I=%s",
				  ka->value, ki->value);
		return -EPROTO;
	}
	chal = kmalloc(RFL_CHAP_BIN_MAX, GFP_KERNEL);
	if (!chal)
		return -ENOMEM;
	ret = rfl_bin_decode(kc->value, kc->value_len, chal, RFL_CHAP_BIN_MAX,
			     &chal_len);
	if (ret || !chal_len) {
		rfl_ini_set_error(tgt, "login: CHAP: bad CHAP_C");
		ret = -EPROTO;
		goto out;
	}
	ret = rfl_ini_chap_hash(rfl_ini_chap_algs[a].alg, id, c->chap_password,
				chal, chal_len, resp);
	if (ret) {
		rfl_ini_set_error(tgt, "login: CHAP: no %s: %d",
				  rfl_ini_chap_algs[a].alg, ret);
		goto out;
	}
	rfl_tb_init(&tb, l->tx_text, RFL_INI_LOGIN_BUF);
	rfl_tb_add(&tb, "CHAP_N", c->chap_userid);
	rfl_tb_add_bin(&tb, "CHAP_R", resp, rfl_ini_chap_algs[a].len, false);
	if (mutual) {
		get_random_bytes(&mid, 1);
		get_random_bytes(mchal, sizeof(mchal));
		rfl_tb_add_num(&tb, "CHAP_I", mid);
		rfl_tb_add_bin(&tb, "CHAP_C", mchal, sizeof(mchal), false);
	}
	if (tb.err) {
		ret = -EINVAL;
		goto out;
	}
	ret = rfl_ini_login_pdu(l, ISCSI_SECURITY_NEGOTIATION_STAGE,
				ISCSI_OP_PARMS_NEGOTIATION_STAGE, true, tb.len);
	if (ret || !mutual)
		goto out;
	kn = rfl_ini_need(l, "CHAP_N");
	kr = rfl_ini_need(l, "CHAP_R");
	ret = -EACCES;
	if (!kn || !kr)
		goto out;
	ret = rfl_ini_chap_hash(rfl_ini_chap_algs[a].alg, mid,
				c->chap_mutual_password, mchal, sizeof(mchal),
				resp);
	if (ret)
		goto out;
	if (strcmp(kn->value, c->chap_mutual_userid) ||
	    rfl_bin_decode(kr->value, kr->value_len, chal, RFL_CHAP_BIN_MAX,
			   &rlen) || rlen != rfl_ini_chap_algs[a].len ||
	    crypto_memneq(chal, resp, rlen)) {
		rfl_ini_set_error(tgt, "login: mutual CHAP: target %s failed authentication",
				  c->target_iqn);
		ret = -EACCES;
	}
out:
	kfree_sensitive(chal);
	memzero_explicit(resp, sizeof(resp));
	return ret;
}

static int rfl_ini_security(struct rfl_ini_login *l)
{
	struct rfl_ini_sess *sess = l->sess;
	struct rfl_ini_tgt *tgt = sess->tgt;
	bool chap = sess->cfg.chap_userid[0];
	char name[RFL_NAME_MAX + 1];
	struct rfl_text_buf tb;
	const struct rfl_kv *am, *tag;
	u64 n;
	int ret;

	rfl_tb_init(&tb, l->tx_text, RFL_INI_LOGIN_BUF);
	rfl_tb_add(&tb, "InitiatorName",
		   rfl_ini_initiator_name(name, sizeof(name)));
	rfl_tb_add(&tb, "SessionType", sess->discovery ? "Discovery" : "Normal");
	if (!sess->discovery)
		rfl_tb_add(&tb, "TargetName", sess->cfg.target_iqn);
	rfl_tb_add(&tb, "AuthMethod", chap ? "CHAP" : "None");
	if (tb.err)
		return -EINVAL;
	ret = rfl_ini_login_pdu(l, ISCSI_SECURITY_NEGOTIATION_STAGE,
				ISCSI_OP_PARMS_NEGOTIATION_STAGE, !chap,
				tb.len);
	if (ret)
		return ret;
	/* Sent by the target in its first Login Response (RFC 7143 13.9). */
	tag = rfl_text_find(l->kvs, l->nkv, "TargetPortalGroupTag");
	if (tag && !rfl_num_decode(tag->value, tag->value_len, &n) &&
	    n <= U16_MAX)
		WRITE_ONCE(sess->tpgt, n);
	else
		WRITE_ONCE(sess->tpgt, -1);
	am = rfl_text_find(l->kvs, l->nkv, "AuthMethod");
	if (am && strcmp(am->value, chap ? "CHAP" : "None")) {
		rfl_ini_set_error(tgt, "login: target answered AuthMethod=%s to %s",
				  am->value, chap ? "CHAP" : "None");
		return -EACCES;
	}
	if (chap) {
		ret = rfl_ini_chap(l);
		if (ret)
			return ret;
	}
	if (!rfl_ini_rsp_transit(l) ||
	    rfl_ini_rsp_nsg(l) != ISCSI_OP_PARMS_NEGOTIATION_STAGE) {
		rfl_ini_set_error(tgt,
				  "login: target did not leave the security stage");
		return -EPROTO;
	}
	return 0;
}

static int rfl_ini_operational(struct rfl_ini_login *l)
{
	struct rfl_ini_sess *sess = l->sess;
	struct rfl_text_buf tb;
	unsigned int i, round;
	int ret;

	rfl_ini_offers(l);
	rfl_tb_init(&tb, l->tx_text, RFL_INI_LOGIN_BUF);
	for (i = 0; i < RFL_KEY_NR; i++)
		if (l->offer[i])
			rfl_tb_add(&tb, rfl_key_get(i)->name, l->offer[i]);
	if (sess->cfg.reflection)
		rfl_tb_add(&tb, RFL_REFLECT_KEY, "Yes");
	if (tb.err)
		return -EINVAL;
	for (round = 0; round < RFL_INI_LOGIN_ROUNDS; round++) {
		ret = rfl_ini_login_pdu(l, ISCSI_OP_PARMS_NEGOTIATION_STAGE,
					ISCSI_FULL_FEATURE_PHASE, true,
					tb.len);
		if (ret)
			return ret;
		if (rfl_ini_rsp_csg(l) != ISCSI_OP_PARMS_NEGOTIATION_STAGE) {
			rfl_ini_set_error(sess->tgt,
					  "login: response in the wrong stage");
			return -EPROTO;
		}
		rfl_tb_init(&tb, l->tx_text, RFL_INI_LOGIN_BUF);
		ret = rfl_ini_check_answers(l, &tb);
		if (ret)
			return ret;
		if (tb.err)
			return -EPROTO;
		if (rfl_ini_rsp_transit(l) &&
		    rfl_ini_rsp_nsg(l) == ISCSI_FULL_FEATURE_PHASE && !tb.len)
			return 0;
	}
	rfl_ini_set_error(sess->tgt, "login: negotiation does not end");
	return -EPROTO;
}

/**
 * rfl_ini_login() - log a new session in on a connected socket
 * @sess: the session; its socket is connected and still blocking
 *
 * Return: 0 in full feature phase with sess->params, the window and
 * StatSN set; a negative errno with the reason in last_error.
 */
int rfl_ini_login(struct rfl_ini_sess *sess)
{
	struct rfl_iscsi_login_rsp_sn {
		u32 exp, max;
	} sn;
	struct iscsi_login_rsp *rsp;
	struct rfl_ini_login *l;
	int ret = -ENOMEM;

	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	l->tx_text = kmalloc(RFL_INI_LOGIN_BUF, GFP_KERNEL);
	l->rx_text = kmalloc(RFL_INI_LOGIN_BUF, GFP_KERNEL);
	l->rx_pdu = kmalloc(RFL_INI_LOGIN_BUF + 4, GFP_KERNEL);
	if (!l->tx_text || !l->rx_text || !l->rx_pdu)
		goto out;
	l->sess = sess;
	l->cmd_sn = 1;
	sess->reflect = false;
	rfl_params_init(&sess->params);
	ret = rfl_ini_security(l);
	if (!ret)
		ret = rfl_ini_operational(l);
	if (ret)
		goto out;
	sess->params.max_recv_dsl = sess->cfg.max_recv_dlength;
	ret = rfl_params_check(&sess->params);
	if (ret) {
		rfl_ini_set_error(sess->tgt,
				  "login: inconsistent parameters: %s",
				  rfl_text_strerror(ret));
		ret = -EPROTO;
		goto out;
	}
	rsp = (struct iscsi_login_rsp *)l->rsp;
	sess->tsih = be16_to_cpu(rsp->tsih);
	sess->exp_stat_sn = l->exp_stat_sn;
	sn.exp = be32_to_cpu(rsp->exp_cmdsn);
	sn.max = be32_to_cpu(rsp->max_cmdsn);
	sess->cmd_sn = sn.exp;
	sess->exp_cmd_sn = sn.exp;
	sess->max_cmd_sn = rfl_sn_window_valid(sn.exp, sn.max) ? sn.max :
			   sn.exp;
out:
	kfree(l->tx_text);
	kfree(l->rx_text);
	kfree(l->rx_pdu);
	kfree(l);
	return ret;
}
