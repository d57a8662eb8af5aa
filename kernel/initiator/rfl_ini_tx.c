// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: io_work takes the next entry of the session's queue (a SCSI
 * Command with its immediate data, a Data-Out sequence for unsolicited
 * data or an R2T, or a control PDU), builds each PDU's header with the
 * current ExpStatSN, and sends header, data and trailer without blocking,
 * resuming where the socket stopped. Data goes out zero-copy from the
 * command's pages (rfl_sock_send_page).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/slab.h>

#include "rfl_ini.h"

/**
 * rfl_ini_sg_crc() - CRC32C over part of a scatterlist
 * @sgl: the scatterlist
 * @off: byte offset into the buffer it describes
 * @len: bytes
 * @crc: running digest
 *
 * Return: the updated running digest.
 */
u32 rfl_ini_sg_crc(struct scatterlist *sgl, u32 off, u32 len, u32 crc)
{
	struct scatterlist *sg;

	for (sg = sgl; sg && len; sg = sg_next(sg)) {
		u32 soff, l;

		if (off >= sg->length) {
			off -= sg->length;
			continue;
		}
		soff = sg->offset + off;
		l = min(sg->length - off, len);
		len -= l;
		off = 0;
		while (l) {
			struct page *pg = nth_page(sg_page(sg),
						   soff >> PAGE_SHIFT);
			u32 po = soff & ~PAGE_MASK;
			u32 n = min_t(u32, l, PAGE_SIZE - po);
			u8 *p = kmap_local_page(pg);

			crc = rfl_digest_update(crc, p + po, n);
			kunmap_local(p);
			soff += n;
			l -= n;
		}
	}
	return crc;
}

struct rfl_ini_txe *rfl_ini_ctl_alloc(u8 opcode, u32 len, gfp_t gfp)
{
	struct rfl_ini_txe *txe = kzalloc(sizeof(*txe), gfp);

	if (!txe)
		return NULL;
	if (len) {
		txe->data = kzalloc(len, gfp);
		if (!txe->data) {
			kfree(txe);
			return NULL;
		}
	}
	txe->kind = RFL_INI_TXE_CTL;
	txe->allocated = true;
	txe->len = len;
	txe->hdr[0] = opcode;
	txe->hdr[1] = ISCSI_FLAG_CMD_FINAL;
	return txe;
}

void rfl_ini_txe_free(struct rfl_ini_txe *txe)
{
	if (!txe->allocated)
		return;
	kfree(txe->data);
	kfree(txe);
}

/* Queue a control PDU (or a Data-Out sequence) and wake io_work. */
void rfl_ini_queue_txe(struct rfl_ini_sess *sess, struct rfl_ini_txe *txe)
{
	unsigned long flags;
	bool dead;

	spin_lock_irqsave(&sess->lock, flags);
	dead = sess->dead;
	if (!dead)
		list_add_tail(&txe->node, &sess->txq);
	spin_unlock_irqrestore(&sess->lock, flags);
	if (dead)
		rfl_ini_txe_free(txe);
	else
		rfl_ini_kick(sess);
}

/* Set up the PDU in tx_hdr with @len bytes of data from tx_sgl/tx_buf. */
static void rfl_ini_tx_setup(struct rfl_ini_sess *sess, u32 len)
{
	struct iscsi_hdr *hdr = (struct iscsi_hdr *)sess->tx_hdr;
	u32 pad = rfl_pad4(len) - len;

	hdr->exp_statsn = cpu_to_be32(sess->exp_stat_sn);
	rfl_pdu_set_dsl(hdr, len);
	sess->tx_hdr_len = ISCSI_HDR_LEN;
	if (sess->params.header_digest) {
		rfl_digest_put(sess->tx_hdr + ISCSI_HDR_LEN,
			       rfl_hdr_digest(hdr, NULL));
		sess->tx_hdr_len += RFL_INI_DIGEST_SIZE;
	}
	sess->tx_hdr_off = 0;
	sess->tx_len = len;
	sess->tx_off = 0;
	memset(sess->tx_trail, 0, sizeof(sess->tx_trail));
	sess->tx_trail_len = len ? pad : 0;
	sess->tx_trail_off = 0;
	if (len && sess->params.data_digest) {
		u32 crc;

		if (sess->tx_sgl)
			crc = rfl_ini_sg_crc(sess->tx_sgl, sess->tx_sg_off, len,
					     RFL_DIGEST_SEED);
		else
			crc = rfl_digest_update(RFL_DIGEST_SEED, sess->tx_buf,
						len);
		rfl_digest_put(sess->tx_trail + pad,
			       rfl_digest_final(crc, len));
		sess->tx_trail_len += RFL_INI_DIGEST_SIZE;
	}
	sess->tx_busy = true;
}

