// SPDX-License-Identifier: GPL-2.0
/*
 * The reflection executor, rfl_exec_start() (kernel/include/
 * rfl_initiator.h): shared by the host's reflection path and the
 * manager's proxy path.
 *
 * An execution copies the script (targets, pieces) and then goes through
 * three steps, first in the caller's context without sleeping and, when
 * that is not possible, in a work item on rfl_exec_wq that may sleep:
 *
 *   LUs     each target's LU from the pool (rfl_lu_lookup(); not open:
 *           deferred to the work item, which opens it with rfl_lu_get()),
 *           its VPD 0x83 designator compared with the script's;
 *   check   rfl_script_check() with the LUs' capacities and block sizes;
 *   submit  every piece, in parallel, by rfl_lu_submit() into the
 *           caller's scatterlist (no request free without waiting:
 *           the remaining pieces are submitted by the work item).
 *
 * A counter of pieces in flight, biased by one while submission goes on,
 * makes the caller's done() run exactly once, after the last submitted
 * piece has ended, so nothing writes into the buffer afterwards.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <scsi/scsi_device.h>

#include "rfl_ini.h"

#define RFL_EXEC_PIECE_TMO	30000	/* ms per piece */

static struct workqueue_struct *rfl_exec_wq;

struct rfl_exec_tgt {
	struct rfl_lu_addr addr;
	char iqn[RFL_SCRIPT_NAME_MAX + 1];
	u8 id[RFL_SCRIPT_ID_MAX];
	u8 id_len;
	struct rfl_lu *lu;		/* referenced once found */
};

struct rfl_exec {
	struct net *net;		/* referenced */
	struct scatterlist *sgl;
	u32 length;
	bool write;
	rfl_exec_done_t done;
	void *priv;
	struct rfl_script s;		/* copy; targets[] point into t[] */
	struct rfl_exec_tgt *t;
	bool checked;			/* the LUs and the script are valid */
	u16 next;			/* next piece to submit */
	atomic_t pending;		/* pieces in flight + 1 while submitting */
	atomic_t err;			/* first error, 0 if none */
	struct work_struct work;
};

static void rfl_exec_set_err(struct rfl_exec *e, int err)
{
	atomic_cmpxchg(&e->err, 0, err);
}

static void rfl_exec_free(struct rfl_exec *e)
{
	unsigned int i;

	for (i = 0; i < e->s.ntargets; i++)
		rfl_lu_put(e->t[i].lu);
	put_net(e->net);
	kfree(e->t);
	kfree(e->s.targets);
	kfree(e->s.pieces);
	kfree(e);
}

/* Drop one pending count; the last one completes the execution. */
static void rfl_exec_put(struct rfl_exec *e)
{
	if (!atomic_dec_and_test(&e->pending))
		return;
	e->done(e->priv, atomic_read(&e->err));
	rfl_exec_free(e);
}

static void rfl_exec_piece_done(void *priv, int result, u32 resid,
				const u8 *sense, u32 sense_len)
{
	struct rfl_exec *e = priv;

	if (result || resid) {
		if (result > 0 && sense && sense_len > 13)
			pr_warn_ratelimited("reflection piece failed: status 0x%x sense %02x/%02x/%02x\n",
					    result, sense[2] & 0x0f, sense[12],
					    sense[13]);
		else
			pr_warn_ratelimited("reflection piece failed: %d, resid %u\n",
					    result, resid);
		rfl_exec_set_err(e, -EIO);
	}
	rfl_exec_put(e);
}

/* Step 1: the LUs. Return: 0, -EAGAIN (must sleep), or an error. */
static int rfl_exec_lus(struct rfl_exec *e, bool can_block)
{
	char why[RFL_INI_ERR_LEN];
	unsigned int i;

	for (i = 0; i < e->s.ntargets; i++) {
		struct rfl_exec_tgt *t = &e->t[i];
		const struct rfl_lu_info *info;

		if (t->lu)
			continue;
		t->lu = rfl_lu_lookup(e->net, &t->addr);
		if (!t->lu) {
			if (!can_block)
				return -EAGAIN;
			t->lu = rfl_lu_get(e->net, &t->addr, NULL, why,
					   sizeof(why));
			if (IS_ERR(t->lu)) {
				t->lu = NULL;
				pr_warn_ratelimited("reflection: cannot open %s LUN %llu: %s\n",
						    t->iqn, t->addr.lun, why);
				return -ENODEV;
			}
		}
		info = rfl_lu_info(t->lu);
		if (t->id_len && (info->id_len != t->id_len ||
				  memcmp(info->id, t->id, t->id_len))) {
			pr_warn_ratelimited("reflection: %s LUN %llu is not the LU the script names (VPD 0x83 differs)\n",
					    t->iqn, t->addr.lun);
			return -ENODEV;
		}
	}
	return 0;
}

