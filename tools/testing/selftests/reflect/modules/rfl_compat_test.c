// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises kernel/include/rfl_compat.h at load, on whichever kernel it was
 * built for. Loaded by tools/testing/selftests/reflect/vm/compat.sh.
 *
 * Areas, each a group of checks:
 *   sock  a kernel TCP listener and client on 127.0.0.1 in the initial
 *         network namespace; rfl_sock_send_page() of a slab buffer, a whole
 *         page, a range inside a page and a range across a compound page,
 *         received with kernel_recvmsg() and compared byte for byte; page
 *         reference counts show the data was not copied
 *   bdev  rfl_bdev_open() of the device named by bdev= (skipped if empty):
 *         capacity, exclusive claims, a sector written and read back with
 *         submit_bio_wait(), the claim released by rfl_bdev_close()
 *   scsi  rfl_scsi_exec() on LUN 0:0:0 of SCSI host scsi_host= (skipped if
 *         negative; scsi_debug is expected), rfl_scsi_block_targets(), and
 *         a host registered with a template using the eh_timed_out wrapper
 *   misc  interfaces that are the same on both kernels and that the
 *         project relies on: crc32c, MD5 and SHA-256 through shash,
 *         unaligned access, timers
 *
 * Loading always succeeds so that the test can unload the module cleanly;
 * the outcome is in the read-only parameters passed, failed and results
 * ("sock=P/N bdev=P/N scsi=P/N misc=P/N", P passed of N run) and in the
 * kernel log: one line per check, then "rfl_compat_test: all N checks
 * passed" or "rfl_compat_test: F of N checks failed".
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/completion.h>
#include <linux/crc32c.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/timer.h>
#include <linux/utsname.h>
#include <generated/utsrelease.h>
#include <linux/vmalloc.h>
#include <crypto/hash.h>
#include <net/net_namespace.h>
#include <scsi/scsi.h>
#include <scsi/scsi_proto.h>

#include "../../../../../kernel/include/rfl_compat.h"

static char *bdev = "";
module_param(bdev, charp, 0444);
MODULE_PARM_DESC(bdev, "block device to open, e.g. /dev/ram0 (scratch: a sector near the end is overwritten); empty: skip");

static unsigned long bdev_sectors;
module_param(bdev_sectors, ulong, 0444);
MODULE_PARM_DESC(bdev_sectors, "expected capacity of bdev in 512-byte sectors; 0: do not check");

static int scsi_host = -1;
module_param(scsi_host, int, 0444);
MODULE_PARM_DESC(scsi_host, "host number of a scsi_debug host whose LUN 0:0:0 may be written; negative: skip");

static int passed;
module_param(passed, int, 0444);
MODULE_PARM_DESC(passed, "result: number of checks that passed");

static int failed;
module_param(failed, int, 0444);
MODULE_PARM_DESC(failed, "result: number of checks that failed");

static char results[128];
module_param_string(results, results, sizeof(results), 0444);
MODULE_PARM_DESC(results, "result: passed/run per area");

struct rfl_area {
	const char *name;
	int pass;
	int fail;
};

static struct rfl_area area_sock = { .name = "sock" };
static struct rfl_area area_bdev = { .name = "bdev" };
static struct rfl_area area_scsi = { .name = "scsi" };
static struct rfl_area area_misc = { .name = "misc" };

static __printf(3, 4) bool check(struct rfl_area *a, bool ok,
				 const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (ok) {
		a->pass++;
		passed++;
		pr_info("ok %d - %s: %pV\n", passed + failed, a->name, &vaf);
	} else {
		a->fail++;
		failed++;
		pr_err("not ok %d - %s: %pV\n", passed + failed, a->name, &vaf);
	}
	va_end(args);
	return ok;
}

/* ------------------------------------------------------------ sockets */

