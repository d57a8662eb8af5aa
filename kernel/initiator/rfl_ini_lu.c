// SPDX-License-Identifier: GPL-2.0
/*
 * The LU pool (kernel/include/rfl_initiator.h): backing LUs reached by
 * (target name, portals, LUN) over pooled sessions, and rfl_lu_submit().
 *
 * A pool session is an ordinary session of this initiator (login, digests,
 * CHAP, NOP-Out pings, recovery with replacement_timeout, EH) whose target
 * object is internal (tgt->pooled): it is not in configfs, it copies the
 * values of the configfs object with the same target_iqn when there is
 * one, and its Scsi_Host is not scanned. Each LU opened is added with
 * __scsi_add_device(); slave_alloc marks it no_uld_attach, so it gets no
 * sd disk (sg, a class interface, still sees it).
 *
 * Pool sessions are keyed by (network namespace, target name); LUs by
 * LUN within their session. Opens of one target are serialised by its
 * session's open_mutex; opens of different targets run in parallel, so a
 * target that does not answer delays only the commands that need it. An
 * LU whose last user is gone stays cached for pool_idle seconds (a
 * reflecting host looks its LUs up for every command), then the reaper
 * removes it; a session without LUs is logged out. Module unload removes
 * everything.
 *
 * rfl_lu_submit() is a SCSI passthrough request on the LU's request
 * queue (scsi_alloc_request(), a bio over the caller's pages built with
 * bio_add_pc_page(), blk_execute_rq_nowait()), so the midlayer's timeout,
 * error handling, and the session's recovery apply to pieces exactly as
 * to any command, and Data-In lands in the caller's pages.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blk-mq.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_proto.h>

#include "rfl_ini.h"

static unsigned int pool_idle = 30;
module_param(pool_idle, uint, 0644);
MODULE_PARM_DESC(pool_idle, "seconds an unused pooled LU (and then its session) stays open; default 30");

#define RFL_LU_POOL_RTMO	15	/* replacement_timeout without config */
#define RFL_LU_DEFAULT_TMO	30000	/* ms, when the caller gives 0 */
#define RFL_LU_VPD_LEN		1024

struct rfl_pool_sess {
	struct list_head node;		/* on rfl_pool */
	struct list_head reap_node;	/* on the reaper's list while it works */
	struct net *net;		/* the session holds a reference */
	char iqn[RFL_NAME_MAX + 1];
	/*
	 * open_mutex: serialises this target's login, the adding and probing
	 * of its LUs, and the reaper's removal of them, so an open never
	 * meets a device half removed. Taken without rfl_pool_mutex held.
	 */
	struct mutex open_mutex;
	/* internal, tgt->sess is the session; NULL until logged in */
	struct rfl_ini_tgt *tgt;
	struct list_head lus;		/* struct rfl_lu */
	unsigned long idle_since;	/* jiffies the last LU went */
	int opens;			/* opens and the reaper using it */
};

struct rfl_lu {
	struct list_head node;		/* on its session's lus */
	struct rfl_pool_sess *ps;
	u64 lun;
	struct scsi_device *sdev;	/* we hold a device reference */
	struct rfl_lu_info info;
	int users;			/* under rfl_pool_lock */
	bool gone;			/* being removed: not found any more */
	unsigned long idle_since;	/* jiffies users went to 0 */
};

/*
 * rfl_pool_mutex: held briefly, never across a login or a probe. Guards
 * each session's opens and the membership of rfl_pool together with
 * rfl_pool_lock (writers hold both): a session is created, pinned by an
 * open, and unlinked under it, so the reaper never closes a session an
 * open is using. A session's lus list is written under its open_mutex
 * and rfl_pool_lock.
 */
static DEFINE_MUTEX(rfl_pool_mutex);
/*
 * rfl_pool_lock: the lists for lookups in any context, each LU's users,
 * gone and idle_since, and each session's idle_since.
 */
static DEFINE_SPINLOCK(rfl_pool_lock);
static LIST_HEAD(rfl_pool);
static struct delayed_work rfl_pool_reaper;

/*
 * Failed session opens. A portal that does not answer costs up to 15 s
 * per connect, opens of one target are serialised, and while a disk is
 * cut off every reflected command touching it would otherwise wait for a
 * connect of its own. So a failure is shared:
 *  - with the opens of the same target that were already waiting for
 *    its open_mutex when it failed (they return its error and reason);
 *  - with every open of that target for as long as the failed attempt
 *    took (at most RFL_POOL_HOLD_MAX), without waiting for the mutex: a
 *    target is not tried more often than its failures cost. A refused
 *    connection fails at once and holds nothing off, so a target that is
 *    back is found by the next open.
 * A successful open forgets the target's failure. rfl_pool_fail_seq
 * counts failures; each open reads it as it starts.
 */
