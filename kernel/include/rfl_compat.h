/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rfl_compat.h - kernel API differences between Linux 6.1.y and 6.12.y
 *
 * Every module of the project builds from one source for the Debian 12
 * kernels 6.1.y and 6.12.y (bookworm-backports). This header holds the
 * wrappers for the kernel interfaces those modules use that differ between
 * the two; each one names the mainline change it absorbs. Interfaces that are
 * identical on both are called directly and are listed in
 * Documentation/compat.rst, together with how to add a wrapper.
 *
 * The version tests compare the kernel version, never whether a macro is
 * defined: 6.1.y defines MSG_SPLICE_PAGES (a stable backport for UDP) while
 * its TCP ignores it, for instance.
 *
 * Kernels 6.2 to 6.11 are rejected: several interfaces went through
 * intermediate forms there (the block device handle had three) that nothing
 * here builds or tests.
 */
#ifndef _RFL_COMPAT_H
#define _RFL_COMPAT_H

#include <linux/version.h>

/**
 * RFL_KERNEL_AT_LEAST() - whether the kernel built against is a.b.c or later
 * @a: major version
 * @b: patch level
 * @c: sublevel
 *
 * The one place that reads the kernel version: the same value as
 * LINUX_VERSION_CODE, assembled from the parts <linux/version.h> also
 * defines. checkpatch rightly flags LINUX_VERSION_CODE in code meant for
 * one tree; testing it is what this header is for, once, here.
 */
#define RFL_KERNEL_AT_LEAST(a, b, c) \
	(KERNEL_VERSION(LINUX_VERSION_MAJOR, LINUX_VERSION_PATCHLEVEL, \
			LINUX_VERSION_SUBLEVEL) >= KERNEL_VERSION(a, b, c))

#if !RFL_KERNEL_AT_LEAST(6, 1, 0) || \
	(RFL_KERNEL_AT_LEAST(6, 2, 0) && !RFL_KERNEL_AT_LEAST(6, 12, 0))
#error "rfl_compat.h supports Linux 6.1.y and 6.12 or later only"
#endif

#include <linux/blkdev.h>
#include <linux/bvec.h>
#include <linux/dma-direction.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>
#include <target/target_core_backend.h>

/*
 * <asm/unaligned.h> moved to <linux/unaligned.h> in v6.12 ("move
 * asm/unaligned.h to linux/unaligned.h"); neither kernel has the other name.
 * Include this header instead of either to get get_unaligned_be32() and
 * friends (PDU parsing).
 */
#if RFL_KERNEL_AT_LEAST(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* ------------------------------------------------------------------ */
/* Sockets                                                             */
/* ------------------------------------------------------------------ */

/*
 * One physically contiguous piece, at most up to the end of @page. v6.5
 * removed ->sendpage() and kernel_sendpage() ("net: Remove kernel_sendpage()
 * and kernel_sendpage_locked()", "sock: Remove ->sendpage*() in favour of
 * sendmsg(MSG_SPLICE_PAGES)") and MSG_SENDPAGE_NOTLAST ("net: Kill
 * MSG_SENDPAGE_NOTLAST"): zero-copy is now sendmsg() with MSG_SPLICE_PAGES
 * over a bvec iterator, and MSG_MORE alone says "more follows". On 6.1 the
 * in-tree users (nvme-tcp, iscsi_tcp) pass MSG_MORE | MSG_SENDPAGE_NOTLAST
 * for the same meaning; that is what v6.5 folded into MSG_MORE.
 *
 * Pages that may not be referenced by an skb (slab memory, a page without a
 * reference count: !sendpage_ok()) are copied instead on both kernels; 6.1
 * would otherwise warn in kernel_sendpage(), 6.12 in skb_splice_from_iter().
 */
