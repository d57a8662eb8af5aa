// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: io_work takes the next entry of the connection's queue (a
 * control PDU, or a command with R2Ts or a response to send), builds each
 * PDU's header with the current StatSN, ExpCmdSN and MaxCmdSN, and sends
 * header, data and trailer without blocking, resuming where the socket
 * stopped. Data-In payload goes out zero-copy from the command's pages.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>

#include "rfl_script.h"
#include "rfl_tgt.h"

u32 rfl_max_cmd_sn(struct rfl_conn *conn)
{
	return (u32)atomic_read(&conn->max_cmd_sn);
}

/* StatSN, ExpCmdSN, MaxCmdSN at their common offsets (24, 28, 32). */
static void rfl_tx_sn(struct rfl_conn *conn, u8 *hdr, bool stat)
{
	struct iscsi_scsi_rsp *h = (struct iscsi_scsi_rsp *)hdr;

	h->statsn = cpu_to_be32(conn->stat_sn);
	if (stat)
		conn->stat_sn++;
	h->exp_cmdsn = cpu_to_be32(conn->exp_cmd_sn);
	h->max_cmdsn = cpu_to_be32(rfl_max_cmd_sn(conn));
}

static bool rfl_tx_digests(struct rfl_conn *conn, bool *ddgst)
{
	bool on = conn->state != RFL_CONN_LOGIN &&
		  !(conn->tx_ctl && conn->tx_ctl->login);

	*ddgst = on && conn->params.data_digest;
	return on && conn->params.header_digest;
}

/* Set up the PDU in conn->tx_hdr with @len bytes of data. */
static void rfl_tx_setup(struct rfl_conn *conn, u32 len)
{
	bool ddgst, hdgst = rfl_tx_digests(conn, &ddgst);
	u32 pad = rfl_pad4(len) - len;

	rfl_pdu_set_dsl((struct iscsi_hdr *)conn->tx_hdr, len);
	conn->tx_hdr_len = ISCSI_HDR_LEN;
	if (hdgst) {
		rfl_digest_put(conn->tx_hdr + ISCSI_HDR_LEN,
			       rfl_hdr_digest((struct iscsi_hdr *)conn->tx_hdr,
					      NULL));
		conn->tx_hdr_len += ISCSI_DIGEST_SIZE;
	}
	conn->tx_hdr_off = 0;
	conn->tx_len = len;
	conn->tx_off = 0;
	memset(conn->tx_trail, 0, sizeof(conn->tx_trail));
	conn->tx_trail_len = len ? pad : 0;
	conn->tx_trail_off = 0;
	if (len && ddgst) {
		u32 crc = RFL_DIGEST_SEED;

		if (conn->tx_sg) {
			unsigned int idx = conn->tx_sg_off >> PAGE_SHIFT;
			u32 pgoff = conn->tx_sg_off & ~PAGE_MASK, left = len;

			while (left) {
				struct scatterlist *sg = &conn->tx_sg[idx++];
				u32 l = min(sg->length - pgoff, left);
				u8 *p = kmap_local_page(sg_page(sg));

				crc = rfl_digest_update(crc,
							p + sg->offset + pgoff,
							l);
				kunmap_local(p);
				left -= l;
				pgoff = 0;
			}
		} else {
			crc = rfl_digest_update(crc, conn->tx_buf, len);
		}
		rfl_digest_put(conn->tx_trail + pad, rfl_digest_final(crc, len));
		conn->tx_trail_len += ISCSI_DIGEST_SIZE;
	}
	conn->tx_busy = true;
}

static void rfl_tx_start_ctl(struct rfl_conn *conn, struct rfl_ctl *ctl)
{
	memcpy(conn->tx_hdr, ctl->hdr, ISCSI_HDR_LEN);
	rfl_tx_sn(conn, conn->tx_hdr, ctl->stat);
	conn->tx_ctl = ctl;	/* before rfl_tx_setup(): digests */
	conn->tx_cmd = NULL;
	conn->tx_sg = NULL;
	conn->tx_buf = ctl->data;
	rfl_tx_setup(conn, ctl->len);
}