#define RFL_POOL_FAILS		16
#define RFL_POOL_WHY		160
#define RFL_POOL_HOLD_MAX	(30 * HZ)

struct rfl_pool_fail {
	u64 seq;			/* 0: unused */
	u64 net_cookie;
	unsigned long until;		/* jiffies: held off until then */
	int err;
	char iqn[RFL_NAME_MAX + 1];
	char why[RFL_POOL_WHY];
};

/* rfl_pool_fail_lock: the table; taken alone, or inside open_mutex. */
static DEFINE_SPINLOCK(rfl_pool_fail_lock);
static struct rfl_pool_fail rfl_pool_fails[RFL_POOL_FAILS];
static atomic64_t rfl_pool_fail_seq;

static bool rfl_pool_fail_match(const struct rfl_pool_fail *f,
				struct net *net, const char *iqn)
{
	return f->seq && f->net_cookie == net->net_cookie &&
	       !strcmp(f->iqn, iqn);
}

/*
 * A failure of @iqn to return instead of trying: one that ended after
 * @since (the open was waiting for it), or one still holding the target
 * off. Return: its error, or 0.
 */
static int rfl_pool_fail_shared(struct net *net, const char *iqn, u64 since,
				char *why, size_t why_len)
{
	struct rfl_pool_fail *f;
	unsigned int i;
	int err = 0;

	spin_lock(&rfl_pool_fail_lock);
	for (i = 0; i < RFL_POOL_FAILS; i++) {
		f = &rfl_pool_fails[i];
		if (!rfl_pool_fail_match(f, net, iqn))
			continue;
		if (f->seq > since)
			snprintf(why, why_len, "%s", f->why);
		else if (time_before(jiffies, f->until))
			snprintf(why, why_len, "%s (not tried again for %u s)",
				 f->why,
				 jiffies_to_msecs(f->until - jiffies) / 1000 + 1);
		else
			break;
		err = f->err;
		break;
	}
	spin_unlock(&rfl_pool_fail_lock);
	return err;
}

/*
 * Remember a failed open of @iqn that took @took jiffies, in place of its
 * last failure or the oldest one; @err 0 forgets it (the open worked).
 */
static void rfl_pool_fail_note(struct net *net, const char *iqn, int err,
			       const char *why, unsigned long took)
{
	struct rfl_pool_fail *f, *slot = &rfl_pool_fails[0];
	unsigned int i;

	spin_lock(&rfl_pool_fail_lock);
	for (i = 0; i < RFL_POOL_FAILS; i++) {
		f = &rfl_pool_fails[i];
		if (rfl_pool_fail_match(f, net, iqn)) {
			slot = f;
			break;
		}
		if (f->seq < slot->seq)
			slot = f;
	}
	if (!err) {
		if (rfl_pool_fail_match(slot, net, iqn))
			slot->seq = 0;
		spin_unlock(&rfl_pool_fail_lock);
		return;
	}
	slot->net_cookie = net->net_cookie;
	slot->err = err;
	slot->until = jiffies + min_t(unsigned long, took, RFL_POOL_HOLD_MAX);
	strscpy(slot->iqn, iqn, sizeof(slot->iqn));
	strscpy(slot->why, why, sizeof(slot->why));
	slot->seq = atomic64_inc_return(&rfl_pool_fail_seq);
	spin_unlock(&rfl_pool_fail_lock);
}

static void rfl_pool_type_release(struct config_item *item)
{
	kfree(container_of(to_config_group(item), struct rfl_ini_tgt, group));
}

static struct configfs_item_operations rfl_pool_item_ops = {
	.release = rfl_pool_type_release,
};

/* Never registered: it only gives the internal objects a name. */
static const struct config_item_type rfl_pool_tgt_type = {
	.ct_item_ops = &rfl_pool_item_ops,
};

static struct rfl_pool_sess *rfl_pool_find(struct net *net, const char *iqn)
{
	struct rfl_pool_sess *ps;

	list_for_each_entry(ps, &rfl_pool, node)
		if (net_eq(ps->net, net) && !strcmp(ps->iqn, iqn))
			return ps;
	return NULL;
}

static struct rfl_lu *rfl_pool_find_lu(struct rfl_pool_sess *ps, u64 lun)
{
	struct rfl_lu *lu;