static inline int rfl__sock_send_piece(struct socket *sock, struct page *page,
				       unsigned int offset, size_t len,
				       int flags)
{
#if RFL_KERNEL_AT_LEAST(6, 5, 0)
	struct msghdr msg = { .msg_flags = flags };
	struct bio_vec bvec;

	if (sendpage_ok(page))
		msg.msg_flags |= MSG_SPLICE_PAGES;
	bvec_set_page(&bvec, page, len, offset);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, len);
	return sock_sendmsg(sock, &msg);
#else
	if (!sendpage_ok(page))
		return sock_no_sendpage(sock, page, offset, len, flags);
	if (flags & MSG_MORE)
		flags |= MSG_SENDPAGE_NOTLAST;
	return kernel_sendpage(sock, page, offset, len, flags);
#endif
}

/**
 * rfl_sock_send_page() - zero-copy send of page data on a kernel socket
 * @sock: a connected stream socket
 * @page: first page of the data
 * @offset: offset of the data from the start of @page; may exceed PAGE_SIZE
 *	when @page starts a run of physically contiguous pages (a compound
 *	page, or the pages of one bvec)
 * @len: number of bytes to send, at most INT_MAX; may cross page boundaries
 *	under the same condition
 * @flags: MSG_MORE (more data follows: do not push), MSG_DONTWAIT (do not
 *	block for send buffer space), MSG_NOSIGNAL, as for sendmsg()
 *
 * The data is not copied: the socket takes page references and the caller
 * must not change the data until the peer has acknowledged it (in practice,
 * until the protocol-level reply arrived). Pages that cannot be referenced
 * (slab memory) are copied transparently. A run that crosses pages is sent
 * page by page with MSG_MORE on all but the last piece, which carries
 * @flags as given, so MSG_MORE has the same effect on 6.1 and 6.12.
 *
 * Context: process context; may sleep unless MSG_DONTWAIT is given.
 * Return: the number of bytes queued, which is less than @len only with
 * MSG_DONTWAIT or after an error that followed a partial send; 0 for a
 * zero @len; otherwise a negative errno (-EAGAIN when nothing could be
 * queued without blocking).
 */
static inline int rfl_sock_send_page(struct socket *sock, struct page *page,
				     int offset, size_t len, int flags)
{
	size_t sent = 0;

	if (offset < 0 || len > INT_MAX)
		return -EINVAL;
	page = nth_page(page, offset >> PAGE_SHIFT);
	offset &= ~PAGE_MASK;
	while (sent < len) {
		size_t piece = min_t(size_t, len - sent, PAGE_SIZE - offset);
		int pflags = flags;
		int ret;

		if (sent + piece < len)
			pflags |= MSG_MORE;
		ret = rfl__sock_send_piece(sock, page, offset, piece, pflags);
		if (ret <= 0)
			return sent ? (int)sent : ret;
		sent += ret;
		if (ret < piece)
			break;
		page = nth_page(page, 1);
		offset = 0;
	}
	return sent;
}

/**
 * rfl_tcp_sock_set_user_timeout() - set TCP_USER_TIMEOUT on a kernel socket
 * @sk: a TCP socket
 * @msecs: how long transmitted data may stay unacknowledged before the
 *	connection is dropped, in milliseconds; 0 restores the default
 *
 * v6.6 ("tcp: set TCP_USER_TIMEOUT locklessly") changed
 * tcp_sock_set_user_timeout() from void (sk, u32) to int (sk, int), rejecting
 * negative values. The wrapper takes the unsigned value and rejects what
 * does not fit an int on both kernels.
 *
 * Context: process context; 6.1 takes the socket lock.
 * Return: 0 or -EINVAL.
 */
static inline int rfl_tcp_sock_set_user_timeout(struct sock *sk,
						unsigned int msecs)
{
	if (msecs > INT_MAX)
		return -EINVAL;
#if RFL_KERNEL_AT_LEAST(6, 6, 0)
	return tcp_sock_set_user_timeout(sk, msecs);
#else
	tcp_sock_set_user_timeout(sk, msecs);
	return 0;
#endif
}

/* ------------------------------------------------------------------ */
/* Block devices                                                       */
/* ------------------------------------------------------------------ */

