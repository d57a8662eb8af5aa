// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises reflect_initiator's LU pool and reflection executor
 * (kernel/include/rfl_initiator.h) at load, against stock targets named
 * by the parameters. Loaded by tools/testing/selftests/reflect/vm/
 * initiator_lu_api.sh.
 *
 * Checks:
 *   parallel with silent_portal (a portal whose connection attempts are
 *            dropped, so a connect waits its 15 s): while an open of a
 *            target there is connecting, an open of the first target
 *            returns; then the silent one fails with "no answer"
 *   open     rfl_lu_get() of LUN 0 of every target: capacity, block size
 *            512, a VPD 0x83 designator; rfl_lu_lookup() finds it
 *   script   a script of NPIECES pieces interleaved over the targets
 *            (piece i: target i % n, 8 * (1 + i % 3) blocks at LBA
 *            100 + 48 * i, at consecutive offsets of the buffer), built
 *            as a struct, encoded with rfl_script_encode() and parsed back
 *   write    rfl_exec_start() writes the pattern (the 64-bit word at
 *            buffer offset v holds v ^ (seed * 0x9e3779b97f4a7c15))
 *   read     rfl_exec_start() reads it back into a zeroed buffer: equal
 *   big      a 1 MiB command (256 single pages) with rfl_lu_submit_wait()
 *   direct   every piece read back with rfl_lu_submit() at its physical
 *            LBA: equal to its part of the pattern
 *   errors   a portal that refuses connections, a wrong VPD 0x83 id, a
 *            gap, an overlap and a piece past the LU's end; an absent
 *            LUN and a refused login from rfl_lu_get(), with reasons
 *
 * Loading always succeeds; the outcome is in the read-only parameters
 * passed and failed, and in the kernel log (one line per check, then
 * "rfl_exec_test: all N checks passed" or "F of N checks failed").
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/inet.h>
#include <linux/in.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <scsi/scsi_proto.h>

#include "../../../../../kernel/include/rfl_initiator.h"

#define NPIECES		12
#define MAX_TGT		3
#define WAIT_SECS	180

static char *iqn[MAX_TGT];
static int n_iqn;
module_param_array(iqn, charp, &n_iqn, 0444);
MODULE_PARM_DESC(iqn, "target names (LUN 0 of each is used), up to 3");

static char *portal = "127.0.0.1:3260";
module_param(portal, charp, 0444);
MODULE_PARM_DESC(portal, "a.b.c.d:port of every target");

static char *bad_portal = "127.0.0.1:3999";
module_param(bad_portal, charp, 0444);
MODULE_PARM_DESC(bad_portal, "a.b.c.d:port where nothing listens");

static char *mp_iqn;
module_param(mp_iqn, charp, 0444);
MODULE_PARM_DESC(mp_iqn, "a target not otherwise used: opened through bad_portal then portal");

static char *silent_portal;
module_param(silent_portal, charp, 0444);
MODULE_PARM_DESC(silent_portal, "a.b.c.d:port whose connection attempts are dropped (parallel open check)");

static unsigned int seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "pattern seed");

static int passed;
module_param(passed, int, 0444);
MODULE_PARM_DESC(passed, "checks passed");

static int failed;
module_param(failed, int, 0444);
MODULE_PARM_DESC(failed, "checks failed");

static void check(bool ok, const char *what)
{
	if (ok)
		passed++;
	else
		failed++;
	pr_info("%s: %s\n", ok ? "ok" : "FAIL", what);
}

static int parse_portal(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	const char *colon = strchr(s, ':');
	char addr[INET_ADDRSTRLEN];
	u16 port;

	memset(ss, 0, sizeof(*ss));
	if (!colon || colon - s >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, colon - s);
	addr[colon - s] = '\0';
	if (!in4_pton(addr, -1, (u8 *)&in->sin_addr, -1, NULL) ||
	    kstrtou16(colon + 1, 10, &port))
		return -EINVAL;
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	return 0;
}

struct buf {
	struct sg_table sgt;
	struct page **pages;
	unsigned int npages;
};

static void buf_free(struct buf *b)
{
	unsigned int i;

	sg_free_table(&b->sgt);
	for (i = 0; b->pages && i < b->npages; i++)
		if (b->pages[i])
			__free_page(b->pages[i]);
	kfree(b->pages);
	memset(b, 0, sizeof(*b));
}

