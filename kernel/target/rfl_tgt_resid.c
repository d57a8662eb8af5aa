// SPDX-License-Identifier: GPL-2.0
/*
 * Residuals and Data-Out sequence checks of SCSI commands.
 *
 * When the iSCSI Expected Data Transfer Length of a READ or WRITE (10,
 * 12, 16; WRITE AND VERIFY 10, 12, 16) differs from the transfer length
 * of its CDB, RFC 7143 section 11.4.5 wants the command executed for at
 * most EDTL bytes and the difference reported as a residual. LIO's core
 * refuses such a WRITE (target_cmd_size_check) and refuses a READ overflow
 * when the fabric supplies the buffer, so the fabric resolves the mismatch
 * before LIO sees it:
 *
 *   EDTL < CDB length, WRITE: the CDB asks for EDTL / block size blocks
 *                             (only EDTL bytes are written)
 *   EDTL < CDB length, READ:  the CDB asks for EDTL rounded up to blocks,
 *                             EDTL bytes are sent
 *   EDTL > CDB length:        LIO gets the CDB length; the extra data of a
 *                             WRITE is received and dropped
 *
 * and the residual (overflow: CDB length - EDTL, underflow: EDTL - CDB
 * length) is the fabric's, reported in the response.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <scsi/scsi_proto.h>

#include "rfl_tgt.h"

/* Block size of the LU the session sees as @lun; 0 if none. */
static u32 rfl_lun_block_size(struct rfl_conn *conn, u64 lun)
{
	struct se_node_acl *nacl = conn->se_sess->se_node_acl;
	struct se_dev_entry *deve;
	struct se_device *dev;
	struct se_lun *se_lun;
	u32 bs = 0;

	if (!nacl)
		return 0;
	rcu_read_lock();
	hlist_for_each_entry_rcu(deve, &nacl->lun_entry_hlist, link) {
		if (deve->mapped_lun != lun)
			continue;
		se_lun = READ_ONCE(deve->se_lun);
		dev = se_lun ? rcu_dereference(se_lun->lun_se_dev) : NULL;
		if (dev)
			bs = dev->dev_attrib.block_size;
		break;
	}
	rcu_read_unlock();
	return bs;
}

/* Offset and size of the transfer length field of a READ/WRITE CDB. */
static bool rfl_cdb_len_field(const u8 *cdb, bool *write, u8 *off, u8 *size)
{
	switch (cdb[0]) {
	case READ_10:
	case WRITE_10:
	case WRITE_VERIFY:
		*off = 7;
		*size = 2;
		break;
	case READ_12:
	case WRITE_12:
	case WRITE_VERIFY_12:
		*off = 6;
		*size = 4;
		break;
	case READ_16:
	case WRITE_16:
	case WRITE_VERIFY_16:
		*off = 10;
		*size = 4;
		break;
	default:
		return false;
	}
	*write = cdb[0] != READ_10 && cdb[0] != READ_12 && cdb[0] != READ_16;
	return true;
}

/**
 * rfl_cmd_fit() - resolve an EDTL that differs from the CDB's length
 * @conn: the connection, in full feature phase of a normal session
 * @cmd: the command, CDB and EDTL set; its CDB may be rewritten
 *
 * Sets cmd->lio_len (the data length LIO gets) and, on a mismatch, the
 * fabric's residual.
 */