	list_for_each_entry(lu, &ps->lus, node)
		if (lu->lun == lun && !lu->gone)
			return lu;
	return NULL;
}

/**
 * rfl_lu_lookup() - an LU that is already open, without blocking
 * @net: network namespace of the session
 * @addr: the LU; its portals are not compared
 *
 * Context: any.
 * Return: a referenced LU (drop with rfl_lu_put()), or NULL when it is
 * not open (then rfl_lu_get() opens it, sleeping).
 */
struct rfl_lu *rfl_lu_lookup(struct net *net, const struct rfl_lu_addr *addr)
{
	struct rfl_pool_sess *ps;
	struct rfl_lu *lu = NULL;
	unsigned long flags;

	if (!addr || !addr->iqn)
		return NULL;
	spin_lock_irqsave(&rfl_pool_lock, flags);
	ps = rfl_pool_find(net, addr->iqn);
	if (ps)
		lu = rfl_pool_find_lu(ps, addr->lun);
	if (lu)
		lu->users++;
	spin_unlock_irqrestore(&rfl_pool_lock, flags);
	return lu;
}
EXPORT_SYMBOL_GPL(rfl_lu_lookup);

/**
 * rfl_lu_put() - drop a reference from rfl_lu_get() or rfl_lu_lookup()
 * @lu: the LU, or NULL
 *
 * An LU without users stays open for pool_idle seconds.
 *
 * Context: any.
 */
void rfl_lu_put(struct rfl_lu *lu)
{
	unsigned long flags;
	bool idle;

	if (!lu)
		return;
	spin_lock_irqsave(&rfl_pool_lock, flags);
	idle = !--lu->users;
	if (idle)
		lu->idle_since = jiffies;
	spin_unlock_irqrestore(&rfl_pool_lock, flags);
	if (idle)
		mod_delayed_work(system_wq, &rfl_pool_reaper,
				 (unsigned long)pool_idle * HZ + HZ);
}
EXPORT_SYMBOL_GPL(rfl_lu_put);

/**
 * rfl_lu_info() - what an opened LU reported about itself
 * @lu: a referenced LU
 *
 * Return: its capacity, block size, VPD 0x83 designator and the portal
 * group tag its target sent at login.
 */
const struct rfl_lu_info *rfl_lu_info(const struct rfl_lu *lu)
{
	return &lu->info;
}
EXPORT_SYMBOL_GPL(rfl_lu_info);

/* Log a pool session out (if it logged in) and free it; it has no LUs. */
static void rfl_pool_sess_close(struct rfl_pool_sess *ps)
{
	struct rfl_ini_tgt *tgt = ps->tgt;

	if (tgt) {
		mutex_lock(&tgt->mutex);
		rfl_ini_disable(tgt);
		mutex_unlock(&tgt->mutex);
		config_item_put(&tgt->group.cg_item);
	}
	mutex_destroy(&ps->open_mutex);
	kfree(ps);
}

static void rfl_lu_remove(struct rfl_lu *lu)
{
	scsi_remove_device(lu->sdev);
	put_device(&lu->sdev->sdev_gendev);
	kfree(lu);
}

/*
 * The pool session of (@net, @iqn), created (not logged in) if there is
 * none, pinned for an open until rfl_pool_sess_unpin().
 */
static struct rfl_pool_sess *rfl_pool_sess_pin(struct net *net,
					       const char *iqn)
{
	struct rfl_pool_sess *ps;

	mutex_lock(&rfl_pool_mutex);
	ps = rfl_pool_find(net, iqn);
	if (!ps) {
		ps = kzalloc(sizeof(*ps), GFP_KERNEL);
		if (!ps) {
			mutex_unlock(&rfl_pool_mutex);
			return NULL;
		}
		INIT_LIST_HEAD(&ps->lus);
		mutex_init(&ps->open_mutex);
		strscpy(ps->iqn, iqn, sizeof(ps->iqn));
		ps->net = net;
		spin_lock_irq(&rfl_pool_lock);
		list_add_tail(&ps->node, &rfl_pool);
		spin_unlock_irq(&rfl_pool_lock);
	}
	ps->opens++;
	mutex_unlock(&rfl_pool_mutex);
	return ps;
}

/*
 * Drop an open's pin. The last one frees a session that never logged in
 * (nobody else can reach it then) and starts the idle time of one that
 * has no LU.
 */