/**
 * struct rfl_bdev_handle - an open block device
 *
 * Opaque: use rfl_bdev_open(), rfl_bdev() and rfl_bdev_close() only.
 * 6.1 opens with blkdev_get_by_path() and needs the open mode again at
 * blkdev_put(); v6.5 replaced the fmode_t with blk_mode_t and added holder
 * operations, v6.7 returned a struct bdev_handle ("block: Provide
 * bdev_open_* functions"), and v6.9 a struct file ("bdev: open block device
 * as files"), closed with bdev_fput() so that an exclusive claim ends
 * before the call returns rather than at the deferred final fput().
 */
struct rfl_bdev_handle {
#if RFL_KERNEL_AT_LEAST(6, 9, 0)
	/* private: */
	struct file *file;
#else
	/* private: */
	struct block_device *bdev;
	fmode_t mode;
#endif
};

/**
 * rfl_bdev_open() - open a block device by path
 * @path: path of the block device node, e.g. "/dev/sdb"
 * @write: open for writing as well as reading
 * @holder: non-NULL to claim the device exclusively for this holder (as
 *	FMODE_EXCL on 6.1; a non-NULL holder alone means exclusive from v6.5
 *	on); a second exclusive open by another holder fails with -EBUSY
 *
 * Context: process context, may sleep.
 * Return: a handle for rfl_bdev() and rfl_bdev_close(), or an ERR_PTR().
 */
static inline struct rfl_bdev_handle *rfl_bdev_open(const char *path,
						    bool write, void *holder)
{
	struct rfl_bdev_handle *h = kzalloc(sizeof(*h), GFP_KERNEL);

	if (!h)
		return ERR_PTR(-ENOMEM);
#if RFL_KERNEL_AT_LEAST(6, 9, 0)
	h->file = bdev_file_open_by_path(path, BLK_OPEN_READ |
					 (write ? BLK_OPEN_WRITE : 0),
					 holder, NULL);
	if (IS_ERR(h->file)) {
		int err = PTR_ERR(h->file);

		kfree(h);
		return ERR_PTR(err);
	}
#else
	h->mode = FMODE_READ | (write ? FMODE_WRITE : 0) |
		  (holder ? FMODE_EXCL : 0);
	h->bdev = blkdev_get_by_path(path, h->mode, holder);
	if (IS_ERR(h->bdev)) {
		int err = PTR_ERR(h->bdev);

		kfree(h);
		return ERR_PTR(err);
	}
#endif
	return h;
}

/**
 * rfl_bdev() - the block device behind a handle
 * @h: a handle from rfl_bdev_open()
 *
 * Return: the block device, valid until rfl_bdev_close(); use it for
 * bio_alloc(), bdev_nr_sectors(), bdev_logical_block_size() and the like,
 * which are the same on both kernels.
 */
static inline struct block_device *rfl_bdev(struct rfl_bdev_handle *h)
{
#if RFL_KERNEL_AT_LEAST(6, 9, 0)
	return file_bdev(h->file);
#else
	return h->bdev;
#endif
}

/**
 * rfl_bdev_close() - close a block device opened with rfl_bdev_open()
 * @h: the handle; freed here
 *
 * An exclusive claim is released before this returns on both kernels (v6.9
 * added bdev_fput() for that; a plain fput() would defer it to task work).
 *
 * Context: process context, may sleep.
 */
static inline void rfl_bdev_close(struct rfl_bdev_handle *h)
{
#if RFL_KERNEL_AT_LEAST(6, 9, 0)
	bdev_fput(h->file);
#else
	blkdev_put(h->bdev, h->mode);
#endif
	kfree(h);
}

/* ------------------------------------------------------------------ */
/* SCSI midlayer: internal commands and low-level drivers              */
/* ------------------------------------------------------------------ */

