// SPDX-License-Identifier: GPL-2.0
/*
 * PDU receive state machine: BHS (48 bytes), AHS and header digest, data
 * segment straight into its destination (the command's scatterlist for
 * Data-In, rx_buf otherwise), padding and data digest; then dispatch:
 * Data-In, SCSI Response (sense, residuals), R2T, NOP-In, Task Management
 * Response, Logout Response, Async Message, Reject.
 *
 * Everything here runs in io_work. A PDU that cannot be trusted (bad
 * header, unknown ITT, digest error, data outside the buffer) resets the
 * connection with one rate-limited log line. A PDU for a task that task
 * management ended (a target may complete a task while the ABORT TASK
 * for it is on its way, answer "task does not exist", then send the
 * task's response) is dropped with its data, logged and counted
 * (late_pdus).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/highmem.h>
#include <linux/uio.h>
#include <scsi/scsi.h>
#include <scsi/scsi_device.h>

#include "rfl_ini.h"

#define RFL_INI_RX_BVECS	16

/* Returns bytes received, 0 for nothing now, < 0 for a dead peer. */
static int rfl_ini_recv_buf(struct rfl_ini_sess *sess, void *buf, u32 len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	int ret;

	ret = kernel_recvmsg(sess->sock, &msg, &iov, 1, len, msg.msg_flags);
	if (ret == -EAGAIN)
		return 0;
	if (ret == 0)
		return -ECONNRESET;
	return ret;
}

/* Receive into a command's scatterlist: buffer offset @off, @len bytes. */
static int rfl_ini_recv_sg(struct rfl_ini_sess *sess, struct scsi_cmnd *sc,
			   u32 off, u32 len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct bio_vec bv[RFL_INI_RX_BVECS];
	struct scatterlist *sg;
	unsigned int n = 0, i;
	u32 total = 0;
	int ret;

	scsi_for_each_sg(sc, sg, scsi_sg_count(sc), i) {
		u32 l;

		if (off >= sg->length) {
			off -= sg->length;
			continue;
		}
		l = min(sg->length - off, len - total);
		bvec_set_page(&bv[n++], sg_page(sg), l, sg->offset + off);
		off = 0;
		total += l;
		if (total == len || n == RFL_INI_RX_BVECS)
			break;
	}
	if (!total)
		return -EINVAL;
	iov_iter_bvec(&msg.msg_iter, ITER_DEST, bv, n, total);
	ret = sock_recvmsg(sess->sock, &msg, msg.msg_flags);
	if (ret == -EAGAIN)
		return 0;
	if (ret == 0)
		return -ECONNRESET;
	return ret;
}

static const char *rfl_ini_op_name(u8 op)
{
	switch (op) {
	case ISCSI_OP_NOOP_IN:
		return "NOP-In";
	case ISCSI_OP_SCSI_CMD_RSP:
		return "SCSI Response";
	case ISCSI_OP_SCSI_TMFUNC_RSP:
		return "Task Management Response";
	case ISCSI_OP_LOGIN_RSP:
		return "Login Response";
	case ISCSI_OP_TEXT_RSP:
		return "Text Response";
	case ISCSI_OP_SCSI_DATA_IN:
		return "Data-In";
	case ISCSI_OP_LOGOUT_RSP:
		return "Logout Response";
	case ISCSI_OP_R2T:
		return "R2T";
	case ISCSI_OP_ASYNC_EVENT:
		return "Async Message";
	case ISCSI_OP_REJECT:
		return "Reject";
	default:
		return "unknown";
	}
}

static struct iscsi_hdr *rfl_ini_rx_hdr(struct rfl_ini_sess *sess)
{
	return (struct iscsi_hdr *)sess->rx_hdr;
}

/*
 * The command a PDU names; NULL (logged) for an unknown ITT, with *late
 * set when the ITT is of a task that task management ended: the PDU is
 * then dropped and counted, and the connection goes on.
 */
