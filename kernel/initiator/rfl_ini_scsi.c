// SPDX-License-Identifier: GPL-2.0
/*
 * The SCSI low-level driver: one Scsi_Host per session, queuecommand
 * (CmdSN window, ITT from the blk-mq tag, immediate and unsolicited data),
 * the task table, completion, and the error handlers (ABORT TASK and
 * LUN RESET task management functions).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/module.h>
#include <scsi/scsi.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_eh.h>
#include <scsi/scsi_tcq.h>

#include "rfl_ini.h"

/**
 * rfl_ini_task_lookup() - the command of an ITT.
 * @sess: the session
 * @itt: ITT from a received PDU (CPU order)
 *
 * Context: io_work.
 * Return: the outstanding command, or NULL for an unknown ITT.
 */
struct scsi_cmnd *rfl_ini_task_lookup(struct rfl_ini_sess *sess, u32 itt)
{
	struct scsi_cmnd *sc = NULL;
	unsigned long flags;

	spin_lock_irqsave(&sess->lock, flags);
	if (RFL_INI_ITT_TAG(itt) < sess->can_queue) {
		sc = sess->tasks[RFL_INI_ITT_TAG(itt)];
		/* Its tag, but another generation: not this command. */
		if (sc && rfl_ini_task(sc)->itt != itt)
			sc = NULL;
	}
	spin_unlock_irqrestore(&sess->lock, flags);
	return sc;
}

/**
 * rfl_ini_itt_ended() - whether task management ended the task of an ITT
 * @sess: the session
 * @itt: ITT from a received PDU (CPU order), one rfl_ini_task_lookup()
 *	 does not know
 *
 * A target may answer ABORT TASK with "task does not exist" for a task
 * it has just completed and send that task's response afterwards; such a
 * late PDU is dropped, not taken for a protocol error. For each blk-mq
 * tag, the ITT of the last task with that tag a TMF ended is remembered,
 * so a LUN reset ending every task of a LUN is covered too.
 *
 * Context: io_work.
 * Return: true if @itt is one of them.
 */
bool rfl_ini_itt_ended(struct rfl_ini_sess *sess, u32 itt)
{
	unsigned long flags;
	bool ended = false;

	spin_lock_irqsave(&sess->lock, flags);
	if (RFL_INI_ITT_TAG(itt) < sess->can_queue)
		ended = sess->ended_itts[RFL_INI_ITT_TAG(itt)] == itt;
	spin_unlock_irqrestore(&sess->lock, flags);
	return ended;
}

/**
 * rfl_ini_task_complete() - status received: finish a command.
 * @sess: the session
 * @sc: the command, with its result set
 *
 * Queued Data-Out for the command is dropped; if a PDU of it is being
 * sent, the completion waits for rfl_ini_task_put_tx().
 *
 * Context: io_work.
 */
void rfl_ini_task_complete(struct rfl_ini_sess *sess, struct scsi_cmnd *sc)
{
	struct rfl_ini_task *task = rfl_ini_task(sc);
	struct rfl_ini_txe *txe, *tmp;
	unsigned long flags;
	bool now;
	LIST_HEAD(drop);

	spin_lock_irqsave(&sess->lock, flags);
	sess->tasks[scsi_cmd_to_rq(sc)->tag] = NULL;
	list_for_each_entry_safe(txe, tmp, &sess->txq, node) {
		if (txe->sc != sc)
			continue;
		list_move_tail(&txe->node, &drop);
		task->tx_refs--;
	}
	now = !task->tx_refs;
	task->done = !now;
	spin_unlock_irqrestore(&sess->lock, flags);
	list_for_each_entry_safe(txe, tmp, &drop, node) {
		list_del(&txe->node);
		rfl_ini_txe_free(txe);
	}
	atomic64_inc(&sess->tgt->stats.cmds);
	if (now)
		scsi_done(sc);
}

/**
 * rfl_ini_task_put_tx() - a transmit entry of a command is finished.
 * @sess: the session
 * @sc: the command
 *
 * Context: io_work.
 */
void rfl_ini_task_put_tx(struct rfl_ini_sess *sess, struct scsi_cmnd *sc)
{
	struct rfl_ini_task *task = rfl_ini_task(sc);
	unsigned long flags;
	bool now;

	spin_lock_irqsave(&sess->lock, flags);
	now = !--task->tx_refs && task->done;
	spin_unlock_irqrestore(&sess->lock, flags);
	if (now)
		scsi_done(sc);
}