/* Separate pages, so that the executor sees a real scatterlist. */
static int buf_alloc(struct buf *b, u32 len)
{
	struct scatterlist *sg;
	unsigned int i;

	b->npages = DIV_ROUND_UP(len, PAGE_SIZE);
	b->pages = kcalloc(b->npages, sizeof(*b->pages), GFP_KERNEL);
	if (!b->pages || sg_alloc_table(&b->sgt, b->npages, GFP_KERNEL))
		goto fail;
	for_each_sg(b->sgt.sgl, sg, b->npages, i) {
		b->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!b->pages[i])
			goto fail;
		sg_set_page(sg, b->pages[i],
			    min_t(u32, PAGE_SIZE, len - i * PAGE_SIZE), 0);
	}
	return 0;
fail:
	buf_free(b);
	return -ENOMEM;
}

static u64 mix(void)
{
	return (u64)seed * 0x9e3779b97f4a7c15ULL;
}

static void buf_fill(struct buf *b, u32 len)
{
	u32 v;

	for (v = 0; v < len; v += 8) {
		u64 *p = page_address(b->pages[v / PAGE_SIZE]) + v % PAGE_SIZE;

		*p = cpu_to_le64(v ^ mix());
	}
}

/* Does @b hold the pattern of buffer offsets [voff, voff + len)? */
static bool buf_check(struct buf *b, u32 voff, u32 len)
{
	u32 v;

	for (v = 0; v < len; v += 8) {
		u64 *p = page_address(b->pages[v / PAGE_SIZE]) + v % PAGE_SIZE;

		if (le64_to_cpu(*p) != ((voff + v) ^ mix())) {
			pr_info("mismatch at offset %u\n", voff + v);
			return false;
		}
	}
	return true;
}

struct wait {
	struct completion done;
	int err;
	int calls;
};

static void exec_done(void *priv, int err)
{
	struct wait *w = priv;

	w->err = err;
	w->calls++;
	complete(&w->done);
}

/* Run a script; the error it completed with, or -ETIME. */
static int run(struct rfl_script *s, struct buf *b, u32 len, bool write)
{
	struct wait w = { .err = 1 };
	int ret;

	init_completion(&w.done);
	ret = rfl_exec_start(&init_net, s, b->sgt.sgl, len, write, exec_done,
			     &w);
	if (ret)
		return ret;
	if (!wait_for_completion_timeout(&w.done, WAIT_SECS * HZ)) {
		/* w is on the stack: wait on, the test's timeout fails it. */
		pr_info("FAIL: the executor did not call back in %d s\n",
			WAIT_SECS);
		wait_for_completion(&w.done);
	}
	if (w.calls != 1)
		return -EBADE;
	return w.err;
}

struct piece_wait {
	struct completion done;
	int result;
	u32 resid;
};

static void piece_done(void *priv, int result, u32 resid, const u8 *sense,
		       u32 sense_len)
{
	struct piece_wait *w = priv;

	w->result = result;
	w->resid = resid;
	complete(&w->done);
}

static struct rfl_lu *lus[MAX_TGT];
static struct rfl_lu_info infos[MAX_TGT];
static struct rfl_script_target targets[MAX_TGT + 1];
static struct rfl_script_piece pieces[NPIECES];
static struct rfl_script script;
static u32 total;

static void set_portal(struct rfl_script_portal *p, const char *s)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;

	memset(p, 0, sizeof(*p));
	if (parse_portal(s, &ss))
		return;
	p->family = 4;
	p->port = ntohs(in->sin_port);
	memcpy(p->addr, &in->sin_addr, 4);
}

static void build_script(bool write)
{
	u32 off = 0;
	int i;

	memset(&script, 0, sizeof(script));
	memset(targets, 0, sizeof(targets));
	for (i = 0; i < n_iqn; i++) {
		targets[i].name = iqn[i];
		targets[i].name_len = strlen(iqn[i]);
		targets[i].nportals = 1;
		targets[i].tpgt = 1;
		targets[i].lun = 0;
		set_portal(&targets[i].portals[0], portal);
		targets[i].id = infos[i].id;
		targets[i].id_len = infos[i].id_len;
	}
	for (i = 0; i < NPIECES; i++) {
		struct rfl_script_piece *p = &pieces[i];
		u32 blocks = 8 * (1 + i % 3);

		memset(p, 0, sizeof(*p));
		p->target = i % n_iqn;
		p->flags = write ? RFL_PIECE_WRITE : RFL_PIECE_READ;
		p->offset = off;
		p->length = blocks * 512;
		p->cdb_len = 10;
		rfl_cdb_rw_build(p->cdb, write, 100 + 48 * i, blocks, 0);
		off += p->length;
	}
	script.version = RFL_SCRIPT_VERSION;
	script.total_len = off;
	script.ntargets = n_iqn;
	script.npieces = NPIECES;
	script.targets = targets;
	script.pieces = pieces;
	total = off;
}

