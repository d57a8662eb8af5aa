// SPDX-License-Identifier: GPL-2.0
/*
 * Reflection on a session to a manager (Documentation/initiator.rst,
 * "Reflection"): the login key, the reflection status (SCSI Response
 * with Response RFL_RESPONSE_REFLECT whose data segment is a script), the
 * executor run on the command's own scatterlist, and the fallback: a
 * command whose script is invalid or whose pieces fail is sent again to
 * the manager as a whole, with RFL_CMD_FLAG_PROXY, and a new CmdSN.
 *
 * A reflected command leaves the task table (its ITT is free: the manager
 * has ended the task) and sits on sess->reflecting until the executor
 * calls back; then it completes GOOD, or moves to sess->redrive, which
 * io_work empties into the transmit queue as the CmdSN window allows.
 * The error handler never returns while pieces may still write into the
 * command's buffer: it marks the task aborted and waits for the callback
 * (rfl_ini_reflect_abort(), rfl_ini_reflect_settle_lun()).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <scsi/scsi.h>
#include <scsi/scsi_device.h>

#include "rfl_ini.h"

static struct rfl_ini_sess *rfl_ini_sess_of(struct scsi_cmnd *sc)
{
	return shost_priv(sc->device->host);
}

/*
 * The executor is done with a reflected command (any context): complete
 * it, hand it back to the error handler that waits for it, or queue it
 * for the proxy re-drive.
 */
static void rfl_ini_reflect_done(void *priv, int err)
{
	struct scsi_cmnd *sc = priv;
	struct rfl_ini_sess *sess = rfl_ini_sess_of(sc);
	struct rfl_ini_task *task = rfl_ini_task(sc);
	struct rfl_ini_stats *st = &sess->tgt->stats;
	struct completion *settle;
	unsigned long flags;
	int host_byte = DID_OK;
	bool redrive = false;

	if (!err) {
		atomic64_inc(&st->reflected);
		atomic64_add(task->npieces, &st->pieces);
		atomic64_add(scsi_bufflen(sc), &st->bytes_direct);
	} else {
		pr_warn_ratelimited("%pISpc: reflected command 0x%02x failed (%s): re-driven through the manager\n",
				    &sess->peer, sc->cmnd[0],
				    err == -EPROTO ? "invalid script" :
				    err == -ENODEV ? "LU unreachable or not the one named" :
				    "a piece failed");
		atomic64_inc(&st->fallbacks);
		if (err == -EPROTO)
			atomic64_inc(&st->invalid_scripts);
	}
	spin_lock_irqsave(&sess->lock, flags);
	list_del_init(&task->rnode);
	settle = task->settle;
	if (settle || task->aborted) {
		task->rstate = RFL_INI_RS_NONE;
	} else if (!err) {
		task->rstate = RFL_INI_RS_NONE;
	} else if (sess->dead) {
		/* No connection: the midlayer retries it (held if blocked). */
		task->rstate = RFL_INI_RS_NONE;
		host_byte = sess->stopping ? DID_TRANSPORT_FAILFAST :
			    DID_IMM_RETRY;
	} else {
		task->rstate = RFL_INI_RS_REDRIVE;
		list_add_tail(&task->rnode, &sess->redrive);
		redrive = true;
	}
	spin_unlock_irqrestore(&sess->lock, flags);
	if (settle) {
		/* The error handler owns the command now. */
		complete(settle);
		return;
	}
	if (redrive) {
		rfl_ini_kick(sess);
		return;
	}
	if (host_byte != DID_OK) {
		set_host_byte(sc, host_byte);
	} else {
		sc->result = SAM_STAT_GOOD;
		scsi_set_resid(sc, 0);
	}
	scsi_done(sc);
}

/*
 * Run a script on the command's buffer. Context: io_work; the task is on
 * sess->reflecting. The arrays of the parsed script live only until
 * rfl_exec_start() returns (it copies what it needs).
 */
static void rfl_ini_reflect_run(struct rfl_ini_sess *sess,
				struct scsi_cmnd *sc)
{
	struct rfl_script s = {};
	const char *why = "";
	u16 nt, np;
	int ret;