#define SOCK_RUN_ORDER	2	/* a compound page of 4 pages */
#define SOCK_SLAB_LEN	700
#define SOCK_IN_OFF	100
#define SOCK_IN_LEN	1000
#define SOCK_RUN_OFF	300
#define SOCK_RUN_LEN	(3 * PAGE_SIZE + 500)
#define SOCK_CTL_LEN	256
#define SOCK_TOTAL	(SOCK_SLAB_LEN + PAGE_SIZE + SOCK_IN_LEN + SOCK_CTL_LEN + \
			 SOCK_RUN_LEN)

static int sock_pair(struct socket **lsn, struct socket **cli,
		     struct socket **srv)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       lsn);
	if (ret)
		return ret;
	ret = kernel_bind(*lsn, (struct sockaddr *)&sin, sizeof(sin));
	if (ret)
		return ret;
	ret = kernel_listen(*lsn, 4);
	if (ret)
		return ret;
	/* Port 0 above: learn the port the kernel chose. */
	ret = kernel_getsockname(*lsn, (struct sockaddr *)&sin);
	if (ret < 0)
		return ret;
	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       cli);
	if (ret)
		return ret;
	ret = kernel_connect(*cli, (struct sockaddr *)&sin, sizeof(sin), 0);
	if (ret)
		return ret;
	return kernel_accept(*lsn, srv, 0);
}

static void fill_random(struct page *page, unsigned int order)
{
	unsigned int i;

	for (i = 0; i < (1U << order); i++)
		get_random_bytes(page_address(page + i), PAGE_SIZE);
}

