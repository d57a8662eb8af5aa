/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reflect_initiator: internal interfaces of the in-kernel iSCSI initiator.
 *
 * Objects and their owners:
 *   rfl_ini_tgt   configfs reflect_initiator/targets/<name>: what to log
 *                 into, the values to offer, state and statistics
 *   rfl_ini_sess  one enabled target: its session, its single connection
 *                 (MaxConnections=1, so a session is its connection) and
 *                 the Scsi_Host that exposes its LUNs
 *   rfl_ini_task  per-command private data of a scsi_cmnd (cmd_size)
 *   rfl_ini_txe   one unit of transmit work: a command PDU with its
 *                 immediate data, a Data-Out sequence, or a control PDU
 *
 * Execution model (after drivers/nvme/host/tcp.c and parallel to
 * kernel/target): login runs synchronously on a blocking socket in the
 * context of the process that wrote enable=1; then the socket becomes
 * non-blocking and its callbacks queue the session's io_work on
 * rfl_ini_wq. io_work receives and transmits within a budget; the receive
 * and transmit state is touched by io_work only and needs no lock.
 * queuecommand and the error handlers only put entries on the transmit
 * queue and in the task table, under sess->lock.
 */
#ifndef RFL_INI_H
#define RFL_INI_H

#include <linux/completion.h>
#include <linux/configfs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <scsi/iscsi_proto.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_host.h>

#include "rfl_compat.h"
#include "rfl_initiator.h"
#include "rfl_proto.h"
#include "rfl_script.h"

#define RFL_INI_NAME		"reflect_initiator"
#define RFL_INI_MAX_AHS		1020	/* TotalAHSLength is 255 words */
#define RFL_INI_DIGEST_SIZE	4	/* a CRC32C digest on the wire */
#define RFL_INI_HDR_BUF		(ISCSI_HDR_LEN + RFL_INI_MAX_AHS + \
				 RFL_INI_DIGEST_SIZE)
#define RFL_INI_LOGIN_BUF	RFL_TEXT_MIN_LTDS	/* login text */
#define RFL_INI_IO_BUDGET	(256 * 1024)	/* bytes per io_work pass */
#define RFL_INI_ERR_LEN		160	/* bytes of last_error */
#define RFL_INI_CHAP_LEN	256	/* bytes of a CHAP name or secret */
#define RFL_INI_LOGIN_TMO	15	/* seconds per login PDU exchange */
#define RFL_INI_LOGOUT_TMO	10	/* seconds to wait for a Logout */
#define RFL_INI_TMF_TMO		10	/* seconds to wait for a TMF */
#define RFL_INI_MAX_PORTALS	4	/* portals of one target object */

/*
 * Initiator Task Tags: a command's is its blk-mq tag (below can_queue) in
 * bits 0-15 and a generation, counted per session, in bits 16-29, so a
 * late PDU for a command that task management ended never reaches the
 * command that uses its blk-mq tag next; the control PDUs use fixed tags
 * with bit 30 set.
 */
#define RFL_INI_ITT_TAG(itt)	((itt) & 0xffff)
#define RFL_INI_ITT_GEN_MASK	0x3fff
#define RFL_INI_ITT_NOP		0x40000001U
#define RFL_INI_ITT_LOGOUT	0x40000002U
#define RFL_INI_ITT_TMF		0x40000003U