static void rfl_tx_r2t(struct rfl_conn *conn, struct rfl_cmd *cmd, u32 off,
		       u32 len, u32 sn)
{
	struct iscsi_r2t_rsp *r2t = (struct iscsi_r2t_rsp *)conn->tx_hdr;

	memset(conn->tx_hdr, 0, ISCSI_HDR_LEN);
	r2t->opcode = ISCSI_OP_R2T;
	r2t->flags = ISCSI_FLAG_CMD_FINAL;
	int_to_scsilun(cmd->lun, &r2t->lun);
	r2t->itt = cpu_to_be32(cmd->itt);
	r2t->ttt = cpu_to_be32(cmd->ttt);
	rfl_tx_sn(conn, conn->tx_hdr, false);
	r2t->r2tsn = cpu_to_be32(sn);
	r2t->data_offset = cpu_to_be32(off);
	r2t->data_length = cpu_to_be32(len);
	conn->tx_ctl = NULL;
	conn->tx_cmd = NULL;	/* nothing of the command is used after */
	conn->tx_sg = NULL;
	conn->tx_buf = NULL;
	rfl_tx_setup(conn, 0);
}

/* Residual flags and count for a response. */
static u8 rfl_residual(struct se_cmd *se_cmd, __be32 *count)
{
	u8 fab = rfl_cmd_residual(rfl_cmd(se_cmd), count);

	if (fab)
		return fab;
	if (se_cmd->se_cmd_flags & SCF_OVERFLOW_BIT) {
		*count = cpu_to_be32(se_cmd->residual_count);
		return ISCSI_FLAG_CMD_OVERFLOW;
	}
	if (se_cmd->se_cmd_flags & SCF_UNDERFLOW_BIT) {
		*count = cpu_to_be32(se_cmd->residual_count);
		return ISCSI_FLAG_CMD_UNDERFLOW;
	}
	*count = 0;
	return 0;
}

static u32 rfl_rsp_data_len(struct rfl_cmd *cmd)
{
	struct se_cmd *se_cmd = &cmd->se_cmd;

	if (cmd->dir != DMA_FROM_DEVICE || !cmd->sgl ||
	    rfl_cmd_sends_script(cmd))
		return 0;
	return min(se_cmd->data_length, cmd->edtl);
}

/* Status goes in the last Data-In: GOOD and no sense data. */
static bool rfl_status_in_data(struct rfl_cmd *cmd)
{
	return !cmd->se_cmd.scsi_status && !cmd->se_cmd.scsi_sense_length;
}

static void rfl_tx_data_in(struct rfl_conn *conn, struct rfl_cmd *cmd)
{
	struct iscsi_data_rsp *h = (struct iscsi_data_rsp *)conn->tx_hdr;
	u32 total = rfl_rsp_data_len(cmd), left = total - cmd->tx_data_off;
	u32 len = min(left, conn->params.max_xmit_dsl);
	bool last, stat;

	if (!cmd->tx_burst_left)
		cmd->tx_burst_left = conn->params.max_burst;
	len = min(len, cmd->tx_burst_left);
	last = len == left;
	stat = last && rfl_status_in_data(cmd);
	memset(conn->tx_hdr, 0, ISCSI_HDR_LEN);
	h->opcode = ISCSI_OP_SCSI_DATA_IN;
	cmd->tx_burst_left -= len;
	if (last || !cmd->tx_burst_left)
		h->flags |= ISCSI_FLAG_CMD_FINAL;
	if (stat) {
		h->flags |= ISCSI_FLAG_DATA_STATUS |
			    rfl_residual(&cmd->se_cmd, &h->residual_count);
		h->cmd_status = cmd->se_cmd.scsi_status;
	}
	int_to_scsilun(cmd->lun, &h->lun);
	h->itt = cpu_to_be32(cmd->itt);
	h->ttt = cpu_to_be32(ISCSI_RESERVED_TAG);
	rfl_tx_sn(conn, conn->tx_hdr, stat);
	if (!stat)
		h->statsn = 0;
	h->datasn = cpu_to_be32(cmd->data_sn++);
	h->offset = cpu_to_be32(cmd->tx_data_off);
	conn->tx_ctl = NULL;
	conn->tx_cmd = cmd;
	conn->tx_buf = NULL;
	conn->tx_sg = cmd->sgl;
	conn->tx_sg_off = cmd->tx_data_off;
	cmd->tx_data_off += len;
	rfl_tx_setup(conn, len);
}