/**
 * rfl_ini_fail_all() - complete every outstanding command with an error.
 * @sess: the session; io_work is stopped and the transmit queue empty
 * @host_byte: DID_* to complete with
 */
void rfl_ini_fail_all(struct rfl_ini_sess *sess, int host_byte)
{
	struct scsi_cmnd *sc;
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < sess->can_queue; i++) {
		spin_lock_irqsave(&sess->lock, flags);
		sc = sess->tasks[i];
		sess->tasks[i] = NULL;
		spin_unlock_irqrestore(&sess->lock, flags);
		if (!sc)
			continue;
		rfl_ini_task(sc)->tx_refs = 0;
		set_host_byte(sc, host_byte);
		scsi_done(sc);
	}
	rfl_ini_reflect_fail_all(sess, host_byte);
}

/**
 * rfl_ini_window_update() - ExpCmdSN and MaxCmdSN of a received PDU.
 * @sess: the session
 * @exp: ExpCmdSN (CPU order)
 * @max: MaxCmdSN (CPU order)
 *
 * Values that make no valid window (rfl_sn_update_window()) are logged,
 * counted in ignored_windows and otherwise ignored.
 *
 * Context: io_work.
 */
void rfl_ini_window_update(struct rfl_ini_sess *sess, u32 exp, u32 max)
{
	unsigned long flags;
	unsigned int moved;
	u32 our_exp, our_max;
	bool kick;

	spin_lock_irqsave(&sess->lock, flags);
	moved = rfl_sn_update_window(&sess->exp_cmd_sn, &sess->max_cmd_sn,
				     exp, max);
	our_exp = sess->exp_cmd_sn;
	our_max = sess->max_cmd_sn;
	kick = (moved & RFL_SN_MAX_MOVED) && sess->window_closed;
	if (kick)
		sess->window_closed = false;
	spin_unlock_irqrestore(&sess->lock, flags);
	if (moved == RFL_SN_IGNORED) {
		atomic64_inc(&sess->tgt->stats.ignored_windows);
		pr_warn_ratelimited("%pISpc: ExpCmdSN %u, MaxCmdSN %u make no command window with ours (%u, %u): ignored\n",
				    &sess->peer, exp, max, our_exp, our_max);
	}
	/* Commands refused while the window was closed are retried. */
	if (kick)
		scsi_unblock_requests(sess->shost);
}

/**
 * rfl_ini_build_cmd() - the SCSI Command PDU of a command and its
 * unsolicited data.
 * @sess: the session, its lock held
 * @sc: the command; its task's itt, cmd_sn and proxy are set
 *
 * On a session that negotiated reflection, writes carry neither immediate
 * nor unsolicited data: everything waits for R2T, so that the data of a
 * reflected write crosses the wire once (host to disks). A proxy
 * re-drive sends its data as negotiated.
 */
void rfl_ini_build_cmd(struct rfl_ini_sess *sess, struct scsi_cmnd *sc)
{
	struct rfl_ini_task *task = rfl_ini_task(sc);
	struct iscsi_scsi_req *hdr = (struct iscsi_scsi_req *)task->cmd_txe.hdr;
	const struct rfl_params *p = &sess->params;
	u32 len = scsi_bufflen(sc), unsol = 0;

	memset(hdr, 0, sizeof(*hdr));
	hdr->opcode = ISCSI_OP_SCSI_CMD;
	hdr->flags = ISCSI_ATTR_SIMPLE;
	if (task->proxy)
		hdr->flags |= RFL_CMD_FLAG_PROXY;
	int_to_scsilun(sc->device->lun, &hdr->lun);
	hdr->itt = cpu_to_be32(task->itt);
	hdr->data_length = cpu_to_be32(len);
	hdr->cmdsn = cpu_to_be32(task->cmd_sn);
	memcpy(hdr->cdb, sc->cmnd, min_t(u32, sc->cmd_len, sizeof(hdr->cdb)));
	task->cmd_txe.kind = RFL_INI_TXE_CMD;
	task->cmd_txe.sc = sc;
	task->tx_refs = 1;
	if (sc->sc_data_direction == DMA_FROM_DEVICE) {
		hdr->flags |= ISCSI_FLAG_CMD_READ | ISCSI_FLAG_CMD_FINAL;
		return;
	}
	if (sc->sc_data_direction != DMA_TO_DEVICE || !len) {
		hdr->flags |= ISCSI_FLAG_CMD_FINAL;
		return;
	}
	hdr->flags |= ISCSI_FLAG_CMD_WRITE;
	if (sess->reflect && !task->proxy) {
		hdr->flags |= ISCSI_FLAG_CMD_FINAL;
		return;
	}
	if (!p->initial_r2t || p->immediate_data)
		unsol = min(len, p->first_burst);
	if (p->immediate_data)
		task->imm_len = min(unsol, p->max_xmit_dsl);
	if (!p->initial_r2t)
		task->unsol_len = unsol - task->imm_len;
	if (task->unsol_len) {
		struct rfl_ini_txe *txe = &task->unsol_txe;

		txe->kind = RFL_INI_TXE_DATA;
		txe->sc = sc;
		txe->off = task->imm_len;
		txe->len = task->unsol_len;
		txe->ttt = ISCSI_RESERVED_TAG;
		task->tx_refs++;
	} else {
		hdr->flags |= ISCSI_FLAG_CMD_FINAL;
	}
}

