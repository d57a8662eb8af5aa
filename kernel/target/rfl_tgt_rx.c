// SPDX-License-Identifier: GPL-2.0
/*
 * PDU receive state machine: BHS (48 bytes), AHS and header digest, data
 * segment straight into its destination (a command's pages for SCSI data,
 * rx_buf otherwise), padding and data digest; then dispatch. Also the
 * PDUs that are neither login nor SCSI: NOP-Out, Text (SendTargets),
 * Logout, and the Reject the target sends for what it refuses.
 *
 * Everything here runs in io_work.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/highmem.h>
#include <linux/uio.h>
#include <net/ipv6.h>

#include "rfl_script.h"
#include "rfl_tgt.h"

#define RFL_RX_BVECS	16

/* Returns bytes received, 0 for nothing now, < 0 for a dead peer. */
static int rfl_recv_buf(struct rfl_conn *conn, void *buf, u32 len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	int ret;

	ret = kernel_recvmsg(conn->sock, &msg, &iov, 1, len, msg.msg_flags);
	if (ret == -EAGAIN)
		return 0;
	if (ret == 0)
		return -ECONNRESET;
	return ret;
}

/* Receive into a command's pages: buffer offset @off, @len bytes. */
static int rfl_recv_sg(struct rfl_conn *conn, struct rfl_cmd *cmd, u32 off,
		       u32 len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct bio_vec bv[RFL_RX_BVECS];
	unsigned int n = 0, idx = off >> PAGE_SHIFT;
	u32 pgoff = off & ~PAGE_MASK, total = 0;
	int ret;

	while (total < len && n < RFL_RX_BVECS && idx < cmd->sg_nents) {
		struct scatterlist *sg = &cmd->sgl[idx];
		u32 l = min(sg->length - pgoff, len - total);

		bvec_set_page(&bv[n++], sg_page(sg), l, sg->offset + pgoff);
		total += l;
		pgoff = 0;
		idx++;
	}
	if (!total)
		return -EINVAL;
	iov_iter_bvec(&msg.msg_iter, ITER_DEST, bv, n, total);
	ret = sock_recvmsg(conn->sock, &msg, msg.msg_flags);
	if (ret == -EAGAIN)
		return 0;
	if (ret == 0)
		return -ECONNRESET;
	return ret;
}

/* CRC32C of a command's pages, buffer offset @off, @len bytes. */
static u32 rfl_sg_crc(struct rfl_cmd *cmd, u32 off, u32 len, u32 crc)
{
	unsigned int idx = off >> PAGE_SHIFT;
	u32 pgoff = off & ~PAGE_MASK;

	while (len && idx < cmd->sg_nents) {
		struct scatterlist *sg = &cmd->sgl[idx++];
		u32 l = min(sg->length - pgoff, len);
		u8 *p = kmap_local_page(sg_page(sg));

		crc = rfl_digest_update(crc, p + sg->offset + pgoff, l);
		kunmap_local(p);
		len -= l;
		pgoff = 0;
	}
	return crc;
}

struct rfl_ctl *rfl_ctl_alloc(struct rfl_conn *conn, u8 opcode, u32 len)
{
	struct rfl_ctl *ctl = kzalloc(sizeof(*ctl), GFP_KERNEL);

	if (!ctl)
		return NULL;
	if (len) {
		ctl->data = kvzalloc(len, GFP_KERNEL);
		if (!ctl->data) {
			kfree(ctl);
			return NULL;
		}
	}
	ctl->len = len;
	ctl->hdr[0] = opcode;
	ctl->hdr[1] = ISCSI_FLAG_CMD_FINAL;
	return ctl;
}

void rfl_queue_ctl(struct rfl_conn *conn, struct rfl_ctl *ctl)
{
	spin_lock_bh(&conn->txq_lock);
	list_add_tail(&ctl->txe.node, &conn->txq);
	spin_unlock_bh(&conn->txq_lock);
	rfl_conn_kick(conn);
}