static struct scsi_cmnd *rfl_ini_rx_task(struct rfl_ini_sess *sess,
					 bool *late)
{
	u32 itt = be32_to_cpu(rfl_ini_rx_hdr(sess)->itt);
	struct scsi_cmnd *sc = rfl_ini_task_lookup(sess, itt);
	const char *op = rfl_ini_op_name(sess->rx_hdr[0] & ISCSI_OPCODE_MASK);

	*late = false;
	if (sc)
		return sc;
	if (rfl_ini_itt_ended(sess, itt)) {
		*late = true;
		atomic64_inc(&sess->tgt->stats.late_pdus);
		pr_info_ratelimited("%pISpc: %s for ITT 0x%x, a task that task management ended: dropped\n",
				    &sess->peer, op, itt);
	} else {
		pr_warn_ratelimited("%pISpc: %s for unknown ITT 0x%x\n",
				    &sess->peer, op, itt);
	}
	return NULL;
}

/* StatSN of a PDU that carries one. */
static void rfl_ini_rx_stat_sn(struct rfl_ini_sess *sess)
{
	u32 sn = be32_to_cpu(rfl_ini_rx_hdr(sess)->statsn);

	if (sn != sess->exp_stat_sn)
		pr_warn_ratelimited("%pISpc: StatSN %u, expected %u\n",
				    &sess->peer, sn, sess->exp_stat_sn);
	sess->exp_stat_sn = sn + 1;
}

static void rfl_ini_set_resid(struct scsi_cmnd *sc, u8 flags, __be32 count)
{
	if (flags & (ISCSI_FLAG_CMD_UNDERFLOW | ISCSI_FLAG_CMD_OVERFLOW))
		scsi_set_resid(sc, flags & ISCSI_FLAG_CMD_UNDERFLOW ?
			       be32_to_cpu(count) : 0);
}

/* Header of a Data-In: check it and aim the data at the scatterlist. */
static int rfl_ini_rx_data_in_hdr(struct rfl_ini_sess *sess)
{
	struct iscsi_data_rsp *hdr = (struct iscsi_data_rsp *)sess->rx_hdr;
	u32 off = be32_to_cpu(hdr->offset);
	struct scsi_cmnd *sc;
	bool late;

	sc = rfl_ini_rx_task(sess, &late);
	if (!sc)
		return late ? 0 : -EPROTO;	/* late: data to rx_buf */
	if ((sess->rx_dsl && sc->sc_data_direction != DMA_FROM_DEVICE) ||
	    off > scsi_bufflen(sc) || sess->rx_dsl > scsi_bufflen(sc) - off) {
		pr_warn_ratelimited("%pISpc: Data-In outside the buffer of ITT 0x%x\n",
				    &sess->peer, be32_to_cpu(hdr->itt));
		return -EPROTO;
	}
	sess->rx_sc = sc;
	sess->rx_sg_off = off;
	return 0;
}

/*
 * Data of a Data-In goes to its command's scatterlist; of others, and of
 * a late Data-In, to rx_buf.
 */
static bool rfl_ini_rx_to_sg(struct rfl_ini_sess *sess)
{
	return sess->rx_sc;
}

static int rfl_ini_rx_data_in(struct rfl_ini_sess *sess)
{
	struct iscsi_data_rsp *hdr = (struct iscsi_data_rsp *)sess->rx_hdr;
	struct scsi_cmnd *sc = sess->rx_sc;

	if (!sc) {
		/* Late: dropped; a status in it still counts a StatSN. */
		if (hdr->flags & ISCSI_FLAG_DATA_STATUS)
			rfl_ini_rx_stat_sn(sess);
		return 0;
	}
	rfl_ini_task(sc)->data_in += sess->rx_dsl;
	atomic64_add(sess->rx_dsl, &sess->tgt->stats.bytes_in);
	if (!(hdr->flags & ISCSI_FLAG_DATA_STATUS))
		return 0;
	rfl_ini_rx_stat_sn(sess);
	sc->result = hdr->cmd_status;
	rfl_ini_set_resid(sc, hdr->flags, hdr->residual_count);
	rfl_ini_task_complete(sess, sc);
	return 0;
}

