// SPDX-License-Identifier: GPL-2.0
/*
 * SendTargets discovery (RFC 7143 section 4.3 and appendix C), for the
 * configfs discovery objects: in the context of the writer of
 * discover=1, on a blocking socket as login is, connect to the first
 * portal that answers, log in with SessionType=Discovery (CHAP as for a
 * target object), send Text Request SendTargets=All, gather the Text
 * Responses (a response with F clear is continued by an empty Text
 * Request carrying its Target Transfer Tag, section 11.10/11.11), bounded
 * in size, then Logout. The response is parsed by the shared text codec
 * (kernel/proto) into one line per portal: "<name> <address>:<port>,<tpgt>".
 * Every step is bounded by the login timeout of the socket; a failure
 * leaves its reason in last_error.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "rfl_ini.h"

#define RFL_INI_DISC_MAX	(64 * 1024)	/* bytes of all responses */
#define RFL_INI_DISC_ITT	0x40000010U	/* Text and Logout */

struct rfl_ini_disc_run {
	struct rfl_ini_sess *sess;
	void *pdu;			/* data segment of one PDU */
	u32 pdu_cap;
	u8 rsp[ISCSI_HDR_LEN];
	struct rfl_text_acc acc;
	unsigned int npdus;		/* Text Responses received */
	unsigned int nlines;		/* target portals found */
};

/* Send a request header and its data segment with padding. */
static int rfl_ini_disc_send(struct rfl_ini_sess *sess, void *hdr,
			     const void *data, u32 len)
{
	static const u8 zero[4];
	int ret;

	rfl_pdu_set_dsl(hdr, len);
	ret = rfl_ini_send_all(sess->sock, hdr, ISCSI_HDR_LEN);
	if (!ret && len)
		ret = rfl_ini_send_all(sess->sock, data, len);
	if (!ret && rfl_pad4(len) != len)
		ret = rfl_ini_send_all(sess->sock, zero, rfl_pad4(len) - len);
	return ret;
}

/* Receive one response PDU of @opcode: header in r->rsp, data in r->pdu. */
static int rfl_ini_disc_recv(struct rfl_ini_disc_run *r, u8 opcode,
			     u32 *dsl)
{
	struct rfl_ini_sess *sess = r->sess;
	struct iscsi_hdr *hdr = (struct iscsi_hdr *)r->rsp;
	struct rfl_pdu_limits lim = { .max_recv_dsl = r->pdu_cap - 4 };
	u8 op;
	int ret, err;

	ret = rfl_ini_recv_all(sess->sock, r->rsp, ISCSI_HDR_LEN);
	if (ret) {
		rfl_ini_set_error(sess->tgt, "discovery: connection lost: %d",
				  ret);
		return ret;
	}
	err = rfl_pdu_check_initiator(hdr, &lim, 0);
	op = hdr->opcode & ISCSI_OPCODE_MASK;
	if (err || hdr->hlength) {
		rfl_ini_set_error(sess->tgt, "discovery: malformed PDU: %s",
				  err ? rfl_pdu_strerror(err) : "AHS");
		return -EPROTO;
	}
	*dsl = rfl_pdu_dsl(hdr);
	ret = *dsl ? rfl_ini_recv_all(sess->sock, r->pdu, rfl_pad4(*dsl)) : 0;
	if (ret) {
		rfl_ini_set_error(sess->tgt, "discovery: connection lost: %d",
				  ret);
		return ret;
	}
	if (op == ISCSI_OP_REJECT) {
		rfl_ini_set_error(sess->tgt, "discovery: request rejected, reason 0x%02x",
				  r->rsp[2]);
		return -EPROTO;
	}
	if (op != opcode || be32_to_cpu((__force __be32)hdr->itt) !=
	    RFL_INI_DISC_ITT) {
		rfl_ini_set_error(sess->tgt, "discovery: unexpected PDU, opcode 0x%02x",
				  op);
		return -EPROTO;
	}
	sess->exp_stat_sn = be32_to_cpu(hdr->statsn) + 1;
	rfl_sn_update_window(&sess->exp_cmd_sn, &sess->max_cmd_sn,
			     be32_to_cpu(hdr->exp_statsn),
			     be32_to_cpu(hdr->max_statsn));
	return 0;
}

