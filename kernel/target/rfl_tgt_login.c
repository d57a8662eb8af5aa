// SPDX-License-Identifier: GPL-2.0
/*
 * Login phase (RFC 7143 sections 6 and 11.12-11.13): Login Requests are
 * answered one by one; the text of each is negotiated with kernel/proto
 * (rfl_neg_respond() with the tpg's param/ values as our offers), the
 * stages advance when the initiator asks for it, and the transition to
 * full feature phase sets up the LIO session (normal sessions) or just
 * the connection (discovery sessions). Security negotiation (AuthMethod
 * None or CHAP) is in rfl_tgt_auth.c; the stage is left only when it is
 * done.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "rfl_tgt.h"

#define RFL_LOGIN_KVS	64

static atomic_t rfl_next_tsih = ATOMIC_INIT(0);

static void rfl_login_send(struct rfl_conn *conn, struct rfl_ctl *ctl,
			   u8 flags, u8 cls, u8 detail)
{
	struct iscsi_login_req *req = (struct iscsi_login_req *)conn->rx_hdr;
	struct iscsi_login_rsp *rsp = (struct iscsi_login_rsp *)ctl->hdr;

	rsp->opcode = ISCSI_OP_LOGIN_RSP;
	rsp->flags = flags;
	rsp->max_version = 0;
	rsp->active_version = 0;
	memcpy(rsp->isid, req->isid, sizeof(rsp->isid));
	rsp->tsih = cls ? 0 : cpu_to_be16(conn->tsih);
	rsp->itt = req->itt;
	rsp->status_class = cls;
	rsp->status_detail = detail;
	ctl->stat = true;
	ctl->login = true;
	if (cls)
		ctl->final = true;
	rfl_queue_ctl(conn, ctl);
}

/* The statistics counter of a refused login. */
static enum rfl_stat_id rfl_login_fail_class(const struct rfl_login_status *st)
{
	if (st->cls != ISCSI_STATUS_CLS_INITIATOR_ERR)
		return RFL_ST_LOGIN_FAIL_OTHER;
	switch (st->detail) {
	case ISCSI_LOGIN_STATUS_AUTH_FAILED:
	case ISCSI_LOGIN_STATUS_TGT_FORBIDDEN:
		return RFL_ST_LOGIN_FAIL_AUTH;
	case ISCSI_LOGIN_STATUS_TGT_NOT_FOUND:
	case ISCSI_LOGIN_STATUS_TGT_REMOVED:
		return RFL_ST_LOGIN_FAIL_TARGET;
	default:
		return RFL_ST_LOGIN_FAIL_PROTO;
	}
}

static int rfl_login_refuse(struct rfl_conn *conn,
			    const struct rfl_login_status *st)
{
	struct rfl_ctl *ctl = rfl_ctl_alloc(conn, ISCSI_OP_LOGIN_RSP, 0);

	pr_info_ratelimited("login from %pISpc (%s) refused: %s\n",
			    &conn->peer, conn->iname[0] ? conn->iname : "?",
			    st->why);
	rfl_stat_inc(conn->tpg, rfl_login_fail_class(st));
	if (!ctl)
		return -ENOMEM;
	rfl_login_send(conn, ctl, 0, st->cls, st->detail);
	/* Nothing more is received; the close follows the response. */
	conn->state = RFL_CONN_LOGOUT;
	return 0;
}

void rfl_login_free(struct rfl_conn *conn)
{
	kfree(conn->login_own);
	conn->login_own = NULL;
	rfl_auth_free(conn);
}

static bool rfl_kv_is(const struct rfl_kv *kv, const char *s)
{
	return kv && kv->value_len == strlen(s) &&
	       !memcmp(kv->value, s, kv->value_len);
}

