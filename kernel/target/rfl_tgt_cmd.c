// SPDX-License-Identifier: GPL-2.0
/*
 * SCSI commands and task management, and the LIO fabric callbacks that
 * complete them.
 *
 * A command's data buffer is ours: pages allocated when the SCSI Command
 * PDU arrives (sgl_alloc()), so that immediate and unsolicited data can be
 * received straight into them, and handed to LIO with
 * target_submit_prep(). LIO calls write_pending once it parsed a WRITE;
 * the command executes when write_pending was called and all its data is
 * in, whichever comes last.
 *
 * References: target_init_cmd() with TARGET_SCF_ACK_KREF gives two, one
 * dropped by LIO through check_stop_free, one by us through
 * transport_generic_free_cmd() once the response is sent (rfl_cmd_done),
 * or when the connection dies. An abort without TAS makes LIO drop ours
 * (aborted_task): such a command sends nothing.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <scsi/scsi_proto.h>
#include <target/target_core_backend.h>

#include "rfl_script.h"
#include "rfl_tgt.h"

static void rfl_cmd_free(struct rfl_cmd *cmd)
{
	struct rfl_conn *conn = cmd->conn;

	spin_lock_bh(&conn->txq_lock);
	list_del_init(&cmd->conn_node);
	list_del_init(&cmd->wp_node);
	list_del_init(&cmd->txe.node);
	spin_unlock_bh(&conn->txq_lock);
	/* The command's CmdSN window slot is free again. */
	if (cmd->flags & RFL_CMD_SN)
		atomic_inc(&conn->max_cmd_sn);
	if (cmd->sgl)
		sgl_free(cmd->sgl);
	kvfree(cmd->script);
	kfree(cmd);
}

static struct rfl_cmd *rfl_cmd_alloc(struct rfl_conn *conn)
{
	struct rfl_cmd *cmd = kzalloc(sizeof(*cmd), GFP_KERNEL);

	if (!cmd)
		return NULL;
	cmd->conn = conn;
	cmd->txe.is_cmd = true;
	INIT_LIST_HEAD(&cmd->txe.node);
	INIT_LIST_HEAD(&cmd->wp_node);
	INIT_LIST_HEAD(&cmd->conn_node);
	INIT_LIST_HEAD(&cmd->td_node);
	return cmd;
}

static int rfl_task_attr(u8 flags)
{
	switch (flags & ISCSI_FLAG_CMD_ATTR_MASK) {
	case ISCSI_ATTR_ORDERED:
		return TCM_ORDERED_TAG;
	case ISCSI_ATTR_HEAD_OF_QUEUE:
		return TCM_HEAD_TAG;
	case ISCSI_ATTR_ACA:
		return TCM_ACA_TAG;
	default:
		return TCM_SIMPLE_TAG;
	}
}

/*
 * Is @itt the tag of a live task (command or TMF) of @conn? Once its
 * response is sent, or it was aborted, the initiator may reuse the tag
 * while LIO still holds the command. io_work only (rsp_sent).
 */
static bool rfl_itt_live(struct rfl_conn *conn, u32 itt)
{
	struct rfl_cmd *cmd;
	bool live = false;

	spin_lock_bh(&conn->txq_lock);
	list_for_each_entry(cmd, &conn->cmds, conn_node) {
		if (cmd->itt == itt && !cmd->rsp_sent &&
		    !(cmd->flags & RFL_CMD_MUTE)) {
			live = true;
			break;
		}
	}
	spin_unlock_bh(&conn->txq_lock);
	return live;
}