/**
 * rfl_scsi_exec() - run a SCSI command on a device and wait for it
 * @sdev: the SCSI device
 * @cdb: the CDB; its length comes from the opcode's group (COMMAND_SIZE()),
 *	so variable-length CDBs are not supported
 * @dir: DMA_TO_DEVICE (data out), DMA_FROM_DEVICE (data in) or DMA_NONE
 * @buf: data buffer (kernel memory), or NULL with @len 0
 * @len: data length in bytes
 * @sshdr: decoded sense data, or NULL; zeroed first, so it is meaningful
 *	only when the return value is positive and scsi_sense_valid() says so
 * @timeout: timeout in jiffies
 * @retries: how often the midlayer may retry the command
 *
 * v6.3 ("scsi: Add struct for args to execution functions" and the
 * conversion series after it) replaced scsi_execute()/scsi_execute_req(),
 * which took a DMA direction, by scsi_execute_cmd(), which takes a request
 * operation and a struct scsi_exec_args. 6.1.y has only the old functions.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, a positive SCSI result (status byte, host byte)
 * when the command completed with an error, or a negative errno when it
 * could not be issued.
 */
static inline int rfl_scsi_exec(struct scsi_device *sdev,
				const unsigned char *cdb,
				enum dma_data_direction dir, void *buf,
				unsigned int len, struct scsi_sense_hdr *sshdr,
				int timeout, int retries)
{
#if RFL_KERNEL_AT_LEAST(6, 3, 0)
	const struct scsi_exec_args args = { .sshdr = sshdr };
#endif

	if (dir == DMA_BIDIRECTIONAL || (dir == DMA_NONE && len))
		return -EINVAL;
	if (sshdr)
		memset(sshdr, 0, sizeof(*sshdr));
#if RFL_KERNEL_AT_LEAST(6, 3, 0)
	return scsi_execute_cmd(sdev, cdb,
				dir == DMA_TO_DEVICE ? REQ_OP_DRV_OUT :
						       REQ_OP_DRV_IN,
				buf, len, timeout, retries, &args);
#else
	return scsi_execute_req(sdev, cdb, dir, buf, len, sshdr, timeout,
				retries, NULL);
#endif
}

/**
 * DOC: eh_timed_out return values
 *
 * v6.2 ("scsi: core: Change the return type of .eh_timed_out()") changed
 * &scsi_host_template.eh_timed_out from returning enum blk_eh_timer_return
 * to enum scsi_timeout_action. Declare the callback as returning
 * ``enum rfl_scsi_timeout_action`` and return one of:
 *
 * RFL_EH_DONE: the driver completed the command itself (scsi_done()).
 *
 * RFL_EH_RESET_TIMER: keep waiting, restart the timer.
 *
 * RFL_EH_NOT_HANDLED: let the midlayer abort the command and escalate.
 *
 * On 6.1 both DONE and NOT_HANDLED are BLK_EH_DONE: there the midlayer
 * aborts unless scsi_done() already marked the command complete, which
 * gives the same result for a driver that completed it.
 */
#if RFL_KERNEL_AT_LEAST(6, 2, 0)
#define rfl_scsi_timeout_action	scsi_timeout_action
#define RFL_EH_DONE		SCSI_EH_DONE
#define RFL_EH_RESET_TIMER	SCSI_EH_RESET_TIMER
#define RFL_EH_NOT_HANDLED	SCSI_EH_NOT_HANDLED
#else
#define rfl_scsi_timeout_action	blk_eh_timer_return
#define RFL_EH_DONE		BLK_EH_DONE
#define RFL_EH_RESET_TIMER	BLK_EH_RESET_TIMER
#define RFL_EH_NOT_HANDLED	BLK_EH_DONE
#endif

