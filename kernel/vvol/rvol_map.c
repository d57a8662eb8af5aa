// SPDX-License-Identifier: GPL-2.0
/*
 * Extent maps of virtual volumes: loading a map written to configfs
 * (parse, open every backing LU, check capacities and block sizes,
 * publish under RCU with a new generation), and translating a command's
 * block range into a script (struct rfl_script) against a map.
 *
 * A map is immutable once published. Readers take it with rcu_read_lock()
 * and kref_get_unless_zero(); the last kref_put() frees it after an RCU
 * grace period, in rvol_wq because closing backing LUs sleeps.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>

#include "rvol.h"

static void rvol_map_free(struct rvol_map *map)
{
	u32 i;

	for (i = 0; map->lus && i < map->m.ntargets; i++)
		if (map->lus[i])
			rfl_lu_put(map->lus[i]);
	kfree(map->lus);
	kfree(map->info);
	kfree(map->stgt);
	kvfree(map->text);
	rfl_map_free(&map->m);
	if (map->net)
		put_net(map->net);
	kfree(map);
}

static void rvol_map_free_work(struct work_struct *work)
{
	rvol_map_free(container_of(work, struct rvol_map, free_work));
}

static void rvol_map_free_rcu(struct rcu_head *rcu)
{
	struct rvol_map *map = container_of(rcu, struct rvol_map, rcu);

	queue_work(rvol_wq, &map->free_work);
}

static void rvol_map_release(struct kref *kref)
{
	struct rvol_map *map = container_of(kref, struct rvol_map, kref);

	call_rcu(&map->rcu, rvol_map_free_rcu);
}

/**
 * rvol_map_get() - a reference to a volume's current map
 * @vol: the volume
 *
 * Any context.
 *
 * Return: the map, or NULL when none is loaded.
 */
struct rvol_map *rvol_map_get(struct rvol_vol *vol)
{
	struct rvol_map *map;

	rcu_read_lock();
	map = rcu_dereference(vol->map);
	if (map && !kref_get_unless_zero(&map->kref))
		map = NULL;
	rcu_read_unlock();
	return map;
}

/**
 * rvol_map_put() - drop a reference from rvol_map_get()
 * @map: the map, or NULL
 *
 * Any context: the map is freed later, in process context.
 */
void rvol_map_put(struct rvol_map *map)
{
	if (map)
		kref_put(&map->kref, rvol_map_release);
}

static void rvol_portal_addr(const struct rfl_map_portal *p,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (p->family == 6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p->port);
		memcpy(&sin6->sin6_addr, p->addr, sizeof(sin6->sin6_addr));
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(p->port);
		memcpy(&sin->sin_addr, p->addr, sizeof(sin->sin_addr));
	}
}

static void rvol_script_target(struct rvol_map *map, u32 i)
{
	const struct rfl_map_target *mt = &map->m.targets[i];
	struct rfl_script_target *t = &map->stgt[i];
	struct scsi_lun sl;
	u32 k;

	t->name = mt->iqn;
	t->name_len = strnlen(mt->iqn, RFL_SCRIPT_NAME_MAX);
	t->nportals = min_t(u32, mt->nportals, RFL_SCRIPT_MAX_PORTALS);
	for (k = 0; k < t->nportals; k++) {
		t->portals[k].family = mt->portals[k].family;
		t->portals[k].port = mt->portals[k].port;
		memcpy(t->portals[k].addr, mt->portals[k].addr,
		       sizeof(t->portals[k].addr));
	}
	/* The tag the backing target sent at login; 0 if it sent none. */
	t->tpgt = map->info[i].tpgt >= 0 ? map->info[i].tpgt : 0;
	int_to_scsilun(mt->lun, &sl);
	t->lun = get_unaligned_be64(sl.scsi_lun);
	t->id = map->info[i].id_len ? map->info[i].id : NULL;
	t->id_len = map->info[i].id_len;
}

/*
 * Two different LUs of a map that report the same VPD 0x83 designator
 * (LIO LUs without a unit serial all report "LIO-ORG") cannot be told
 * apart by a host's check, so a script could reach the wrong one
 * unnoticed. Legal (the administrator may know better), but said once
 * per load.
 */