/* Header of a SCSI Command: set up the command and its buffer. */
int rfl_cmd_rx_scsi(struct rfl_conn *conn)
{
	struct iscsi_scsi_req *hdr = (struct iscsi_scsi_req *)conn->rx_hdr;
	u32 edtl = be32_to_cpu(hdr->data_length);
	u32 ahs = rfl_pdu_ahs_len((struct iscsi_hdr *)hdr);
	struct rfl_cmd *cmd;
	u8 *a;

	if (edtl > RFL_MAX_XFER) {
		pr_warn_ratelimited("%pISpc: SCSI Command with EDTL %u above %u\n",
				    &conn->peer, edtl, RFL_MAX_XFER);
		return -EPROTO;
	}
	if ((hdr->flags & ISCSI_FLAG_CMD_READ) &&
	    (hdr->flags & ISCSI_FLAG_CMD_WRITE)) {
		pr_warn_ratelimited("%pISpc: bidirectional command not supported\n",
				    &conn->peer);
		rfl_send_reject(conn, ISCSI_REASON_CMD_NOT_SUPPORTED);
		conn->rx_dest = RFL_RXD_DISCARD;
		conn->rx_skip = true;
		return 0;
	}
	/*
	 * An ITT must name one task (RFC 7143 section 11.2.1.8): a second
	 * command with the tag of a live one is rejected and dropped, its
	 * CmdSN not consumed; the live task goes on.
	 */
	if (rfl_itt_live(conn, be32_to_cpu(hdr->itt))) {
		pr_warn_ratelimited("%pISpc: SCSI Command with the ITT 0x%x of a live task: rejected\n",
				    &conn->peer, be32_to_cpu(hdr->itt));
		rfl_send_reject(conn, ISCSI_REASON_TASK_IN_PROGRESS);
		conn->rx_dest = RFL_RXD_DISCARD;
		conn->rx_skip = true;
		return 0;
	}
	cmd = rfl_cmd_alloc(conn);
	if (!cmd)
		return -ENOMEM;
	cmd->itt = be32_to_cpu(hdr->itt);
	cmd->cmd_sn = be32_to_cpu(hdr->cmdsn);
	cmd->lun = scsilun_to_int(&hdr->lun);
	cmd->edtl = edtl;
	cmd->sess_reflect = conn->reflect;
	cmd->proxy_req = conn->rx_proxy;
	/* Immediate data, or unsolicited Data-Out to follow (F clear). */
	cmd->had_data = conn->rx_dsl ||
			((hdr->flags & ISCSI_FLAG_CMD_WRITE) && edtl &&
			 !(hdr->flags & ISCSI_FLAG_CMD_FINAL));
	cmd->dir = DMA_NONE;
	if (hdr->flags & ISCSI_FLAG_CMD_WRITE)
		cmd->dir = DMA_TO_DEVICE;
	else if (hdr->flags & ISCSI_FLAG_CMD_READ)
		cmd->dir = DMA_FROM_DEVICE;
	if (!edtl)
		cmd->dir = DMA_NONE;
	memcpy(cmd->cdb, hdr->cdb, ISCSI_CDB_SIZE);
	/* An extended CDB AHS carries the bytes after the first 16. */
	a = conn->rx_hdr + ISCSI_HDR_LEN;
	if (ahs >= 4 && a[2] == ISCSI_AHSTYPE_CDB) {
		u32 l = get_unaligned_be16(a);

		if (l > 1 && l - 1 + 4 <= ahs)
			memcpy(cmd->cdb + ISCSI_CDB_SIZE, a + 4, l - 1);
	}
	/* An EDTL other than the CDB's length: LIO gets cmd->lio_len. */
	rfl_cmd_fit(conn, cmd);
	if (edtl || cmd->lio_len) {
		cmd->sgl = sgl_alloc(max(edtl, cmd->lio_len), GFP_KERNEL,
				     &cmd->sg_nents);
		if (!cmd->sgl) {
			kfree(cmd);
			return -ENOMEM;
		}
	}
	conn->rx_cmd = cmd;
	conn->rx_dest = RFL_RXD_DISCARD;
	if (cmd->dir == DMA_TO_DEVICE) {
		u32 unsol = conn->params.initial_r2t ? 0 :
			    min(conn->params.first_burst, edtl);

		if (conn->rx_dsl &&
		    (conn->rx_dsl > edtl ||
		     conn->rx_dsl > conn->params.first_burst ||
		     !conn->params.immediate_data)) {
			pr_warn_ratelimited("%pISpc: immediate data of %u bytes not allowed (EDTL %u)\n",
					    &conn->peer, conn->rx_dsl, edtl);
			conn->rx_cmd = NULL;
			sgl_free(cmd->sgl);
			kfree(cmd);
			return -EPROTO;
		}
		if (conn->rx_dsl) {
			conn->rx_dest = RFL_RXD_SG;
			conn->rx_sg_off = 0;
		}
		cmd->first_burst_end = max(unsol, conn->rx_dest == RFL_RXD_SG ?
					   conn->rx_dsl : 0);
		cmd->r2t_off = cmd->first_burst_end;
		cmd->ttt = conn->next_ttt++;
		if (cmd->ttt == ISCSI_RESERVED_TAG)
			cmd->ttt = conn->next_ttt++;
	}
	spin_lock_bh(&conn->txq_lock);
	list_add_tail(&cmd->conn_node, &conn->cmds);
	if (cmd->dir == DMA_TO_DEVICE) {
		list_add_tail(&cmd->wp_node, &conn->wp_list);
		cmd->flags |= RFL_CMD_ON_WP;
	}
	spin_unlock_bh(&conn->txq_lock);
	return 0;
}