	ret = rfl_script_peek(sess->rx_buf, sess->rx_dsl, &nt, &np);
	if (ret) {
		why = "bad header";
		goto invalid;
	}
	s.targets = kcalloc(nt ? nt : 1, sizeof(*s.targets), GFP_NOIO);
	s.pieces = kcalloc(np ? np : 1, sizeof(*s.pieces), GFP_NOIO);
	if (!s.targets || !s.pieces) {
		ret = -EIO;
		goto out;
	}
	ret = rfl_script_parse(sess->rx_buf, sess->rx_dsl, &s, &why);
	if (ret)
		goto invalid;
	rfl_ini_task(sc)->npieces = s.npieces;
	ret = rfl_exec_start(sess->net, &s, scsi_sglist(sc), scsi_bufflen(sc),
			     sc->sc_data_direction == DMA_TO_DEVICE,
			     rfl_ini_reflect_done, sc);
	if (ret)
		ret = -EIO;
	goto out;
invalid:
	pr_warn_ratelimited("%pISpc: invalid reflection script for ITT 0x%x: %s\n",
			    &sess->peer, rfl_ini_task(sc)->itt,
			    why ? why : "");
	ret = -EPROTO;
out:
	kfree(s.targets);
	kfree(s.pieces);
	if (ret)
		rfl_ini_reflect_done(sc, ret);
}

/**
 * rfl_ini_reflect_rsp() - a SCSI Response with Response 0x80 arrived.
 * @sess: the session
 * @sc: the command it answers; its StatSN is accounted
 *
 * Context: io_work; the script is in sess->rx_buf (sess->rx_dsl bytes).
 * Return: 0, or -EPROTO to drop the connection (reflection not
 * negotiated, or a PDU of the command is still being sent).
 */
int rfl_ini_reflect_rsp(struct rfl_ini_sess *sess, struct scsi_cmnd *sc)
{
	struct rfl_ini_task *task = rfl_ini_task(sc);
	struct rfl_ini_txe *txe, *tmp;
	unsigned long flags;
	LIST_HEAD(drop);

	if (!sess->reflect) {
		pr_warn_ratelimited("%pISpc: reflection status on a session without %s\n",
				    &sess->peer, RFL_REFLECT_KEY);
		return -EPROTO;
	}
	if (task->proxy) {
		/*
		 * Asked to proxy, answered with a script: a protocol error.
		 * The command fails (DID_ERROR: the midlayer's retry count
		 * bounds any repetition) and the connection is dropped.
		 */
		pr_warn_ratelimited("%pISpc: reflection status in answer to a proxy request (ITT 0x%x)\n",
				    &sess->peer, task->itt);
		atomic64_inc(&sess->tgt->stats.invalid_scripts);
		set_host_byte(sc, DID_ERROR);
		rfl_ini_task_complete(sess, sc);
		return -EPROTO;
	}
	spin_lock_irqsave(&sess->lock, flags);
	list_for_each_entry_safe(txe, tmp, &sess->txq, node) {
		if (txe->sc != sc)
			continue;
		list_move_tail(&txe->node, &drop);
		task->tx_refs--;
	}
	if (task->tx_refs) {
		spin_unlock_irqrestore(&sess->lock, flags);
		pr_warn_ratelimited("%pISpc: reflection status while data of ITT 0x%x is sent\n",
				    &sess->peer, task->itt);
		list_splice(&drop, &sess->txq);
		return -EPROTO;
	}
	sess->tasks[scsi_cmd_to_rq(sc)->tag] = NULL;
	task->rstate = RFL_INI_RS_RUNNING;
	task->aborted = false;
	task->settle = NULL;
	list_add_tail(&task->rnode, &sess->reflecting);
	spin_unlock_irqrestore(&sess->lock, flags);
	list_for_each_entry_safe(txe, tmp, &drop, node) {
		list_del(&txe->node);
		rfl_ini_txe_free(txe);
	}
	atomic64_inc(&sess->tgt->stats.cmds);
	rfl_ini_reflect_run(sess, sc);
	return 0;
}

/**
 * rfl_ini_redrive_locked() - send failed reflections again, as proxy.
 * @sess: the session, its lock held
 *
 * Each command on sess->redrive gets its ITT back, a new CmdSN and the
 * proxy flag, and goes on the transmit queue; stops at a closed window.
 *
 * Context: io_work (transmit).
 */
void rfl_ini_redrive_locked(struct rfl_ini_sess *sess)
{
	struct rfl_ini_task *task;
	struct scsi_cmnd *sc;
	u32 tag;

	while (!list_empty(&sess->redrive) && !sess->dead) {
		task = list_first_entry(&sess->redrive, struct rfl_ini_task,
					rnode);
		sc = task->sc;
		tag = scsi_cmd_to_rq(sc)->tag;
		if (!rfl_sn_in_window(sess->cmd_sn, sess->exp_cmd_sn,
				      sess->max_cmd_sn) || sess->tasks[tag])
			return;
		list_del_init(&task->rnode);
		task->rstate = RFL_INI_RS_NONE;
		task->proxy = true;
		task->imm_len = 0;
		task->unsol_len = 0;
		task->data_in = 0;
		task->done = false;
		task->cmd_sn = sess->cmd_sn++;
		sess->tasks[tag] = sc;
		rfl_ini_build_cmd(sess, sc);
		list_add_tail(&task->cmd_txe.node, &sess->txq);
		if (task->unsol_len)
			list_add_tail(&task->unsol_txe.node, &sess->txq);
	}
}