/* First Login Request of the connection: who, to what, and how. */
static int rfl_login_first(struct rfl_conn *conn, const struct rfl_kv *kvs,
			   unsigned int n, struct rfl_login_status *st)
{
	struct iscsi_login_req *req = (struct iscsi_login_req *)conn->rx_hdr;
	const struct rfl_kv *in, *tn, *stype;
	struct rfl_tpg *tpg = conn->tpg;
	unsigned int i;
	bool ok;

	memcpy(conn->isid, req->isid, sizeof(conn->isid));
	conn->exp_cmd_sn = be32_to_cpu(req->cmdsn);
	conn->login_itt = be32_to_cpu(req->itt);
	st->cls = ISCSI_STATUS_CLS_INITIATOR_ERR;
	if (req->min_version > 0) {
		st->detail = ISCSI_LOGIN_STATUS_NO_VERSION;
		st->why = "unsupported version";
		return -EINVAL;
	}
	if (req->tsih) {
		st->detail = ISCSI_LOGIN_STATUS_NO_SESSION;
		st->why = "adding a connection to a session (MaxConnections=1)";
		return -EINVAL;
	}
	in = rfl_text_find(kvs, n, "InitiatorName");
	tn = rfl_text_find(kvs, n, "TargetName");
	stype = rfl_text_find(kvs, n, "SessionType");
	if (!in || !in->value_len || in->value_len > RFL_NAME_MAX) {
		st->detail = ISCSI_LOGIN_STATUS_MISSING_FIELDS;
		st->why = "no InitiatorName";
		return -EINVAL;
	}
	memcpy(conn->iname, in->value, in->value_len);
	conn->iname[in->value_len] = '\0';
	if (stype && !rfl_kv_is(stype, "Discovery") &&
	    !rfl_kv_is(stype, "Normal")) {
		st->detail = ISCSI_LOGIN_STATUS_NO_SESSION_TYPE;
		st->why = "unknown SessionType";
		return -EINVAL;
	}
	conn->discovery = rfl_kv_is(stype, "Discovery");

	conn->login_own = kcalloc(RFL_P_NR, RFL_PARAM_LEN, GFP_KERNEL);
	if (!conn->login_own) {
		st->cls = ISCSI_STATUS_CLS_TARGET_ERR;
		st->detail = ISCSI_LOGIN_STATUS_NO_RESOURCES;
		st->why = "out of memory";
		return -ENOMEM;
	}
	mutex_lock(&rfl_cfg_mutex);
	ok = tpg->enabled;
	if (ok && !conn->discovery)
		ok = tn && !strcmp(tn->value, tpg->tiqn->name);
	memcpy(conn->login_own, tpg->param, sizeof(tpg->param));
	conn->cmdsn_depth = tpg->attrib.default_cmdsn_depth;
	mutex_unlock(&rfl_cfg_mutex);
	if (!ok) {
		st->detail = ISCSI_LOGIN_STATUS_TGT_NOT_FOUND;
		st->why = "no such target on this portal, or it is disabled";
		return -ENOENT;
	}

	memset(&conn->neg, 0, sizeof(conn->neg));
	conn->neg.is_target = true;
	rfl_params_init(&conn->neg.params);
	for (i = 0; i < RFL_P_NR; i++) {
		const struct rfl_key *def = rfl_key_find(NULL, rfl_param_key(i),
							 strlen(rfl_param_key(i)));

		if (def && def->id < RFL_KEY_NR)
			conn->neg.own[def->id] = conn->login_own[i];
	}
	rfl_login_reflect(conn, NULL, 0);
	/* Sets our AuthMethod offer. */
	return rfl_auth_start(conn, st);
}

/* Set up the session: LIO's (normal) or none (discovery). */
static int rfl_login_finish(struct rfl_conn *conn,
			    struct rfl_login_status *st)
{
	struct rfl_tpg *tpg = conn->tpg;
	struct rfl_conn *old;
	u32 cap;
	u8 *buf;