static void rfl_pool_sess_unpin(struct rfl_pool_sess *ps)
{
	bool idle = false, unused = false;

	mutex_lock(&rfl_pool_mutex);
	if (!--ps->opens) {
		spin_lock_irq(&rfl_pool_lock);
		if (!ps->tgt) {
			list_del(&ps->node);
			unused = true;
		} else if (list_empty(&ps->lus)) {
			ps->idle_since = jiffies;
			idle = true;
		}
		spin_unlock_irq(&rfl_pool_lock);
	}
	mutex_unlock(&rfl_pool_mutex);
	if (unused)
		rfl_pool_sess_close(ps);
	if (idle)
		mod_delayed_work(system_wq, &rfl_pool_reaper,
				 (unsigned long)pool_idle * HZ + HZ);
}

/*
 * Log a pinned pool session in, trying the portals in order; with its
 * open_mutex held. Return: 0 (ps->tgt is set), or an error with @why.
 */
static int rfl_pool_sess_login(struct rfl_pool_sess *ps, struct net *net,
			       const struct rfl_lu_addr *addr, char *why,
			       size_t why_len)
{
	struct rfl_ini_tgt *tgt;
	unsigned int i;
	int ret = -EINVAL;

	if (!addr->nportals || addr->nportals > RFL_LU_MAX_PORTALS) {
		snprintf(why, why_len, "%s: no portal", addr->iqn);
		return -EINVAL;
	}
	tgt = kzalloc(sizeof(*tgt), GFP_KERNEL);
	if (!tgt) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	rfl_ini_cfg_defaults(tgt);
	tgt->cfg.replacement_timeout = RFL_LU_POOL_RTMO;
	rfl_ini_cfg_find(addr->iqn, &tgt->cfg);
	strscpy(tgt->cfg.target_iqn, addr->iqn, sizeof(tgt->cfg.target_iqn));
	tgt->cfg.reflection = false;	/* disks, not managers */
	tgt->pooled = true;
	/*
	 * Random ISID, type "random" (RFC 7143 10.12.5): pooled sessions of
	 * two namespaces (a manager and a host in one kernel) reach the
	 * same disk with the same initiator name, and must not reinstate
	 * each other.
	 */
	get_random_bytes(tgt->isid, sizeof(tgt->isid));
	tgt->isid[0] = 0x80 | (tgt->isid[0] & 0x3f);
	config_group_init_type_name(&tgt->group, "pool", &rfl_pool_tgt_type);
	mutex_lock(&tgt->mutex);
	for (i = 0; i < addr->nportals; i++) {
		tgt->cfg.portal = addr->portals[i];
		ret = rfl_ini_enable_net(tgt, net);
		if (!ret)
			break;
	}
	mutex_unlock(&tgt->mutex);
	if (ret) {
		spin_lock(&tgt->err_lock);
		snprintf(why, why_len, "%s", tgt->last_error);
		spin_unlock(&tgt->err_lock);
		config_item_put(&tgt->group.cg_item);
		return -ENODEV;
	}
	ps->tgt = tgt;
	return 0;
}

/*
 * A probe command, repeated while the LU answers CHECK CONDITION: a new
 * session's first commands meet UNIT ATTENTIONs (power on, REPORTED LUNS
 * DATA HAS CHANGED) that passthrough requests do not retry, and each is
 * reported once.
 */
static int rfl_lu_probe_exec(struct rfl_lu *lu, const u8 *cdb, void *buf,
			     u32 len)
{
	int ret, i;

	for (i = 0; i < 4; i++) {
		ret = rfl_scsi_exec(lu->sdev, cdb, DMA_FROM_DEVICE, buf, len,
				    NULL, 30 * HZ, 3);
		if (ret != SAM_STAT_CHECK_CONDITION)
			break;
	}
	return ret;
}