/* What a target object offers; written through configfs. */
struct rfl_ini_cfg {
	char target_iqn[RFL_NAME_MAX + 1];
	struct sockaddr_storage portal;	/* ss_family 0: not set */
	/* Further portals, tried after portal in this order. */
	struct sockaddr_storage extra_portals[RFL_INI_MAX_PORTALS - 1];
	u8 nextra;
	bool header_digest;
	bool data_digest;
	bool immediate_data;
	bool initial_r2t;
	u32 max_recv_dlength;
	u32 max_burst;
	u32 first_burst;
	u32 max_outstanding_r2t;
	u32 queue_depth;
	u32 nop_interval;	/* seconds; 0: no pings */
	u32 nop_timeout;	/* seconds */
	u32 replacement_timeout;	/* seconds */
	char chap_userid[RFL_INI_CHAP_LEN];
	char chap_password[RFL_INI_CHAP_LEN];
	char chap_mutual_userid[RFL_INI_CHAP_LEN];
	char chap_mutual_password[RFL_INI_CHAP_LEN];
	bool chap_sha256;	/* offer CHAP_A=7,5; else 5 (MD5) only */
	bool reflection;	/* offer RFL_REFLECT_KEY=Yes */
};

struct rfl_ini_stats {
	atomic64_t cmds;
	atomic64_t bytes_in;
	atomic64_t bytes_out;
	atomic64_t conn_failures;	/* connections declared dead */
	atomic64_t target_failures;	/* SCSI Response "target failure" */
	atomic64_t non_good_status;	/* SCSI status not GOOD (UAs too) */
	atomic64_t late_pdus;		/* for tasks a TMF ended: dropped */
	atomic64_t ignored_windows;	/* ExpCmdSN/MaxCmdSN ignored */
	atomic64_t reconnects;
	/* Reflection (sessions to a manager). */
	atomic64_t reflected;		/* commands completed by reflection */
	atomic64_t pieces;		/* pieces of those commands */
	atomic64_t bytes_direct;	/* their bytes, moved host <-> disks */
	atomic64_t fallbacks;		/* commands re-driven as proxy */
	atomic64_t invalid_scripts;	/* scripts refused before execution */
};

enum rfl_ini_state {
	RFL_INI_DISABLED,
	RFL_INI_LOGGING_IN,
	RFL_INI_LOGGED_IN,
	RFL_INI_RECOVERING,	/* reconnecting, I/O held */
	RFL_INI_FAILED,		/* past replacement_timeout: I/O fails */
	RFL_INI_LOGGING_OUT,
};

struct rfl_ini_sess;

struct rfl_ini_tgt {
	struct config_group group;
	/*
	 * Serialises configuration writes against enable and disable, and
	 * guards cfg and sess.
	 */
	struct mutex mutex;
	/*
	 * Taken inside mutex by every write of cfg; lets the LU pool copy
	 * cfg (rfl_ini_cfg_find()) without waiting for the mutex.
	 */
	spinlock_t cfg_lock;
	struct rfl_ini_cfg cfg;
	struct rfl_ini_sess *sess;	/* NULL while disabled */
	struct rfl_ini_stats stats;
	spinlock_t err_lock;		/* guards last_error */
	char last_error[RFL_INI_ERR_LEN];
	u8 isid[6];			/* kept across reinstatement */
	int state;			/* enum rfl_ini_state; READ_ONCE */
	bool pooled;			/* internal object of the LU pool */
	struct list_head list;		/* on the configfs target list */
};

enum rfl_ini_rx_state {
	RFL_INI_RX_BHS,
	RFL_INI_RX_AHS,
	RFL_INI_RX_DATA,
	RFL_INI_RX_TRAIL,
};

enum rfl_ini_txe_kind {
	RFL_INI_TXE_CMD,	/* SCSI Command PDU and its immediate data */
	RFL_INI_TXE_DATA,	/* Data-Out PDUs covering [off, off + len) */
	RFL_INI_TXE_CTL,	/* a prebuilt control PDU (NOP, TMF, Logout) */
};

struct rfl_ini_txe {
	struct list_head node;		/* on sess->txq */
	u8 kind;			/* enum rfl_ini_txe_kind */
	bool allocated;			/* kfree()d when sent */
	bool immediate;			/* CTL: I bit, CmdSN not advanced */
	struct scsi_cmnd *sc;		/* CMD, DATA */
	u32 off;			/* DATA: buffer offset of the sequence */
	u32 len;			/* DATA: bytes; CTL: data bytes */
	u32 ttt;			/* DATA: Target Transfer Tag (be32) */
	u32 data_sn;			/* DATA: next DataSN */
	u32 sent;			/* DATA: bytes of the sequence queued */
	u8 hdr[ISCSI_HDR_LEN];		/* CTL */
	void *data;			/* CTL: data segment or NULL */
};