static int rfl_ini_rx_scsi_rsp(struct rfl_ini_sess *sess)
{
	struct iscsi_scsi_rsp *hdr = (struct iscsi_scsi_rsp *)sess->rx_hdr;
	struct scsi_cmnd *sc;
	bool late;

	sc = rfl_ini_rx_task(sess, &late);
	rfl_ini_rx_stat_sn(sess);
	if (!sc)
		return late ? 0 : -EPROTO;
	if (hdr->response == RFL_RESPONSE_REFLECT)
		return rfl_ini_reflect_rsp(sess, sc);
	if (hdr->response != ISCSI_STATUS_CMD_COMPLETED) {
		/* Target failure; vendor codes (reflection) come later. */
		set_host_byte(sc, DID_ERROR);
		atomic64_inc(&sess->tgt->stats.target_failures);
		rfl_ini_task_complete(sess, sc);
		return 0;
	}
	sc->result = hdr->cmd_status;
	if (hdr->cmd_status == SAM_STAT_CHECK_CONDITION && sess->rx_dsl >= 2) {
		u32 slen = get_unaligned_be16(sess->rx_buf);

		slen = min3(slen, sess->rx_dsl - 2, (u32)SCSI_SENSE_BUFFERSIZE);
		memcpy(sc->sense_buffer, (u8 *)sess->rx_buf + 2, slen);
	}
	rfl_ini_set_resid(sc, hdr->flags, hdr->residual_count);
	if (hdr->cmd_status)
		atomic64_inc(&sess->tgt->stats.non_good_status);
	rfl_ini_task_complete(sess, sc);
	return 0;
}

static int rfl_ini_rx_r2t(struct rfl_ini_sess *sess)
{
	struct iscsi_r2t_rsp *hdr = (struct iscsi_r2t_rsp *)sess->rx_hdr;
	u32 off = be32_to_cpu(hdr->data_offset);
	u32 len = be32_to_cpu(hdr->data_length);
	struct rfl_ini_txe *txe;
	struct scsi_cmnd *sc;
	unsigned long flags;
	bool late;

	sc = rfl_ini_rx_task(sess, &late);
	if (!sc)
		return late ? 0 : -EPROTO;
	if (sc->sc_data_direction != DMA_TO_DEVICE || !len ||
	    len > sess->params.max_burst || off > scsi_bufflen(sc) ||
	    len > scsi_bufflen(sc) - off) {
		pr_warn_ratelimited("%pISpc: bad R2T for ITT 0x%x: %u bytes at %u\n",
				    &sess->peer, be32_to_cpu(hdr->itt), len,
				    off);
		return -EPROTO;
	}
	txe = kzalloc(sizeof(*txe), GFP_NOIO);
	if (!txe)
		return -ENOMEM;
	txe->kind = RFL_INI_TXE_DATA;
	txe->allocated = true;
	txe->sc = sc;
	txe->off = off;
	txe->len = len;
	txe->ttt = be32_to_cpu(hdr->ttt);
	spin_lock_irqsave(&sess->lock, flags);
	rfl_ini_task(sc)->tx_refs++;
	list_add_tail(&txe->node, &sess->txq);
	spin_unlock_irqrestore(&sess->lock, flags);
	return 1;	/* io_work goes on to transmit */
}

static int rfl_ini_rx_nop_in(struct rfl_ini_sess *sess)
{
	struct iscsi_nopin *hdr = (struct iscsi_nopin *)sess->rx_hdr;
	struct iscsi_nopout *out;
	struct rfl_ini_txe *txe;

	if (hdr->itt != cpu_to_be32(ISCSI_RESERVED_TAG)) {
		/* The answer to our ping. */
		if (be32_to_cpu(hdr->itt) != RFL_INI_ITT_NOP ||
		    !READ_ONCE(sess->nop_ttt_pending)) {
			pr_warn_ratelimited("%pISpc: NOP-In for unknown ITT 0x%x\n",
					    &sess->peer, be32_to_cpu(hdr->itt));
			return -EPROTO;
		}
		rfl_ini_rx_stat_sn(sess);
		WRITE_ONCE(sess->nop_ttt_pending, 0);
		return 0;
	}
	if (hdr->ttt == cpu_to_be32(ISCSI_RESERVED_TAG))
		return 0;	/* no answer wanted */
	/* The target's ping: echo its TTT, and its data. */
	txe = rfl_ini_ctl_alloc(ISCSI_OP_NOOP_OUT, sess->rx_dsl, GFP_NOIO);
	if (!txe)
		return -ENOMEM;
	out = (struct iscsi_nopout *)txe->hdr;
	out->opcode |= ISCSI_OP_IMMEDIATE;
	out->lun = hdr->lun;
	out->itt = cpu_to_be32(ISCSI_RESERVED_TAG);
	out->ttt = hdr->ttt;
	if (sess->rx_dsl)
		memcpy(txe->data, sess->rx_buf, sess->rx_dsl);
	txe->immediate = true;
	rfl_ini_queue_txe(sess, txe);
	return 0;
}

