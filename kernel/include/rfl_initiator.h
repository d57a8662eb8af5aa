/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reflect_initiator's internal API: backing LUs reached by (target name,
 * portals, LUN) over pooled sessions, and the reflection executor that
 * runs a script's pieces against them. Used by the host's own reflection
 * path and by the manager's virtual volume backstore (proxy path).
 *
 * Sessions opened here come from a pool keyed by (network namespace,
 * target name); the credentials, digests and operational values offered
 * are those of the configfs target object with the same target name if
 * one exists (enabled or not), else the defaults with AuthMethod=None.
 * Their LUs get no upper-level driver (no sd disk).
 */
#ifndef RFL_INITIATOR_H
#define RFL_INITIATOR_H

#include <linux/dma-direction.h>
#include <linux/scatterlist.h>
#include <linux/socket.h>
#include <linux/types.h>
#include <net/net_namespace.h>

#include "rfl_script.h"

#define RFL_LU_MAX_PORTALS	8
#define RFL_LU_ID_MAX		255

/* Where a backing LU is. */
struct rfl_lu_addr {
	const char *iqn;
	unsigned int nportals;
	struct sockaddr_storage portals[RFL_LU_MAX_PORTALS];
	u64 lun;			/* LUN number (scsilun_to_int form) */
};

/* What an opened LU reported about itself. */
struct rfl_lu_info {
	u64 capacity;			/* blocks, from READ CAPACITY(16) */
	u32 block_size;
	u8 id[RFL_LU_ID_MAX];		/* preferred VPD 0x83 designator */
	u8 id_len;			/* 0: the LU reported none */
	int tpgt;			/* TargetPortalGroupTag the target
					 * sent at login; -1 if it sent none
					 */
};

struct rfl_lu;

/**
 * typedef rfl_lu_done_t - completion of rfl_lu_submit()
 * @priv: the caller's cookie
 * @result: 0 on GOOD status; else a negative errno (transport failure,
 *	timeout, session gone) or a positive SCSI status byte
 * @resid: bytes not transferred
 * @sense: sense data when @result is CHECK CONDITION, else NULL
 * @sense_len: bytes of @sense
 *
 * Called once per submitted command, possibly in softirq context.
 */
typedef void (*rfl_lu_done_t)(void *priv, int result, u32 resid,
			      const u8 *sense, u32 sense_len);

struct rfl_lu *rfl_lu_get(struct net *net, const struct rfl_lu_addr *addr,
			  struct rfl_lu_info *info, char *why, size_t why_len);
struct rfl_lu *rfl_lu_lookup(struct net *net, const struct rfl_lu_addr *addr);
void rfl_lu_put(struct rfl_lu *lu);
const struct rfl_lu_info *rfl_lu_info(const struct rfl_lu *lu);
int rfl_lu_submit(struct rfl_lu *lu, const u8 *cdb, unsigned int cdb_len,
		  enum dma_data_direction dir, struct scatterlist *sgl,
		  u32 offset, u32 length, unsigned int timeout_ms,
		  rfl_lu_done_t done, void *priv);
/* As rfl_lu_submit(), from process context, sleeping for a request. */
int rfl_lu_submit_wait(struct rfl_lu *lu, const u8 *cdb, unsigned int cdb_len,
		       enum dma_data_direction dir, struct scatterlist *sgl,
		       u32 offset, u32 length, unsigned int timeout_ms,
		       rfl_lu_done_t done, void *priv);

/**
 * typedef rfl_exec_done_t - completion of rfl_exec_start()
 * @priv: the caller's cookie
 * @err: 0 when every piece succeeded; else negative errno of the first
 *	failure (-EPROTO: the script was invalid, -ENODEV: an LU could not
 *	be opened or its VPD 0x83 identifier differs, -EIO: a piece failed)
 *
 * Called exactly once, possibly in softirq context.
 */
typedef void (*rfl_exec_done_t)(void *priv, int err);

int rfl_exec_start(struct net *net, const struct rfl_script *s,
		   struct scatterlist *sgl, u32 length, bool write,
		   rfl_exec_done_t done, void *priv);

#endif /* RFL_INITIATOR_H */