/* Per-command private data (Scsi_Host cmd_size). */
struct rfl_ini_task {
	struct rfl_ini_txe cmd_txe;	/* the command PDU */
	struct rfl_ini_txe unsol_txe;	/* unsolicited Data-Out */
	u32 itt;			/* as sent (be32 raw value) */
	u32 cmd_sn;
	u32 imm_len;			/* immediate data bytes */
	u32 unsol_len;			/* unsolicited Data-Out bytes */
	u32 data_in;			/* Data-In bytes received */
	int tx_refs;			/* txes on txq or in flight */
	bool done;			/* status received, waiting for tx */
	/* Reflection; under sess->lock except where noted. */
	u8 rstate;			/* enum rfl_ini_rstate */
	bool proxy;			/* sent with RFL_CMD_FLAG_PROXY */
	bool aborted;			/* EH gave up on it while reflecting */
	u16 npieces;			/* of the running script (io_work) */
	struct list_head rnode;		/* on sess->reflecting or redrive */
	struct scsi_cmnd *sc;		/* the command of this task */
	struct completion *settle;	/* EH waits for the pieces */
};

/* Where a command is in reflection. */
enum rfl_ini_rstate {
	RFL_INI_RS_NONE,		/* ordinary command */
	RFL_INI_RS_RUNNING,		/* script pieces in flight */
	RFL_INI_RS_REDRIVE,		/* waiting to be re-sent as proxy */
};

struct rfl_ini_sess {
	struct rfl_ini_tgt *tgt;
	struct rfl_ini_cfg cfg;		/* snapshot taken at enable */
	struct Scsi_Host *shost;
	struct net *net;		/* namespace of the enabling process */
	struct socket *sock;
	struct sockaddr_storage peer;	/* portal in use; under lock */
	unsigned int portal_idx;	/* its index in the cfg's list */
	bool discovery;			/* SessionType=Discovery */
	struct rfl_params params;	/* negotiated */
	u16 tsih;
	u16 can_queue;
	int tpgt;			/* from the last login; -1: none.
					 * Written by login, read by LU open:
					 * READ/WRITE_ONCE
					 */

	/*
	 * lock: the CmdSN window (cmd_sn, exp_cmd_sn, max_cmd_sn), the task
	 * table, the transmit queue, the dead flag, the reflecting and
	 * redrive lists and the reflection fields of their tasks.
	 * queuecommand, the error handlers, io_work and the completions of
	 * reflected commands (any context) take it; never held while
	 * sending or while calling into the executor.
	 */
	spinlock_t lock;
	u32 cmd_sn;			/* next CmdSN to assign */
	u32 exp_cmd_sn;
	u32 max_cmd_sn;
	struct scsi_cmnd **tasks;	/* indexed by blk-mq tag */
	u16 itt_gen;			/* generation of the next ITT */
	/*
	 * By blk-mq tag: the ITT of the last task with that tag a TMF
	 * ended (its late PDUs are dropped); ISCSI_RESERVED_TAG if none.
	 */
	u32 *ended_itts;
	struct list_head txq;		/* struct rfl_ini_txe */
	bool dead;			/* no more I/O on this connection */
	bool window_closed;		/* a command was refused for it */
	bool stopping;			/* disable: no more recovery */
	bool logging_out;		/* Logout sent: a close is expected */
	struct list_head reflecting;	/* tasks whose pieces run */
	struct list_head redrive;	/* tasks to re-send as proxy */
	bool reflect;			/* RFL_REFLECT_KEY=Yes negotiated */
	bool pooled;			/* a pool session: no sd, no scan */