static void rvol_map_warn_same_id(struct rvol_vol *vol, struct rvol_map *map)
{
	u32 i, j;

	for (i = 0; i < map->m.ntargets; i++) {
		const struct rfl_lu_info *a = &map->info[i];

		for (j = i + 1; a->id_len && j < map->m.ntargets; j++) {
			const struct rfl_lu_info *b = &map->info[j];

			if (map->lus[i] == map->lus[j] ||
			    a->id_len != b->id_len ||
			    memcmp(a->id, b->id, a->id_len))
				continue;
			pr_warn("volume %s: targets %s and %s report the same VPD 0x83 designator: hosts cannot tell them apart (give each LU its own unit serial)\n",
				vol->name, map->m.targets[i].label,
				map->m.targets[j].label);
			return;
		}
	}
}

/* The canonical text of a parsed map, for reading it back. */
static int rvol_map_text(struct rvol_map *map)
{
	const struct rfl_map *m = &map->m;
	size_t est = 4096 + (size_t)m->ntargets * 1024 +
		     (size_t)m->nextents * 96 + (size_t)m->nstripes * 64;
	int ret, tries;

	for (tries = 0; tries < 2; tries++) {
		if (est > RVOL_MAP_MAX * 2)
			return -E2BIG;
		map->text = kvmalloc(est, GFP_KERNEL);
		if (!map->text)
			return -ENOMEM;
		ret = rfl_map_format(m, map->text, est);
		if (ret >= 0 && ret < est) {
			map->text_len = ret;
			return 0;
		}
		kvfree(map->text);
		map->text = NULL;
		if (ret < 0 && ret != -ENOSPC && ret != -E2BIG &&
		    ret != -EOVERFLOW)
			return ret;
		est = ret > 0 ? (size_t)ret + 1 : est * 4;
	}
	return -E2BIG;
}

/**
 * rvol_map_load() - replace a volume's map with the text written to it
 * @vol: the volume
 * @text: the map (Documentation/vvol.rst), not NUL-terminated
 * @len: its bytes
 *
 * Process context; sleeps while the backing LUs are opened. Backing
 * sessions belong to the network namespace of the calling process. On
 * failure the old map stays, and vol->last_error says why.
 *
 * Return: 0 or a negative errno.
 */