/*
 * Take the tasks a completed TMF ended out of the table. Return: -EBUSY
 * when one of them has a PDU being sent: only dropping the connection
 * then guarantees its pages are not touched after EH returns.
 */
static int rfl_ini_tmf_purge(struct rfl_ini_sess *sess)
{
	struct rfl_ini_txe *txe, *tmp;
	struct scsi_cmnd *sc;
	unsigned long flags;
	unsigned int i;
	int ret = 0;
	LIST_HEAD(drop);

	for (i = 0; i < sess->can_queue; i++) {
		spin_lock_irqsave(&sess->lock, flags);
		sc = sess->tasks[i];
		if (sc && ((sess->tmf_function == ISCSI_TM_FUNC_ABORT_TASK &&
			    rfl_ini_task(sc)->itt == sess->tmf_ref_itt) ||
			   (sess->tmf_function ==
			    ISCSI_TM_FUNC_LOGICAL_UNIT_RESET &&
			    sc->device->lun == sess->tmf_lun))) {
			sess->tasks[i] = NULL;
			sess->ended_itts[i] = rfl_ini_task(sc)->itt;
		} else {
			sc = NULL;
		}
		if (sc) {
			list_for_each_entry_safe(txe, tmp, &sess->txq, node) {
				if (txe->sc != sc)
					continue;
				list_move_tail(&txe->node, &drop);
				rfl_ini_task(sc)->tx_refs--;
			}
			if (rfl_ini_task(sc)->tx_refs)
				ret = -EBUSY;
		}
		spin_unlock_irqrestore(&sess->lock, flags);
		if (!sc)
			continue;
		/* Ignored by the midlayer for the command EH owns. */
		set_host_byte(sc, DID_RESET);
		scsi_done(sc);
	}
	list_for_each_entry_safe(txe, tmp, &drop, node) {
		list_del(&txe->node);
		rfl_ini_txe_free(txe);
	}
	return ret;
}

static int rfl_ini_rx_tmf_rsp(struct rfl_ini_sess *sess)
{
	struct iscsi_tm_rsp *hdr = (struct iscsi_tm_rsp *)sess->rx_hdr;

	if (be32_to_cpu(hdr->itt) != RFL_INI_ITT_TMF || !sess->tmf_function) {
		pr_warn_ratelimited("%pISpc: unexpected TMF response\n",
				    &sess->peer);
		return -EPROTO;
	}
	rfl_ini_rx_stat_sn(sess);
	sess->tmf_response = hdr->response;
	if ((hdr->response == ISCSI_TMF_RSP_COMPLETE ||
	     hdr->response == ISCSI_TMF_RSP_NO_TASK) &&
	    rfl_ini_tmf_purge(sess)) {
		sess->tmf_response = ISCSI_TMF_RSP_REJECTED;
		complete(&sess->tmf_done);
		return -EBUSY;
	}
	complete(&sess->tmf_done);
	return 0;
}

static int rfl_ini_rx_async(struct rfl_ini_sess *sess)
{
	struct iscsi_async *hdr = (struct iscsi_async *)sess->rx_hdr;

	rfl_ini_rx_stat_sn(sess);
	switch (hdr->async_event) {
	case ISCSI_ASYNC_MSG_SCSI_EVENT:
		return 0;
	case ISCSI_ASYNC_MSG_REQUEST_LOGOUT:
		/* Logged out in order by rfl_ini_logout_req_work(). */
		sess->logout_req_secs = be16_to_cpu(hdr->param3);
		sess->logout_req_conn = atomic64_read(&sess->tgt->stats.reconnects);
		pr_info("%pISpc: target requests a logout within %u s\n",
			&sess->peer, sess->logout_req_secs);
		queue_work(rfl_ini_wq, &sess->logout_req_work);
		return 0;
	case ISCSI_ASYNC_MSG_DROPPING_CONNECTION:
	case ISCSI_ASYNC_MSG_DROPPING_ALL_CONNECTIONS:
		pr_info("%pISpc: target ends the session (async event %u)\n",
			&sess->peer, hdr->async_event);
		return -ECONNRESET;
	default:
		return 0;
	}
}