/* The SCSI Command PDU is complete, immediate data included: submit. */
int rfl_cmd_rx_scsi_done(struct rfl_conn *conn)
{
	struct iscsi_scsi_req *hdr = (struct iscsi_scsi_req *)conn->rx_hdr;
	struct rfl_cmd *cmd = conn->rx_cmd;
	struct se_cmd *se_cmd = &cmd->se_cmd;
	int ret;

	conn->rx_cmd = NULL;
	if (!rfl_rx_cmdsn(conn)) {
		rfl_cmd_free(cmd);
		return 0;
	}
	if (!(hdr->opcode & ISCSI_OP_IMMEDIATE))
		cmd->flags |= RFL_CMD_SN;
	atomic64_inc(&conn->st_cmds);
	if (conn->rx_dest == RFL_RXD_SG) {
		cmd->data_rcvd = conn->rx_dsl;
		atomic64_add(conn->rx_dsl, &conn->st_bytes_in);
	}
	se_cmd->tag = cmd->itt;
	ret = target_init_cmd(se_cmd, conn->se_sess, cmd->sense, cmd->lun,
			      cmd->lio_len, rfl_task_attr(hdr->flags),
			      cmd->lio_len ? cmd->dir : DMA_NONE,
			      TARGET_SCF_ACK_KREF);
	if (ret) {
		rfl_cmd_free(cmd);
		return 0;
	}
	spin_lock_bh(&conn->txq_lock);
	cmd->flags |= RFL_CMD_LIO;
	spin_unlock_bh(&conn->txq_lock);
	/* On failure LIO has queued a CHECK CONDITION through queue_status. */
	/* A READ's buffer ends at the CDB's length now, a WRITE's later. */
	if (cmd->dir == DMA_FROM_DEVICE)
		rfl_cmd_trim(cmd);
	if (target_submit_prep(se_cmd, cmd->cdb,
			       cmd->lio_len ? cmd->sgl : NULL,
			       rfl_cmd_lio_nents(cmd), NULL, 0, NULL, 0,
			       GFP_KERNEL))
		return 0;
	if (rfl_target_submit(se_cmd))
		pr_warn_ratelimited("%pISpc: command without LUN not submitted\n",
				    &conn->peer);
	return 0;
}

/*
 * A Data-Out out of DataSN order (txq_lock held, released here): at ERL 0
 * there is no recovery of the sequence, so the PDU is rejected (Protocol
 * Error), its data dropped, and the command ends with CHECK CONDITION,
 * ABORTED COMMAND, now or when LIO asks for its data; the session lives on.
 */