static void test_sock(void)
{
	struct socket *lsn = NULL, *cli = NULL, *srv = NULL;
	struct page *whole = NULL, *inpage = NULL, *ctl = NULL, *run = NULL;
	u8 *slab = NULL, *expect = NULL, *got = NULL;
	int whole_refs, run_refs, ctl_refs;
	size_t at, total = 0;
	int ret;

	whole = alloc_page(GFP_KERNEL);
	inpage = alloc_page(GFP_KERNEL);
	ctl = alloc_page(GFP_KERNEL);
	run = alloc_pages(GFP_KERNEL | __GFP_COMP, SOCK_RUN_ORDER);
	slab = kmalloc(SOCK_SLAB_LEN, GFP_KERNEL);
	expect = vmalloc(SOCK_TOTAL);
	got = vzalloc(SOCK_TOTAL);
	if (!check(&area_sock, whole && inpage && ctl && run &&
		   slab && expect && got,
		   "buffers allocated"))
		goto out;
	fill_random(whole, 0);
	fill_random(inpage, 0);
	fill_random(ctl, 0);
	fill_random(run, SOCK_RUN_ORDER);
	get_random_bytes(slab, SOCK_SLAB_LEN);

	at = 0;
	memcpy(expect + at, slab, SOCK_SLAB_LEN);
	at += SOCK_SLAB_LEN;
	memcpy(expect + at, page_address(whole), PAGE_SIZE);
	at += PAGE_SIZE;
	memcpy(expect + at, page_address(inpage) + SOCK_IN_OFF, SOCK_IN_LEN);
	at += SOCK_IN_LEN;
	memcpy(expect + at, page_address(ctl), SOCK_CTL_LEN);
	at += SOCK_CTL_LEN;
	memcpy(expect + at, page_address(run) + SOCK_RUN_OFF, SOCK_RUN_LEN);

	ret = sock_pair(&lsn, &cli, &srv);
	if (!check(&area_sock, !ret,
		   "listen, connect, accept on 127.0.0.1 in init_net (%d)", ret))
		goto out;
	tcp_sock_set_nodelay(cli->sk);
	/* A hang must fail the check, not the whole test run. */
	WRITE_ONCE(srv->sk->sk_rcvtimeo, 30 * HZ);
	WRITE_ONCE(cli->sk->sk_sndtimeo, 30 * HZ);

	ret = rfl_tcp_sock_set_user_timeout(cli->sk, 20000);
	check(&area_sock, ret == 0,
	      "rfl_tcp_sock_set_user_timeout(20000) returns 0 (%d)", ret);
	ret = rfl_tcp_sock_set_user_timeout(cli->sk, (unsigned int)INT_MAX + 1);
	check(&area_sock, ret == -EINVAL,
	      "rfl_tcp_sock_set_user_timeout(INT_MAX + 1) returns -EINVAL (%d)",
	      ret);

	/* First, while the send buffer is empty, so DONTWAIT cannot fail. */
	ret = rfl_sock_send_page(cli, virt_to_page(slab), offset_in_page(slab),
				 SOCK_SLAB_LEN, MSG_MORE | MSG_DONTWAIT);
	check(&area_sock, ret == SOCK_SLAB_LEN,
	      "slab buffer, MSG_MORE | MSG_DONTWAIT: %d of %d bytes (copied)",
	      ret, SOCK_SLAB_LEN);
	ret = rfl_sock_send_page(cli, whole, 0, PAGE_SIZE, MSG_MORE);
	check(&area_sock, ret == PAGE_SIZE,
	      "whole page, MSG_MORE: %d of %lu bytes", ret, PAGE_SIZE);
	ret = rfl_sock_send_page(cli, inpage, SOCK_IN_OFF, SOCK_IN_LEN,
				 MSG_MORE);
	check(&area_sock, ret == SOCK_IN_LEN,
	      "bytes %d..%d of a page, MSG_MORE: %d of %d bytes", SOCK_IN_OFF,
	      SOCK_IN_OFF + SOCK_IN_LEN - 1, ret, SOCK_IN_LEN);
	ret = rfl_sock_send_page(cli, run, 0, 0, 0);
	check(&area_sock, ret == 0, "zero length sends nothing (%d)", ret);
	{
		/* Control for the zero-copy check below: a copying send. */
		struct kvec iov = {
			.iov_base = page_address(ctl),
			.iov_len = SOCK_CTL_LEN,
		};
		struct msghdr msg = { .msg_flags = MSG_MORE };

		ret = kernel_sendmsg(cli, &msg, &iov, 1, SOCK_CTL_LEN);
	}
	check(&area_sock, ret == SOCK_CTL_LEN,
	      "control: kernel_sendmsg() of %d bytes, copied (%d)",
	      SOCK_CTL_LEN, ret);
	ret = rfl_sock_send_page(cli, run, SOCK_RUN_OFF, SOCK_RUN_LEN, 0);
	check(&area_sock, ret == SOCK_RUN_LEN,
	      "order-%d compound page, offset %d, across 4 pages: %d of %lu bytes",
	      SOCK_RUN_ORDER, SOCK_RUN_OFF, ret, SOCK_RUN_LEN);
	ret = rfl_sock_send_page(cli, run, -1, 1, 0);
	check(&area_sock, ret == -EINVAL, "negative offset is -EINVAL (%d)",
	      ret);

	/*
	 * Zero-copy: until the receiver consumed the data, skbs hold page
	 * references of their own; the copied control page keeps only ours.
	 */
	whole_refs = page_count(whole);
	run_refs = page_count(run);
	ctl_refs = page_count(ctl);
	check(&area_sock, whole_refs > 1 && run_refs > 1 && ctl_refs == 1,
	      "pages referenced, not copied, until read (page_count %d, %d; control %d)",
	      whole_refs, run_refs, ctl_refs);

	while (total < SOCK_TOTAL) {
		struct kvec iov = {
			.iov_base = got + total,
			.iov_len = SOCK_TOTAL - total,
		};
		struct msghdr msg = {};

		ret = kernel_recvmsg(srv, &msg, &iov, 1, iov.iov_len,
				     MSG_WAITALL);
		if (ret <= 0)
			break;
		total += ret;
	}
	check(&area_sock, total == SOCK_TOTAL,
	      "kernel_recvmsg() got %zu of %lu bytes (last %d)", total,
	      SOCK_TOTAL, ret);
	check(&area_sock, total == SOCK_TOTAL && !memcmp(expect, got, total),
	      "received bytes equal the sent ranges, in order");

	kernel_sock_shutdown(cli, SHUT_WR);
	{
		struct kvec iov = { .iov_base = got, .iov_len = 1 };
		struct msghdr msg = {};

		ret = kernel_recvmsg(srv, &msg, &iov, 1, 1, 0);
	}
	check(&area_sock, ret == 0, "end of stream after shutdown (%d)", ret);

out:
	if (srv)
		sock_release(srv);
	if (cli)
		sock_release(cli);
	if (lsn)
		sock_release(lsn);
	vfree(got);
	vfree(expect);
	kfree(slab);
	if (run)
		__free_pages(run, SOCK_RUN_ORDER);
	if (ctl)
		__free_page(ctl);
	if (inpage)
		__free_page(inpage);
	if (whole)
		__free_page(whole);
}