static int rfl_ini_queuecommand(struct Scsi_Host *shost, struct scsi_cmnd *sc)
{
	struct rfl_ini_sess *sess = shost_priv(shost);
	struct rfl_ini_task *task = rfl_ini_task(sc);
	u32 tag = scsi_cmd_to_rq(sc)->tag;
	unsigned long flags;

	memset(task, 0, sizeof(*task));
	INIT_LIST_HEAD(&task->rnode);
	task->sc = sc;
	INIT_LIST_HEAD(&task->cmd_txe.node);
	INIT_LIST_HEAD(&task->unsol_txe.node);
	if (sc->sc_data_direction == DMA_BIDIRECTIONAL || tag >= sess->can_queue) {
		set_host_byte(sc, DID_ERROR);
		scsi_done(sc);
		return 0;
	}
	spin_lock_irqsave(&sess->lock, flags);
	if (sess->dead) {
		bool stopping = sess->stopping;

		spin_unlock_irqrestore(&sess->lock, flags);
		/*
		 * Connection lost, recovery about to block the targets: the
		 * command waits with the others for the new connection (or
		 * fails with them after replacement_timeout). A target being
		 * disabled fails it now, and so does a session past
		 * replacement_timeout: its devices are offline, but one
		 * added since (the LU pool probing a LU) is not, and its
		 * INQUIRY would be requeued here for as long as the target
		 * stays away, with the scan holding the host's scan_mutex.
		 */
		if (!stopping && READ_ONCE(sess->tgt->state) != RFL_INI_FAILED)
			return SCSI_MLQUEUE_TARGET_BUSY;
		set_host_byte(sc, stopping ? DID_TRANSPORT_FAILFAST :
				  DID_NO_CONNECT);
		scsi_done(sc);
		return 0;
	}
	if (!rfl_sn_in_window(sess->cmd_sn, sess->exp_cmd_sn,
			      sess->max_cmd_sn) || sess->tasks[tag]) {
		sess->window_closed = true;
		spin_unlock_irqrestore(&sess->lock, flags);
		return SCSI_MLQUEUE_HOST_BUSY;
	}
	task->itt = tag | (sess->itt_gen++ & RFL_INI_ITT_GEN_MASK) << 16;
	task->cmd_sn = sess->cmd_sn++;
	sess->tasks[tag] = sc;
	rfl_ini_build_cmd(sess, sc);
	list_add_tail(&task->cmd_txe.node, &sess->txq);
	if (task->unsol_len)
		list_add_tail(&task->unsol_txe.node, &sess->txq);
	spin_unlock_irqrestore(&sess->lock, flags);
	rfl_ini_kick(sess);
	return 0;
}

/*
 * Send a task management function and wait for its response. The
 * response handler (io_work) takes the affected tasks out of the table.
 */
