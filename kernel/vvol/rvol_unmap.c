// SPDX-License-Identifier: GPL-2.0
/*
 * target_core_reflect: UNMAP and WRITE SAME on a virtual volume.
 *
 * Neither is reflected: their data is a parameter list or one block, so
 * the manager carries no bulk data by executing them itself. The virtual
 * ranges are translated with the volume's map, the pieces each backing LU
 * gets are merged where its blocks follow each other (the legs of a
 * striped extent are contiguous on their LUs, so a striped range costs one
 * backing command per leg, not one per chunk), split at what LIO's own
 * backstores accept in one command, and sent to the backing LUs in
 * parallel:
 *
 *   UNMAP            one UNMAP with one block descriptor per backing range
 *   WRITE SAME       one WRITE SAME(16) per backing range, with the
 *   (10/16/32)       command's data block and its UNMAP bit
 *
 * The command completes when every backing command has. A backing LU that
 * does not support UNMAP (ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE)
 * leaves its blocks mapped: that is allowed, since the volume reports
 * LBPRZ 0 (unmapped blocks read back undefined data), and is counted in
 * the statistics. WRITE SAME on such an LU fails the command with the same
 * sense, which makes a Linux host stop using WRITE SAME and write zeroes
 * itself. Any other failure fails the command with LOGICAL UNIT
 * COMMUNICATION FAILURE and a log line naming the backing target.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>

#include "rvol.h"

/* Blocks per backing command: LIO fileio's limits, the smallest in LIO. */
#define RVOL_BACK_UNMAP_MAX	0x2000
#define RVOL_BACK_WS_MAX	0x1000
/* Backing commands one UNMAP or WRITE SAME may fan out to. */
#define RVOL_FAN_MAX		1024
/* Pieces translated at a time. */
#define RVOL_XLATE_MAX		256

struct rvol_fan;

/* One backing command. */
struct rvol_sub {
	struct rvol_fan *fan;
	u16 target;			/* index into the map's targets */
	u64 plba;
	u32 blocks;
	u8 param[24];			/* UNMAP parameter list */
	struct scatterlist sg;
};

/* One UNMAP or WRITE SAME of the volume. */
struct rvol_fan {
	struct se_cmd *cmd;
	struct rvol_vol *vol;
	struct rvol_map *map;		/* held for the command's life */
	bool unmap;			/* UNMAP, else WRITE SAME */
	u8 ws_flags;			/* WRITE SAME: the UNMAP bit */
	u64 blocks;			/* virtual blocks the command names */
	atomic_t pending;		/* backing commands left, + 1 */
	int err;			/* first failure: -errno or status */
	int err_target;			/* its target index */
	bool unsupported;		/* a LU refused the opcode */
	atomic_t ignored;		/* UNMAP pieces a LU did not support */
	void *block;			/* WRITE SAME data, one block */
	u32 nsubs, cap;
	struct rvol_sub *subs;		/* [cap], nsubs used */
};

static void rvol_fan_free(struct rvol_fan *fan)
{
	kfree(fan->subs);
	kfree(fan->block);
	kfree(fan);
}

/* Sense data says ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE. */
static bool rvol_sense_unsupported(const u8 *sense, u32 len)
{
	struct scsi_sense_hdr sshdr;

	return sense && scsi_normalize_sense(sense, len, &sshdr) &&
	       sshdr.sense_key == ILLEGAL_REQUEST && sshdr.asc == 0x20;
}

static void rvol_fan_put(struct rvol_fan *fan)
{
	struct se_cmd *cmd = fan->cmd;
	struct rvol_vol *vol = fan->vol;
	sense_reason_t sense = TCM_NO_SENSE;
	const char *what = fan->unmap ? "UNMAP" : "WRITE SAME";
	int err;

	if (!atomic_dec_and_test(&fan->pending))
		return;
	err = READ_ONCE(fan->err);
	if (err) {
		const struct rfl_map_target *t = fan->err_target >= 0 ?
			&fan->map->m.targets[fan->err_target] : NULL;

		atomic64_inc(&vol->st_errors);
		pr_warn_ratelimited("volume %s: %s of %llu blocks failed on backing target %s: %s %d\n",
				    vol->name, what, fan->blocks,
				    t ? t->iqn : "(none)",
				    err < 0 ? "error" : "SCSI status", err);
		sense = fan->unsupported ? TCM_UNSUPPORTED_SCSI_OPCODE :
			TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE;
	} else if (fan->unmap) {
		atomic64_inc(&vol->st_unmap_cmds);
		atomic64_add(fan->blocks, &vol->st_unmap_blocks);
		atomic64_add(atomic_read(&fan->ignored),
			     &vol->st_unmap_unsupported);
	} else {
		atomic64_inc(&vol->st_write_same_cmds);
		atomic64_add(fan->blocks, &vol->st_write_same_blocks);
	}
	rvol_map_put(fan->map);
	rvol_fan_free(fan);
	if (sense)
		target_complete_cmd_with_sense(cmd, SAM_STAT_CHECK_CONDITION,
					       sense);
	else
		target_complete_cmd(cmd, SAM_STAT_GOOD);
}