static int rfl_cmd_dsn_error(struct rfl_conn *conn, struct rfl_cmd *cmd)
	__releases(&conn->txq_lock)
{
	struct iscsi_data *hdr = (struct iscsi_data *)conn->rx_hdr;
	bool fail = false;

	cmd->flags |= RFL_CMD_DSN_ERR;
	if ((cmd->flags & RFL_CMD_WP) &&
	    !(cmd->flags & (RFL_CMD_EXEC | RFL_CMD_MUTE | RFL_CMD_RSP))) {
		cmd->flags |= RFL_CMD_EXEC;
		list_del_init(&cmd->wp_node);
		fail = true;
	}
	spin_unlock_bh(&conn->txq_lock);
	pr_warn_ratelimited("%pISpc: Data-Out ITT 0x%x DataSN %u offset %u out of order: rejected, command failed\n",
			    &conn->peer, be32_to_cpu(hdr->itt),
			    be32_to_cpu(hdr->datasn), be32_to_cpu(hdr->offset));
	rfl_send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
	conn->rx_dest = RFL_RXD_DISCARD;
	conn->rx_skip = true;
	if (fail)
		target_complete_cmd_with_sense(&cmd->se_cmd,
					       SAM_STAT_CHECK_CONDITION,
					       TCM_CHECK_CONDITION_ABORT_CMD);
	return 0;
}

/* Header of a Data-Out: find the command and where the data goes. */
int rfl_cmd_rx_data_out(struct rfl_conn *conn)
{
	struct iscsi_data *hdr = (struct iscsi_data *)conn->rx_hdr;
	u32 itt = be32_to_cpu(hdr->itt), ttt = be32_to_cpu(hdr->ttt);
	u32 off = be32_to_cpu(hdr->offset), len = conn->rx_dsl;
	struct rfl_cmd *cmd, *found = NULL;
	const char *bad = NULL;

	conn->rx_dest = RFL_RXD_DISCARD;
	spin_lock_bh(&conn->txq_lock);
	list_for_each_entry(cmd, &conn->wp_list, wp_node) {
		if (cmd->itt == itt) {
			found = cmd;
			break;
		}
	}
	cmd = found;
	if (!cmd || (cmd->flags & RFL_CMD_MUTE) ||
	    !(cmd->flags & RFL_CMD_LIO)) {
		spin_unlock_bh(&conn->txq_lock);
		/*
		 * Data for a task that is gone (aborted, or never known) is
		 * discarded and counted; it is logged only when solicited, as
		 * unsolicited data may trail any abort.
		 */
		rfl_stat_inc(conn->tpg, RFL_ST_DATA_OUT_DISCARDS);
		if (ttt != ISCSI_RESERVED_TAG)
			pr_warn_ratelimited("%pISpc: Data-Out for unknown ITT 0x%x TTT 0x%x dropped\n",
					    &conn->peer, itt, ttt);
		return 0;
	}
	if (off + len > cmd->edtl || off + len < off)
		bad = "beyond the expected data transfer length";
	else if (ttt == ISCSI_RESERVED_TAG && off + len > cmd->first_burst_end)
		bad = "unsolicited data beyond FirstBurstLength";
	else if (ttt != ISCSI_RESERVED_TAG &&
		 (ttt != cmd->ttt || off + len > cmd->r2t_off))
		bad = "data not solicited by an R2T";
	else if (!rfl_cmd_check_datasn(cmd, hdr, conn->params.max_burst))
		return rfl_cmd_dsn_error(conn, cmd);
	if (bad || !kref_get_unless_zero(&cmd->se_cmd.cmd_kref)) {
		spin_unlock_bh(&conn->txq_lock);
		if (bad) {
			pr_warn_ratelimited("%pISpc: Data-Out ITT 0x%x offset %u length %u %s\n",
					    &conn->peer, itt, off, len, bad);
			return -EPROTO;
		}
		return 0;
	}
	spin_unlock_bh(&conn->txq_lock);
	conn->rx_cmd = cmd;
	conn->rx_dest = len ? RFL_RXD_SG : RFL_RXD_DISCARD;
	conn->rx_sg_off = off;
	return 0;
}