/* ------------------------------------------------------ block devices */

static int holder_a, holder_b;

static int bdev_rw(struct block_device *b, blk_opf_t opf, sector_t sector,
		   struct page *page, unsigned int len)
{
	struct bio_vec bvec;
	struct bio bio;
	int ret;

	bio_init(&bio, b, &bvec, 1, opf | REQ_SYNC);
	bio.bi_iter.bi_sector = sector;
	__bio_add_page(&bio, page, len, 0);
	ret = submit_bio_wait(&bio);
	bio_uninit(&bio);
	return ret;
}

static void test_bdev(void)
{
	struct rfl_bdev_handle *h, *h2;
	struct page *wr = NULL, *rd = NULL;
	struct block_device *b;
	unsigned int lbs;
	sector_t nr, sector;
	int ret;

	h = rfl_bdev_open(bdev, true, &holder_a);
	if (!check(&area_bdev, !IS_ERR(h), "open %s read-write, exclusive (%d)",
		   bdev, PTR_ERR_OR_ZERO(h)))
		return;
	b = rfl_bdev(h);
	nr = bdev_nr_sectors(b);
	lbs = bdev_logical_block_size(b);
	check(&area_bdev, nr > 0 && (!bdev_sectors || nr == bdev_sectors),
	      "capacity %llu sectors (expected %lu; 0: any)",
	      (unsigned long long)nr, bdev_sectors);

	h2 = rfl_bdev_open(bdev, false, &holder_b);
	check(&area_bdev, IS_ERR(h2) && PTR_ERR(h2) == -EBUSY,
	      "second exclusive open by another holder is -EBUSY (%d)",
	      PTR_ERR_OR_ZERO(h2));
	if (!IS_ERR(h2))
		rfl_bdev_close(h2);
	h2 = rfl_bdev_open(bdev, false, NULL);
	check(&area_bdev, !IS_ERR(h2),
	      "shared read-only open beside the claim (%d)",
	      PTR_ERR_OR_ZERO(h2));
	if (!IS_ERR(h2))
		rfl_bdev_close(h2);

	wr = alloc_page(GFP_KERNEL);
	rd = alloc_page(GFP_KERNEL);
	if (!check(&area_bdev, wr && rd && lbs && lbs <= PAGE_SIZE &&
		   nr >= 16, "buffers, block size %u", lbs))
		goto close;
	get_random_bytes(page_address(wr), lbs);
	memset(page_address(rd), 0, lbs);
	/* Near the end, clear of anything a partition scan reads. */
	sector = round_down(nr - 8, lbs >> SECTOR_SHIFT);
	ret = bdev_rw(b, REQ_OP_WRITE, sector, wr, lbs);
	check(&area_bdev, !ret, "write %u bytes at sector %llu (%d)", lbs,
	      (unsigned long long)sector, ret);
	ret = bdev_rw(b, REQ_OP_READ, sector, rd, lbs);
	check(&area_bdev, !ret, "read them back (%d)", ret);
	check(&area_bdev, !memcmp(page_address(wr), page_address(rd), lbs),
	      "read data equals written data");
close:
	rfl_bdev_close(h);
	/* The claim must be gone now, not at some deferred point. */
	h2 = rfl_bdev_open(bdev, false, &holder_b);
	check(&area_bdev, !IS_ERR(h2),
	      "exclusive open by another holder right after close (%d)",
	      PTR_ERR_OR_ZERO(h2));
	if (!IS_ERR(h2))
		rfl_bdev_close(h2);
	if (rd)
		__free_page(rd);
	if (wr)
		__free_page(wr);
}

