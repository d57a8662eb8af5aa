// SPDX-License-Identifier: GPL-2.0
/*
 * target_core_reflect: the LIO backstore "rvol" (configfs
 * target/core/rvol_N/<dev>) of virtual volumes. A device is bound to a
 * volume of /sys/kernel/config/reflect_vvol by its control
 * "volume=<name>"; its size is the map's and it cannot be enabled before
 * the volume has a map.
 *
 * READ and WRITE (6/10/12/16): when the fabric reflects the command
 * (rfl_tgt_cmd_reflectable()) and the script fits the host's
 * MaxRecvDataSegmentLength, parse_cdb attaches the encoded script and the
 * command completes GOOD without data; the fabric then sends the
 * reflection status, and never solicits a reflected WRITE's data.
 * Otherwise the same script, in parsed form, is run by reflect_initiator's
 * executor over the command's scatterlist (proxy). SYNCHRONIZE CACHE is
 * sent to every backing LU of the map; UNMAP and WRITE SAME are split per
 * extent and sent to the backing LUs (rvol_unmap.c). Everything else is
 * LIO's SBC/SPC emulation; COMPARE AND WRITE is not offered.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/module.h>
#include <linux/parser.h>
#include <linux/slab.h>
#include <scsi/scsi_proto.h>

#include "rfl_target.h"
#include "rvol.h"

struct workqueue_struct *rvol_wq;

static struct rvol_dev *to_rdev(struct se_device *dev)
{
	return container_of(dev, struct rvol_dev, dev);
}

static int rvol_attach_hba(struct se_hba *hba, u32 host_id)
{
	return 0;
}

static void rvol_detach_hba(struct se_hba *hba)
{
}

static struct se_device *rvol_alloc_device(struct se_hba *hba,
					   const char *name)
{
	struct rvol_dev *rdev = kzalloc(sizeof(*rdev), GFP_KERNEL);

	return rdev ? &rdev->dev : NULL;
}

/*
 * Without a unit serial LIO lists no VPD page in page 0x00 and gives no
 * NAA designator, so hosts see neither the volume's identity nor its
 * Block Limits and Logical Block Provisioning pages (Linux then never
 * discards). Unless the administrator wrote wwn/vpd_unit_serial, derive
 * one from the volume's name: stable across reboots and managers serving
 * the same volume, and all hex digits, which LIO's NAA designator takes.
 */
static void rvol_default_serial(struct se_device *dev, struct rvol_vol *vol)
{
	u32 len = strlen(vol->name);

	if (dev->dev_flags & DF_EMULATED_VPD_UNIT_SERIAL)
		return;
	snprintf(dev->t10_wwn.unit_serial, INQUIRY_VPD_SERIAL_LEN,
		 "%08x%08x%08x%08x", jhash(vol->name, len, 1),
		 jhash(vol->name, len, 2), jhash(vol->name, len, 3),
		 jhash(vol->name, len, 4));
	dev->dev_flags |= DF_EMULATED_VPD_UNIT_SERIAL;
}