static void rfl_tx_scsi_rsp(struct rfl_conn *conn, struct rfl_cmd *cmd)
{
	struct iscsi_scsi_rsp *h = (struct iscsi_scsi_rsp *)conn->tx_hdr;
	struct se_cmd *se_cmd = &cmd->se_cmd;
	u32 slen = se_cmd->scsi_sense_length;

	memset(conn->tx_hdr, 0, ISCSI_HDR_LEN);
	h->opcode = ISCSI_OP_SCSI_CMD_RSP;
	h->flags = ISCSI_FLAG_CMD_FINAL |
		   rfl_residual(se_cmd, &h->residual_count);
	h->response = ISCSI_STATUS_CMD_COMPLETED;
	h->cmd_status = se_cmd->scsi_status;
	h->itt = cpu_to_be32(cmd->itt);
	rfl_tx_sn(conn, conn->tx_hdr, true);
	h->exp_datasn = cpu_to_be32(cmd->dir == DMA_FROM_DEVICE ?
				    cmd->data_sn : cmd->r2t_sn);
	conn->tx_ctl = NULL;
	conn->tx_cmd = cmd;
	conn->tx_sg = NULL;
	conn->tx_buf = NULL;
	if (rfl_cmd_sends_script(cmd)) {
		/* Reflection status: Status 0, no residuals, the script. */
		h->flags = ISCSI_FLAG_CMD_FINAL;
		h->residual_count = 0;
		h->response = RFL_RESPONSE_REFLECT;
		conn->tx_buf = cmd->script;
		rfl_tx_setup(conn, cmd->script_len);
		return;
	}
	if (slen) {
		/* SenseLength, then the sense data; cmd->sense has room. */
		slen = min_t(u32, slen, TRANSPORT_SENSE_BUFFER - 2);
		memmove(cmd->sense + 2, se_cmd->sense_buffer, slen);
		put_unaligned_be16(slen, cmd->sense);
		conn->tx_buf = cmd->sense;
		slen += 2;
	}
	rfl_tx_setup(conn, slen);
}

static void rfl_tx_tmr_rsp(struct rfl_conn *conn, struct rfl_cmd *cmd)
{
	struct iscsi_tm_rsp *h = (struct iscsi_tm_rsp *)conn->tx_hdr;

	memset(conn->tx_hdr, 0, ISCSI_HDR_LEN);
	h->opcode = ISCSI_OP_SCSI_TMFUNC_RSP;
	h->flags = ISCSI_FLAG_CMD_FINAL;
	h->response = cmd->tmr_rsp;
	h->itt = cpu_to_be32(cmd->itt);
	rfl_tx_sn(conn, conn->tx_hdr, true);
	conn->tx_ctl = NULL;
	conn->tx_cmd = cmd;
	conn->tx_sg = NULL;
	conn->tx_buf = NULL;
	rfl_tx_setup(conn, 0);
}

/* The next PDU of the response of @cmd; false when it is all sent. */
static bool rfl_tx_cmd_next(struct rfl_conn *conn, struct rfl_cmd *cmd)
{
	u32 total = rfl_rsp_data_len(cmd);

	if (cmd->tx_data_off < total) {
		rfl_tx_data_in(conn, cmd);
		return true;
	}
	if (cmd->status_sent || (total && rfl_status_in_data(cmd)))
		return false;
	cmd->status_sent = true;
	if (cmd->flags & RFL_CMD_TMR)
		rfl_tx_tmr_rsp(conn, cmd);
	else
		rfl_tx_scsi_rsp(conn, cmd);
	return true;
}