static int rfl_ini_tmf(struct rfl_ini_sess *sess, u8 func, u64 lun,
		       u32 ref_itt, u32 ref_cmd_sn)
{
	struct iscsi_tm *hdr;
	struct rfl_ini_txe *txe;
	unsigned long flags;
	int ret = FAILED;

	mutex_lock(&sess->tmf_mutex);
	txe = rfl_ini_ctl_alloc(ISCSI_OP_SCSI_TMFUNC, 0, GFP_NOIO);
	if (!txe)
		goto out;
	hdr = (struct iscsi_tm *)txe->hdr;
	hdr->opcode |= ISCSI_OP_IMMEDIATE;
	hdr->flags = ISCSI_FLAG_CMD_FINAL | func;
	int_to_scsilun(lun, &hdr->lun);
	hdr->itt = cpu_to_be32(RFL_INI_ITT_TMF);
	hdr->rtt = func == ISCSI_TM_FUNC_ABORT_TASK ? cpu_to_be32(ref_itt) :
		   cpu_to_be32(ISCSI_RESERVED_TAG);
	hdr->refcmdsn = cpu_to_be32(ref_cmd_sn);
	txe->immediate = true;
	reinit_completion(&sess->tmf_done);
	spin_lock_irqsave(&sess->lock, flags);
	sess->tmf_function = func;
	sess->tmf_ref_itt = ref_itt;
	sess->tmf_lun = lun;
	sess->tmf_response = 0xff;
	spin_unlock_irqrestore(&sess->lock, flags);
	rfl_ini_queue_txe(sess, txe);
	if (wait_for_completion_timeout(&sess->tmf_done,
					RFL_INI_TMF_TMO * HZ) &&
	    (sess->tmf_response == ISCSI_TMF_RSP_COMPLETE ||
	     sess->tmf_response == ISCSI_TMF_RSP_NO_TASK))
		ret = SUCCESS;
	spin_lock_irqsave(&sess->lock, flags);
	sess->tmf_function = 0;
	spin_unlock_irqrestore(&sess->lock, flags);
out:
	mutex_unlock(&sess->tmf_mutex);
	if (ret != SUCCESS) {
		/*
		 * No answer: drop the connection, which completes every
		 * command still held, so none is touched after EH returns.
		 */
		rfl_ini_conn_fail(sess, "task management function failed");
		flush_work(&sess->err_work);
		ret = SUCCESS;
	}
	return ret;
}

static int rfl_ini_eh_abort(struct scsi_cmnd *sc)
{
	struct rfl_ini_sess *sess = shost_priv(sc->device->host);
	struct rfl_ini_task *task = rfl_ini_task(sc);
	u32 tag = scsi_cmd_to_rq(sc)->tag;
	unsigned long flags;
	bool held;

	/* Reflected: its pieces settle first; nothing goes to the manager. */
	if (rfl_ini_reflect_abort(sess, sc))
		return SUCCESS;
	spin_lock_irqsave(&sess->lock, flags);
	held = tag < sess->can_queue && sess->tasks[tag] == sc;
	spin_unlock_irqrestore(&sess->lock, flags);
	if (!held)
		return SUCCESS;
	sdev_printk(KERN_INFO, sc->device, "aborting ITT 0x%x\n", task->itt);
	return rfl_ini_tmf(sess, ISCSI_TM_FUNC_ABORT_TASK, sc->device->lun,
			   task->itt, task->cmd_sn);
}

static int rfl_ini_eh_device_reset(struct scsi_cmnd *sc)
{
	struct rfl_ini_sess *sess = shost_priv(sc->device->host);
	u32 sn;
	unsigned long flags;

	int ret;

	sdev_printk(KERN_INFO, sc->device, "LUN reset\n");
	spin_lock_irqsave(&sess->lock, flags);
	sn = sess->cmd_sn;
	spin_unlock_irqrestore(&sess->lock, flags);
	ret = rfl_ini_tmf(sess, ISCSI_TM_FUNC_LOGICAL_UNIT_RESET,
			  sc->device->lun, ISCSI_RESERVED_TAG, sn);
	/* Commands of the LUN being reflected end once their pieces have. */
	rfl_ini_reflect_settle_lun(sess, sc->device->lun);
	return ret;
}

/* LUs of pool sessions get no upper-level driver (no sd disk). */
static int rfl_ini_slave_alloc(struct scsi_device *sdev)
{
	struct rfl_ini_sess *sess = shost_priv(sdev->host);

	if (sess->pooled)
		sdev->no_uld_attach = 1;
	return 0;
}

/*
 * Not const: scsi_device_dev_release() clears .module when a device is
 * released while the module unloads (the LU pool removes its devices in
 * module exit).
 */