/* --------------------------------------------------------------- SCSI */

#define SCSI_TIMEOUT	(30 * HZ)
#define SCSI_LBA	100

static int scsi_cmd(struct scsi_device *sdev, const u8 *cdb,
		    enum dma_data_direction dir, void *buf, unsigned int len,
		    struct scsi_sense_hdr *sshdr)
{
	return rfl_scsi_exec(sdev, cdb, dir, buf, len, sshdr, SCSI_TIMEOUT, 3);
}

static void test_scsi_exec(struct scsi_device *sdev)
{
	struct scsi_sense_hdr sshdr;
	u8 cdb[16] = {};
	u8 *buf, *wr;
	int ret, i;

	buf = kzalloc(512, GFP_KERNEL);
	wr = kmalloc(512, GFP_KERNEL);
	if (!check(&area_scsi, buf && wr, "buffers allocated"))
		goto out;

	/* A pending unit attention (e.g. power on) ends the first tries. */
	cdb[0] = TEST_UNIT_READY;
	for (i = 0; i < 5; i++) {
		ret = scsi_cmd(sdev, cdb, DMA_NONE, NULL, 0, &sshdr);
		if (ret <= 0 || !scsi_sense_valid(&sshdr) ||
		    sshdr.sense_key != UNIT_ATTENTION)
			break;
	}
	check(&area_scsi, ret == 0, "TEST UNIT READY, no data (result %#x)",
	      ret);

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = INQUIRY;
	cdb[4] = 96;
	ret = scsi_cmd(sdev, cdb, DMA_FROM_DEVICE, buf, 96, &sshdr);
	check(&area_scsi, ret == 0 && !memcmp(buf + 8, "Linux   ", 8) &&
	      !memcmp(buf + 16, "scsi_debug", 10),
	      "INQUIRY, data in: result %#x, vendor '%.8s' product '%.16s'",
	      ret, buf + 8, buf + 16);

	memset(cdb, 0, sizeof(cdb));
	memset(buf, 0, 8);
	cdb[0] = READ_CAPACITY;
	ret = scsi_cmd(sdev, cdb, DMA_FROM_DEVICE, buf, 8, &sshdr);
	check(&area_scsi, ret == 0 && get_unaligned_be32(buf) >= SCSI_LBA &&
	      get_unaligned_be32(buf + 4) == 512,
	      "READ CAPACITY(10): result %#x, last LBA %u, block %u bytes", ret,
	      get_unaligned_be32(buf), get_unaligned_be32(buf + 4));

	get_random_bytes(wr, 512);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = WRITE_10;
	put_unaligned_be32(SCSI_LBA, cdb + 2);
	put_unaligned_be16(1, cdb + 7);
	ret = scsi_cmd(sdev, cdb, DMA_TO_DEVICE, wr, 512, &sshdr);
	check(&area_scsi, ret == 0, "WRITE(10) one block, data out (result %#x)",
	      ret);
	memset(buf, 0, 512);
	cdb[0] = READ_10;
	ret = scsi_cmd(sdev, cdb, DMA_FROM_DEVICE, buf, 512, &sshdr);
	check(&area_scsi, ret == 0 && !memcmp(buf, wr, 512),
	      "READ(10) returns the written block (result %#x)", ret);

	/* Vendor-specific opcode scsi_debug does not implement. */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0xc0;
	ret = scsi_cmd(sdev, cdb, DMA_NONE, NULL, 0, &sshdr);
	check(&area_scsi, ret > 0 && scsi_status_is_check_condition(ret) &&
	      scsi_sense_valid(&sshdr) &&
	      sshdr.sense_key == ILLEGAL_REQUEST && sshdr.asc == 0x20,
	      "unsupported opcode: CHECK CONDITION, sense %#x/%#x/%#x (result %#x)",
	      sshdr.sense_key, sshdr.asc, sshdr.ascq, ret);

	ret = rfl_scsi_exec(sdev, cdb, DMA_BIDIRECTIONAL, buf, 8, &sshdr,
			    SCSI_TIMEOUT, 0);
	check(&area_scsi, ret == -EINVAL, "bidirectional is -EINVAL (%d)", ret);
out:
	kfree(wr);
	kfree(buf);
}