static int rfl_ini_rx_pdu(struct rfl_ini_sess *sess)
{
	u8 op = sess->rx_hdr[0] & ISCSI_OPCODE_MASK;

	switch (op) {
	case ISCSI_OP_SCSI_DATA_IN:
		return rfl_ini_rx_data_in(sess);
	case ISCSI_OP_SCSI_CMD_RSP:
		return rfl_ini_rx_scsi_rsp(sess);
	case ISCSI_OP_R2T:
		return rfl_ini_rx_r2t(sess);
	case ISCSI_OP_NOOP_IN:
		return rfl_ini_rx_nop_in(sess);
	case ISCSI_OP_SCSI_TMFUNC_RSP:
		return rfl_ini_rx_tmf_rsp(sess);
	case ISCSI_OP_LOGOUT_RSP:
		rfl_ini_rx_stat_sn(sess);
		complete_all(&sess->logout_done);
		return 0;
	case ISCSI_OP_ASYNC_EVENT:
		return rfl_ini_rx_async(sess);
	case ISCSI_OP_REJECT:
		rfl_ini_rx_stat_sn(sess);
		pr_warn_ratelimited("%pISpc: PDU rejected, reason 0x%x\n",
				    &sess->peer,
				    ((struct iscsi_reject *)sess->rx_hdr)->reason);
		return -EPROTO;
	default:
		pr_warn_ratelimited("%pISpc: unexpected %s PDU\n", &sess->peer,
				    rfl_ini_op_name(op));
		return -EPROTO;
	}
}

/* A complete, checked header: window, and where its data goes. */
static int rfl_ini_rx_hdr_done(struct rfl_ini_sess *sess)
{
	struct iscsi_scsi_rsp *h = (struct iscsi_scsi_rsp *)sess->rx_hdr;
	u8 op = sess->rx_hdr[0] & ISCSI_OPCODE_MASK;
	int err;

	err = rfl_pdu_check_initiator(rfl_ini_rx_hdr(sess),
				      &(struct rfl_pdu_limits){
					      .max_recv_dsl =
						sess->params.max_recv_dsl,
				      }, 0);
	if (err) {
		pr_warn_ratelimited("%pISpc: malformed %s PDU: %s\n",
				    &sess->peer, rfl_ini_op_name(op),
				    rfl_pdu_strerror(err));
		return -EPROTO;
	}
	/* ExpCmdSN and MaxCmdSN sit at the same offsets in every PDU. */
	rfl_ini_window_update(sess, be32_to_cpu(h->exp_cmdsn),
			      be32_to_cpu(h->max_cmdsn));
	sess->rx_sc = NULL;
	if (op == ISCSI_OP_SCSI_DATA_IN)
		return rfl_ini_rx_data_in_hdr(sess);
	return 0;
}

static int rfl_ini_rx_ddgst(struct rfl_ini_sess *sess)
{
	u32 pad = rfl_pad4(sess->rx_dsl) - sess->rx_dsl, crc;

	if (rfl_ini_rx_to_sg(sess))
		crc = rfl_ini_sg_crc(scsi_sglist(sess->rx_sc), sess->rx_sg_off,
				     sess->rx_dsl, RFL_DIGEST_SEED);
	else
		crc = rfl_digest_update(RFL_DIGEST_SEED, sess->rx_buf,
					sess->rx_dsl);
	crc = ~rfl_digest_update(crc, sess->rx_trail, pad);
	if (crc != rfl_digest_get(sess->rx_trail + pad)) {
		pr_warn_ratelimited("%pISpc: data digest error on %s PDU\n",
				    &sess->peer,
				    rfl_ini_op_name(sess->rx_hdr[0] &
						    ISCSI_OPCODE_MASK));
		return -EPROTO;
	}
	return 0;
}

/**
 * rfl_ini_rx_work() - receive what the socket holds, PDU by PDU
 * @sess: the session
 * @budget: bytes left in this io_work pass; decremented
 *
 * Return: > 0 if anything was received, 0 if nothing, < 0 to drop the
 * connection.
 */