/* A Data-Out is in: execute when all data is, else maybe solicit more. */
int rfl_cmd_rx_data_out_done(struct rfl_conn *conn)
{
	struct iscsi_data *hdr = (struct iscsi_data *)conn->rx_hdr;
	struct rfl_cmd *cmd = conn->rx_cmd;
	bool exec = false;

	if (!cmd)
		return 0;
	conn->rx_cmd = NULL;
	atomic64_add(conn->rx_dsl, &conn->st_bytes_in);
	spin_lock_bh(&conn->txq_lock);
	cmd->data_rcvd += conn->rx_dsl;
	if (cmd->data_rcvd >= cmd->edtl && (cmd->flags & RFL_CMD_WP) &&
	    !(cmd->flags & (RFL_CMD_EXEC | RFL_CMD_MUTE | RFL_CMD_RSP))) {
		cmd->flags |= RFL_CMD_EXEC;
		list_del_init(&cmd->wp_node);
		exec = true;
	} else if ((hdr->flags & ISCSI_FLAG_CMD_FINAL) &&
		   be32_to_cpu(hdr->ttt) != ISCSI_RESERVED_TAG &&
		   (cmd->flags & RFL_CMD_WP) && cmd->r2t_off < cmd->edtl &&
		   !(cmd->flags & (RFL_CMD_MUTE | RFL_CMD_RSP))) {
		cmd->flags |= RFL_CMD_R2T;
		if (!(cmd->flags & RFL_CMD_QUEUED)) {
			cmd->flags |= RFL_CMD_QUEUED;
			list_add_tail(&cmd->txe.node, &conn->txq);
		}
	}
	spin_unlock_bh(&conn->txq_lock);
	if (exec) {
		rfl_cmd_trim(cmd);
		target_execute_cmd(&cmd->se_cmd);
	}
	target_put_sess_cmd(&cmd->se_cmd);
	return 0;
}

/* ------------------------------------------------- task management */

static u8 rfl_tmr_type(u8 func)
{
	switch (func) {
	case ISCSI_TM_FUNC_ABORT_TASK:
		return TMR_ABORT_TASK;
	case ISCSI_TM_FUNC_ABORT_TASK_SET:
		return TMR_ABORT_TASK_SET;
	case ISCSI_TM_FUNC_CLEAR_ACA:
		return TMR_CLEAR_ACA;
	case ISCSI_TM_FUNC_CLEAR_TASK_SET:
		return TMR_CLEAR_TASK_SET;
	case ISCSI_TM_FUNC_LOGICAL_UNIT_RESET:
		return TMR_LUN_RESET;
	case ISCSI_TM_FUNC_TARGET_WARM_RESET:
		return TMR_TARGET_WARM_RESET;
	case ISCSI_TM_FUNC_TARGET_COLD_RESET:
		return TMR_TARGET_COLD_RESET;
	default:
		return 0;
	}
}

/* The tpgt_N/statistics counter of a task management function. */
static enum rfl_stat_id rfl_tmf_stat(u8 func)
{
	switch (func) {
	case ISCSI_TM_FUNC_ABORT_TASK:
	case ISCSI_TM_FUNC_ABORT_TASK_SET:
	case ISCSI_TM_FUNC_CLEAR_ACA:
	case ISCSI_TM_FUNC_CLEAR_TASK_SET:
		return RFL_ST_TMF_ABORTS;
	case ISCSI_TM_FUNC_LOGICAL_UNIT_RESET:
	case ISCSI_TM_FUNC_TARGET_WARM_RESET:
	case ISCSI_TM_FUNC_TARGET_COLD_RESET:
		return RFL_ST_TMF_RESETS;
	default:
		return RFL_ST_TMF_UNSUPPORTED;
	}
}

static void rfl_tmf_reply(struct rfl_conn *conn, u32 itt, u8 response)
{
	struct rfl_ctl *ctl = rfl_ctl_alloc(conn, ISCSI_OP_SCSI_TMFUNC_RSP, 0);
	struct iscsi_tm_rsp *rsp;

	if (!ctl)
		return;
	rsp = (struct iscsi_tm_rsp *)ctl->hdr;
	rsp->response = response;
	rsp->itt = cpu_to_be32(itt);
	ctl->stat = true;
	rfl_queue_ctl(conn, ctl);
}