/* SendTargets=All and every Text Response that answers it. */
static int rfl_ini_disc_text(struct rfl_ini_disc_run *r)
{
	static const char st[] = "SendTargets=All";
	struct rfl_ini_sess *sess = r->sess;
	struct iscsi_text req;
	struct iscsi_text_rsp *rsp = (struct iscsi_text_rsp *)r->rsp;
	__be32 ttt = cpu_to_be32(ISCSI_RESERVED_TAG);
	bool first = true, final;
	u32 dsl;
	int ret;

	do {
		memset(&req, 0, sizeof(req));
		req.opcode = ISCSI_OP_TEXT;
		req.flags = ISCSI_FLAG_CMD_FINAL;
		req.itt = (__force itt_t)cpu_to_be32(RFL_INI_DISC_ITT);
		req.ttt = ttt;
		req.cmdsn = cpu_to_be32(sess->cmd_sn++);
		req.exp_statsn = cpu_to_be32(sess->exp_stat_sn);
		/* The text once; then empty requests ask for the rest. */
		ret = rfl_ini_disc_send(sess, &req, first ? st : NULL,
					first ? sizeof(st) : 0);
		if (ret) {
			rfl_ini_set_error(sess->tgt, "discovery: connection lost: %d",
					  ret);
			return ret;
		}
		first = false;
		ret = rfl_ini_disc_recv(r, ISCSI_OP_TEXT_RSP, &dsl);
		if (ret)
			return ret;
		final = rsp->flags & ISCSI_FLAG_CMD_FINAL;
		if (final && (rsp->flags & ISCSI_FLAG_TEXT_CONTINUE)) {
			rfl_ini_set_error(sess->tgt, "discovery: Text Response with F and C");
			return -EPROTO;
		}
		if (!final && rsp->ttt == cpu_to_be32(ISCSI_RESERVED_TAG)) {
			rfl_ini_set_error(sess->tgt, "discovery: %s",
					  "Text Response with F clear and no TTT");
			return -EPROTO;
		}
		/* Pairs may span PDUs (C): one text until the final PDU. */
		ret = rfl_text_acc_add(&r->acc, r->pdu, dsl, !final);
		if (ret) {
			rfl_ini_set_error(sess->tgt, "discovery: response: %s (max %u bytes)",
					  rfl_text_strerror(ret),
					  RFL_INI_DISC_MAX);
			return -EPROTO;
		}
		r->npdus++;
		ttt = rsp->ttt;
	} while (!final);
	return 0;
}

/* Close the discovery session; its failure only costs a log line. */
static void rfl_ini_disc_logout(struct rfl_ini_disc_run *r)
{
	struct rfl_ini_sess *sess = r->sess;
	struct iscsi_logout req = {};
	u32 dsl;

	req.opcode = ISCSI_OP_LOGOUT | ISCSI_OP_IMMEDIATE;
	req.flags = ISCSI_FLAG_CMD_FINAL | ISCSI_LOGOUT_REASON_CLOSE_SESSION;
	req.itt = (__force itt_t)cpu_to_be32(RFL_INI_DISC_ITT);
	req.cmdsn = cpu_to_be32(sess->cmd_sn);
	req.exp_statsn = cpu_to_be32(sess->exp_stat_sn);
	if (rfl_ini_disc_send(sess, &req, NULL, 0) ||
	    rfl_ini_disc_recv(r, ISCSI_OP_LOGOUT_RSP, &dsl))
		pr_info("%s: discovery: no Logout Response\n",
			config_item_name(&sess->tgt->group.cg_item));
}