/* Take the next queue entry and build its first PDU; false: none. */
static bool rfl_tx_next(struct rfl_conn *conn)
{
	struct rfl_txe *txe;
	struct rfl_cmd *cmd;
	u32 off, len, sn, outstanding, sol;

	spin_lock_bh(&conn->txq_lock);
	txe = list_first_entry_or_null(&conn->txq, struct rfl_txe, node);
	if (!txe) {
		spin_unlock_bh(&conn->txq_lock);
		return false;
	}
	list_del_init(&txe->node);
	if (!txe->is_cmd) {
		spin_unlock_bh(&conn->txq_lock);
		rfl_tx_start_ctl(conn, container_of(txe, struct rfl_ctl, txe));
		return true;
	}
	cmd = container_of(txe, struct rfl_cmd, txe);
	cmd->flags &= ~RFL_CMD_QUEUED;
	if (cmd->flags & RFL_CMD_RSP) {
		spin_unlock_bh(&conn->txq_lock);
		if (!rfl_tx_cmd_next(conn, cmd))
			rfl_cmd_done(cmd);
		return true;
	}
	if (!(cmd->flags & RFL_CMD_R2T) || (cmd->flags & RFL_CMD_MUTE)) {
		spin_unlock_bh(&conn->txq_lock);
		return true;	/* nothing left for it: try the next */
	}
	/* One R2T, if MaxOutstandingR2T allows; data arrives in order. */
	sol = cmd->data_rcvd > cmd->first_burst_end ?
	      cmd->data_rcvd - cmd->first_burst_end : 0;
	outstanding = DIV_ROUND_UP(cmd->r2t_off - cmd->first_burst_end - sol,
				   conn->params.max_burst);
	if (outstanding >= conn->params.max_r2t ||
	    cmd->r2t_off >= cmd->edtl) {
		cmd->flags &= ~RFL_CMD_R2T;
		spin_unlock_bh(&conn->txq_lock);
		return true;
	}
	off = cmd->r2t_off;
	len = min(cmd->edtl - off, conn->params.max_burst);
	sn = cmd->r2t_sn++;
	cmd->r2t_off += len;
	cmd->r2t_sent++;
	if (cmd->r2t_off < cmd->edtl && outstanding + 1 < conn->params.max_r2t) {
		cmd->flags |= RFL_CMD_QUEUED;
		list_add_tail(&cmd->txe.node, &conn->txq);
	} else {
		cmd->flags &= ~RFL_CMD_R2T;
	}
	spin_unlock_bh(&conn->txq_lock);
	rfl_tx_r2t(conn, cmd, off, len, sn);
	return true;
}

static int rfl_send_buf(struct rfl_conn *conn, const void *buf, u32 len,
			bool more)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	int ret;

	if (more)
		msg.msg_flags |= MSG_MORE;
	ret = kernel_sendmsg(conn->sock, &msg, &iov, 1, len);
	return ret == -EAGAIN ? 0 : ret;
}

static int rfl_send_data(struct rfl_conn *conn, bool more)
{
	u32 left = conn->tx_len - conn->tx_off;
	struct scatterlist *sg;
	u32 off, pgoff;
	int ret;

	if (!conn->tx_sg)
		return rfl_send_buf(conn, conn->tx_buf + conn->tx_off, left,
				    more);
	off = conn->tx_sg_off + conn->tx_off;
	sg = &conn->tx_sg[off >> PAGE_SHIFT];
	pgoff = off & ~PAGE_MASK;
	left = min(left, sg->length - pgoff);
	ret = rfl_sock_send_page(conn->sock, sg_page(sg), sg->offset + pgoff,
				 left, MSG_DONTWAIT | MSG_NOSIGNAL |
				 (more || conn->tx_off + left < conn->tx_len ?
				  MSG_MORE : 0));
	return ret == -EAGAIN ? 0 : ret;
}

/* The PDU in flight is out: what comes after it. */
static void rfl_tx_pdu_done(struct rfl_conn *conn)
{
	struct rfl_ctl *ctl = conn->tx_ctl;
	struct rfl_cmd *cmd = conn->tx_cmd;

	conn->tx_busy = false;
	if (cmd && conn->tx_sg)		/* Data-In from the command's pages */
		atomic64_add(conn->tx_len, &conn->st_bytes_out);
	if (ctl) {
		conn->tx_ctl = NULL;
		if (ctl->final)
			conn->tx_close = true;
		kvfree(ctl->data);
		kfree(ctl);
		return;
	}
	if (cmd && !rfl_tx_cmd_next(conn, cmd)) {
		conn->tx_cmd = NULL;
		cmd->rsp_sent = true;
		rfl_cmd_done(cmd);
	}
}

/**
 * rfl_tx_work() - send queued PDUs until the socket is full
 * @conn: the connection
 * @budget: bytes left in this io_work pass; decremented
 *
 * Return: > 0 if anything was sent, 0 if nothing, < 0 to drop the
 * connection.
 */