static struct scsi_host_template rfl_ini_sht = {
	.module = THIS_MODULE,
	.name = "reflect iSCSI initiator",
	.proc_name = RFL_INI_NAME,
	.queuecommand = rfl_ini_queuecommand,
	.eh_abort_handler = rfl_ini_eh_abort,
	.eh_device_reset_handler = rfl_ini_eh_device_reset,
	.slave_alloc = rfl_ini_slave_alloc,
	.this_id = -1,
	.sg_tablesize = 128,
	.max_sectors = 2048,
	.dma_boundary = PAGE_SIZE - 1,
	.cmd_size = sizeof(struct rfl_ini_task),
	.track_queue_depth = 1,
};

/**
 * rfl_ini_sess_alloc() - a session and its (not yet added) SCSI host.
 * @tgt: the target object
 *
 * Return: the session, NULL without memory.
 */
struct rfl_ini_sess *rfl_ini_sess_alloc(struct rfl_ini_tgt *tgt)
{
	struct Scsi_Host *shost;
	struct rfl_ini_sess *sess;
	u32 depth = tgt->cfg.queue_depth;

	shost = scsi_host_alloc(&rfl_ini_sht,
				sizeof(*sess));
	if (!shost)
		return NULL;
	sess = shost_priv(shost);
	sess->shost = shost;
	sess->tgt = tgt;
	sess->cfg = tgt->cfg;
	sess->pooled = tgt->pooled;
	sess->can_queue = depth;
	sess->tasks = kcalloc(depth, sizeof(*sess->tasks), GFP_KERNEL);
	sess->ended_itts = kmalloc_array(depth, sizeof(*sess->ended_itts),
					 GFP_KERNEL);
	sess->rx_buf_cap = max_t(u32, tgt->cfg.max_recv_dlength,
				 RFL_INI_LOGIN_BUF) + 4;
	sess->rx_buf = kvmalloc(sess->rx_buf_cap, GFP_KERNEL);
	if (!sess->tasks || !sess->ended_itts || !sess->rx_buf) {
		kfree(sess->tasks);
		kfree(sess->ended_itts);
		kvfree(sess->rx_buf);
		scsi_host_put(shost);
		return NULL;
	}
	memset(sess->ended_itts, 0xff, depth * sizeof(*sess->ended_itts));
	spin_lock_init(&sess->lock);
	INIT_LIST_HEAD(&sess->txq);
	INIT_LIST_HEAD(&sess->reflecting);
	INIT_LIST_HEAD(&sess->redrive);
	init_completion(&sess->logout_done);
	init_completion(&sess->tmf_done);
	mutex_init(&sess->tmf_mutex);
	mutex_init(&sess->recovery_mutex);
	shost->can_queue = depth;
	shost->cmd_per_lun = depth;
	shost->max_id = 1;
	shost->max_channel = 0;
	shost->max_lun = 16384;
	shost->max_cmd_len = 16;
	if (sess->pooled) {
		/*
		 * Pieces of reflection and proxy scripts map up to 1 MiB of
		 * single-page segments (chained scatterlists).
		 */
		shost->sg_tablesize = BIO_MAX_VECS;
		shost->max_sectors = BIO_MAX_VECS * (PAGE_SIZE >> SECTOR_SHIFT);
	}
	return sess;
}

/**
 * rfl_ini_scsi_add() - add the host and scan its LUNs (REPORT LUNS).
 * @sess: the logged-in session
 *
 * Return: 0 or a negative errno.
 */
int rfl_ini_scsi_add(struct rfl_ini_sess *sess)
{
	int ret = scsi_add_host(sess->shost, NULL);

	if (ret)
		return ret;
	if (!sess->pooled)
		scsi_scan_host(sess->shost);
	return 0;
}

/**
 * rfl_ini_scsi_remove() - remove the host; its disks flush first.
 * @sess: the session
 */
void rfl_ini_scsi_remove(struct rfl_ini_sess *sess)
{
	if (sess->shost->shost_state != SHOST_CREATED)
		scsi_remove_host(sess->shost);
}

/**
 * rfl_ini_sess_free() - release the socket, the namespace and the host.
 * @sess: the session, stopped
 */
void rfl_ini_sess_free(struct rfl_ini_sess *sess)
{
	if (sess->sock)
		sock_release(sess->sock);
	if (sess->net)
		put_net(sess->net);
	kfree(sess->tasks);
	kfree(sess->ended_itts);
	kvfree(sess->rx_buf);
	scsi_host_put(sess->shost);
}