/* Reject the PDU in rx_hdr; its header goes back as the data. */
void rfl_send_reject(struct rfl_conn *conn, u8 reason)
{
	struct rfl_ctl *ctl = rfl_ctl_alloc(conn, ISCSI_OP_REJECT,
					    ISCSI_HDR_LEN);
	struct iscsi_reject *rej;

	if (!ctl)
		return;
	rej = (struct iscsi_reject *)ctl->hdr;
	rej->reason = reason;
	rej->ffffffff = cpu_to_be32(ISCSI_RESERVED_TAG);
	memcpy(ctl->data, conn->rx_hdr, ISCSI_HDR_LEN);
	ctl->stat = true;
	/* Counted before the peer can see it. */
	rfl_stat_inc(conn->tpg, RFL_ST_REJECTS);
	rfl_queue_ctl(conn, ctl);
}

/* ---------------------------------------------------- non-SCSI PDUs */

static int rfl_rx_nop_out(struct rfl_conn *conn)
{
	struct iscsi_nopout *hdr = (struct iscsi_nopout *)conn->rx_hdr;
	struct iscsi_nopin *rsp;
	struct rfl_ctl *ctl;

	/* The answer to our own ping: nothing to send. */
	if (hdr->itt == cpu_to_be32(ISCSI_RESERVED_TAG)) {
		rfl_nopin_answer(conn, be32_to_cpu(hdr->ttt));
		return 0;
	}
	ctl = rfl_ctl_alloc(conn, ISCSI_OP_NOOP_IN, conn->rx_dsl);
	if (!ctl)
		return -ENOMEM;
	rsp = (struct iscsi_nopin *)ctl->hdr;
	rsp->lun = hdr->lun;
	rsp->itt = hdr->itt;
	rsp->ttt = cpu_to_be32(ISCSI_RESERVED_TAG);
	if (conn->rx_dsl)
		memcpy(ctl->data, conn->rx_buf, conn->rx_dsl);
	ctl->stat = true;
	rfl_queue_ctl(conn, ctl);
	return 0;
}

static void rfl_add_portals(struct rfl_conn *conn, struct rfl_tpg *tpg,
			    struct rfl_text_buf *tb)
{
	char addr[64 + 8];
	struct rfl_np *np;
	int n;

	list_for_each_entry(np, &tpg->nps, node) {
		struct sockaddr_storage ss = np->addr;

		/* A wildcard portal: the address this connection reached. */
		if (ss.ss_family == AF_INET &&
		    !((struct sockaddr_in *)&ss)->sin_addr.s_addr &&
		    conn->local.ss_family == AF_INET)
			((struct sockaddr_in *)&ss)->sin_addr =
				((struct sockaddr_in *)&conn->local)->sin_addr;
		if (ss.ss_family == AF_INET6 &&
		    ipv6_addr_any(&((struct sockaddr_in6 *)&ss)->sin6_addr) &&
		    conn->local.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&ss)->sin6_addr =
				((struct sockaddr_in6 *)&conn->local)->sin6_addr;
		n = rfl_np_format(&ss, addr, sizeof(addr) - 8);
		snprintf(addr + n, sizeof(addr) - n, ",%u", tpg->tag);
		rfl_tb_add(tb, "TargetAddress", addr);
	}
}

/* SendTargets=All, =<name>, or empty (this session's target). */
static void rfl_send_targets(struct rfl_conn *conn, const struct rfl_kv *kv,
			     struct rfl_text_buf *tb)
{
	bool all = kv->value_len == 3 && !memcmp(kv->value, "All", 3);
	struct rfl_tiqn *tiqn;
	struct rfl_tpg *tpg;

	if (all && !conn->discovery)
		return;
	mutex_lock(&rfl_cfg_mutex);
	list_for_each_entry(tiqn, &rfl_tiqns, node) {
		bool named = false;

		if (!all) {
			if (kv->value_len ? strcmp(kv->value, tiqn->name) :
			    tiqn != conn->tpg->tiqn)
				continue;
		}
		list_for_each_entry(tpg, &tiqn->tpgs, node) {
			if (!tpg->enabled || list_empty(&tpg->nps))
				continue;
			if (!named)
				rfl_tb_add(tb, "TargetName", tiqn->name);
			named = true;
			rfl_add_portals(conn, tpg, tb);
		}
	}
	mutex_unlock(&rfl_cfg_mutex);
}