/* READ CAPACITY(16) and VPD 0x83 of a new LU. */
static int rfl_lu_probe(struct rfl_lu *lu, char *why, size_t why_len)
{
	u8 cdb[16] = { SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16 };
	u8 *buf;
	int ret;

	buf = kzalloc(RFL_LU_VPD_LEN, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	put_unaligned_be32(32, cdb + 10);
	ret = rfl_lu_probe_exec(lu, cdb, buf, 32);
	if (ret) {
		snprintf(why, why_len, "%s LUN %llu: READ CAPACITY(16) failed: 0x%x",
			 lu->ps->iqn, lu->lun, ret);
		ret = -ENODEV;
		goto out;
	}
	lu->info.capacity = get_unaligned_be64(buf) + 1;
	lu->info.block_size = get_unaligned_be32(buf + 8);
	if (!lu->info.block_size) {
		snprintf(why, why_len, "%s LUN %llu: block size 0",
			 lu->ps->iqn, lu->lun);
		ret = -ENODEV;
		goto out;
	}
	memset(buf, 0, RFL_LU_VPD_LEN);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = INQUIRY;
	cdb[1] = 1;		/* EVPD */
	cdb[2] = 0x83;
	put_unaligned_be16(RFL_LU_VPD_LEN, cdb + 3);
	ret = rfl_lu_probe_exec(lu, cdb, buf, RFL_LU_VPD_LEN);
	if (!ret && buf[1] == 0x83) {
		u32 off, n = rfl_vpd83_pick(buf, RFL_LU_VPD_LEN,
					    RFL_LU_ID_MAX, &off);

		memcpy(lu->info.id, buf + off, n);
		lu->info.id_len = n;
	} else {
		pr_warn_ratelimited("%s LUN %llu: no VPD page 0x83 (0x%x)\n",
				    lu->ps->iqn, lu->lun, ret);
	}
	ret = 0;
out:
	kfree(buf);
	return ret;
}

/*
 * Add LUN @lun to a logged-in pool session and probe it; with its
 * open_mutex held. Return: the LU with one user, or an ERR_PTR with @why.
 */
static struct rfl_lu *rfl_lu_add(struct rfl_pool_sess *ps, u64 lun,
				 char *why, size_t why_len)
{
	struct scsi_device *sdev;
	struct rfl_lu *lu;
	int ret;

	lu = kzalloc(sizeof(*lu), GFP_KERNEL);
	if (!lu) {
		snprintf(why, why_len, "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	lu->ps = ps;
	lu->lun = lun;
	lu->users = 1;
	sdev = __scsi_add_device(ps->tgt->sess->shost, 0, 0, lun, NULL);
	if (IS_ERR(sdev)) {
		/* A session past replacement_timeout fails every command. */
		if (READ_ONCE(ps->tgt->state) == RFL_INI_FAILED)
			snprintf(why, why_len, "%s: no session (past replacement_timeout)",
				 ps->iqn);
		else
			snprintf(why, why_len, "%s: LUN %llu absent", ps->iqn,
				 lun);
		kfree(lu);
		return ERR_PTR(-ENODEV);
	}
	/* Keep the device, not the module reference scsi_device_get took. */
	get_device(&sdev->sdev_gendev);
	scsi_device_put(sdev);
	lu->sdev = sdev;
	ret = rfl_lu_probe(lu, why, why_len);
	lu->info.tpgt = READ_ONCE(ps->tgt->sess->tpgt);
	if (ret) {
		rfl_lu_remove(lu);
		return ERR_PTR(ret);
	}
	spin_lock_irq(&rfl_pool_lock);
	list_add_tail(&lu->node, &ps->lus);
	spin_unlock_irq(&rfl_pool_lock);
	return lu;
}

/**
 * rfl_lu_get() - open a backing LU, logging in if needed
 * @net: network namespace for a new session's socket
 * @addr: target name, portals (tried in order) and LUN
 * @info: filled with the LU's capacity, block size and VPD 0x83 id
 * @why: filled with the reason on failure
 * @why_len: size of @why
 *
 * Finds or creates the pooled session for (@net, target name), then the
 * LU: added to the session's SCSI host without an upper-level driver,
 * probed with READ CAPACITY(16) and VPD page 0x83 (designator preferred
 * in the order NAA, EUI-64, SCSI name string, T10 vendor ID, stored with
 * its 4-byte header). Opens of one target are serialised; opens of
 * different targets do not wait for each other. One that was waiting
 * while an open of the same target's session failed returns that failure
 * (its error and reason) without trying again, and so does any open of
 * that target for as long as the failed attempt took (at most 30 s).
 *
 * Context: process context; sleeps (connect and login: up to 15 s per
 * step and portal).
 * Return: a referenced LU (drop with rfl_lu_put()), or an ERR_PTR:
 * -ENODEV (login refused or portal unreachable: @why names the login
 * status class and detail or the connect error; LUN absent; no session),
 * -EINVAL, -ENOMEM.
 */
struct rfl_lu *rfl_lu_get(struct net *net, const struct rfl_lu_addr *addr,
			  struct rfl_lu_info *info, char *why, size_t why_len)
{
	char reason[RFL_POOL_WHY];
	struct rfl_pool_sess *ps;
	unsigned long start;
	struct rfl_lu *lu;
	char dummy[8];
	u64 since;
	int ret;

	if (!why || !why_len) {
		why = dummy;
		why_len = sizeof(dummy);
	}
	*why = '\0';
	if (!addr || !addr->iqn || !*addr->iqn ||
	    strlen(addr->iqn) > RFL_NAME_MAX) {
		snprintf(why, why_len, "no target name");
		return ERR_PTR(-EINVAL);
	}
	since = atomic64_read(&rfl_pool_fail_seq);
	lu = rfl_lu_lookup(net, addr);
	if (lu)
		goto out;
	/* A target held off fails here, without waiting for its opens. */
	ret = rfl_pool_fail_shared(net, addr->iqn, since, why, why_len);
	if (ret)
		return ERR_PTR(ret);
	ps = rfl_pool_sess_pin(net, addr->iqn);
	if (!ps) {
		snprintf(why, why_len, "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	mutex_lock(&ps->open_mutex);
	spin_lock_irq(&rfl_pool_lock);
	lu = rfl_pool_find_lu(ps, addr->lun);
	if (lu)
		lu->users++;
	spin_unlock_irq(&rfl_pool_lock);
	if (lu)
		goto unlock;
	if (!ps->tgt) {
		ret = rfl_pool_fail_shared(net, addr->iqn, since, why,
					   why_len);
		if (ret)
			goto fail;
		reason[0] = '\0';
		start = jiffies;
		ret = rfl_pool_sess_login(ps, net, addr, reason,
					  sizeof(reason));
		rfl_pool_fail_note(net, addr->iqn, ret, reason,
				   jiffies - start);
		if (ret) {
			snprintf(why, why_len, "%s", reason);
			goto fail;
		}
	}
	lu = rfl_lu_add(ps, addr->lun, why, why_len);
	if (IS_ERR(lu)) {
		ret = PTR_ERR(lu);
		goto fail;
	}
unlock:
	mutex_unlock(&ps->open_mutex);
	rfl_pool_sess_unpin(ps);
out:
	if (info)
		*info = lu->info;
	return lu;
fail:
	mutex_unlock(&ps->open_mutex);
	rfl_pool_sess_unpin(ps);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(rfl_lu_get);

/*
 * Remove the LUs of a pool session the reaper pinned: the idle ones, or
 * with @all every one. Return: whether an unused LU must wait longer.
 */
static bool rfl_pool_reap_lus(struct rfl_pool_sess *ps, bool all,
			      unsigned long now)
{
	unsigned long idle = (unsigned long)pool_idle * HZ;
	struct rfl_lu *lu, *lut;
	bool again = false;
	LIST_HEAD(lus);

	mutex_lock(&ps->open_mutex);
	spin_lock_irq(&rfl_pool_lock);
	list_for_each_entry_safe(lu, lut, &ps->lus, node) {
		if (all && lu->users)
			pr_err("unloading with LU %s/%llu in use\n",
			       ps->iqn, lu->lun);
		if (!all && (lu->users ||
			     time_before(now, lu->idle_since + idle))) {
			again |= !lu->users;
			continue;
		}
		lu->gone = true;
		list_move_tail(&lu->node, &lus);
		ps->idle_since = now;
	}
	spin_unlock_irq(&rfl_pool_lock);
	list_for_each_entry_safe(lu, lut, &lus, node) {
		list_del(&lu->node);
		rfl_lu_remove(lu);
	}
	mutex_unlock(&ps->open_mutex);
	return again;
}

/*
 * Remove idle LUs and sessions. @all: everything (unload), whatever its
 * users. A session an open is using waits for the next round. Logins,
 * logouts and device removal happen without rfl_pool_mutex held.
 */
static void rfl_pool_reap(bool all)
{
	unsigned long now = jiffies, idle = (unsigned long)pool_idle * HZ;
	struct rfl_pool_sess *ps, *pst;
	bool again = false;
	LIST_HEAD(pinned);
	LIST_HEAD(sessions);

	mutex_lock(&rfl_pool_mutex);
	list_for_each_entry(ps, &rfl_pool, node) {
		if (ps->opens) {
			again = true;
			continue;
		}
		if (list_empty(&ps->lus))
			continue;
		ps->opens++;
		list_add_tail(&ps->reap_node, &pinned);
	}
	mutex_unlock(&rfl_pool_mutex);

	list_for_each_entry(ps, &pinned, reap_node)
		again |= rfl_pool_reap_lus(ps, all, now);

	mutex_lock(&rfl_pool_mutex);
	list_for_each_entry_safe(ps, pst, &pinned, reap_node) {
		list_del(&ps->reap_node);
		ps->opens--;
	}
	spin_lock_irq(&rfl_pool_lock);
	list_for_each_entry_safe(ps, pst, &rfl_pool, node) {
		if (ps->opens || !list_empty(&ps->lus))
			continue;
		if (!all && time_before(now, ps->idle_since + idle)) {
			again = true;
			continue;
		}
		list_move_tail(&ps->node, &sessions);
	}
	spin_unlock_irq(&rfl_pool_lock);
	mutex_unlock(&rfl_pool_mutex);
	list_for_each_entry_safe(ps, pst, &sessions, node) {
		list_del(&ps->node);
		rfl_pool_sess_close(ps);
	}
	if (again && !all)
		mod_delayed_work(system_wq, &rfl_pool_reaper, HZ * 5);
}

static void rfl_pool_reaper_work(struct work_struct *work)
{
	rfl_pool_reap(false);
}

/* ------------------------------------------------------------ submit */

struct rfl_lu_req {
	rfl_lu_done_t done;
	void *priv;
};

static void rfl_lu_bio_end(struct bio *bio)
{
	bio_uninit(bio);
	kfree(bio);
}

static enum rq_end_io_ret rfl_lu_rq_end(struct request *rq,
					blk_status_t status)
{
	struct scsi_cmnd *scmd = blk_mq_rq_to_pdu(rq);
	struct rfl_lu_req *req = rq->end_io_data;
	int result = scmd->result;
	const u8 *sense = NULL;
	u32 sense_len = 0;

	/*
	 * A status byte means the target answered: report it and its sense.
	 * The midlayer's sense evaluation (scsi_check_sense) may have added a
	 * host byte of its own, e.g. DID_TARGET_FAILURE to ILLEGAL REQUEST;
	 * this driver sets host bytes only on commands without status.
	 */
	if (result & 0xff) {
		result &= 0xff;		/* the SCSI status byte */
		if (result == SAM_STAT_CHECK_CONDITION) {
			sense = scmd->sense_buffer;
			sense_len = SCSI_SENSE_BUFFERSIZE;
		}
	} else if (host_byte(result) != DID_OK || status != BLK_STS_OK) {
		result = -EIO;
	}
	req->done(req->priv, result, scmd->resid_len, sense, sense_len);
	kfree(req);
	return RQ_END_IO_FREE;
}

/* Pages of the buffer range [off, off + len) of @sgl; -EINVAL if short. */
static int rfl_lu_count_pages(struct scatterlist *sgl, u32 off, u32 len)
{
	struct scatterlist *sg;
	int n = 0;

	for (sg = sgl; sg && len; sg = sg_next(sg)) {
		u32 soff, l;

		if (off >= sg->length) {
			off -= sg->length;
			continue;
		}
		soff = sg->offset + off;
		l = min(sg->length - off, len);
		n += DIV_ROUND_UP((soff & ~PAGE_MASK) + l, PAGE_SIZE);
		len -= l;
		off = 0;
	}
	return len ? -EINVAL : n;
}

static int rfl_lu_map(struct request *rq, struct scatterlist *sgl, u32 off,
		      u32 len, gfp_t gfp)
{
	struct request_queue *q = rq->q;
	struct scatterlist *sg;
	struct bio *bio;
	int n = rfl_lu_count_pages(sgl, off, len);

	if (n < 0)
		return n;
	if (n > BIO_MAX_VECS)
		return -EINVAL;
	bio = bio_kmalloc(n, gfp);
	if (!bio)
		return -ENOMEM;
	bio_init(bio, NULL, bio->bi_inline_vecs, n, req_op(rq));
	bio->bi_end_io = rfl_lu_bio_end;
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
			u32 c = min_t(u32, l, PAGE_SIZE - po);

			if (bio_add_pc_page(q, bio, pg, c, po) != c)
				goto fail;
			soff += c;
			l -= c;
		}
	}
	if (blk_rq_append_bio(rq, bio))
		goto fail;
	return 0;
fail:
	rfl_lu_bio_end(bio);
	return -EINVAL;
}

static int __rfl_lu_submit(struct rfl_lu *lu, const u8 *cdb,
			   unsigned int cdb_len, enum dma_data_direction dir,
			   struct scatterlist *sgl, u32 offset, u32 length,
			   unsigned int timeout_ms, rfl_lu_done_t done,
			   void *priv, bool can_block)
{
	gfp_t gfp = can_block ? GFP_NOIO : GFP_ATOMIC | __GFP_NOWARN;
	struct rfl_lu_req *req;
	struct scsi_cmnd *scmd;
	struct request *rq;
	int ret;

	if (!cdb_len || cdb_len > RFL_SCRIPT_CDB_MAX || !done ||
	    dir == DMA_BIDIRECTIONAL || (length && dir == DMA_NONE) ||
	    (!length && dir != DMA_NONE) || (length && !sgl))
		return -EINVAL;
	req = kmalloc(sizeof(*req), gfp);
	if (!req)
		return -ENOMEM;
	req->done = done;
	req->priv = priv;
	rq = scsi_alloc_request(lu->sdev->request_queue,
				dir == DMA_TO_DEVICE ? REQ_OP_DRV_OUT :
						       REQ_OP_DRV_IN,
				can_block ? 0 : BLK_MQ_REQ_NOWAIT);
	if (IS_ERR(rq)) {
		kfree(req);
		ret = PTR_ERR(rq);
		return ret == -EWOULDBLOCK ? -EAGAIN : ret;
	}
	scmd = blk_mq_rq_to_pdu(rq);
	memcpy(scmd->cmnd, cdb, cdb_len);
	scmd->cmd_len = cdb_len;
	scmd->allowed = 3;
	rq->timeout = msecs_to_jiffies(timeout_ms ? timeout_ms :
				       RFL_LU_DEFAULT_TMO);
	if (length) {
		ret = rfl_lu_map(rq, sgl, offset, length, gfp);
		if (ret) {
			blk_mq_free_request(rq);
			kfree(req);
			return ret;
		}
	}
	rq->end_io = rfl_lu_rq_end;
	rq->end_io_data = req;
	blk_execute_rq_nowait(rq, false);
	return 0;
}

/**
 * rfl_lu_submit() - queue one command to an LU, data in the caller's pages
 * @lu: a referenced LU
 * @cdb: the CDB
 * @cdb_len: its length, 1 to 16
 * @dir: DMA_FROM_DEVICE (Data-In into @sgl), DMA_TO_DEVICE, or DMA_NONE
 * @sgl: the caller's buffer
 * @offset: byte offset of the data in @sgl
 * @length: bytes (0 with DMA_NONE)
 * @timeout_ms: command timeout, 0 for 30 s
 * @done: called once when the command ends (possibly in softirq)
 * @priv: its cookie
 *
 * The command is a SCSI passthrough request on the LU's request queue, so
 * the midlayer's timeout and error handling and the pool session's
 * recovery (replacement_timeout) apply. No data is copied. The pages
 * stay the caller's; they must not go before @done is called.
 *
 * Context: any context that may not sleep is fine; does not sleep.
 * Return: 0 (then @done is called exactly once), -EAGAIN when no request
 * is free now, -EINVAL for a bad argument or a range the queue's limits
 * cannot map, -ENOMEM.
 */
int rfl_lu_submit(struct rfl_lu *lu, const u8 *cdb, unsigned int cdb_len,
		  enum dma_data_direction dir, struct scatterlist *sgl,
		  u32 offset, u32 length, unsigned int timeout_ms,
		  rfl_lu_done_t done, void *priv)
{
	return __rfl_lu_submit(lu, cdb, cdb_len, dir, sgl, offset, length,
			       timeout_ms, done, priv, false);
}
EXPORT_SYMBOL_GPL(rfl_lu_submit);

/**
 * rfl_lu_submit_wait() - rfl_lu_submit() that may sleep for a request
 * @lu: as rfl_lu_submit()
 * @cdb: as rfl_lu_submit()
 * @cdb_len: as rfl_lu_submit()
 * @dir: as rfl_lu_submit()
 * @sgl: as rfl_lu_submit()
 * @offset: as rfl_lu_submit()
 * @length: as rfl_lu_submit()
 * @timeout_ms: as rfl_lu_submit()
 * @done: as rfl_lu_submit()
 * @priv: as rfl_lu_submit()
 *
 * Context: process context; sleeps until a request is free.
 * Return: as rfl_lu_submit(), never -EAGAIN.
 */
int rfl_lu_submit_wait(struct rfl_lu *lu, const u8 *cdb, unsigned int cdb_len,
		       enum dma_data_direction dir, struct scatterlist *sgl,
		       u32 offset, u32 length, unsigned int timeout_ms,
		       rfl_lu_done_t done, void *priv)
{
	might_sleep();
	return __rfl_lu_submit(lu, cdb, cdb_len, dir, sgl, offset, length,
			       timeout_ms, done, priv, true);
}
EXPORT_SYMBOL_GPL(rfl_lu_submit_wait);

int rfl_ini_lu_init(void)
{
	INIT_DELAYED_WORK(&rfl_pool_reaper, rfl_pool_reaper_work);
	return 0;
}

void rfl_ini_lu_exit(void)
{
	cancel_delayed_work_sync(&rfl_pool_reaper);
	rfl_pool_reap(true);
}