static int rvol_configure_device(struct se_device *dev)
{
	struct rvol_dev *rdev = to_rdev(dev);
	struct rvol_vol *vol;
	int ret = 0;

	if (!rdev->volname[0]) {
		pr_warn("device %s: no volume= given\n",
			config_item_name(&dev->dev_group.cg_item));
		return -EINVAL;
	}
	vol = rvol_vol_find(rdev->volname);
	if (!vol) {
		pr_warn("device %s: no volume %s in reflect_vvol\n",
			config_item_name(&dev->dev_group.cg_item),
			rdev->volname);
		return -ENOENT;
	}
	mutex_lock(&vol->mutex);
	if (!rcu_access_pointer(vol->map)) {
		pr_warn("device %s: volume %s has no map yet\n",
			config_item_name(&dev->dev_group.cg_item), vol->name);
		ret = -ENODATA;
	} else {
		vol->nr_configured++;
		dev->dev_attrib.hw_block_size = vol->block_size;
		dev->dev_attrib.hw_max_sectors = RVOL_MAX_XFER /
						 vol->block_size;
		dev->dev_attrib.hw_queue_depth = 128;
		dev->dev_attrib.is_nonrot = 1;
		/* Backing disks may cache: let hosts flush through us. */
		dev->dev_attrib.emulate_write_cache = 1;
		/* COMPARE AND WRITE would need a lock across backing LUs. */
		dev->dev_attrib.emulate_caw = 0;
		/*
		 * No FUA (DPOFUA stays 0 in MODE SENSE): not every backing
		 * disk takes it (LIO refuses FUA without a write cache), so
		 * hosts flush with SYNCHRONIZE CACHE, which reaches every
		 * backing LU.
		 */
		dev->dev_attrib.emulate_fua_write = 0;
		/*
		 * UNMAP and WRITE SAME (rvol_unmap.c). LBPRZ stays 0: a
		 * backing LU may leave unmapped blocks as they were.
		 */
		dev->dev_attrib.max_unmap_lba_count = RVOL_UNMAP_MAX;
		dev->dev_attrib.max_unmap_block_desc_count = RVOL_UNMAP_DESC;
		dev->dev_attrib.unmap_granularity = 1;
		dev->dev_attrib.unmap_granularity_alignment = 0;
		dev->dev_attrib.max_write_same_len = RVOL_WS_MAX;
		dev->dev_attrib.emulate_tpu = 1;
		dev->dev_attrib.emulate_tpws = 1;
		rvol_default_serial(dev, vol);
	}
	mutex_unlock(&vol->mutex);
	if (ret) {
		rvol_vol_put(vol);
		return ret;
	}
	rdev->vol = vol;
	return 0;
}

static void rvol_destroy_device(struct se_device *dev)
{
	struct rvol_dev *rdev = to_rdev(dev);
	struct rvol_vol *vol = rdev->vol;

	if (!vol)
		return;
	mutex_lock(&vol->mutex);
	vol->nr_configured--;
	mutex_unlock(&vol->mutex);
	rdev->vol = NULL;
	rvol_vol_put(vol);
}

static void rvol_dev_free_rcu(struct rcu_head *p)
{
	struct se_device *dev = container_of(p, struct se_device, rcu_head);

	kfree(to_rdev(dev));
}

static void rvol_free_device(struct se_device *dev)
{
	call_rcu(&dev->rcu_head, rvol_dev_free_rcu);
}

enum { RVOL_OPT_VOLUME, RVOL_OPT_ERR };

static const match_table_t rvol_tokens = {
	{ RVOL_OPT_VOLUME, "volume=%s" },
	{ RVOL_OPT_ERR, NULL },
};

static ssize_t rvol_set_configfs_dev_params(struct se_device *dev,
					    const char *page, ssize_t count)
{
	struct rvol_dev *rdev = to_rdev(dev);
	substring_t args[MAX_OPT_ARGS];
	char *orig, *opts, *p;
	int ret = 0;

	opts = kstrdup(page, GFP_KERNEL);
	if (!opts)
		return -ENOMEM;
	orig = opts;
	while ((p = strsep(&opts, ",\n")) != NULL) {
		if (!*p)
			continue;
		switch (match_token(p, rvol_tokens, args)) {
		case RVOL_OPT_VOLUME:
			if (rdev->vol) {
				ret = -EBUSY;	/* enabled: bound for good */
				break;
			}
			if (args[0].to - args[0].from > RVOL_NAME_MAX) {
				ret = -ENAMETOOLONG;
				break;
			}
			match_strlcpy(rdev->volname, &args[0],
				      sizeof(rdev->volname));
			break;
		default:
			break;
		}
		if (ret)
			break;
	}
	kfree(orig);
	return ret ? ret : count;
}

static ssize_t rvol_show_configfs_dev_params(struct se_device *dev, char *b)
{
	struct rvol_dev *rdev = to_rdev(dev);
	struct rvol_map *map = rdev->vol ? rvol_map_get(rdev->vol) : NULL;
	ssize_t n;

	n = sprintf(b, "Volume: %s  Generation: %u  Blocks: %llu\n",
		    rdev->volname[0] ? rdev->volname : "(none)",
		    map ? map->gen : 0, map ? map->m.size : 0);
	rvol_map_put(map);
	return n;
}