static int rfl_rx_text(struct rfl_conn *conn)
{
	struct iscsi_text *hdr = (struct iscsi_text *)conn->rx_hdr;
	u32 cap = min_t(u32, conn->params.max_xmit_dsl, RFL_TEXT_MIN_LTDS);
	struct rfl_kv kvs[8];
	const struct rfl_kv *st;
	struct iscsi_text_rsp *rsp;
	struct rfl_text_buf tb;
	struct rfl_ctl *ctl;
	unsigned int n = 0;

	if (hdr->flags & ISCSI_FLAG_TEXT_CONTINUE) {
		pr_warn_ratelimited("%pISpc: continued Text Request not supported\n",
				    &conn->peer);
		rfl_send_reject(conn, ISCSI_REASON_CMD_NOT_SUPPORTED);
		return 0;
	}
	ctl = rfl_ctl_alloc(conn, ISCSI_OP_TEXT_RSP, cap);
	if (!ctl)
		return -ENOMEM;
	rfl_tb_init(&tb, ctl->data, cap);
	if (conn->rx_dsl &&
	    !rfl_text_parse(conn->rx_buf, conn->rx_dsl, NULL, 0, kvs,
			    ARRAY_SIZE(kvs), &n)) {
		st = rfl_text_find(kvs, n, "SendTargets");
		if (st)
			rfl_send_targets(conn, st, &tb);
	}
	if (tb.err)
		pr_warn_ratelimited("%pISpc: SendTargets answer truncated\n",
				    &conn->peer);
	ctl->len = tb.len;
	rsp = (struct iscsi_text_rsp *)ctl->hdr;
	rsp->itt = hdr->itt;
	rsp->ttt = cpu_to_be32(ISCSI_RESERVED_TAG);
	ctl->stat = true;
	rfl_queue_ctl(conn, ctl);
	return 0;
}

static int rfl_rx_logout(struct rfl_conn *conn)
{
	struct iscsi_logout *hdr = (struct iscsi_logout *)conn->rx_hdr;
	u8 reason = hdr->flags & ISCSI_FLAG_LOGOUT_REASON_MASK;
	struct iscsi_logout_rsp *rsp;
	struct rfl_ctl *ctl;

	ctl = rfl_ctl_alloc(conn, ISCSI_OP_LOGOUT_RSP, 0);
	if (!ctl)
		return -ENOMEM;
	rsp = (struct iscsi_logout_rsp *)ctl->hdr;
	rsp->itt = hdr->itt;
	ctl->stat = true;
	if (reason == ISCSI_LOGOUT_REASON_RECOVERY) {
		rsp->response = ISCSI_LOGOUT_RECOVERY_UNSUPPORTED;
	} else {
		rsp->response = ISCSI_LOGOUT_SUCCESS;
		ctl->logout = true;
		conn->state = RFL_CONN_LOGOUT;
		rfl_stat_inc(conn->tpg, RFL_ST_LOGOUTS);
	}
	rfl_queue_ctl(conn, ctl);
	return 0;
}

/* ------------------------------------------------------- state machine */

static const char *rfl_op_name(u8 op)
{
	switch (op) {
	case ISCSI_OP_NOOP_OUT: return "NOP-Out";
	case ISCSI_OP_SCSI_CMD: return "SCSI Command";
	case ISCSI_OP_SCSI_TMFUNC: return "Task Management";
	case ISCSI_OP_LOGIN: return "Login";
	case ISCSI_OP_TEXT: return "Text";
	case ISCSI_OP_SCSI_DATA_OUT: return "Data-Out";
	case ISCSI_OP_LOGOUT: return "Logout";
	case ISCSI_OP_SNACK: return "SNACK";
	default: return "unknown";
	}
}

/*
 * CmdSN of a non-Data-Out request: in order on a single connection, so a
 * non-immediate request must carry ExpCmdSN. Returns false to drop it.
 */