/* The SendTargets text as lines of @out. */
static int rfl_ini_disc_parse(struct rfl_ini_disc_run *r, char *out,
			      size_t cap)
{
	struct rfl_ini_tgt *tgt = r->sess->tgt;
	char name[RFL_NAME_MAX + 1] = "";
	struct rfl_target_address ta;
	struct rfl_text_iter it;
	struct rfl_kv kv;
	bool pending = false;
	size_t len = 0;

	rfl_text_iter_init(&it, r->acc.buf, r->acc.len, &rfl_reflect_keyset);
	for (;;) {
		bool more = rfl_text_next(&it, &kv);
		bool is_name = more && kv.def &&
			       kv.def->id == RFL_KEY_TARGET_NAME;
		/*
		 * LIO repeats a TargetName at the start of the next response
		 * when its addresses did not fit: the same target goes on.
		 */
		bool same = is_name && !strcmp(kv.value, name);

		/* A name without addresses: the discovery portal's own. */
		if (pending && (!more || (is_name && !same))) {
			len += scnprintf(out + len, cap - len, "%s %pISpc,-1\n",
					 name, &r->sess->peer);
			r->nlines++;
			pending = false;
		}
		if (!more)
			break;
		if (kv.special != RFL_SV_PLAIN || !kv.def)
			continue;
		if (same) {
			continue;
		} else if (is_name) {
			if (rfl_value_check(kv.def, kv.value, kv.value_len))
				goto bad;
			strscpy(name, kv.value, sizeof(name));
			pending = true;
		} else if (kv.def->id == RFL_KEY_TARGET_ADDRESS) {
			if (!name[0] ||
			    rfl_target_address_decode(kv.value, kv.value_len,
						      &ta))
				goto bad;
			len += scnprintf(out + len, cap - len,
					 "%s %.*s:%u,%d\n", name,
					 (int)ta.host_len, ta.host, ta.port,
					 ta.tpgt);
			r->nlines++;
			pending = false;
		}
		if (len + 1 >= cap) {
			rfl_ini_set_error(tgt, "discovery: the target list is above %zu bytes",
					  cap - 1);
			return -E2BIG;
		}
	}
	if (it.err) {
		rfl_ini_set_error(tgt, "discovery: bad SendTargets text at byte %u: %s",
				  it.off, rfl_text_strerror(it.err));
		return -EPROTO;
	}
	return 0;
bad:
	rfl_ini_set_error(tgt, "discovery: bad %.*s=%.*s", kv.key_len, kv.key,
			  min_t(u32, kv.value_len, 64), kv.value);
	return -EPROTO;
}

/**
 * rfl_ini_discover() - a SendTargets discovery session
 * @tgt: the discovery object's target part (portal, CHAP); mutex held
 * @net: network namespace of the socket
 * @out: the result, one line per target portal, NUL-terminated
 * @cap: its size
 *
 * Context: process context; blocks for the exchange, each step bounded by
 * RFL_INI_LOGIN_TMO.
 * Return: 0, or a negative errno with the reason in last_error.
 */
int rfl_ini_discover(struct rfl_ini_tgt *tgt, struct net *net, char *out,
		     size_t cap)
{
	struct rfl_ini_disc_run *r;
	struct rfl_ini_sess *sess;
	char name[RFL_NAME_MAX + 1];
	char *text;
	int ret;

	if (!*rfl_ini_initiator_name(name, sizeof(name))) {
		rfl_ini_set_error(tgt, "initiator_name is not set");
		return -EINVAL;
	}
	if (!tgt->cfg.portal.ss_family) {
		rfl_ini_set_error(tgt, "portal must be set");
		return -EINVAL;
	}
	if (tgt->cfg.chap_userid[0])
		rfl_ini_chap_prepare();
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	text = kvmalloc(RFL_INI_DISC_MAX, GFP_KERNEL);
	if (!r || !sess || !text) {
		ret = -ENOMEM;
		goto out;
	}
	sess->tgt = tgt;
	sess->cfg = tgt->cfg;
	sess->cfg.reflection = false;
	sess->cfg.header_digest = false;
	sess->cfg.data_digest = false;
	sess->discovery = true;
	sess->net = get_net(net);
	spin_lock_init(&sess->lock);
	r->sess = sess;
	r->pdu_cap = sess->cfg.max_recv_dlength + 4;
	r->pdu = kvmalloc(r->pdu_cap, GFP_KERNEL);
	if (!r->pdu) {
		ret = -ENOMEM;
		goto out;
	}
	rfl_text_acc_init(&r->acc, text, RFL_INI_DISC_MAX);

	ret = rfl_ini_connect_login(sess, 0);
	if (ret)
		goto out;
	ret = rfl_ini_disc_text(r);
	if (!ret)
		rfl_ini_disc_logout(r);
	if (!ret)
		ret = rfl_ini_disc_parse(r, out, cap);
	if (!ret)
		pr_info("%s: discovery at %pISpc: %u target portals in %u Text Responses\n",
			config_item_name(&tgt->group.cg_item), &sess->peer,
			r->nlines, r->npdus);
out:
	if (sess) {
		if (sess->sock)
			sock_release(sess->sock);
		if (sess->net)
			put_net(sess->net);
		kfree(sess);
	}
	if (r)
		kvfree(r->pdu);
	kfree(r);
	kvfree(text);
	return ret;
}