static sector_t rvol_get_blocks(struct se_device *dev)
{
	struct rvol_dev *rdev = to_rdev(dev);
	struct rvol_map *map = rdev->vol ? rvol_map_get(rdev->vol) : NULL;
	sector_t last = map && map->m.size ? map->m.size - 1 : 0;

	rvol_map_put(map);
	return last;
}

/* ----------------------------------------------------------- proxy */

static sense_reason_t rvol_sense(int err)
{
	switch (err) {
	case -ENOMEM:
		return TCM_OUT_OF_RESOURCES;
	case -ERANGE:
		return TCM_ADDRESS_OUT_OF_RANGE;
	case -E2BIG:
	case -EPROTO:
	case -EINVAL:
		return TCM_INVALID_CDB_FIELD;
	default:
		return TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE;
	}
}

static void rvol_proxy_done(void *priv, int err)
{
	struct rvol_req *req = priv;
	struct se_cmd *cmd = req->cmd;
	struct rvol_vol *vol = req->vol;

	if (err) {
		atomic64_inc(&vol->st_errors);
		pr_warn_ratelimited("volume %s: proxied %s of %u bytes at block %llu failed: %d\n",
				    vol->name,
				    cmd->data_direction == DMA_TO_DEVICE ?
				    "WRITE" : "READ", req->length,
				    cmd->t_task_lba, err);
	} else {
		atomic64_inc(&vol->st_proxied_cmds);
		atomic64_add(req->length, &vol->st_proxied_bytes);
	}
	rvol_map_put(req->map);
	rvol_req_free(req);
	if (err)
		target_complete_cmd_with_sense(cmd, SAM_STAT_CHECK_CONDITION,
					       rvol_sense(err));
	else
		target_complete_cmd(cmd, SAM_STAT_GOOD);
}

static sense_reason_t rvol_execute_rw(struct se_cmd *cmd,
				      struct scatterlist *sgl, u32 sgl_nents,
				      enum dma_data_direction dir)
{
	struct rvol_vol *vol = to_rdev(cmd->se_dev)->vol;
	u32 bs = cmd->se_dev->dev_attrib.block_size;
	u32 blocks = cmd->data_length / bs;
	bool write = dir == DMA_TO_DEVICE;
	struct rvol_map *map;
	struct rvol_req *req;
	int ret;

	if (rfl_tgt_cmd_is_reflected(cmd)) {
		/* parse_cdb attached the script: the host does the I/O. */
		atomic64_inc(&vol->st_reflected_cmds);
		atomic64_add((unsigned long)cmd->priv,
			     &vol->st_reflected_pieces);
		target_complete_cmd(cmd, SAM_STAT_GOOD);
		return TCM_NO_SENSE;
	}
	if (!blocks) {
		target_complete_cmd(cmd, SAM_STAT_GOOD);
		return TCM_NO_SENSE;
	}
	map = rvol_map_get(vol);
	if (!map || map->block_size != bs) {
		rvol_map_put(map);
		atomic64_inc(&vol->st_errors);
		return TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE;
	}
	req = rvol_req_build(map, cmd, cmd->t_task_lba, blocks, write,
			     GFP_NOIO);
	if (IS_ERR(req)) {
		ret = PTR_ERR(req);
		rvol_map_put(map);
		atomic64_inc(&vol->st_errors);
		pr_warn_ratelimited("volume %s: cannot translate %u blocks at %llu: %d\n",
				    vol->name, blocks, cmd->t_task_lba, ret);
		return rvol_sense(ret);
	}
	req->vol = vol;
	ret = rfl_exec_start(map->net, &req->s, sgl, req->length, write,
			     rvol_proxy_done, req);
	if (ret) {
		rvol_req_free(req);
		rvol_map_put(map);
		atomic64_inc(&vol->st_errors);
		pr_warn_ratelimited("volume %s: proxy not started: %d\n",
				    vol->name, ret);
		return rvol_sense(ret);
	}
	return TCM_NO_SENSE;
}