static void test_scsi_block(struct Scsi_Host *shost, struct scsi_device *sdev)
{
	enum scsi_device_state st;
	int ret;

	rfl_scsi_block_targets(&shost->shost_gendev);
	st = READ_ONCE(sdev->sdev_state);
	check(&area_scsi, st == SDEV_BLOCK,
	      "rfl_scsi_block_targets(host): LUN state %d, want SDEV_BLOCK (%d)",
	      st, SDEV_BLOCK);
	scsi_target_unblock(&shost->shost_gendev, SDEV_RUNNING);
	st = READ_ONCE(sdev->sdev_state);
	check(&area_scsi, st == SDEV_RUNNING,
	      "scsi_target_unblock(host, SDEV_RUNNING): LUN state %d", st);
	{
		struct scsi_sense_hdr sshdr;
		u8 cdb[6] = { TEST_UNIT_READY };

		ret = scsi_cmd(sdev, cdb, DMA_NONE, NULL, 0, &sshdr);
	}
	check(&area_scsi, ret == 0,
	      "TEST UNIT READY after unblocking (result %#x)", ret);
}

/* A host with no LUNs: proves the template and its callback types build. */
static int rfl_test_queuecommand(struct Scsi_Host *shost,
				 struct scsi_cmnd *sc)
{
	set_host_byte(sc, DID_NO_CONNECT);
	scsi_done(sc);
	return 0;
}

static enum rfl_scsi_timeout_action rfl_test_timed_out(struct scsi_cmnd *sc)
{
	return RFL_EH_NOT_HANDLED;
}

static struct scsi_host_template rfl_test_sht = {
	.module		= THIS_MODULE,
	.name		= "rfl_compat_test",
	.proc_name	= "rfl_compat_test",
	.queuecommand	= rfl_test_queuecommand,
	.eh_timed_out	= rfl_test_timed_out,
	.can_queue	= 1,
	.this_id	= -1,
	.sg_tablesize	= 1,
	.cmd_per_lun	= 1,
};

static void test_scsi_host(void)
{
	struct Scsi_Host *shost;
	int ret;

	shost = scsi_host_alloc(&rfl_test_sht, 0);
	if (!check(&area_scsi, shost, "scsi_host_alloc() of a host template"))
		return;
	ret = scsi_add_host(shost, NULL);
	check(&area_scsi, !ret, "scsi_add_host() as host%u (%d)",
	      shost->host_no, ret);
	check(&area_scsi, shost->hostt->eh_timed_out == rfl_test_timed_out &&
	      rfl_test_timed_out(NULL) == RFL_EH_NOT_HANDLED,
	      "eh_timed_out declared with enum rfl_scsi_timeout_action");
	if (!ret)
		scsi_remove_host(shost);
	scsi_host_put(shost);
}

static void test_scsi(void)
{
	struct Scsi_Host *shost;
	struct scsi_device *sdev;

	test_scsi_host();
	if (scsi_host < 0)
		return;
	shost = scsi_host_lookup(scsi_host);
	if (!check(&area_scsi, shost, "SCSI host %d found", scsi_host))
		return;
	sdev = scsi_device_lookup(shost, 0, 0, 0);
	if (check(&area_scsi, sdev, "LUN %d:0:0:0 found", scsi_host)) {
		test_scsi_exec(sdev);
		test_scsi_block(shost, sdev);
		scsi_device_put(sdev);
	}
	scsi_host_put(shost);
}

/* --------------------------------------------------------------- misc */