bool rfl_rx_cmdsn(struct rfl_conn *conn)
{
	struct iscsi_hdr *hdr = (struct iscsi_hdr *)conn->rx_hdr;
	u32 sn = be32_to_cpu(hdr->statsn);	/* CmdSN: same offset */

	if (hdr->opcode & ISCSI_OP_IMMEDIATE)
		return true;
	if (sn != conn->exp_cmd_sn) {
		pr_warn_ratelimited("%pISpc: %s CmdSN %u, expected %u: dropped\n",
				    &conn->peer,
				    rfl_op_name(hdr->opcode & ISCSI_OPCODE_MASK),
				    sn, conn->exp_cmd_sn);
		rfl_stat_inc(conn->tpg, RFL_ST_CMDSN_DROPS);
		return false;
	}
	conn->exp_cmd_sn++;
	return true;
}

/* The header is complete: decide where the data segment goes. */
static int rfl_rx_hdr(struct rfl_conn *conn)
{
	struct iscsi_hdr *hdr = (struct iscsi_hdr *)conn->rx_hdr;
	u8 op = hdr->opcode & ISCSI_OPCODE_MASK;

	conn->rx_dest = RFL_RXD_BUF;
	if (conn->state == RFL_CONN_LOGIN) {
		if (op != ISCSI_OP_LOGIN) {
			pr_warn_ratelimited("%pISpc: %s PDU during login\n",
					    &conn->peer, rfl_op_name(op));
			return -EPROTO;
		}
		return 0;
	}
	switch (op) {
	case ISCSI_OP_SCSI_CMD:
		if (conn->discovery) {
			pr_warn_ratelimited("%pISpc: SCSI Command in a discovery session\n",
					    &conn->peer);
			return -EPROTO;
		}
		return rfl_cmd_rx_scsi(conn);
	case ISCSI_OP_SCSI_DATA_OUT:
		return rfl_cmd_rx_data_out(conn);
	case ISCSI_OP_NOOP_OUT:
	case ISCSI_OP_TEXT:
	case ISCSI_OP_LOGOUT:
	case ISCSI_OP_SCSI_TMFUNC:
		return 0;
	case ISCSI_OP_LOGIN:
		pr_warn_ratelimited("%pISpc: Login PDU in full feature phase\n",
				    &conn->peer);
		rfl_send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
		conn->rx_dest = RFL_RXD_DISCARD;
		conn->rx_skip = true;
		return 0;
	default:
		pr_warn_ratelimited("%pISpc: %s PDU (opcode 0x%02x) not supported\n",
				    &conn->peer, rfl_op_name(op), op);
		rfl_send_reject(conn, ISCSI_REASON_CMD_NOT_SUPPORTED);
		conn->rx_dest = RFL_RXD_DISCARD;
		conn->rx_skip = true;
		return 0;
	}
}

/* The PDU is complete: act on it. */
static int rfl_rx_pdu(struct rfl_conn *conn)
{
	struct iscsi_hdr *hdr = (struct iscsi_hdr *)conn->rx_hdr;
	u8 op = hdr->opcode & ISCSI_OPCODE_MASK;

	if (conn->rx_skip)
		return 0;
	if (conn->state == RFL_CONN_LOGIN)
		return rfl_login_rx(conn);
	if (op == ISCSI_OP_SCSI_DATA_OUT)
		return rfl_cmd_rx_data_out_done(conn);
	if (op == ISCSI_OP_SCSI_CMD)
		return rfl_cmd_rx_scsi_done(conn);
	if (!rfl_rx_cmdsn(conn))
		return 0;
	/* Requests that hold no slot of the CmdSN window give it back. */
	if (!(hdr->opcode & ISCSI_OP_IMMEDIATE))
		atomic_inc(&conn->max_cmd_sn);
	switch (op) {
	case ISCSI_OP_NOOP_OUT:
		return rfl_rx_nop_out(conn);
	case ISCSI_OP_TEXT:
		return rfl_rx_text(conn);
	case ISCSI_OP_LOGOUT:
		return rfl_rx_logout(conn);
	case ISCSI_OP_SCSI_TMFUNC:
		if (conn->discovery) {
			rfl_send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
			return 0;
		}
		return rfl_cmd_rx_tmf(conn);
	}
	return 0;
}