	/* Receive state: io_work only. */
	u8 rx_state;			/* enum rfl_ini_rx_state */
	u8 rx_hdr[RFL_INI_HDR_BUF];
	u32 rx_hdr_len;
	u32 rx_off;
	u32 rx_dsl;
	u8 rx_trail[3 + RFL_INI_DIGEST_SIZE];
	u32 rx_trail_len;
	struct scsi_cmnd *rx_sc;	/* Data-In: destination command */
	u32 rx_sg_off;			/* Data-In: buffer offset */
	void *rx_buf;			/* other data segments */
	u32 rx_buf_cap;
	u32 exp_stat_sn;

	/* Transmit state: io_work only. */
	struct rfl_ini_txe *tx_txe;	/* entry being sent */
	u8 tx_hdr[ISCSI_HDR_LEN + RFL_INI_DIGEST_SIZE];
	u32 tx_hdr_len, tx_hdr_off;
	struct scatterlist *tx_sgl;	/* data from a command, or NULL */
	u32 tx_sg_off;			/* buffer offset of the data */
	const void *tx_buf;		/* data from a buffer */
	u32 tx_len, tx_off;
	u8 tx_trail[3 + RFL_INI_DIGEST_SIZE];
	u32 tx_trail_len, tx_trail_off;
	bool tx_busy;

	void (*old_data_ready)(struct sock *sk);
	void (*old_write_space)(struct sock *sk);
	void (*old_state_change)(struct sock *sk);

	struct work_struct io_work;
	struct work_struct err_work;
	struct delayed_work nop_work;
	struct delayed_work recovery_work;	/* reconnect and log in */
	/*
	 * The target asked for a logout (Async Message, AsyncEvent 1):
	 * hold new I/O, let the commands in flight end (up to its
	 * Parameter3 seconds), log out, reconnect. Written by io_work
	 * before queueing the work; read by the work. logout_req_conn is
	 * the connection it was asked on (the reconnects count then): a
	 * request left over from a connection since replaced is dropped.
	 */
	struct work_struct logout_req_work;
	u16 logout_req_secs;
	s64 logout_req_conn;
	unsigned long recovery_start;	/* jiffies the connection was lost */
	unsigned int recovery_delay;	/* seconds until the next attempt */
	unsigned long connect_tmo;	/* jiffies a connect may take; 0: 15 s */
	/*
	 * recovery_mutex: serialises err_work's blocking of the SCSI
	 * targets against recovery_work's reconnect and unblocking; guards
	 * blocked and the socket pointer during recovery.
	 */
	struct mutex recovery_mutex;
	bool blocked;			/* SCSI targets blocked by us */
	u32 nop_ttt_pending;		/* NOP-Out ping outstanding */
	unsigned long nop_sent;		/* jiffies of the ping */

	/* Logout and TMF responses wake their waiters. */
	struct completion logout_done;
	struct completion tmf_done;
	u8 tmf_response;
	u8 tmf_function;		/* ISCSI_TM_FUNC_* awaited */
	u32 tmf_ref_itt;		/* ABORT TASK: the task */
	u64 tmf_lun;			/* LUN RESET: the LUN */
	struct mutex tmf_mutex;	/* one TMF at a time */
};

extern struct workqueue_struct *rfl_ini_wq;

/* rfl_ini_configfs.c */
int rfl_ini_configfs_init(void);
void rfl_ini_configfs_exit(void);
const char *rfl_ini_initiator_name(char *buf, size_t len);
void rfl_ini_cfg_defaults(struct rfl_ini_tgt *tgt);
bool rfl_ini_cfg_find(const char *iqn, struct rfl_ini_cfg *cfg);

/* rfl_ini_conn.c */
unsigned int rfl_ini_nportals(const struct rfl_ini_cfg *cfg);
const struct sockaddr_storage *rfl_ini_portal(const struct rfl_ini_cfg *cfg,
					      unsigned int i);
