/* SPDX-License-Identifier: GPL-2.0 */
/*
 * target_core_reflect: internal interfaces of the LIO backstore "rvol".
 *
 * Objects:
 *   rvol_vol   /sys/kernel/config/reflect_vvol/<volume>: the extent map,
 *              its generation, the statistics
 *   rvol_map   one loaded map: the parsed table, the backing LUs opened
 *              through reflect_initiator, the script target table, the
 *              canonical text. Immutable once published; replaced as a
 *              whole under RCU and freed when the last command drops it
 *   rvol_dev   an LIO device target/core/rvol_N/<dev> bound to a volume
 *              by its control "volume=<name>"
 */
#ifndef RVOL_H
#define RVOL_H

#include <linux/configfs.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <target/target_core_backend.h>
#include <target/target_core_base.h>

#include "rfl_compat.h"
#include "rfl_initiator.h"
#include "rfl_map.h"
#include "rfl_script.h"

#define RVOL_NAME_MAX		63
#define RVOL_MAP_MAX		SZ_16M		/* bytes of map text written */
#define RVOL_ERR_MAX		256
/* Bytes per command: the most one request of a pool LU maps. */
#define RVOL_MAX_XFER		SZ_1M
#define RVOL_TIMEOUT_MS		30000		/* per backing command */
/* Blocks per UNMAP descriptor / WRITE SAME the volume takes (rvol_unmap.c). */
#define RVOL_UNMAP_MAX		0x10000
#define RVOL_UNMAP_DESC		16
#define RVOL_WS_MAX		0xffff

struct rvol_map {
	struct kref kref;
	struct rfl_map m;
	u32 gen;
	u32 block_size;
	struct net *net;		/* of the writer, held */
	struct rfl_lu **lus;		/* [m.ntargets], each held */
	struct rfl_lu_info *info;	/* [m.ntargets] */
	struct rfl_script_target *stgt;	/* [m.ntargets], into m and info */
	char *text;			/* canonical form, kvmalloc'd */
	u32 text_len;
	struct rcu_head rcu;
	struct work_struct free_work;
};

struct rvol_vol {
	struct config_group group;
	char name[RVOL_NAME_MAX + 1];
	struct list_head node;		/* on rvol_vols, under rvol_vols_mutex */
	/*
	 * Serialises map loads, block_size changes and device binding:
	 * everything that writes map, gen, block_size, nr_configured and
	 * last_error.
	 */
	struct mutex mutex;
	struct rvol_map __rcu *map;	/* readers: rcu + kref */
	u32 gen;
	u32 block_size;
	unsigned int nr_configured;	/* enabled LIO devices using it */
	char last_error[RVOL_ERR_MAX];
	atomic64_t st_reflected_cmds;
	atomic64_t st_reflected_pieces;
	atomic64_t st_proxied_cmds;
	atomic64_t st_proxied_bytes;
	atomic64_t st_errors;
	atomic64_t st_unmap_cmds;
	atomic64_t st_unmap_blocks;
	atomic64_t st_unmap_unsupported;	/* pieces a LU did not unmap */
	atomic64_t st_write_same_cmds;
	atomic64_t st_write_same_blocks;
};

struct rvol_dev {
	struct se_device dev;
	char volname[RVOL_NAME_MAX + 1];
	struct rvol_vol *vol;		/* held; set by configure_device */
};

/* A command's translation into pieces on backing LUs. */
struct rvol_req {
	struct se_cmd *cmd;
	struct rvol_vol *vol;
	struct rvol_map *map;		/* held for the command's life */
	struct rfl_script s;
	u32 length;			/* bytes of the transfer */
	atomic_t pending;		/* SYNCHRONIZE CACHE: LUs left */
	int err;
	struct rfl_script_target *tgts;	/* [s.ntargets] */
	struct rfl_script_piece *pieces;	/* [s.npieces] */
};

extern struct workqueue_struct *rvol_wq;

/* rvol_map.c */
struct rvol_map *rvol_map_get(struct rvol_vol *vol);
void rvol_map_put(struct rvol_map *map);
int rvol_map_load(struct rvol_vol *vol, const char *text, u32 len);
struct rvol_req *rvol_req_build(struct rvol_map *map, struct se_cmd *cmd,
				u64 lba, u32 blocks, bool write, gfp_t gfp);
void rvol_req_free(struct rvol_req *req);
int rvol_lu_submit(struct rfl_lu *lu, const u8 *cdb, unsigned int cdb_len,
		   enum dma_data_direction dir, struct scatterlist *sgl,
		   u32 length, rfl_lu_done_t done, void *priv);

/* rvol_unmap.c */
sense_reason_t rvol_execute_unmap(struct se_cmd *cmd);
sense_reason_t rvol_execute_write_same(struct se_cmd *cmd);
sense_reason_t rvol_execute_unmap_range(struct se_cmd *cmd, sector_t lba,
					sector_t nolb);

/* rvol_configfs.c */
int rvol_configfs_init(void);
void rvol_configfs_exit(void);
struct rvol_vol *rvol_vol_find(const char *name);
void rvol_vol_put(struct rvol_vol *vol);

#endif /* RVOL_H */