int rvol_map_load(struct rvol_vol *vol, const char *text, u32 len)
{
	char why[128] = "", msg[RVOL_ERR_MAX];
	struct rfl_map_err merr = { 0, NULL };
	struct rvol_map *map, *old;
	u64 *caps = NULL;
	u32 i, line = 0;
	bool parsed = false;
	int ret;

	msg[0] = 0;
	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	kref_init(&map->kref);
	INIT_WORK(&map->free_work, rvol_map_free_work);

	mutex_lock(&vol->mutex);
	if (!current->nsproxy) {
		ret = -ESRCH;
		snprintf(msg, sizeof(msg), "the writer has no network namespace");
		goto fail;
	}
	map->net = get_net(current->nsproxy->net_ns);
	map->block_size = vol->block_size;
	ret = rfl_map_parse(text, len, &map->m, &merr);
	if (ret) {
		line = merr.line;
		snprintf(msg, sizeof(msg), "%s", merr.why ?: "syntax error");
		ret = ret < 0 ? ret : -EINVAL;
		goto fail;
	}
	parsed = true;
	ret = -ENOMEM;
	map->lus = kcalloc(map->m.ntargets, sizeof(*map->lus), GFP_KERNEL);
	map->info = kcalloc(map->m.ntargets, sizeof(*map->info), GFP_KERNEL);
	map->stgt = kcalloc(map->m.ntargets, sizeof(*map->stgt), GFP_KERNEL);
	caps = kcalloc(map->m.ntargets, sizeof(*caps), GFP_KERNEL);
	if (!map->lus || !map->info || !map->stgt || !caps) {
		snprintf(msg, sizeof(msg), "out of memory");
		goto fail;
	}
	for (i = 0; i < map->m.ntargets; i++) {
		const struct rfl_map_target *mt = &map->m.targets[i];
		struct rfl_lu_addr addr = {
			.iqn = mt->iqn,
			.nportals = min_t(u32, mt->nportals, RFL_LU_MAX_PORTALS),
			.lun = mt->lun,
		};
		struct rfl_lu *lu;
		u32 k;

		for (k = 0; k < addr.nportals; k++)
			rvol_portal_addr(&mt->portals[k], &addr.portals[k]);
		why[0] = 0;
		lu = rfl_lu_get(map->net, &addr, &map->info[i], why,
				sizeof(why));
		if (IS_ERR_OR_NULL(lu)) {
			ret = lu ? PTR_ERR(lu) : -EHOSTUNREACH;
			line = mt->line;
			snprintf(msg, sizeof(msg), "target %s: %s", mt->label,
				 why[0] ? why : "cannot be reached");
			goto fail;
		}
		map->lus[i] = lu;
		if (map->info[i].block_size != vol->block_size) {
			ret = -EINVAL;
			line = mt->line;
			snprintf(msg, sizeof(msg),
				 "target %s: block size %u differs from the volume's %u",
				 mt->label, map->info[i].block_size,
				 vol->block_size);
			goto fail;
		}
		caps[i] = map->info[i].capacity;
		rvol_script_target(map, i);
	}
	rvol_map_warn_same_id(vol, map);
	ret = rfl_map_check_capacity(&map->m, caps, &merr);
	if (ret) {
		line = merr.line;
		snprintf(msg, sizeof(msg), "%s",
			 merr.why ?: "extent beyond the capacity of its LU");
		ret = ret < 0 ? ret : -ERANGE;
		goto fail;
	}
	old = rcu_dereference_protected(vol->map, lockdep_is_held(&vol->mutex));
	if (old && vol->nr_configured && map->m.size < old->m.size) {
		ret = -EBUSY;
		snprintf(msg, sizeof(msg),
			 "the volume is exported: %llu blocks would shrink it below %llu",
			 map->m.size, old->m.size);
		goto fail;
	}
	ret = rvol_map_text(map);
	if (ret) {
		snprintf(msg, sizeof(msg), "cannot format the map (%d)", ret);
		goto fail;
	}
	map->gen = ++vol->gen;
	rcu_assign_pointer(vol->map, map);
	vol->last_error[0] = 0;
	mutex_unlock(&vol->mutex);
	kfree(caps);
	pr_info("volume %s: map generation %u: %u targets, %u extents, %llu blocks\n",
		vol->name, map->gen, map->m.ntargets, map->m.nextents,
		map->m.size);
	rvol_map_put(old);
	return 0;

fail:
	if (line)
		snprintf(vol->last_error, sizeof(vol->last_error),
			 "line %u: %s", line, msg);
	else
		snprintf(vol->last_error, sizeof(vol->last_error), "%s", msg);
	mutex_unlock(&vol->mutex);
	pr_warn_ratelimited("volume %s: map refused, the old one stays: %s\n",
			    vol->name, vol->last_error);
	kfree(caps);
	if (!parsed)
		memset(&map->m, 0, sizeof(map->m));
	rvol_map_free(map);
	return ret;
}

/**
 * rvol_req_build() - translate a READ or WRITE into a script
 * @map: the map, held by the caller (the request takes it over)
 * @cmd: the command
 * @lba: first virtual block
 * @blocks: number of blocks, > 0
 * @write: direction
 * @gfp: allocation flags
 *
 * The script names only the backing LUs the command touches; each piece
 * is a READ/WRITE(10) or (16) CDB without DPO and FUA (the volume does
 * not advertise FUA; hosts flush with SYNCHRONIZE CACHE).
 *
 * Return: the request, or an ERR_PTR: -ENOMEM, -E2BIG (more pieces than
 * a script may carry), -ERANGE (beyond the map).
 */