/**
 * rfl_scsi_block_targets() - block all SCSI targets below a device
 * @dev: the parent of the targets: a host's shost_gendev, or a device
 *	between a host and its targets (a session); not a target itself
 *
 * Stops dispatch to every LUN of those targets (state SDEV_BLOCK) and waits
 * until no queuecommand call is still running, e.g. while a connection is
 * being re-established. Undo with scsi_target_unblock(@dev, SDEV_RUNNING),
 * or SDEV_TRANSPORT_OFFLINE to fail what is queued; that one is the same on
 * both kernels. v6.5 replaced scsi_target_block(dev) by
 * scsi_block_targets(host, dev) (commit 31950192d939, "scsi: core: Replace
 * scsi_target_block() with scsi_block_targets()"); the host is found from
 * @dev here, so blocking and unblocking take the same argument. To block a
 * whole host, scsi_host_block()/scsi_host_unblock() are the same on both.
 *
 * Context: process context, may sleep.
 */
static inline void rfl_scsi_block_targets(struct device *dev)
{
#if RFL_KERNEL_AT_LEAST(6, 5, 0)
	scsi_block_targets(dev_to_shost(dev), dev);
#else
	scsi_target_block(dev);
#endif
}

/* ------------------------------------------------------------------ */
/* LIO (target core): fabric and backstore interfaces                  */
/* ------------------------------------------------------------------ */

/**
 * DOC: LIO submission type
 *
 * v6.7 (series "scsi: target: Allow userspace to config cmd submission":
 * commits 194605d45dcb, e2f4ea40138e, e344c00e7ccd) added
 * &target_core_fabric_ops.default_submit_type and .direct_submit_supp and a
 * per-device attrib/submit_type, unexported target_queue_submission() and
 * made target_submit() return int. A fabric that submits from its receive
 * thread, as the project's does, initialises its ops with::
 *
 *	#if RFL_HAVE_TARGET_SUBMIT_TYPE
 *		.default_submit_type	= TARGET_DIRECT_SUBMIT,
 *		.direct_submit_supp	= 1,
 *	#endif
 *
 * and submits with rfl_target_submit(). On 6.1 submission is always direct.
 */
#if RFL_KERNEL_AT_LEAST(6, 7, 0)
#define RFL_HAVE_TARGET_SUBMIT_TYPE	1
#else
#define RFL_HAVE_TARGET_SUBMIT_TYPE	0
#endif

/**
 * rfl_target_submit() - hand a prepared command to LIO core
 * @se_cmd: a command set up with target_init_cmd() and target_submit_prep()
 *	(both the same on 6.1 and 6.12)
 *
 * v6.7 ("scsi: target: Allow userspace to request direct submissions")
 * changed target_submit() from void to int and made it honour the device's
 * submit_type and the fabric's default_submit_type (see above); it fails only
 * for a command without a LUN, which 6.1 reported with a log line and
 * nothing else. The wrapper returns that error on both kernels.
 *
 * Context: process context.
 * Return: 0, or -EINVAL when @se_cmd has no LUN (nothing was submitted).
 */
static inline int rfl_target_submit(struct se_cmd *se_cmd)
{
	if (!se_cmd->se_lun)
		return -EINVAL;
#if RFL_KERNEL_AT_LEAST(6, 7, 0)
	return target_submit(se_cmd);
#else
	target_submit(se_cmd);
	return 0;
#endif
}

/**
 * DOC: LIO backstore execute operations
 *
 * v6.5 renamed the operations a backstore passes to sbc_parse_cdb() from
 * struct sbc_ops to struct exec_cmd_ops (commit 0217da08c1b9, "scsi: target:
 * Rename sbc_ops to exec_cmd_ops", with the block-layer persistent
 * reservation series) and
 * added .execute_pr_out and .execute_pr_in. Declare the table as
 * ``struct rfl_exec_cmd_ops``; set the PR members only under
 * ``#if RFL_HAVE_EXEC_PR_OPS``.
 */
#if RFL_KERNEL_AT_LEAST(6, 5, 0)
#define rfl_exec_cmd_ops		exec_cmd_ops
#define RFL_HAVE_EXEC_PR_OPS		1
#else
#define rfl_exec_cmd_ops		sbc_ops
#define RFL_HAVE_EXEC_PR_OPS		0
#endif

#endif /* _RFL_COMPAT_H */