static int shash_check(const char *alg, const char *msg, const u8 *want,
		       unsigned int len)
{
	struct crypto_shash *tfm;
	u8 out[32];
	int ret;

	tfm = crypto_alloc_shash(alg, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	ret = -EINVAL;
	if (crypto_shash_digestsize(tfm) == len && len <= sizeof(out)) {
		ret = crypto_shash_tfm_digest(tfm, msg, strlen(msg), out);
		if (!ret && memcmp(out, want, len))
			ret = -EBADMSG;
	}
	crypto_free_shash(tfm);
	return ret;
}

struct rfl_test_timer {
	struct timer_list timer;
	struct completion done;
};

static void rfl_test_timer_fn(struct timer_list *t)
{
	struct rfl_test_timer *tt = from_timer(tt, t, timer);

	complete(&tt->done);
}

static void test_misc(void)
{
	static const u8 md5_abc[16] = {
		0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
		0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72,
	};
	static const u8 sha256_abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
		0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	struct rfl_test_timer tt;
	u8 be[4] = {};
	u32 crc;
	int ret;

	/* RFC 3720 digests: CRC32C, check value of "123456789". */
	crc = ~crc32c(~0U, "123456789", 9);
	check(&area_misc, crc == 0xe3069283, "crc32c check value %#x", crc);

	ret = shash_check("md5", "abc", md5_abc, sizeof(md5_abc));
	check(&area_misc, !ret, "md5 shash, RFC 1321 \"abc\" (%d)", ret);
	ret = shash_check("sha256", "abc", sha256_abc, sizeof(sha256_abc));
	check(&area_misc, !ret, "sha256 shash, FIPS 180 \"abc\" (%d)", ret);

	put_unaligned_be24(0x123456, be + 1);
	check(&area_misc, get_unaligned_be32(be) == 0x00123456 &&
	      get_unaligned_be24(be + 1) == 0x123456,
	      "unaligned big-endian access from rfl_compat.h's include");

	init_completion(&tt.done);
	timer_setup_on_stack(&tt.timer, rfl_test_timer_fn, 0);
	mod_timer(&tt.timer, jiffies + 1);
	ret = wait_for_completion_timeout(&tt.done, 30 * HZ);
	timer_shutdown_sync(&tt.timer);
	destroy_timer_on_stack(&tt.timer);
	check(&area_misc, ret > 0,
	      "timer_setup, from_timer, timer_shutdown_sync");
}

/*
 * Compile-only: the LIO wrappers need target_core_mod, which this test
 * does not load. Built on both kernels, never called.
 */
static int __maybe_unused rfl_test_submit(struct se_cmd *se_cmd)
{
	return rfl_target_submit(se_cmd);
}

static const struct target_core_fabric_ops rfl_test_tfo __maybe_unused = {
	.module			= THIS_MODULE,
	.fabric_name		= "rfl_compat_test",
	.write_pending_must_be_called = 1,
#if RFL_HAVE_TARGET_SUBMIT_TYPE
	.default_submit_type	= TARGET_DIRECT_SUBMIT,
	.direct_submit_supp	= 1,
#endif
};

static const struct rfl_exec_cmd_ops rfl_test_exec_ops __maybe_unused = {
	.execute_rw		= NULL,
};

static int __init rfl_compat_test_init(void)
{
	struct rfl_area *areas[] = {
		&area_sock, &area_bdev, &area_scsi, &area_misc,
	};
	size_t i, at = 0;

	pr_info("built for %s, running on %s\n", UTS_RELEASE,
		init_utsname()->release);
	test_sock();
	if (bdev && *bdev)
		test_bdev();
	test_scsi();
	test_misc();

	for (i = 0; i < ARRAY_SIZE(areas); i++)
		at += scnprintf(results + at, sizeof(results) - at, "%s%s=%d/%d",
				i ? " " : "", areas[i]->name, areas[i]->pass,
				areas[i]->pass + areas[i]->fail);
	if (failed)
		pr_err("%d of %d checks failed\n", failed, passed + failed);
	else
		pr_info("all %d checks passed\n", passed);
	return 0;
}

static void __exit rfl_compat_test_exit(void)
{
}

module_init(rfl_compat_test_init);
module_exit(rfl_compat_test_exit);
MODULE_DESCRIPTION("reflect test suite: exercises rfl_compat.h at load");
MODULE_LICENSE("GPL");