/* Step 2: the script against the LUs. */
static int rfl_exec_check(struct rfl_exec *e)
{
	struct rfl_script_lu *lus;
	const char *why = NULL;
	unsigned int i;
	int ret;

	lus = kcalloc(e->s.ntargets ? e->s.ntargets : 1, sizeof(*lus),
		      GFP_ATOMIC | __GFP_NOWARN);
	if (!lus)
		return -ENOMEM;
	for (i = 0; i < e->s.ntargets; i++) {
		lus[i].capacity = rfl_lu_info(e->t[i].lu)->capacity;
		lus[i].block_size = rfl_lu_info(e->t[i].lu)->block_size;
	}
	ret = rfl_script_check(&e->s, lus, e->length, e->write, &why);
	kfree(lus);
	if (ret) {
		pr_warn_ratelimited("reflection: invalid script: %s\n",
				    why ? why : "");
		return -EPROTO;
	}
	return 0;
}

/* Step 3: submit from e->next on. Return: 0, -EAGAIN, or an error. */
static int rfl_exec_submit(struct rfl_exec *e, bool can_block)
{
	while (e->next < e->s.npieces) {
		const struct rfl_script_piece *p = &e->s.pieces[e->next];
		bool rd = p->flags & RFL_PIECE_READ;
		int ret;

		atomic_inc(&e->pending);
		if (can_block)
			ret = rfl_lu_submit_wait(e->t[p->target].lu, p->cdb,
						 p->cdb_len,
						 rd ? DMA_FROM_DEVICE :
						      DMA_TO_DEVICE,
						 e->sgl, p->offset, p->length,
						 RFL_EXEC_PIECE_TMO,
						 rfl_exec_piece_done, e);
		else
			ret = rfl_lu_submit(e->t[p->target].lu, p->cdb,
					    p->cdb_len,
					    rd ? DMA_FROM_DEVICE :
						 DMA_TO_DEVICE,
					    e->sgl, p->offset, p->length,
					    RFL_EXEC_PIECE_TMO,
					    rfl_exec_piece_done, e);
		if (ret) {
			atomic_dec(&e->pending);	/* never below 1 here */
			if (ret == -EAGAIN && !can_block)
				return -EAGAIN;
			pr_warn_ratelimited("reflection: cannot submit a piece: %d\n",
					    ret);
			return -EIO;
		}
		e->next++;
	}
	return 0;
}

static void rfl_exec_run(struct rfl_exec *e, bool can_block)
{
	int ret = 0;

	if (!e->checked) {
		ret = rfl_exec_lus(e, can_block);
		if (!ret)
			ret = rfl_exec_check(e);
		if (ret == -ENOMEM && !can_block)
			ret = -EAGAIN;
		if (!ret)
			e->checked = true;
	}
	if (!ret)
		ret = rfl_exec_submit(e, can_block);
	if (ret == -EAGAIN && !can_block) {
		queue_work(rfl_exec_wq, &e->work);
		return;
	}
	if (ret)
		rfl_exec_set_err(e, ret);
	rfl_exec_put(e);	/* the submission bias */
}

static void rfl_exec_work(struct work_struct *work)
{
	rfl_exec_run(container_of(work, struct rfl_exec, work), true);
}

/* A script portal as a socket address. */
static int rfl_exec_portal(const struct rfl_script_portal *p,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (p->family == 4) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(p->port);
		memcpy(&in->sin_addr, p->addr, 4);
		return 0;
	}
	if (p->family == 6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p->port);
		memcpy(&in6->sin6_addr, p->addr, 16);
		return 0;
	}
	return -EINVAL;
}