/*
 * Writes still waiting for Data-Out that a TMF aborts: the initiator will
 * not send their data, so LIO would wait for them forever. They are
 * completed here and send nothing. Returns how many.
 */
static unsigned int rfl_tmf_abort_writes(struct rfl_conn *conn, u8 func,
					 u64 lun, u32 rtt)
{
	struct rfl_cmd *cmd, *tmp;
	unsigned int n = 0;
	LIST_HEAD(todo);

	spin_lock_bh(&conn->txq_lock);
	list_for_each_entry(cmd, &conn->wp_list, wp_node) {
		if (func == ISCSI_TM_FUNC_ABORT_TASK ? cmd->itt != rtt :
		    cmd->lun != lun)
			continue;
		if (!(cmd->flags & RFL_CMD_WP) ||
		    (cmd->flags & (RFL_CMD_EXEC | RFL_CMD_MUTE)) ||
		    !kref_get_unless_zero(&cmd->se_cmd.cmd_kref))
			continue;
		cmd->flags |= RFL_CMD_MUTE;
		cmd->flags &= ~RFL_CMD_R2T;
		list_add_tail(&cmd->td_node, &todo);
	}
	spin_unlock_bh(&conn->txq_lock);
	list_for_each_entry_safe(cmd, tmp, &todo, td_node) {
		list_del_init(&cmd->td_node);
		target_complete_cmd(&cmd->se_cmd, SAM_STAT_TASK_ABORTED);
		target_put_sess_cmd(&cmd->se_cmd);
		n++;
	}
	return n;
}

int rfl_cmd_rx_tmf(struct rfl_conn *conn)
{
	struct iscsi_tm *hdr = (struct iscsi_tm *)conn->rx_hdr;
	u8 func = hdr->flags & ISCSI_FLAG_TM_FUNC_MASK;
	u8 type = rfl_tmr_type(func);
	u32 itt = be32_to_cpu(hdr->itt), rtt = be32_to_cpu(hdr->rtt);
	u64 lun = scsilun_to_int(&hdr->lun);
	struct rfl_cmd *cmd;
	bool muted = false;

	rfl_stat_inc(conn->tpg, rfl_tmf_stat(func));
	if (!type) {
		rfl_tmf_reply(conn, itt, func == ISCSI_TM_FUNC_TASK_REASSIGN ?
			      ISCSI_TMF_RSP_NO_FAILOVER :
			      ISCSI_TMF_RSP_NOT_SUPPORTED);
		return 0;
	}
	if (func == ISCSI_TM_FUNC_ABORT_TASK ||
	    func == ISCSI_TM_FUNC_LOGICAL_UNIT_RESET)
		muted = rfl_tmf_abort_writes(conn, func, lun, rtt) > 0;
	cmd = rfl_cmd_alloc(conn);
	if (!cmd)
		return -ENOMEM;
	cmd->flags = RFL_CMD_TMR | RFL_CMD_LIO;
	cmd->itt = itt;
	cmd->lun = lun;
	cmd->tmr_func = func;
	cmd->ref_itt = rtt;
	/* An ABORT TASK whose task we ended ourselves has done its job. */
	cmd->tmr_rsp = muted && func == ISCSI_TM_FUNC_ABORT_TASK ?
		       ISCSI_TMF_RSP_COMPLETE : ISCSI_TMF_RSP_REJECTED;
	spin_lock_bh(&conn->txq_lock);
	list_add_tail(&cmd->conn_node, &conn->cmds);
	spin_unlock_bh(&conn->txq_lock);
	cmd->se_cmd.tag = itt;
	if (target_submit_tmr(&cmd->se_cmd, conn->se_sess, cmd->sense, lun, cmd,
			      type, GFP_KERNEL, rtt, TARGET_SCF_ACK_KREF)) {
		rfl_cmd_free(cmd);
		rfl_tmf_reply(conn, itt, ISCSI_TMF_RSP_REJECTED);
	}
	return 0;
}

/* ------------------------------------------------------ LIO callbacks */

/**
 * rfl_cmd_queue() - LIO handed us a response to send
 * @cmd: the command
 * @what: RFL_CMD_RSP
 *
 * On a dead connection, or for a command aborted by a TMF, nothing is
 * sent and our reference is dropped at once.
 */