/* The next Data-Out PDU of a sequence. */
static void rfl_ini_tx_data_out(struct rfl_ini_sess *sess,
				struct rfl_ini_txe *txe)
{
	struct iscsi_data *hdr = (struct iscsi_data *)sess->tx_hdr;
	struct scsi_cmnd *sc = txe->sc;
	u32 len = min(txe->len - txe->sent, sess->params.max_xmit_dsl);

	memset(hdr, 0, sizeof(*hdr));
	hdr->opcode = ISCSI_OP_SCSI_DATA_OUT;
	if (txe->sent + len == txe->len)
		hdr->flags = ISCSI_FLAG_CMD_FINAL;
	int_to_scsilun(sc->device->lun, &hdr->lun);
	hdr->itt = cpu_to_be32(rfl_ini_task(sc)->itt);
	hdr->ttt = cpu_to_be32(txe->ttt);
	hdr->datasn = cpu_to_be32(txe->data_sn++);
	hdr->offset = cpu_to_be32(txe->off + txe->sent);
	sess->tx_sgl = scsi_sglist(sc);
	sess->tx_sg_off = txe->off + txe->sent;
	sess->tx_buf = NULL;
	txe->sent += len;
	rfl_ini_tx_setup(sess, len);
}

/* Take the next entry off the queue and start its first PDU. */
static bool rfl_ini_tx_next(struct rfl_ini_sess *sess)
{
	struct rfl_ini_txe *txe;
	unsigned long flags;

	spin_lock_irqsave(&sess->lock, flags);
	/* Reflected commands that failed go back to the manager first. */
	rfl_ini_redrive_locked(sess);
	txe = list_first_entry_or_null(&sess->txq, struct rfl_ini_txe, node);
	if (txe) {
		list_del_init(&txe->node);
		if (txe->kind == RFL_INI_TXE_CTL)
			/* Immediate: the next CmdSN, not advanced. */
			((struct iscsi_nopout *)txe->hdr)->cmdsn =
				cpu_to_be32(sess->cmd_sn);
	}
	spin_unlock_irqrestore(&sess->lock, flags);
	if (!txe)
		return false;
	sess->tx_txe = txe;
	switch (txe->kind) {
	case RFL_INI_TXE_CMD:
		memcpy(sess->tx_hdr, txe->hdr, ISCSI_HDR_LEN);
		sess->tx_sgl = scsi_sglist(txe->sc);
		sess->tx_sg_off = 0;
		sess->tx_buf = NULL;
		rfl_ini_tx_setup(sess, rfl_ini_task(txe->sc)->imm_len);
		break;
	case RFL_INI_TXE_DATA:
		rfl_ini_tx_data_out(sess, txe);
		break;
	default:
		memcpy(sess->tx_hdr, txe->hdr, ISCSI_HDR_LEN);
		sess->tx_sgl = NULL;
		sess->tx_buf = txe->data;
		rfl_ini_tx_setup(sess, txe->len);
		break;
	}
	return true;
}

static int rfl_ini_send_buf(struct rfl_ini_sess *sess, const void *buf,
			    u32 len, bool more)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	int ret;

	if (more)
		msg.msg_flags |= MSG_MORE;
	ret = kernel_sendmsg(sess->sock, &msg, &iov, 1, len);
	return ret == -EAGAIN ? 0 : ret;
}

/* Data of the PDU in flight: zero-copy from the command's pages. */
static int rfl_ini_send_data(struct rfl_ini_sess *sess, bool more)
{
	u32 left = sess->tx_len - sess->tx_off;
	struct scatterlist *sg;
	u32 off;
	int ret;

	if (!sess->tx_sgl)
		return rfl_ini_send_buf(sess, sess->tx_buf + sess->tx_off, left,
					more);
	off = sess->tx_sg_off + sess->tx_off;
	for (sg = sess->tx_sgl; sg && off >= sg->length; sg = sg_next(sg))
		off -= sg->length;
	if (!sg)
		return -EINVAL;
	left = min(left, sg->length - off);
	ret = rfl_sock_send_page(sess->sock, sg_page(sg), sg->offset + off,
				 left, MSG_DONTWAIT | MSG_NOSIGNAL |
				 (more || sess->tx_off + left < sess->tx_len ?
				  MSG_MORE : 0));
	return ret == -EAGAIN ? 0 : ret;
}