/* -------------------------------------------------- SYNCHRONIZE CACHE */

static void rvol_sync_put(struct rvol_req *req)
{
	struct se_cmd *cmd = req->cmd;
	int err;

	if (!atomic_dec_and_test(&req->pending))
		return;
	err = READ_ONCE(req->err);
	if (err) {
		atomic64_inc(&req->vol->st_errors);
		pr_warn_ratelimited("volume %s: SYNCHRONIZE CACHE failed on a backing LU: %d\n",
				    req->vol->name, err);
	}
	rvol_map_put(req->map);
	rvol_req_free(req);
	if (err)
		target_complete_cmd_with_sense(cmd, SAM_STAT_CHECK_CONDITION,
					       TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE);
	else
		target_complete_cmd(cmd, SAM_STAT_GOOD);
}

static void rvol_sync_done(void *priv, int result, u32 resid, const u8 *sense,
			   u32 sense_len)
{
	struct rvol_req *req = priv;

	if (result)
		WRITE_ONCE(req->err, result < 0 ? result : -EIO);
	rvol_sync_put(req);
}

static sense_reason_t rvol_execute_sync_cache(struct se_cmd *cmd)
{
	static const u8 cdb[10] = { SYNCHRONIZE_CACHE };
	struct rvol_vol *vol = to_rdev(cmd->se_dev)->vol;
	struct rvol_map *map = rvol_map_get(vol);
	struct rvol_req *req;
	u32 i;
	int ret;

	if (!map)
		return TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE;
	req = kzalloc(sizeof(*req), GFP_NOIO);
	if (!req) {
		rvol_map_put(map);
		return TCM_OUT_OF_RESOURCES;
	}
	req->cmd = cmd;
	req->vol = vol;
	req->map = map;
	/* One count per LU, and one until every LU was submitted. */
	atomic_set(&req->pending, map->m.ntargets + 1);
	for (i = 0; i < map->m.ntargets; i++) {
		ret = rvol_lu_submit(map->lus[i], cdb, sizeof(cdb), DMA_NONE,
				     NULL, 0, rvol_sync_done, req);
		if (ret) {
			WRITE_ONCE(req->err, ret);
			rvol_sync_put(req);
		}
	}
	rvol_sync_put(req);
	return TCM_NO_SENSE;
}

static struct rfl_exec_cmd_ops rvol_exec_ops = {
	.execute_rw = rvol_execute_rw,
	.execute_sync_cache = rvol_execute_sync_cache,
	.execute_write_same = rvol_execute_write_same,
	/* Makes sbc_parse_cdb() take UNMAP; see rvol_parse_cdb(). */
	.execute_unmap = rvol_execute_unmap_range,
};

/*
 * UNMAP, and WRITE SAME with the UNMAP bit, get LIO's executors, which
 * call execute_unmap synchronously per range: use the asynchronous ones.
 */
static void rvol_set_unmap_exec(struct se_cmd *cmd)
{
	const u8 *cdb = cmd->t_task_cdb;

	switch (cdb[0]) {
	case UNMAP:
		cmd->execute_cmd = rvol_execute_unmap;
		break;
	case WRITE_SAME:
	case WRITE_SAME_16:
		cmd->execute_cmd = rvol_execute_write_same;
		break;
	case VARIABLE_LENGTH_CMD:
		if (get_unaligned_be16(&cdb[8]) == WRITE_SAME_32)
			cmd->execute_cmd = rvol_execute_write_same;
		break;
	}
}

/* ------------------------------------------------------- reflection */

static bool rvol_is_rw(u8 op)
{
	switch (op) {
	case READ_6:
	case READ_10:
	case READ_12:
	case READ_16:
	case WRITE_6:
	case WRITE_10:
	case WRITE_12:
	case WRITE_16:
		return true;
	default:
		return false;
	}
}

/*
 * Attach a reflection script to a command the fabric may reflect. Any
 * failure leaves the command to the proxy path.
 */