static void rfl_rx_reset(struct rfl_conn *conn)
{
	conn->rx_state = RFL_RX_BHS;
	conn->rx_off = 0;
	conn->rx_cmd = NULL;
	conn->rx_skip = false;
}

static int rfl_rx_check_bhs(struct rfl_conn *conn)
{
	struct iscsi_hdr *hdr = (struct iscsi_hdr *)conn->rx_hdr;
	struct iscsi_hdr bhs;
	int err;

	/*
	 * On a reflecting session RFL_CMD_FLAG_PROXY, a reserved bit for
	 * RFC 7143, is legal in a SCSI Command: check a copy without it
	 * (rx_hdr stays intact for the header digest).
	 */
	conn->rx_proxy = false;
	if (conn->reflect &&
	    (hdr->opcode & ISCSI_OPCODE_MASK) == ISCSI_OP_SCSI_CMD &&
	    (hdr->flags & RFL_CMD_FLAG_PROXY)) {
		bhs = *hdr;
		bhs.flags &= ~RFL_CMD_FLAG_PROXY;
		conn->rx_proxy = true;
		hdr = &bhs;
	}
	err = rfl_pdu_check_target(hdr, &conn->rx_lim, 0);
	if (err) {
		pr_warn_ratelimited("%pISpc: malformed %s PDU: %s\n",
				    &conn->peer,
				    rfl_op_name(hdr->opcode & ISCSI_OPCODE_MASK),
				    rfl_pdu_strerror(err));
		/* The lengths cannot be trusted, or the peer is lost. */
		if (err == RFL_PDU_E_DSL_LEN || err == RFL_PDU_E_AHS_LEN ||
		    conn->state == RFL_CONN_LOGIN)
			return -EPROTO;
		rfl_send_reject(conn, rfl_pdu_reject_reason(err));
		return 1;
	}
	return 0;
}

/**
 * rfl_rx_work() - receive what the socket holds, PDU by PDU
 * @conn: the connection
 * @budget: bytes left in this io_work pass; decremented
 *
 * Return: > 0 if anything was received, 0 if nothing, < 0 to drop the
 * connection.
 */