	conn->params = conn->neg.params;
	conn->params.max_recv_dsl = conn->neg.params.max_recv_dsl;
	st->cls = ISCSI_STATUS_CLS_TARGET_ERR;
	st->detail = ISCSI_LOGIN_STATUS_NO_RESOURCES;
	st->why = "out of memory";
	cap = max_t(u32, conn->params.max_recv_dsl, RFL_LOGIN_BUF);
	if (cap > conn->rx_buf_cap) {
		buf = kvmalloc(cap, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		kvfree(conn->rx_buf);
		conn->rx_buf = buf;
		conn->rx_buf_cap = cap;
	}
	do {
		conn->tsih = atomic_inc_return(&rfl_next_tsih);
	} while (!conn->tsih);
	if (conn->discovery)
		return 0;

	conn->se_sess = target_setup_session(&tpg->se_tpg, 0, 0,
					     TARGET_PROT_NORMAL, conn->iname,
					     conn, NULL);
	if (IS_ERR(conn->se_sess)) {
		int err = PTR_ERR(conn->se_sess);

		conn->se_sess = NULL;
		st->cls = ISCSI_STATUS_CLS_INITIATOR_ERR;
		st->detail = ISCSI_LOGIN_STATUS_TGT_FORBIDDEN;
		st->why = "initiator not in the ACLs of the portal group";
		return err;
	}
	/* Session reinstatement: the same initiator and ISID end the old. */
	spin_lock(&tpg->conn_lock);
	list_for_each_entry(old, &tpg->conns, tpg_node) {
		if (old != conn && old->se_sess && !old->discovery &&
		    !memcmp(old->isid, conn->isid, sizeof(conn->isid)) &&
		    !strcmp(old->iname, conn->iname))
			rfl_conn_fail(old, "session reinstated");
	}
	spin_unlock(&tpg->conn_lock);
	return 0;
}

/**
 * rfl_login_rx() - act on a received Login Request
 * @conn: the connection; the PDU is in rx_hdr and rx_buf
 *
 * Return: 0, or < 0 to drop the connection without a response.
 */
int rfl_login_rx(struct rfl_conn *conn)
{
	struct iscsi_login_req *req = (struct iscsi_login_req *)conn->rx_hdr;
	struct rfl_login_status st = { ISCSI_STATUS_CLS_INITIATOR_ERR,
				       ISCSI_LOGIN_STATUS_INIT_ERR,
				       "malformed login text" };
	bool first = !conn->login_own;
	u8 csg = ISCSI_LOGIN_CURRENT_STAGE(req->flags);
	u8 nsg = ISCSI_LOGIN_NEXT_STAGE(req->flags);
	bool transit = req->flags & ISCSI_FLAG_LOGIN_TRANSIT;
	struct rfl_text_buf tb;
	struct rfl_kv *kvs = NULL;
	struct rfl_ctl *ctl;
	unsigned int n = 0;
	int err;

	err = rfl_text_acc_add(&conn->login_acc, conn->rx_buf, conn->rx_dsl,
			       req->flags & ISCSI_FLAG_LOGIN_CONTINUE);
	if (err)
		return rfl_login_refuse(conn, &st);
	ctl = rfl_ctl_alloc(conn, ISCSI_OP_LOGIN_RSP, RFL_LOGIN_BUF);
	if (!ctl)
		return -ENOMEM;
	if (!conn->login_acc.done) {
		/* More text follows: an empty response asks for it. */
		ctl->len = 0;
		rfl_login_send(conn, ctl, csg << 2 | csg, 0, 0);
		return 0;
	}
	kvs = kcalloc(RFL_LOGIN_KVS, sizeof(*kvs), GFP_KERNEL);
	if (!kvs)
		goto nomem;
	if (rfl_text_parse(conn->login_text, conn->login_acc.len,
			   &rfl_reflect_keyset, 0, kvs,
			   RFL_LOGIN_KVS, &n))
		goto refuse;
	if (first && rfl_login_first(conn, kvs, n, &st))
		goto refuse;
	if (!first && csg != conn->login_csg) {
		st.why = "login stage changed without a transition";
		goto refuse;
	}
	conn->login_csg = csg;
	if (csg == ISCSI_SECURITY_NEGOTIATION_STAGE) {
		conn->neg.phase = RFL_PHASE_SECURITY;
	} else if (csg == ISCSI_OP_PARMS_NEGOTIATION_STAGE) {
		if (!rfl_auth_done(conn)) {
			st.detail = ISCSI_LOGIN_STATUS_AUTH_FAILED;
			st.why = "CHAP required, security stage skipped";
			goto refuse;
		}
		conn->neg.phase = RFL_PHASE_OPERATIONAL;
	} else {
		st.why = "reserved login stage";
		goto refuse;
	}

	rfl_tb_init(&tb, ctl->data, RFL_LOGIN_BUF);
	if (csg == ISCSI_SECURITY_NEGOTIATION_STAGE) {
		if (rfl_auth_rx(conn, kvs, n, &tb, &st))
			goto refuse;
		/* CHAP keys are answered; the rest is negotiated. */
		n = rfl_auth_strip(kvs, n);
	}
	err = rfl_neg_respond(&conn->neg, kvs, n, &tb);
	if (err) {
		st.why = rfl_text_strerror(err);
		goto refuse;
	}
	rfl_login_reflect(conn, kvs, n);
	/* CHAP under way: the initiator stays in the security stage. */
	if (csg == ISCSI_SECURITY_NEGOTIATION_STAGE && !rfl_auth_done(conn))
		transit = false;
	if (!conn->discovery && !conn->login_tpgt_sent) {
		rfl_tb_add_num(&tb, "TargetPortalGroupTag", conn->tpg->tag);
		conn->login_tpgt_sent = true;
	}
	if (csg == ISCSI_OP_PARMS_NEGOTIATION_STAGE && !conn->login_mrdsl_sent) {
		u64 mrdsl;

		if (rfl_num_decode(conn->login_own[RFL_P_MAX_RECV_DSL],
				   strlen(conn->login_own[RFL_P_MAX_RECV_DSL]),
				   &mrdsl))
			mrdsl = ISCSI_DEF_MAX_RECV_SEG_LEN;
		rfl_tb_add_num(&tb, "MaxRecvDataSegmentLength", mrdsl);
		conn->neg.params.max_recv_dsl = mrdsl;
		if (!conn->discovery)
			rfl_tb_add(&tb, "TargetAlias",
				   conn->login_own[RFL_P_TARGET_ALIAS]);
		conn->login_mrdsl_sent = true;
	}
	if (tb.err) {
		st.why = "login response too long";
		goto refuse;
	}
	ctl->len = tb.len;
	rfl_text_acc_init(&conn->login_acc, conn->login_text, RFL_LOGIN_BUF);
	kfree(kvs);
	kvs = NULL;

	if (!transit) {
		rfl_login_send(conn, ctl, csg << 2, 0, 0);
		return 0;
	}
	if (nsg <= csg || nsg == 2) {
		st.why = "invalid next stage";
		goto refuse_ctl;
	}
	if (nsg == ISCSI_FULL_FEATURE_PHASE) {
		if (conn->neg.params.erl) {
			st.why = "ErrorRecoveryLevel > 0";
			goto refuse_ctl;
		}
		if (rfl_login_finish(conn, &st))
			goto refuse_ctl;
		rfl_login_send(conn, ctl, ISCSI_FLAG_LOGIN_TRANSIT | csg << 2 |
			       nsg, 0, 0);
		/* Digests apply from the first PDU after this response. */
		atomic_set(&conn->max_cmd_sn,
			   conn->exp_cmd_sn + conn->cmdsn_depth - 1);
		conn->rx_lim.max_recv_dsl = conn->params.max_recv_dsl;
		WRITE_ONCE(conn->state, RFL_CONN_FFP);
		/* Pairs with the acquire in rfl_tpg_sessions_show(). */
		smp_store_release(&conn->logged_in, true);
		rfl_stat_inc(conn->tpg, RFL_ST_LOGINS);
		cancel_delayed_work(&conn->login_timeout);
		rfl_nopin_start(conn);
		pr_info("%s session from %pISpc (%s) to %s tpgt_%u, TSIH %u%s%s%s\n",
			conn->discovery ? "discovery" : "normal", &conn->peer,
			conn->iname, conn->tpg->tiqn->name, conn->tpg->tag,
			conn->tsih,
			conn->params.header_digest ? ", HeaderDigest" : "",
			conn->params.data_digest ? ", DataDigest" : "",
			conn->reflect ? ", Reflection" : "");
		rfl_login_free(conn);
		return 0;
	}
	conn->login_csg = nsg;
	rfl_login_send(conn, ctl, ISCSI_FLAG_LOGIN_TRANSIT | csg << 2 | nsg,
		       0, 0);
	return 0;

nomem:
	st.cls = ISCSI_STATUS_CLS_TARGET_ERR;
	st.detail = ISCSI_LOGIN_STATUS_NO_RESOURCES;
	st.why = "out of memory";
refuse:
	kfree(kvs);
refuse_ctl:
	kvfree(ctl->data);
	kfree(ctl);
	return rfl_login_refuse(conn, &st);
}