static void rvol_fan_fail(struct rvol_fan *fan, int target, int err,
			  bool unsupported)
{
	/* The first failure names the cause; later ones only count. */
	if (cmpxchg(&fan->err, 0, err) == 0) {
		fan->err_target = target;
		fan->unsupported = unsupported;
	}
}

static void rvol_sub_done(void *priv, int result, u32 resid, const u8 *sense,
			  u32 sense_len)
{
	struct rvol_sub *sub = priv;
	struct rvol_fan *fan = sub->fan;

	if (result) {
		bool unsup = result == SAM_STAT_CHECK_CONDITION &&
			     rvol_sense_unsupported(sense, sense_len);

		if (unsup && fan->unmap)
			atomic_inc(&fan->ignored);	/* a hint, not a write */
		else
			rvol_fan_fail(fan, sub->target, result, unsup);
	}
	rvol_fan_put(fan);
}

/* Room for one more backing command. */
static int rvol_fan_grow(struct rvol_fan *fan)
{
	struct rvol_sub *subs;
	u32 cap;

	if (fan->nsubs < fan->cap)
		return 0;
	if (fan->cap == RVOL_FAN_MAX)
		return -E2BIG;
	cap = fan->cap ? min(fan->cap * 2, RVOL_FAN_MAX) : 8;
	subs = krealloc_array(fan->subs, cap, sizeof(*subs),
			      GFP_NOIO | __GFP_ZERO);
	if (!subs)
		return -ENOMEM;
	fan->subs = subs;
	fan->cap = cap;
	return 0;
}

/*
 * Add the backing ranges of virtual blocks [lba, lba + blocks) to the fan,
 * merging each piece into the last range of its LU when it follows it.
 */
static int rvol_fan_add(struct rvol_fan *fan, struct rfl_map_piece *mp,
			u64 lba, u64 blocks, s32 *last)
{
	u32 limit = fan->unmap ? RVOL_BACK_UNMAP_MAX : RVOL_BACK_WS_MAX;

	while (blocks) {
		u32 w = min_t(u64, blocks, RVOL_BACK_WS_MAX * 16);
		int n, k;

		for (;;) {
			n = rfl_map_translate(&fan->map->m, lba, w, mp,
					      RVOL_XLATE_MAX);
			if (n != -ENOSPC || w == 1)
				break;
			w /= 2;
		}
		if (n <= 0)
			return n ? n : -ERANGE;
		for (k = 0; k < n; k++) {
			u16 t = mp[k].target;
			struct rvol_sub *s = last[t] >= 0 ?
					     &fan->subs[last[t]] : NULL;
			u64 plba = mp[k].plba;
			u32 left = mp[k].blocks;

			if (t >= fan->map->m.ntargets)
				return -ERANGE;
			while (left) {
				u32 take;

				if (s && s->plba + s->blocks == plba &&
				    s->blocks < limit) {
					take = min(left, limit - s->blocks);
					s->blocks += take;
				} else {
					int ret = rvol_fan_grow(fan);

					if (ret)
						return ret;
					last[t] = fan->nsubs++;
					s = &fan->subs[last[t]];
					take = min(left, limit);
					s->fan = fan;
					s->target = t;
					s->plba = plba;
					s->blocks = take;
				}
				plba += take;
				left -= take;
			}
		}
		lba += w;
		blocks -= w;
	}
	return 0;
}

static struct rvol_fan *rvol_fan_alloc(struct se_cmd *cmd, bool unmap)
{
	struct rvol_vol *vol = cmd->se_dev ?
		container_of(cmd->se_dev, struct rvol_dev, dev)->vol : NULL;
	struct rvol_map *map = vol ? rvol_map_get(vol) : NULL;
	struct rvol_fan *fan;

	if (!map)
		return ERR_PTR(-ENODEV);
	if (map->block_size != cmd->se_dev->dev_attrib.block_size) {
		rvol_map_put(map);
		return ERR_PTR(-ENODEV);
	}
	fan = kzalloc(sizeof(*fan), GFP_NOIO);
	if (!fan) {
		rvol_map_put(map);
		return ERR_PTR(-ENOMEM);
	}
	fan->cmd = cmd;
	fan->vol = vol;
	fan->map = map;
	fan->unmap = unmap;
	fan->err_target = -1;
	return fan;
}