void rfl_cmd_fit(struct rfl_conn *conn, struct rfl_cmd *cmd)
{
	u64 blocks, tl, nb;
	u8 off, size;
	bool write;
	u32 bs;

	cmd->lio_len = cmd->edtl;
	if (!rfl_cdb_len_field(cmd->cdb, &write, &off, &size))
		return;
	/* A direction other than the CDB's is LIO's to refuse. */
	if (cmd->edtl && cmd->dir != (write ? DMA_TO_DEVICE : DMA_FROM_DEVICE))
		return;
	/* LIO already handles a READ without data buffer. */
	if (!write && !cmd->edtl)
		return;
	bs = rfl_lun_block_size(conn, cmd->lun);
	if (!bs)
		return;
	blocks = size == 2 ? get_unaligned_be16(cmd->cdb + off) :
			     get_unaligned_be32(cmd->cdb + off);
	tl = blocks * bs;
	/* Nothing to transfer but data sent: left to LIO, as before. */
	if (tl == cmd->edtl || (!tl && write))
		return;
	if (tl > cmd->edtl) {
		nb = write ? cmd->edtl / bs : DIV_ROUND_UP(cmd->edtl, bs);
		/* Part of a block to write: LIO refuses it (and reports). */
		if (write && cmd->edtl && !nb)
			return;
		if (size == 2)
			put_unaligned_be16(nb, cmd->cdb + off);
		else
			put_unaligned_be32(nb, cmd->cdb + off);
		cmd->lio_len = nb * bs;
		cmd->resid_flags = ISCSI_FLAG_CMD_OVERFLOW;
		cmd->resid = min_t(u64, tl - cmd->edtl, U32_MAX);
	} else {
		cmd->lio_len = tl;
		cmd->resid_flags = ISCSI_FLAG_CMD_UNDERFLOW;
		cmd->resid = cmd->edtl - tl;
	}
}

/* Scatterlist entries that hold the first @len bytes of @sgl. */
unsigned int rfl_cmd_lio_nents(struct rfl_cmd *cmd)
{
	struct scatterlist *sg;
	unsigned int i, n = 0;
	u32 left = cmd->lio_len;

	if (!cmd->sgl || !left)
		return 0;
	for_each_sg(cmd->sgl, sg, cmd->sg_nents, i) {
		n++;
		if (sg->length >= left)
			break;
		left -= sg->length;
	}
	return n;
}

/**
 * rfl_cmd_trim() - end the buffer LIO sees at cmd->lio_len
 * @cmd: the command; every byte the initiator sends is already in
 *
 * The backends walk all the entries they were given; the last one is
 * shortened so that none reads or writes beyond the CDB's length. Pages
 * are freed by sgl_free(), which does not look at lengths.
 */
void rfl_cmd_trim(struct rfl_cmd *cmd)
{
	struct scatterlist *sg;
	unsigned int i;
	u32 left = cmd->lio_len;

	if (!cmd->resid_flags || !cmd->sgl || !left)
		return;
	for_each_sg(cmd->sgl, sg, cmd->sg_nents, i) {
		if (sg->length >= left) {
			sg->length = left;
			return;
		}
		left -= sg->length;
	}
}

/* Residual flags and count the fabric set; 0 when LIO's apply. */
u8 rfl_cmd_residual(struct rfl_cmd *cmd, __be32 *count)
{
	if (!cmd->resid_flags)
		return 0;
	*count = cpu_to_be32(cmd->resid);
	return cmd->resid_flags;
}

/**
 * rfl_cmd_check_datasn() - is a Data-Out's DataSN the next of its sequence?
 * @cmd: the command
 * @hdr: the Data-Out, already checked against the command's offsets
 * @max_burst: the session's MaxBurstLength
 *
 * With DataPDUInOrder and DataSequenceInOrder (the only values this
 * target negotiates) data arrives by increasing offset: the unsolicited
 * sequence first, DataSN from 0, then each R2T's sequence, DataSN from 0
 * again. Called from io_work only.
 *
 * Return: true if in order.
 */
bool rfl_cmd_check_datasn(struct rfl_cmd *cmd, const struct iscsi_data *hdr,
			  u32 max_burst)
{
	u32 sn = be32_to_cpu(hdr->datasn), off = be32_to_cpu(hdr->offset);
	u32 expect;

	if (hdr->ttt == cpu_to_be32(ISCSI_RESERVED_TAG)) {
		expect = cmd->dout_unsol ? cmd->dout_sn : 0;
		cmd->dout_unsol = true;
	} else if (off >= cmd->dout_end) {
		/* The first Data-Out of an R2T's sequence. */
		expect = 0;
		cmd->dout_end = off + min(cmd->edtl - off, max_burst);
	} else {
		expect = cmd->dout_sn;
	}
	cmd->dout_sn = sn + 1;
	return sn == expect;
}