/* Encode the script and parse it back into @out (arrays allocated). */
static int wire_roundtrip(struct rfl_script *out, void **wire)
{
	u32 len = rfl_script_size(&script);
	const char *why = NULL;
	u16 nt, np;
	int ret;

	*wire = kzalloc(len, GFP_KERNEL);
	if (!*wire)
		return -ENOMEM;
	ret = rfl_script_encode(&script, *wire, len);
	if (ret < 0)
		return ret;
	ret = rfl_script_peek(*wire, len, &nt, &np);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->targets = kcalloc(nt, sizeof(*out->targets), GFP_KERNEL);
	out->pieces = kcalloc(np, sizeof(*out->pieces), GFP_KERNEL);
	if (!out->targets || !out->pieces)
		return -ENOMEM;
	ret = rfl_script_parse(*wire, len, out, &why);
	if (ret)
		pr_info("parse: %s\n", why ? why : "?");
	return ret;
}

/* 1 KiB of portals: kept off the stack (KASAN kernels grow frames). */
static struct rfl_lu_addr addr;

static void test_errors(struct buf *b)
{
	struct rfl_script_piece saved;
	char why[160];
	struct rfl_lu *lu;
	int ret;

	memset(&addr, 0, sizeof(addr));
	build_script(false);
	/* Wrong identifier of target 0. */
	targets[0].id_len = infos[0].id_len ? infos[0].id_len : 8;
	targets[0].id = (const u8 *)"\x01\x03\x00\x04wrongidentifier";
	if (targets[0].id_len > 20)
		targets[0].id_len = 20;
	ret = run(&script, b, total, false);
	check(ret == -ENODEV, "wrong VPD 0x83 id: -ENODEV");

	/* A gap, an overlap, past the end of an LU. */
	build_script(false);
	pieces[3].offset += 512;
	ret = run(&script, b, total, false);
	check(ret == -EPROTO, "gap between pieces: -EPROTO");
	build_script(false);
	pieces[5].offset -= 512;
	ret = run(&script, b, total, false);
	check(ret == -EPROTO, "overlapping pieces: -EPROTO");
	build_script(false);
	saved = pieces[NPIECES - 1];
	rfl_cdb_rw_build(pieces[NPIECES - 1].cdb, false,
			 infos[(NPIECES - 1) % n_iqn].capacity - 4,
			 saved.length / 512, 0);
	ret = run(&script, b, total, false);
	check(ret == -EPROTO, "piece past the end of its LU: -EPROTO");
	build_script(true);
	ret = run(&script, b, total, false);
	check(ret == -EPROTO, "write pieces for a read: -EPROTO");

	/* A target whose only portal refuses connections. */
	build_script(false);
	targets[n_iqn].name = "iqn.2026-11.org.reflect.test:unreachable";
	targets[n_iqn].name_len = strlen(targets[n_iqn].name);
	targets[n_iqn].nportals = 1;
	set_portal(&targets[n_iqn].portals[0], bad_portal);
	script.ntargets = n_iqn + 1;
	pieces[1].target = n_iqn;
	ret = run(&script, b, total, false);
	check(ret == -ENODEV, "unreachable portal: -ENODEV");

	/* rfl_lu_get() failures and their reasons. */
	addr.iqn = iqn[0];
	addr.nportals = 1;
	parse_portal(portal, &addr.portals[0]);
	addr.lun = 7;
	lu = rfl_lu_get(&init_net, &addr, NULL, why, sizeof(why));
	pr_info("absent LUN: %s\n", why);
	check(IS_ERR(lu) && PTR_ERR(lu) == -ENODEV && strstr(why, "absent"),
	      "absent LUN: -ENODEV, reason given");
	if (!IS_ERR(lu))
		rfl_lu_put(lu);
	addr.iqn = "iqn.2026-11.org.reflect.test:nosuch";
	addr.lun = 0;
	lu = rfl_lu_get(&init_net, &addr, NULL, why, sizeof(why));
	pr_info("unknown target: %s\n", why);
	check(IS_ERR(lu) && strstr(why, "login refused") &&
	      strstr(why, "class 0x0"),
	      "refused login: error, status class and detail given");
	if (!IS_ERR(lu))
		rfl_lu_put(lu);
	/* An LU without users stays in the pool. */
	addr.iqn = iqn[0];
	rfl_lu_put(lus[0]);
	lu = rfl_lu_lookup(&init_net, &addr);
	check(lu == lus[0], "LU still open in the pool after its last put");
	if (!lu)
		lus[0] = NULL;
	if (!mp_iqn)
		return;
	/* Two portals: the first refuses, the second works. */
	addr.iqn = mp_iqn;
	addr.nportals = 2;
	parse_portal(bad_portal, &addr.portals[0]);
	parse_portal(portal, &addr.portals[1]);
	lu = rfl_lu_get(&init_net, &addr, NULL, why, sizeof(why));
	if (IS_ERR(lu))
		pr_info("%s: %s\n", mp_iqn, why);
	check(!IS_ERR(lu), "second portal used when the first refuses");
	if (!IS_ERR(lu))
		rfl_lu_put(lu);
}