static sense_reason_t rvol_fan_error(struct rvol_fan *fan, int err)
{
	struct rvol_vol *vol = fan->vol;
	bool unmap = fan->unmap;

	atomic64_inc(&vol->st_errors);
	pr_warn_ratelimited("volume %s: cannot map %s at block %llu: %d\n",
			    vol->name, unmap ? "UNMAP" : "WRITE SAME",
			    fan->cmd->t_task_lba, err);
	rvol_map_put(fan->map);
	rvol_fan_free(fan);
	switch (err) {
	case -ENOMEM:
		return TCM_OUT_OF_RESOURCES;
	case -ERANGE:
		return TCM_ADDRESS_OUT_OF_RANGE;
	case -E2BIG:
		return unmap ? TCM_INVALID_PARAMETER_LIST :
			TCM_INVALID_CDB_FIELD;
	default:
		return TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE;
	}
}

/* Send every backing command; the last completion completes the command. */
static void rvol_fan_start(struct rvol_fan *fan)
{
	u32 bs = fan->map->block_size, i;

	atomic_set(&fan->pending, fan->nsubs + 1);
	for (i = 0; i < fan->nsubs; i++) {
		struct rvol_sub *s = &fan->subs[i];
		struct rfl_lu *lu = fan->map->lus[s->target];
		u8 cdb[16] = { 0 };
		u32 len;
		int ret;

		if (fan->unmap) {
			cdb[0] = UNMAP;
			put_unaligned_be16(sizeof(s->param), &cdb[7]);
			put_unaligned_be16(sizeof(s->param) - 2, &s->param[0]);
			put_unaligned_be16(16, &s->param[2]);
			put_unaligned_be64(s->plba, &s->param[8]);
			put_unaligned_be32(s->blocks, &s->param[16]);
			sg_init_one(&s->sg, s->param, sizeof(s->param));
			len = sizeof(s->param);
		} else {
			cdb[0] = WRITE_SAME_16;
			cdb[1] = fan->ws_flags;
			put_unaligned_be64(s->plba, &cdb[2]);
			put_unaligned_be32(s->blocks, &cdb[10]);
			sg_init_one(&s->sg, fan->block, bs);
			len = bs;
		}
		ret = rvol_lu_submit(lu, cdb, fan->unmap ? 10 : 16,
				     DMA_TO_DEVICE, &s->sg, len, rvol_sub_done,
				     s);
		if (ret) {
			rvol_fan_fail(fan, s->target, ret, false);
			rvol_fan_put(fan);
		}
	}
	rvol_fan_put(fan);
}

/**
 * rvol_execute_unmap() - UNMAP on a virtual volume
 * @cmd: the command; sbc_parse_cdb() checked emulate_tpu and sized it
 *
 * Checks the parameter list as LIO's own UNMAP does (SBC-4 5.32), then
 * sends each descriptor's backing ranges to their LUs.
 *
 * Return: TCM_NO_SENSE when the command was started (it completes
 * asynchronously), else the sense to complete it with.
 */