void rfl_cmd_queue(struct rfl_cmd *cmd, unsigned long what)
{
	struct rfl_conn *conn = cmd->conn;

	spin_lock_bh(&conn->txq_lock);
	if (conn->dead || (cmd->flags & RFL_CMD_MUTE)) {
		spin_unlock_bh(&conn->txq_lock);
		transport_generic_free_cmd(&cmd->se_cmd, 0);
		return;
	}
	cmd->flags |= what;
	cmd->flags &= ~RFL_CMD_R2T;
	list_del_init(&cmd->wp_node);
	if (!(cmd->flags & RFL_CMD_QUEUED)) {
		cmd->flags |= RFL_CMD_QUEUED;
		list_add_tail(&cmd->txe.node, &conn->txq);
	}
	spin_unlock_bh(&conn->txq_lock);
	rfl_conn_kick(conn);
}

/* The response is sent (io_work): drop our reference. */
void rfl_cmd_done(struct rfl_cmd *cmd)
{
	struct rfl_conn *conn = cmd->conn;

	spin_lock_bh(&conn->txq_lock);
	cmd->flags &= ~RFL_CMD_RSP;
	spin_unlock_bh(&conn->txq_lock);
	transport_generic_free_cmd(&cmd->se_cmd, 0);
}

int rfl_check_stop_free(struct se_cmd *se_cmd)
{
	return target_put_sess_cmd(se_cmd);
}

void rfl_release_cmd(struct se_cmd *se_cmd)
{
	rfl_cmd_free(rfl_cmd(se_cmd));
}

int rfl_write_pending(struct se_cmd *se_cmd)
{
	struct rfl_cmd *cmd = rfl_cmd(se_cmd);
	struct rfl_conn *conn = cmd->conn;
	bool exec = false, abort = false, dsn_err = false;

	spin_lock_bh(&conn->txq_lock);
	cmd->flags |= RFL_CMD_WP;
	if (conn->dead || (cmd->flags & RFL_CMD_MUTE)) {
		cmd->flags |= RFL_CMD_MUTE;
		abort = true;
	} else if (cmd->flags & RFL_CMD_DSN_ERR) {
		/* Its data arrived out of order (rfl_cmd_dsn_error). */
		cmd->flags |= RFL_CMD_EXEC;
		list_del_init(&cmd->wp_node);
		dsn_err = true;
	} else if (cmd->data_rcvd >= cmd->edtl || cmd->script) {
		/* A reflected WRITE: the host sends its data to the disks. */
		cmd->flags |= RFL_CMD_EXEC;
		list_del_init(&cmd->wp_node);
		exec = true;
	} else if (cmd->r2t_off < cmd->edtl) {
		cmd->flags |= RFL_CMD_R2T;
		if (!(cmd->flags & RFL_CMD_QUEUED)) {
			cmd->flags |= RFL_CMD_QUEUED;
			list_add_tail(&cmd->txe.node, &conn->txq);
		}
	}
	spin_unlock_bh(&conn->txq_lock);
	if (exec) {
		rfl_cmd_trim(cmd);
		target_execute_cmd(se_cmd);
	} else if (abort) {
		target_complete_cmd(se_cmd, SAM_STAT_TASK_ABORTED);
	} else if (dsn_err) {
		target_complete_cmd_with_sense(se_cmd, SAM_STAT_CHECK_CONDITION,
					       TCM_CHECK_CONDITION_ABORT_CMD);
	} else {
		rfl_conn_kick(conn);
	}
	return 0;
}

int rfl_queue_data_in(struct se_cmd *se_cmd)
{
	rfl_cmd_queue(rfl_cmd(se_cmd), RFL_CMD_RSP);
	return 0;
}