int rfl_ini_connect_login(struct rfl_ini_sess *sess, unsigned int start);
int rfl_ini_enable(struct rfl_ini_tgt *tgt);
int rfl_ini_enable_net(struct rfl_ini_tgt *tgt, struct net *net);
void rfl_ini_disable(struct rfl_ini_tgt *tgt);
void rfl_ini_conn_fail(struct rfl_ini_sess *sess, const char *why);
void rfl_ini_kick(struct rfl_ini_sess *sess);
void rfl_ini_set_error(struct rfl_ini_tgt *tgt, const char *fmt, ...)
	__printf(2, 3);

/* rfl_ini_login.c */
int rfl_ini_login(struct rfl_ini_sess *sess);
int rfl_ini_send_all(struct socket *sock, const void *buf, u32 len);
int rfl_ini_recv_all(struct socket *sock, void *buf, u32 len);
void rfl_ini_chap_prepare(void);
const char *rfl_ini_login_class(u8 cls);
const char *rfl_ini_login_detail(u8 cls, u8 detail);

/* rfl_ini_discovery.c */
int rfl_ini_discover(struct rfl_ini_tgt *tgt, struct net *net, char *out,
		     size_t cap);

/* rfl_ini_rx.c */
int rfl_ini_rx_work(struct rfl_ini_sess *sess, int *budget);

/* rfl_ini_tx.c */
int rfl_ini_tx_work(struct rfl_ini_sess *sess, int *budget);
void rfl_ini_queue_txe(struct rfl_ini_sess *sess, struct rfl_ini_txe *txe);
struct rfl_ini_txe *rfl_ini_ctl_alloc(u8 opcode, u32 len, gfp_t gfp);
void rfl_ini_txe_free(struct rfl_ini_txe *txe);
void rfl_ini_tx_flush(struct rfl_ini_sess *sess);
u32 rfl_ini_sg_crc(struct scatterlist *sgl, u32 off, u32 len, u32 crc);

/* rfl_ini_lu.c */
int rfl_ini_lu_init(void);
void rfl_ini_lu_exit(void);

/* rfl_ini_exec.c */
int rfl_ini_exec_init(void);
void rfl_ini_exec_exit(void);

/* rfl_ini_reflect.c */
int rfl_ini_reflect_rsp(struct rfl_ini_sess *sess, struct scsi_cmnd *sc);
void rfl_ini_redrive_locked(struct rfl_ini_sess *sess);
void rfl_ini_reflect_fail_all(struct rfl_ini_sess *sess, int host_byte);
bool rfl_ini_reflect_abort(struct rfl_ini_sess *sess, struct scsi_cmnd *sc);
void rfl_ini_reflect_settle_lun(struct rfl_ini_sess *sess, u64 lun);

/* rfl_ini_scsi.c */
void rfl_ini_build_cmd(struct rfl_ini_sess *sess, struct scsi_cmnd *sc);
struct rfl_ini_sess *rfl_ini_sess_alloc(struct rfl_ini_tgt *tgt);
int rfl_ini_scsi_add(struct rfl_ini_sess *sess);
void rfl_ini_scsi_remove(struct rfl_ini_sess *sess);
void rfl_ini_sess_free(struct rfl_ini_sess *sess);
struct scsi_cmnd *rfl_ini_task_lookup(struct rfl_ini_sess *sess, u32 itt);
bool rfl_ini_itt_ended(struct rfl_ini_sess *sess, u32 itt);
void rfl_ini_task_complete(struct rfl_ini_sess *sess, struct scsi_cmnd *sc);
void rfl_ini_task_put_tx(struct rfl_ini_sess *sess, struct scsi_cmnd *sc);
void rfl_ini_fail_all(struct rfl_ini_sess *sess, int host_byte);
void rfl_ini_window_update(struct rfl_ini_sess *sess, u32 exp, u32 max);

static inline struct rfl_ini_task *rfl_ini_task(struct scsi_cmnd *sc)
{
	return scsi_cmd_priv(sc);
}

#endif /* RFL_INI_H */