/* One command of 1 MiB (256 single pages) written and read back. */
static int big_io(struct buf *b, bool write)
{
	struct piece_wait w;
	u8 cdb[16];
	int len, ret;

	init_completion(&w.done);
	len = rfl_cdb_rw_build(cdb, write, 4096, 2048, 0);
	ret = rfl_lu_submit_wait(lus[n_iqn - 1], cdb, len,
				 write ? DMA_TO_DEVICE : DMA_FROM_DEVICE,
				 b->sgt.sgl, 0, SZ_1M, 0, piece_done, &w);
	if (ret)
		return ret;
	wait_for_completion(&w.done);
	return w.result ? w.result : w.resid ? -EREMOTEIO : 0;
}

static void test_big(void)
{
	struct buf wb = {}, rb = {};
	int ret = -ENOMEM;

	if (!buf_alloc(&wb, SZ_1M) && !buf_alloc(&rb, SZ_1M)) {
		buf_fill(&wb, SZ_1M);
		ret = big_io(&wb, true);
		if (!ret)
			ret = big_io(&rb, false);
		if (!ret && !buf_check(&rb, 0, SZ_1M))
			ret = -EILSEQ;
	}
	pr_info("1 MiB: %d\n", ret);
	check(!ret, "a 1 MiB command of 256 pages written and read back");
	buf_free(&wb);
	buf_free(&rb);
}

static void test_direct(struct buf *b)
{
	struct buf one = {};
	int i, ok = 0;

	if (buf_alloc(&one, 24 * 512)) {
		check(false, "direct read-back: memory");
		return;
	}
	for (i = 0; i < NPIECES; i++) {
		struct piece_wait w;
		u8 cdb[10];
		int ret;

		init_completion(&w.done);
		rfl_cdb_rw_build(cdb, false, 100 + 48 * i, pieces[i].length / 512,
				 0);
		ret = rfl_lu_submit_wait(lus[i % n_iqn], cdb, 10,
					 DMA_FROM_DEVICE, one.sgt.sgl, 0,
					 pieces[i].length, 0, piece_done, &w);
		if (ret)
			continue;
		wait_for_completion(&w.done);
		if (!w.result && !w.resid &&
		    buf_check(&one, pieces[i].offset, pieces[i].length))
			ok++;
	}
	buf_free(&one);
	check(ok == NPIECES,
	      "every piece read back from its LU at its physical LBA");
	test_big();
}

struct silent_open {
	struct work_struct work;
	struct rfl_lu_addr addr;
	struct completion started, done;
	struct rfl_lu *lu;
	char why[160];
};

static void silent_open_work(struct work_struct *work)
{
	struct silent_open *so = container_of(work, struct silent_open, work);

	complete(&so->started);
	so->lu = rfl_lu_get(&init_net, &so->addr, NULL, so->why,
			    sizeof(so->why));
	complete(&so->done);
}

/*
 * An open of a target whose portal does not answer (a 15 s connect) must
 * not hold up an open of another target: the pool opens targets in
 * parallel.
 */