static void rvol_try_reflect(struct se_cmd *cmd)
{
	struct rvol_vol *vol = to_rdev(cmd->se_dev)->vol;
	u32 bs = cmd->se_dev->dev_attrib.block_size;
	u32 blocks = cmd->data_length / bs, max, size;
	struct rvol_map *map;
	struct rvol_req *req;
	void *buf;
	int ret;

	max = rfl_tgt_cmd_max_script(cmd);
	if (!blocks || !max || cmd->data_length % bs)
		return;
	map = rvol_map_get(vol);
	if (!map)
		return;
	if (map->block_size != bs) {
		rvol_map_put(map);
		return;
	}
	req = rvol_req_build(map, cmd, cmd->t_task_lba, blocks,
			     cmd->data_direction == DMA_TO_DEVICE, GFP_NOIO);
	if (IS_ERR(req)) {
		rvol_map_put(map);
		return;
	}
	size = rfl_script_size(&req->s);
	buf = size && size <= max ? kvmalloc(size, GFP_NOIO) : NULL;
	if (buf) {
		ret = rfl_script_encode(&req->s, buf, size);
		if (ret >= 0) {
			/* Counted in execute_rw, if the command gets there. */
			cmd->priv = (void *)(unsigned long)req->s.npieces;
			if (rfl_tgt_cmd_set_script(cmd, buf, size))
				cmd->priv = NULL;
		} else {
			kvfree(buf);
		}
	}
	rvol_req_free(req);
	rvol_map_put(map);
}

static sense_reason_t rvol_parse_cdb(struct se_cmd *cmd)
{
	sense_reason_t ret;

	if (!to_rdev(cmd->se_dev)->vol)
		return TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE;
	ret = sbc_parse_cdb(cmd, &rvol_exec_ops);
	if (ret)
		return ret;
	rvol_set_unmap_exec(cmd);
	if (rvol_is_rw(cmd->t_task_cdb[0]) && cmd->data_length &&
	    rfl_tgt_cmd_reflectable(cmd))
		rvol_try_reflect(cmd);
	return TCM_NO_SENSE;
}

static const struct target_backend_ops rvol_ops = {
	.name			= "rvol",
	.inquiry_prod		= "REFLECT-VVOL",
	.inquiry_rev		= "1.0",
	.owner			= THIS_MODULE,
	.attach_hba		= rvol_attach_hba,
	.detach_hba		= rvol_detach_hba,
	.alloc_device		= rvol_alloc_device,
	.configure_device	= rvol_configure_device,
	.destroy_device		= rvol_destroy_device,
	.free_device		= rvol_free_device,
	.parse_cdb		= rvol_parse_cdb,
	.set_configfs_dev_params = rvol_set_configfs_dev_params,
	.show_configfs_dev_params = rvol_show_configfs_dev_params,
	.get_device_type	= sbc_get_device_type,
	.get_blocks		= rvol_get_blocks,
	.tb_dev_attrib_attrs	= sbc_attrib_attrs,
};

static int __init rvol_init(void)
{
	int ret;

	rvol_wq = alloc_workqueue("rvol", WQ_MEM_RECLAIM, 0);
	if (!rvol_wq)
		return -ENOMEM;
	ret = rvol_configfs_init();
	if (ret)
		goto out_wq;
	ret = transport_backend_register(&rvol_ops);
	if (ret)
		goto out_configfs;
	return 0;

out_configfs:
	rvol_configfs_exit();
out_wq:
	destroy_workqueue(rvol_wq);
	return ret;
}

static void __exit rvol_exit(void)
{
	target_backend_unregister(&rvol_ops);
	rvol_configfs_exit();
	/* Maps released by the last commands are freed after a grace. */
	rcu_barrier();
	destroy_workqueue(rvol_wq);
}

module_init(rvol_init);
module_exit(rvol_exit);

MODULE_DESCRIPTION("iSCSI reflection: LIO backstore \"rvol\" for virtual volumes");
MODULE_LICENSE("GPL");