int rfl_rx_work(struct rfl_conn *conn, int *budget)
{
	struct iscsi_hdr *hdr = (struct iscsi_hdr *)conn->rx_hdr;
	int progress = 0, ret;
	u32 want;

	if (conn->state == RFL_CONN_LOGOUT)
		return 0;
	while (*budget > 0) {
		switch (conn->rx_state) {
		case RFL_RX_BHS:
			ret = rfl_recv_buf(conn, conn->rx_hdr + conn->rx_off,
					   ISCSI_HDR_LEN - conn->rx_off);
			if (ret <= 0)
				return ret < 0 ? ret : progress;
			conn->rx_off += ret;
			*budget -= ret;
			progress = 1;
			if (conn->rx_off < ISCSI_HDR_LEN)
				break;
			conn->rx_hdr_len = ISCSI_HDR_LEN + rfl_pdu_ahs_len(hdr);
			if (rfl_pdu_ahs_len(hdr) > RFL_MAX_AHS)
				return -EPROTO;
			if (conn->params.header_digest)
				conn->rx_hdr_len += ISCSI_DIGEST_SIZE;
			conn->rx_state = RFL_RX_AHS;
			fallthrough;
		case RFL_RX_AHS:
			if (conn->rx_off < conn->rx_hdr_len) {
				ret = rfl_recv_buf(conn,
						   conn->rx_hdr + conn->rx_off,
						   conn->rx_hdr_len -
						   conn->rx_off);
				if (ret <= 0)
					return ret < 0 ? ret : progress;
				conn->rx_off += ret;
				*budget -= ret;
				if (conn->rx_off < conn->rx_hdr_len)
					break;
			}
			if (conn->params.header_digest) {
				u32 d = rfl_digest_get(conn->rx_hdr +
						       conn->rx_hdr_len -
						       ISCSI_DIGEST_SIZE);

				if (d != rfl_hdr_digest(hdr, conn->rx_hdr +
							ISCSI_HDR_LEN)) {
					pr_warn_ratelimited("%pISpc: header digest error\n",
							    &conn->peer);
					rfl_stat_inc(conn->tpg,
						     RFL_ST_HDR_DIGEST);
					return -EPROTO;
				}
			}
			conn->rx_dsl = rfl_pdu_dsl(hdr);
			ret = rfl_rx_check_bhs(conn);
			if (ret < 0)
				return ret;
			if (ret > 0) {
				conn->rx_dest = RFL_RXD_DISCARD;
				conn->rx_skip = true;
			} else {
				ret = rfl_rx_hdr(conn);
			}
			if (ret < 0)
				return ret;
			conn->rx_off = 0;
			conn->rx_state = RFL_RX_DATA;
			fallthrough;
		case RFL_RX_DATA:
			if (conn->rx_off < conn->rx_dsl) {
				want = conn->rx_dsl - conn->rx_off;
				if (conn->rx_dest == RFL_RXD_SG) {
					ret = rfl_recv_sg(conn, conn->rx_cmd,
							  conn->rx_sg_off +
							  conn->rx_off, want);
				} else if (conn->rx_dest == RFL_RXD_BUF) {
					ret = rfl_recv_buf(conn,
							   conn->rx_buf +
							   conn->rx_off,
							   want);
				} else {
					ret = rfl_recv_buf(conn, conn->rx_buf,
							   min(want,
							       conn->rx_buf_cap));
				}
				if (ret <= 0)
					return ret < 0 ? ret : progress;
				conn->rx_off += ret;
				*budget -= ret;
				if (conn->rx_off < conn->rx_dsl)
					break;
			}
			conn->rx_trail_len = rfl_pad4(conn->rx_dsl) -
					     conn->rx_dsl;
			if (conn->rx_dsl && conn->params.data_digest)
				conn->rx_trail_len += ISCSI_DIGEST_SIZE;
			conn->rx_off = 0;
			conn->rx_state = RFL_RX_DDGST;
			fallthrough;
		case RFL_RX_DDGST:
			if (conn->rx_off < conn->rx_trail_len) {
				ret = rfl_recv_buf(conn,
						   conn->rx_trail + conn->rx_off,
						   conn->rx_trail_len -
						   conn->rx_off);
				if (ret <= 0)
					return ret < 0 ? ret : progress;
				conn->rx_off += ret;
				*budget -= ret;
				if (conn->rx_off < conn->rx_trail_len)
					break;
			}
			if (conn->rx_dsl && conn->params.data_digest &&
			    conn->rx_dest != RFL_RXD_DISCARD) {
				u32 crc, pad = rfl_pad4(conn->rx_dsl) -
					       conn->rx_dsl;

				if (conn->rx_dest == RFL_RXD_SG)
					crc = rfl_sg_crc(conn->rx_cmd,
							 conn->rx_sg_off,
							 conn->rx_dsl,
							 RFL_DIGEST_SEED);
				else
					crc = rfl_digest_update(RFL_DIGEST_SEED,
								conn->rx_buf,
								conn->rx_dsl);
				crc = ~rfl_digest_update(crc, conn->rx_trail,
							 pad);
				if (crc != rfl_digest_get(conn->rx_trail +
							  pad)) {
					pr_warn_ratelimited("%pISpc: data digest error on %s PDU\n",
							    &conn->peer,
							    rfl_op_name(hdr->opcode &
									ISCSI_OPCODE_MASK));
					rfl_stat_inc(conn->tpg,
						     RFL_ST_DATA_DIGEST);
					return -EPROTO;
				}
			}
			ret = rfl_rx_pdu(conn);
			rfl_rx_reset(conn);
			if (ret < 0)
				return ret;
			if (conn->state == RFL_CONN_LOGOUT)
				return progress;
			break;
		}
	}
	return progress;
}