/* Copy what the execution needs of @s; -EPROTO for what cannot be. */
static int rfl_exec_copy(struct rfl_exec *e, const struct rfl_script *s,
			 gfp_t gfp)
{
	unsigned int i, j;

	e->s = *s;
	e->s.targets = kcalloc(s->ntargets ? s->ntargets : 1,
			       sizeof(*e->s.targets), gfp);
	e->s.pieces = kmemdup(s->pieces, (s->npieces ? s->npieces : 1) *
			      sizeof(*s->pieces), gfp);
	e->t = kcalloc(s->ntargets ? s->ntargets : 1, sizeof(*e->t), gfp);
	if (!e->s.targets || !e->s.pieces || !e->t)
		return -ENOMEM;
	for (i = 0; i < s->ntargets; i++) {
		const struct rfl_script_target *st = &s->targets[i];
		struct rfl_script_target *dt = &e->s.targets[i];
		struct rfl_exec_tgt *t = &e->t[i];
		struct scsi_lun sl;

		*dt = *st;
		if (!st->name || !st->name_len ||
		    st->name_len > RFL_SCRIPT_NAME_MAX ||
		    st->nportals > RFL_SCRIPT_MAX_PORTALS ||
		    st->id_len > RFL_SCRIPT_ID_MAX || (st->id_len && !st->id))
			return -EPROTO;
		memcpy(t->iqn, st->name, st->name_len);
		t->iqn[st->name_len] = '\0';
		dt->name = t->iqn;
		memcpy(t->id, st->id, st->id_len);
		t->id_len = st->id_len;
		dt->id = st->id_len ? t->id : NULL;
		t->addr.iqn = t->iqn;
		for (j = 0; j < st->nportals; j++)
			if (rfl_exec_portal(&st->portals[j],
					    &t->addr.portals[j]))
				return -EPROTO;
		t->addr.nportals = st->nportals;
		put_unaligned_be64(st->lun, sl.scsi_lun);
		t->addr.lun = scsilun_to_int(&sl);
	}
	for (i = 0; i < s->npieces; i++)
		if (s->pieces[i].target >= s->ntargets ||
		    !s->pieces[i].cdb_len ||
		    s->pieces[i].cdb_len > RFL_SCRIPT_CDB_MAX)
			return -EPROTO;
	return 0;
}

/**
 * rfl_exec_start() - execute a reflection script on a buffer
 * @net: network namespace for the sessions to the backing targets
 * @s: the parsed script; copied, the caller may free it on return
 * @sgl: the original command's buffer
 * @length: its length in bytes (the script must cover exactly this)
 * @write: the original command is a write (pieces must all be writes)
 * @done: called once, when every submitted piece has ended (possibly in
 *	softirq, possibly before this function returns): 0 when all
 *	succeeded, -EPROTO when the script is invalid for the LUs
 *	(rfl_script_check()), -ENODEV when an LU cannot be opened or its VPD
 *	0x83 designator is not the script's, -EIO when a piece failed (or
 *	could not be submitted)
 * @priv: its cookie
 *
 * Every piece is submitted in parallel into @sgl at its offset; the
 * data of reads lands in @sgl's pages directly. LUs not yet open are
 * opened by a work item (never in the caller's context). The buffer
 * must stay until @done.
 *
 * Context: process context or softirq; does not sleep.
 * Return: 0 (@done will be called), or -ENOMEM / -EINVAL when nothing
 * was started (@done will not be called).
 */
int rfl_exec_start(struct net *net, const struct rfl_script *s,
		   struct scatterlist *sgl, u32 length, bool write,
		   rfl_exec_done_t done, void *priv)
{
	gfp_t gfp = GFP_ATOMIC | __GFP_NOWARN;
	struct rfl_exec *e;
	int ret;

	if (!net || !s || !done || (length && !sgl))
		return -EINVAL;
	e = kzalloc(sizeof(*e), gfp);
	if (!e)
		return -ENOMEM;
	e->net = get_net(net);
	e->sgl = sgl;
	e->length = length;
	e->write = write;
	e->done = done;
	e->priv = priv;
	atomic_set(&e->pending, 1);
	INIT_WORK(&e->work, rfl_exec_work);
	ret = rfl_exec_copy(e, s, gfp);
	if (ret == -ENOMEM) {
		e->s.ntargets = 0;
		rfl_exec_free(e);
		return -ENOMEM;
	}
	if (ret) {
		/* No LU referenced yet; ntargets bounds the puts. */
		e->s.ntargets = 0;
		pr_warn_ratelimited("reflection: invalid script target table\n");
		rfl_exec_set_err(e, -EPROTO);
		rfl_exec_put(e);
		return 0;
	}
	rfl_exec_run(e, false);
	return 0;
}
EXPORT_SYMBOL_GPL(rfl_exec_start);

int rfl_ini_exec_init(void)
{
	rfl_exec_wq = alloc_workqueue("rfl_exec", WQ_UNBOUND | WQ_MEM_RECLAIM,
				      0);
	return rfl_exec_wq ? 0 : -ENOMEM;
}

void rfl_ini_exec_exit(void)
{
	destroy_workqueue(rfl_exec_wq);
}