static void test_parallel_open(void)
{
	struct rfl_lu_addr addr = { .iqn = iqn[0], .nportals = 1 };
	struct silent_open *so;
	struct rfl_lu *lu;
	char why[160];
	bool busy;

	so = kzalloc(sizeof(*so), GFP_KERNEL);
	if (!so || parse_portal(silent_portal, &so->addr.portals[0]) ||
	    parse_portal(portal, &addr.portals[0])) {
		check(false, "silent_portal= and portal= parse");
		kfree(so);
		return;
	}
	so->addr.iqn = "iqn.2026-11.org.reflect.test:silent";
	so->addr.nportals = 1;
	init_completion(&so->started);
	init_completion(&so->done);
	INIT_WORK(&so->work, silent_open_work);
	queue_work(system_unbound_wq, &so->work);
	wait_for_completion(&so->started);
	/* Let its connect get under way (it then lasts 15 s). */
	msleep(1000);
	lu = rfl_lu_get(&init_net, &addr, NULL, why, sizeof(why));
	busy = !completion_done(&so->done);
	if (IS_ERR(lu))
		pr_info("%s: %s\n", iqn[0], why);
	check(!IS_ERR(lu) && busy,
	      "an open returns while another target's connect is in progress");
	if (!IS_ERR(lu))
		rfl_lu_put(lu);
	wait_for_completion(&so->done);
	pr_info("silent: %s\n", so->why);
	check(IS_ERR(so->lu) && strstr(so->why, "no answer"),
	      "the open of the silent portal fails: no answer");
	if (!IS_ERR(so->lu))
		rfl_lu_put(so->lu);
	kfree(so);
}

static int __init rfl_exec_test_init(void)
{
	struct rfl_script parsed = {};
	struct buf wb = {}, rb = {};
	void *wire = NULL;
	char why[160];
	int i, ret;

	if (n_iqn < 1) {
		check(false, "no iqn= given");
		return 0;
	}
	if (silent_portal)
		test_parallel_open();
	for (i = 0; i < n_iqn; i++) {
		addr.iqn = iqn[i];
		addr.nportals = 1;
		addr.lun = 0;
		if (parse_portal(portal, &addr.portals[0])) {
			check(false, "portal= parses");
			return 0;
		}
		lus[i] = rfl_lu_get(&init_net, &addr, &infos[i], why,
				    sizeof(why));
		if (IS_ERR(lus[i])) {
			pr_info("%s: %s\n", iqn[i], why);
			lus[i] = NULL;
			check(false, "rfl_lu_get() opens LUN 0");
			goto out;
		}
		pr_info("%s: %llu blocks of %u, id type %u, %u bytes\n",
			iqn[i], infos[i].capacity, infos[i].block_size,
			infos[i].id_len ? infos[i].id[1] & 0xf : 0,
			infos[i].id_len);
		check(infos[i].capacity > 100 + 48 * NPIECES &&
		      infos[i].block_size == 512 && infos[i].id_len > 4 &&
		      (infos[i].id[1] & 0xf) == 3,
		      "LU capacity, block size 512, NAA designator");
		{
			struct rfl_lu *again = rfl_lu_lookup(&init_net, &addr);

			check(again == lus[i], "rfl_lu_lookup() finds it");
			rfl_lu_put(again);
		}
	}

	build_script(true);
	ret = wire_roundtrip(&parsed, &wire);
	check(!ret && parsed.npieces == NPIECES && parsed.ntargets == n_iqn,
	      "script encoded and parsed back");
	if (ret || buf_alloc(&wb, total) || buf_alloc(&rb, total))
		goto out;
	buf_fill(&wb, total);
	ret = run(&parsed, &wb, total, true);
	pr_info("write: %d\n", ret);
	check(!ret, "interleaved write through rfl_exec_start()");
	build_script(false);
	ret = run(&script, &rb, total, false);
	pr_info("read: %d\n", ret);
	check(!ret && buf_check(&rb, 0, total),
	      "read back through rfl_exec_start(): same data");
	test_direct(&wb);
	test_errors(&rb);
out:
	kfree(wire);
	kfree(parsed.targets);
	kfree(parsed.pieces);
	buf_free(&wb);
	buf_free(&rb);
	for (i = 0; i < n_iqn; i++)
		rfl_lu_put(lus[i]);
	if (failed)
		pr_info("%d of %d checks failed\n", failed, passed + failed);
	else
		pr_info("all %d checks passed\n", passed);
	return 0;
}

static void __exit rfl_exec_test_exit(void)
{
}

module_init(rfl_exec_test_init);
module_exit(rfl_exec_test_exit);
MODULE_DESCRIPTION("iSCSI reflection: LU pool and executor test");
MODULE_LICENSE("GPL");