/* The PDU in flight is out: what comes after it. */
static void rfl_ini_tx_pdu_done(struct rfl_ini_sess *sess)
{
	struct rfl_ini_txe *txe = sess->tx_txe;

	sess->tx_busy = false;
	if (txe->kind != RFL_INI_TXE_CTL)
		atomic64_add(sess->tx_len, &sess->tgt->stats.bytes_out);
	if (txe->kind == RFL_INI_TXE_DATA && txe->sent < txe->len) {
		rfl_ini_tx_data_out(sess, txe);
		return;
	}
	sess->tx_txe = NULL;
	if (txe->kind != RFL_INI_TXE_CTL) {
		struct scsi_cmnd *sc = txe->sc;

		rfl_ini_txe_free(txe);
		rfl_ini_task_put_tx(sess, sc);
		return;
	}
	rfl_ini_txe_free(txe);
}

/**
 * rfl_ini_tx_work() - send queued PDUs until the socket is full
 * @sess: the session
 * @budget: bytes left in this io_work pass; decremented
 *
 * Return: > 0 if anything was sent, 0 if nothing, < 0 to drop the
 * connection.
 */
int rfl_ini_tx_work(struct rfl_ini_sess *sess, int *budget)
{
	int progress = 0, ret;

	while (*budget > 0) {
		if (!sess->tx_busy && !rfl_ini_tx_next(sess))
			return progress;
		if (sess->tx_hdr_off < sess->tx_hdr_len) {
			ret = rfl_ini_send_buf(sess,
					       sess->tx_hdr + sess->tx_hdr_off,
					       sess->tx_hdr_len -
					       sess->tx_hdr_off, sess->tx_len);
			if (ret <= 0)
				return ret < 0 ? ret : progress;
			sess->tx_hdr_off += ret;
			*budget -= ret;
			progress = 1;
			continue;
		}
		if (sess->tx_off < sess->tx_len) {
			ret = rfl_ini_send_data(sess, sess->tx_trail_len);
			if (ret <= 0)
				return ret < 0 ? ret : progress;
			sess->tx_off += ret;
			*budget -= ret;
			progress = 1;
			continue;
		}
		if (sess->tx_trail_off < sess->tx_trail_len) {
			ret = rfl_ini_send_buf(sess,
					       sess->tx_trail +
					       sess->tx_trail_off,
					       sess->tx_trail_len -
					       sess->tx_trail_off, false);
			if (ret <= 0)
				return ret < 0 ? ret : progress;
			sess->tx_trail_off += ret;
			*budget -= ret;
			progress = 1;
			continue;
		}
		rfl_ini_tx_pdu_done(sess);
		progress = 1;
	}
	return progress;
}

/**
 * rfl_ini_tx_flush() - teardown: drop the PDU in flight and the queue.
 * @sess: the session, dead, io_work stopped
 */
void rfl_ini_tx_flush(struct rfl_ini_sess *sess)
{
	struct rfl_ini_txe *txe, *tmp;
	unsigned long flags;
	LIST_HEAD(drop);

	txe = sess->tx_txe;
	sess->tx_txe = NULL;
	if (txe && txe->kind != RFL_INI_TXE_CTL) {
		struct scsi_cmnd *sc = txe->sc;

		rfl_ini_txe_free(txe);
		/* Completes a command whose status came in meanwhile. */
		rfl_ini_task_put_tx(sess, sc);
	} else if (txe) {
		rfl_ini_txe_free(txe);
	}
	sess->tx_busy = false;
	spin_lock_irqsave(&sess->lock, flags);
	list_splice_init(&sess->txq, &drop);
	spin_unlock_irqrestore(&sess->lock, flags);
	list_for_each_entry_safe(txe, tmp, &drop, node) {
		list_del_init(&txe->node);
		rfl_ini_txe_free(txe);
	}
}