int rfl_queue_status(struct se_cmd *se_cmd)
{
	struct rfl_cmd *cmd = rfl_cmd(se_cmd);

	/* A failed READ sends its status only, no data. */
	if (cmd->dir == DMA_FROM_DEVICE && se_cmd->scsi_status &&
	    !(se_cmd->se_cmd_flags & SCF_TREAT_READ_AS_NORMAL))
		cmd->tx_data_off = min(se_cmd->data_length, cmd->edtl);
	rfl_cmd_queue(cmd, RFL_CMD_RSP);
	return 0;
}

void rfl_queue_tm_rsp(struct se_cmd *se_cmd)
{
	struct rfl_cmd *cmd = rfl_cmd(se_cmd);
	u8 rsp;

	switch (se_cmd->se_tmr_req->response) {
	case TMR_FUNCTION_COMPLETE:
		rsp = ISCSI_TMF_RSP_COMPLETE;
		break;
	case TMR_TASK_DOES_NOT_EXIST:
		rsp = ISCSI_TMF_RSP_NO_TASK;
		break;
	case TMR_LUN_DOES_NOT_EXIST:
		rsp = ISCSI_TMF_RSP_NO_LUN;
		break;
	case TMR_TASK_MGMT_FUNCTION_NOT_SUPPORTED:
		rsp = ISCSI_TMF_RSP_NOT_SUPPORTED;
		break;
	default:
		rsp = ISCSI_TMF_RSP_REJECTED;
		break;
	}
	if (!(cmd->tmr_rsp == ISCSI_TMF_RSP_COMPLETE &&
	      rsp == ISCSI_TMF_RSP_NO_TASK))
		cmd->tmr_rsp = rsp;
	rfl_cmd_queue(cmd, RFL_CMD_RSP);
}

void rfl_aborted_task(struct se_cmd *se_cmd)
{
	struct rfl_cmd *cmd = rfl_cmd(se_cmd);
	struct rfl_conn *conn = cmd->conn;

	spin_lock_bh(&conn->txq_lock);
	cmd->flags |= RFL_CMD_MUTE;
	cmd->flags &= ~(RFL_CMD_R2T | RFL_CMD_QUEUED);
	list_del_init(&cmd->wp_node);
	list_del_init(&cmd->txe.node);
	spin_unlock_bh(&conn->txq_lock);
}

/* ------------------------------------------------------------ teardown */

/*
 * io_work is stopped and nothing new is queued (conn->dead). Complete
 * what LIO is waiting for, drop what LIO handed us.
 */
void rfl_cmd_release_all(struct rfl_conn *conn)
{
	struct rfl_cmd *cmd = conn->rx_cmd, *tmp;
	bool free_ack, abort;
	LIST_HEAD(todo);

	conn->rx_cmd = NULL;
	if (cmd) {
		if (cmd->flags & RFL_CMD_LIO)
			target_put_sess_cmd(&cmd->se_cmd);
		else
			rfl_cmd_free(cmd);
	}
	spin_lock_bh(&conn->txq_lock);
	list_for_each_entry(cmd, &conn->cmds, conn_node)
		if ((cmd->flags & RFL_CMD_LIO) &&
		    kref_get_unless_zero(&cmd->se_cmd.cmd_kref))
			list_add_tail(&cmd->td_node, &todo);
	spin_unlock_bh(&conn->txq_lock);

	list_for_each_entry_safe(cmd, tmp, &todo, td_node) {
		list_del_init(&cmd->td_node);
		free_ack = false;
		abort = false;
		spin_lock_bh(&conn->txq_lock);
		if (cmd->flags & RFL_CMD_RSP) {
			cmd->flags &= ~RFL_CMD_RSP;
			free_ack = true;
		} else if ((cmd->flags & RFL_CMD_WP) &&
			   !(cmd->flags & (RFL_CMD_EXEC | RFL_CMD_MUTE |
					   RFL_CMD_TMR))) {
			cmd->flags |= RFL_CMD_MUTE;
			abort = true;
		}
		spin_unlock_bh(&conn->txq_lock);
		if (free_ack)
			transport_generic_free_cmd(&cmd->se_cmd, 0);
		if (abort)
			target_complete_cmd(&cmd->se_cmd, SAM_STAT_TASK_ABORTED);
		target_put_sess_cmd(&cmd->se_cmd);
	}
}