int rfl_tx_work(struct rfl_conn *conn, int *budget)
{
	int progress = 0, ret;

	while (*budget > 0) {
		if (conn->tx_close) {
			rfl_conn_fail(conn, NULL);
			return 0;
		}
		if (!conn->tx_busy && !rfl_tx_next(conn))
			return progress;
		if (!conn->tx_busy)
			continue;
		if (conn->tx_ctl && conn->tx_ctl->logout) {
			/*
			 * Built, nothing of it sent, everything before it
			 * sent: rfl_conn_release_work() sends it once the
			 * session is gone, so that the initiator never sees
			 * the session outlive its logout.
			 */
			conn->tx_logout = true;
			rfl_conn_fail(conn, NULL);
			return 0;
		}
		if (conn->tx_hdr_off < conn->tx_hdr_len) {
			ret = rfl_send_buf(conn, conn->tx_hdr + conn->tx_hdr_off,
					   conn->tx_hdr_len - conn->tx_hdr_off,
					   conn->tx_len);
			if (ret <= 0)
				return ret < 0 ? ret : progress;
			conn->tx_hdr_off += ret;
			*budget -= ret;
			progress = 1;
			continue;
		}
		if (conn->tx_off < conn->tx_len) {
			ret = rfl_send_data(conn, conn->tx_trail_len);
			if (ret <= 0)
				return ret < 0 ? ret : progress;
			conn->tx_off += ret;
			*budget -= ret;
			progress = 1;
			continue;
		}
		if (conn->tx_trail_off < conn->tx_trail_len) {
			ret = rfl_send_buf(conn,
					   conn->tx_trail + conn->tx_trail_off,
					   conn->tx_trail_len -
					   conn->tx_trail_off, false);
			if (ret <= 0)
				return ret < 0 ? ret : progress;
			conn->tx_trail_off += ret;
			*budget -= ret;
			progress = 1;
			continue;
		}
		rfl_tx_pdu_done(conn);
		progress = 1;
	}
	return progress;
}

/**
 * rfl_tx_logout_rsp() - send the Logout Response rfl_tx_work() held back
 * @conn: the connection, io_work stopped, its session removed
 *
 * Its header, StatSN and digest included, is still in tx_hdr. The socket
 * may be full of earlier PDUs the initiator has yet to read: wait up to
 * RFL_LOGOUT_RSP_SECS for room, then give up (the connection closes).
 *
 * Context: process context (release_work), sleeps.
 */
void rfl_tx_logout_rsp(struct rfl_conn *conn)
{
	struct kvec iov = {
		.iov_base = conn->tx_hdr,
		.iov_len = conn->tx_hdr_len,
	};
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	int ret;

	conn->tx_logout = false;
	sock_set_sndtimeo(conn->sock->sk, RFL_LOGOUT_RSP_SECS);
	ret = kernel_sendmsg(conn->sock, &msg, &iov, 1, iov.iov_len);
	if (ret != iov.iov_len)
		pr_info_ratelimited("%pISpc: Logout Response not sent (%d)\n",
				    &conn->peer, ret);
}

/* Teardown: drop the PDU in flight and every queued control PDU. */
void rfl_tx_flush_all(struct rfl_conn *conn)
{
	struct rfl_txe *txe, *tmp;
	struct rfl_ctl *ctl;
	LIST_HEAD(ctls);

	if (conn->tx_ctl)
		list_add_tail(&conn->tx_ctl->txe.node, &ctls);
	conn->tx_ctl = NULL;
	conn->tx_cmd = NULL;	/* still held: rfl_cmd_release_all() */
	conn->tx_busy = false;
	spin_lock_bh(&conn->txq_lock);
	list_for_each_entry_safe(txe, tmp, &conn->txq, node) {
		if (txe->is_cmd) {
			container_of(txe, struct rfl_cmd, txe)->flags &=
				~RFL_CMD_QUEUED;
			list_del_init(&txe->node);
			continue;
		}
		list_move_tail(&txe->node, &ctls);
	}
	spin_unlock_bh(&conn->txq_lock);
	list_for_each_entry_safe(txe, tmp, &ctls, node) {
		ctl = container_of(txe, struct rfl_ctl, txe);
		list_del(&txe->node);
		kvfree(ctl->data);
		kfree(ctl);
	}
}