struct rvol_req *rvol_req_build(struct rvol_map *map, struct se_cmd *cmd,
				u64 lba, u32 blocks, bool write, gfp_t gfp)
{
	u32 max = min_t(u32, blocks, RFL_SCRIPT_MAX_PIECES);
	u16 remap[RFL_MAP_MAX_TARGETS];
	struct rfl_map_piece *mp;
	struct rvol_req *req;
	u32 bs = map->block_size, used = 0;
	int n, k;

	mp = kmalloc_array(max, sizeof(*mp), gfp);
	if (!mp)
		return ERR_PTR(-ENOMEM);
	n = rfl_map_translate(&map->m, lba, blocks, mp, max);
	if (n <= 0) {
		kfree(mp);
		if (n == -ENOSPC || n == -E2BIG || n == -EOVERFLOW)
			return ERR_PTR(-E2BIG);
		return ERR_PTR(n ? n : -ERANGE);
	}
	memset(remap, 0xff, sizeof(remap));
	for (k = 0; k < n; k++) {
		if (mp[k].target >= map->m.ntargets) {
			kfree(mp);
			return ERR_PTR(-ERANGE);
		}
		if (remap[mp[k].target] == 0xffff)
			remap[mp[k].target] = used++;
	}
	req = kzalloc(sizeof(*req), gfp);
	if (req) {
		req->tgts = kcalloc(used, sizeof(*req->tgts), gfp);
		req->pieces = kcalloc(n, sizeof(*req->pieces), gfp);
	}
	if (!req || !req->tgts || !req->pieces) {
		kfree(mp);
		rvol_req_free(req);
		return ERR_PTR(-ENOMEM);
	}
	for (k = 0; k < map->m.ntargets; k++)
		if (remap[k] != 0xffff)
			req->tgts[remap[k]] = map->stgt[k];
	for (k = 0; k < n; k++) {
		struct rfl_script_piece *p = &req->pieces[k];
		/* No DPO or FUA: backing disks need not take them. */
		int len = rfl_cdb_rw_build(p->cdb, write, mp[k].plba,
					   mp[k].blocks, 0);

		if (len <= 0 || len > RFL_SCRIPT_CDB_MAX) {
			kfree(mp);
			rvol_req_free(req);
			return ERR_PTR(-EINVAL);
		}
		p->target = remap[mp[k].target];
		p->cdb_len = len;
		p->flags = write ? RFL_PIECE_WRITE : RFL_PIECE_READ;
		p->offset = mp[k].vblock_off * bs;
		p->length = mp[k].blocks * bs;
	}
	kfree(mp);
	req->cmd = cmd;
	req->map = map;
	req->length = blocks * bs;
	req->s.version = RFL_SCRIPT_VERSION;
	req->s.generation = map->gen;
	req->s.total_len = req->length;
	req->s.ntargets = used;
	req->s.npieces = n;
	req->s.targets = req->tgts;
	req->s.pieces = req->pieces;
	return req;
}

/**
 * rvol_req_free() - free a request (not its map reference)
 * @req: the request, or NULL
 */
void rvol_req_free(struct rvol_req *req)
{
	if (!req)
		return;
	kfree(req->tgts);
	kfree(req->pieces);
	kfree(req);
}

/**
 * rvol_lu_submit() - send one command the manager itself runs to a backing LU
 * @lu: the LU, held by the caller's map
 * @cdb: the CDB
 * @cdb_len: its length
 * @dir: DMA_TO_DEVICE or DMA_NONE
 * @sgl: the data, or NULL
 * @length: bytes of @sgl from its start (0 with DMA_NONE)
 * @done: completion, as rfl_lu_submit()
 * @priv: its cookie
 *
 * LIO executes commands from process context, where this may sleep for a
 * request; anywhere else it does not (rfl_lu_submit() fails with -EAGAIN
 * when none is free). Timeout: RVOL_TIMEOUT_MS.
 *
 * Return: 0 when submitted (@done will be called), else a negative errno.
 */
int rvol_lu_submit(struct rfl_lu *lu, const u8 *cdb, unsigned int cdb_len,
		   enum dma_data_direction dir, struct scatterlist *sgl,
		   u32 length, rfl_lu_done_t done, void *priv)
{
	if (in_task())
		return rfl_lu_submit_wait(lu, cdb, cdb_len, dir, sgl, 0, length,
					  RVOL_TIMEOUT_MS, done, priv);
	return rfl_lu_submit(lu, cdb, cdb_len, dir, sgl, 0, length,
			     RVOL_TIMEOUT_MS, done, priv);
}