int rfl_ini_rx_work(struct rfl_ini_sess *sess, int *budget)
{
	struct iscsi_hdr *hdr = rfl_ini_rx_hdr(sess);
	int progress = 0, ret;
	u32 want;

	while (*budget > 0) {
		switch (sess->rx_state) {
		case RFL_INI_RX_BHS:
			ret = rfl_ini_recv_buf(sess, sess->rx_hdr + sess->rx_off,
					       ISCSI_HDR_LEN - sess->rx_off);
			if (ret <= 0)
				return ret < 0 ? ret : progress;
			sess->rx_off += ret;
			*budget -= ret;
			progress = 1;
			if (sess->rx_off < ISCSI_HDR_LEN)
				break;
			sess->rx_hdr_len = ISCSI_HDR_LEN + rfl_pdu_ahs_len(hdr);
			if (sess->params.header_digest)
				sess->rx_hdr_len += RFL_INI_DIGEST_SIZE;
			sess->rx_state = RFL_INI_RX_AHS;
			fallthrough;
		case RFL_INI_RX_AHS:
			if (sess->rx_off < sess->rx_hdr_len) {
				ret = rfl_ini_recv_buf(sess,
						       sess->rx_hdr + sess->rx_off,
						       sess->rx_hdr_len -
						       sess->rx_off);
				if (ret <= 0)
					return ret < 0 ? ret : progress;
				sess->rx_off += ret;
				*budget -= ret;
				if (sess->rx_off < sess->rx_hdr_len)
					break;
			}
			if (sess->params.header_digest &&
			    rfl_digest_get(sess->rx_hdr + sess->rx_hdr_len -
					   RFL_INI_DIGEST_SIZE) !=
			    rfl_hdr_digest(hdr, sess->rx_hdr + ISCSI_HDR_LEN)) {
				pr_warn_ratelimited("%pISpc: header digest error\n",
						    &sess->peer);
				return -EPROTO;
			}
			sess->rx_dsl = rfl_pdu_dsl(hdr);
			ret = rfl_ini_rx_hdr_done(sess);
			if (ret < 0)
				return ret;
			sess->rx_off = 0;
			sess->rx_state = RFL_INI_RX_DATA;
			fallthrough;
		case RFL_INI_RX_DATA:
			if (sess->rx_off < sess->rx_dsl) {
				want = sess->rx_dsl - sess->rx_off;
				if (rfl_ini_rx_to_sg(sess))
					ret = rfl_ini_recv_sg(sess, sess->rx_sc,
							      sess->rx_sg_off +
							      sess->rx_off,
							      want);
				else
					ret = rfl_ini_recv_buf(sess,
							       sess->rx_buf +
							       sess->rx_off,
							       want);
				if (ret <= 0)
					return ret < 0 ? ret : progress;
				sess->rx_off += ret;
				*budget -= ret;
				if (sess->rx_off < sess->rx_dsl)
					break;
			}
			sess->rx_trail_len = rfl_pad4(sess->rx_dsl) -
					     sess->rx_dsl;
			if (sess->rx_dsl && sess->params.data_digest)
				sess->rx_trail_len += RFL_INI_DIGEST_SIZE;
			sess->rx_off = 0;
			sess->rx_state = RFL_INI_RX_TRAIL;
			fallthrough;
		case RFL_INI_RX_TRAIL:
			if (sess->rx_off < sess->rx_trail_len) {
				ret = rfl_ini_recv_buf(sess,
						       sess->rx_trail +
						       sess->rx_off,
						       sess->rx_trail_len -
						       sess->rx_off);
				if (ret <= 0)
					return ret < 0 ? ret : progress;
				sess->rx_off += ret;
				*budget -= ret;
				if (sess->rx_off < sess->rx_trail_len)
					break;
			}
			if (sess->rx_dsl && sess->params.data_digest) {
				ret = rfl_ini_rx_ddgst(sess);
				if (ret)
					return ret;
			}
			ret = rfl_ini_rx_pdu(sess);
			sess->rx_state = RFL_INI_RX_BHS;
			sess->rx_off = 0;
			sess->rx_sc = NULL;
			if (ret < 0)
				return ret;
			break;
		}
	}
	return progress;
}