sense_reason_t rvol_execute_unmap(struct se_cmd *cmd)
{
	struct se_device *dev = cmd->se_dev;
	u64 end = dev->transport->get_blocks(dev) + 1;
	struct rfl_map_piece *mp = NULL;
	s32 last[RFL_MAP_MAX_TARGETS];
	sense_reason_t sense = TCM_NO_SENSE;
	struct rvol_fan *fan;
	u32 size, ndesc, i;
	u8 *buf;
	int ret = 0;

	if (cmd->t_task_cdb[1])		/* ANCHOR: ANC_SUP is 0 */
		return TCM_INVALID_CDB_FIELD;
	if (!cmd->data_length) {
		target_complete_cmd(cmd, SAM_STAT_GOOD);
		return TCM_NO_SENSE;
	}
	if (cmd->data_length < 8)
		return TCM_PARAMETER_LIST_LENGTH_ERROR;
	fan = rvol_fan_alloc(cmd, true);
	if (IS_ERR(fan))
		return PTR_ERR(fan) == -ENOMEM ? TCM_OUT_OF_RESOURCES :
			TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE;
	buf = transport_kmap_data_sg(cmd);
	mp = kmalloc_array(RVOL_XLATE_MAX, sizeof(*mp), GFP_NOIO);
	if (!buf || !mp) {
		ret = -ENOMEM;
		goto out;
	}
	size = min_t(u32, get_unaligned_be16(&buf[2]), cmd->data_length - 8);
	ndesc = size / 16;
	if (ndesc > dev->dev_attrib.max_unmap_block_desc_count) {
		sense = TCM_INVALID_PARAMETER_LIST;
		goto out;
	}
	memset(last, 0xff, sizeof(last));
	for (i = 0; i < ndesc; i++) {
		const u8 *d = &buf[8 + 16 * i];
		u64 lba = get_unaligned_be64(&d[0]);
		u32 nr = get_unaligned_be32(&d[8]);

		if (nr > dev->dev_attrib.max_unmap_lba_count) {
			sense = TCM_INVALID_PARAMETER_LIST;
			goto out;
		}
		if (lba + nr < lba || lba + nr > end) {
			sense = TCM_ADDRESS_OUT_OF_RANGE;
			goto out;
		}
		if (!nr)
			continue;
		ret = rvol_fan_add(fan, mp, lba, nr, last);
		if (ret)
			goto out;
		fan->blocks += nr;
	}
out:
	kfree(mp);
	if (buf)
		transport_kunmap_data_sg(cmd);
	if (ret)
		return rvol_fan_error(fan, ret);
	if (sense) {
		rvol_map_put(fan->map);
		rvol_fan_free(fan);
		return sense;
	}
	rvol_fan_start(fan);
	return TCM_NO_SENSE;
}

/**
 * rvol_execute_write_same() - WRITE SAME (10/16/32) on a virtual volume
 * @cmd: the command; sbc_parse_cdb() checked its flags (only UNMAP may be
 *	set), its length against max_write_same_len and its range
 *
 * Return: TCM_NO_SENSE when the command was started (it completes
 * asynchronously), else the sense to complete it with.
 */
sense_reason_t rvol_execute_write_same(struct se_cmd *cmd)
{
	u64 blocks = sbc_get_write_same_sectors(cmd);
	u32 bs = cmd->se_dev->dev_attrib.block_size;
	struct rfl_map_piece *mp;
	s32 last[RFL_MAP_MAX_TARGETS];
	struct rvol_fan *fan;
	const u8 *cdb = cmd->t_task_cdb;
	u8 flags;
	void *buf;
	int ret;

	if (!blocks) {
		target_complete_cmd(cmd, SAM_STAT_GOOD);
		return TCM_NO_SENSE;
	}
	if (cmd->data_length < bs || cmd->t_data_nents == 0)
		return TCM_INVALID_CDB_FIELD;
	/* The flags byte: 1 in WRITE SAME(10/16), 10 in WRITE SAME(32). */
	flags = cdb[0] == VARIABLE_LENGTH_CMD ? cdb[10] : cdb[1];
	fan = rvol_fan_alloc(cmd, false);
	if (IS_ERR(fan))
		return PTR_ERR(fan) == -ENOMEM ? TCM_OUT_OF_RESOURCES :
			TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE;
	fan->ws_flags = flags & 0x08;		/* UNMAP */
	fan->blocks = blocks;
	fan->block = kmalloc(bs, GFP_NOIO);
	mp = kmalloc_array(RVOL_XLATE_MAX, sizeof(*mp), GFP_NOIO);
	buf = fan->block ? transport_kmap_data_sg(cmd) : NULL;
	if (!buf || !mp) {
		kfree(mp);
		return rvol_fan_error(fan, -ENOMEM);
	}
	memcpy(fan->block, buf, bs);
	transport_kunmap_data_sg(cmd);
	memset(last, 0xff, sizeof(last));
	ret = rvol_fan_add(fan, mp, cmd->t_task_lba, blocks, last);
	kfree(mp);
	if (ret)
		return rvol_fan_error(fan, ret);
	rvol_fan_start(fan);
	return TCM_NO_SENSE;
}

/**
 * rvol_execute_unmap_range() - never called
 * @cmd: the command
 * @lba: first block
 * @nolb: number of blocks
 *
 * sbc_parse_cdb() accepts UNMAP and WRITE SAME with the UNMAP bit only when
 * the backend has an execute_unmap; rvol_parse_cdb() then replaces LIO's
 * synchronous executor with rvol_execute_unmap() or
 * rvol_execute_write_same(), so this one is not reached.
 *
 * Return: LOGICAL UNIT COMMUNICATION FAILURE.
 */
sense_reason_t rvol_execute_unmap_range(struct se_cmd *cmd, sector_t lba,
					sector_t nolb)
{
	WARN_ON_ONCE(1);
	return TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE;
}