/**
 * rfl_ini_reflect_fail_all() - a dead connection: end the re-drives.
 * @sess: the session, dead
 * @host_byte: DID_* to complete with
 *
 * Commands whose pieces still run are left to their callback, which sees
 * the dead session.
 */
void rfl_ini_reflect_fail_all(struct rfl_ini_sess *sess, int host_byte)
{
	struct rfl_ini_task *task, *tmp;
	unsigned long flags;
	LIST_HEAD(list);

	spin_lock_irqsave(&sess->lock, flags);
	list_splice_init(&sess->redrive, &list);
	list_for_each_entry(task, &list, rnode)
		task->rstate = RFL_INI_RS_NONE;
	spin_unlock_irqrestore(&sess->lock, flags);
	list_for_each_entry_safe(task, tmp, &list, rnode) {
		struct scsi_cmnd *sc = task->sc;

		list_del_init(&task->rnode);
		set_host_byte(sc, host_byte);
		scsi_done(sc);
	}
}

/*
 * Wait for the pieces of one reflected task; true if it was reflecting or
 * waiting for its re-drive (and is now settled, owned by the caller).
 */
static bool rfl_ini_reflect_wait(struct rfl_ini_sess *sess,
				 struct rfl_ini_task *task,
				 unsigned long *flags)
	__releases(&sess->lock)
{
	DECLARE_COMPLETION_ONSTACK(settle);

	if (task->rstate == RFL_INI_RS_REDRIVE) {
		list_del_init(&task->rnode);
		task->rstate = RFL_INI_RS_NONE;
		spin_unlock_irqrestore(&sess->lock, *flags);
		return true;
	}
	task->aborted = true;
	task->settle = &settle;
	spin_unlock_irqrestore(&sess->lock, *flags);
	/* Bounded by the pieces' timeouts and the pool sessions' EH. */
	wait_for_completion(&settle);
	return true;
}

/**
 * rfl_ini_reflect_abort() - the error handler aborts a command.
 * @sess: the session
 * @sc: the command
 *
 * Context: the SCSI error handler; sleeps until the command's pieces are
 * finished, so that none writes into its buffer afterwards.
 * Return: true if the command was being reflected (now settled), false
 * for an ordinary command.
 */
bool rfl_ini_reflect_abort(struct rfl_ini_sess *sess, struct scsi_cmnd *sc)
{
	struct rfl_ini_task *task = rfl_ini_task(sc);
	unsigned long flags;

	spin_lock_irqsave(&sess->lock, flags);
	if (task->rstate == RFL_INI_RS_NONE || list_empty(&task->rnode)) {
		spin_unlock_irqrestore(&sess->lock, flags);
		return false;
	}
	sdev_printk(KERN_INFO, sc->device,
		    "aborting a reflected command: waiting for its pieces\n");
	return rfl_ini_reflect_wait(sess, task, &flags);
}

static struct rfl_ini_task *rfl_ini_reflect_find(struct list_head *list,
						 u64 lun)
{
	struct rfl_ini_task *task;

	list_for_each_entry(task, list, rnode)
		if (task->sc->device->lun == lun &&
		    !task->settle)
			return task;
	return NULL;
}

/**
 * rfl_ini_reflect_settle_lun() - after a LUN reset: end the LUN's
 * reflected commands once their pieces are done.
 * @sess: the session
 * @lun: the LUN
 *
 * Context: the SCSI error handler; sleeps.
 */
void rfl_ini_reflect_settle_lun(struct rfl_ini_sess *sess, u64 lun)
{
	struct rfl_ini_task *task;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&sess->lock, flags);
		task = rfl_ini_reflect_find(&sess->redrive, lun);
		if (!task)
			task = rfl_ini_reflect_find(&sess->reflecting, lun);
		if (!task) {
			spin_unlock_irqrestore(&sess->lock, flags);
			return;
		}
		rfl_ini_reflect_wait(sess, task, &flags);
		set_host_byte(task->sc, DID_RESET);
		scsi_done(task->sc);
	}
}
