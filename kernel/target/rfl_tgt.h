/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reflect_target: internal interfaces of the LIO fabric "reflect", an
 * iSCSI target (RFC 7143, ErrorRecoveryLevel 0, one connection per
 * session).
 *
 * Objects and their owners:
 *   rfl_tiqn   configfs target/reflect/<IQN>            (se_wwn)
 *   rfl_tpg    .../<IQN>/tpgt_N                          (se_portal_group)
 *   rfl_np     .../tpgt_N/np/<addr>:<port>: a listening socket
 *   rfl_nacl   .../tpgt_N/acls/<initiator IQN>           (se_node_acl)
 *   rfl_conn   one accepted TCP connection, and the session it carries
 *              (MaxConnections=1, so a session is its connection)
 *   rfl_cmd    one SCSI command or task management request (se_cmd)
 *
 * Execution model (after drivers/nvme/target/tcp.c): socket callbacks
 * queue the connection's io_work on rfl_io_wq; io_work receives and
 * transmits with MSG_DONTWAIT within a budget and requeues itself while
 * work is left. All receive and transmit state of a connection is touched
 * by io_work only, so it needs no lock. LIO's callbacks (queue_data_in,
 * queue_status, write_pending, ...) only put commands on the transmit
 * queue under txq_lock and queue io_work.
 */
#ifndef RFL_TGT_H
#define RFL_TGT_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <scsi/iscsi_proto.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>

#include "rfl_compat.h"
#include "rfl_proto.h"

#define RFL_TGT_NAME		"reflect"
#define RFL_MAX_AHS		1020	/* TotalAHSLength is 255 words */
#define ISCSI_DIGEST_SIZE	4	/* a CRC32C digest on the wire */
#define RFL_HDR_BUF		(ISCSI_HDR_LEN + RFL_MAX_AHS + ISCSI_DIGEST_SIZE)
#define RFL_LOGIN_BUF		RFL_TEXT_MIN_LTDS	/* text of a login */
#define RFL_IO_BUDGET		(256 * 1024)	/* bytes per io_work pass */
#define RFL_MAX_XFER		(16U << 20)	/* largest EDTL accepted */
#define RFL_ASYNC_LOGOUT_SECS	10	/* logout bound when a tpg is disabled */
#define RFL_LOGOUT_RSP_SECS	5	/* bound on sending a Logout Response */

/* tpgt_N/attrib */
struct rfl_tpg_attrib {
	u32 authentication;	/* 1: CHAP required, AuthMethod=None refused */
	u32 generate_node_acls;	/* demo mode: any initiator may log in */
	u32 cache_dynamic_acls;	/* keep demo-mode ACLs after logout */
	u32 demo_mode_write_protect;	/* demo-mode LUNs read-only */
	u32 default_cmdsn_depth;	/* CmdSN window of a session */
	u32 login_timeout;	/* seconds for the whole login phase */
	u32 netif_timeout;	/* seconds a transmit may stay unacked */
	u32 nopin_timeout;	/* seconds between NOP-In pings, 0: none */
	u32 nopin_response_timeout;	/* seconds to answer a ping */
	u32 reflection;		/* 1: answer Yes to RFL_REFLECT_KEY */
};

/* tpgt_N/auth, acls/<IQN>/auth and discovery_auth: CHAP credentials. */
struct rfl_auth {
	char userid[256];
	char password[256];
	char userid_mutual[256];
	char password_mutual[256];
};

/*
 * Counters of tpgt_N/statistics (rfl_tgt_stats.c), in the order shown.
 * Each is an atomic64_t of rfl_tpg.stats: no lock, only ever increased.
 */
enum rfl_stat_id {
	RFL_ST_LOGINS,			/* logins that reached full feature */
	RFL_ST_LOGIN_FAIL_AUTH,		/* refused: CHAP, or not in the ACLs */
	RFL_ST_LOGIN_FAIL_TARGET,	/* refused: no such target, disabled */
	RFL_ST_LOGIN_FAIL_PROTO,	/* refused or dropped: protocol */
	RFL_ST_LOGIN_FAIL_OTHER,	/* refused: target error (memory) */
	RFL_ST_LOGIN_TIMEOUTS,		/* login phase beyond login_timeout */
	RFL_ST_LOGOUTS,			/* Logout Requests accepted */
	RFL_ST_REJECTS,			/* Reject PDUs sent */
	RFL_ST_PROTO_DROPS,		/* connections dropped: protocol error */
	RFL_ST_HDR_DIGEST,		/* header digest errors */
	RFL_ST_DATA_DIGEST,		/* data digest errors */
	RFL_ST_CMDSN_DROPS,		/* requests dropped: CmdSN not expected */
	RFL_ST_NOPIN_TIMEOUTS,		/* NOP-In pings not answered */
	RFL_ST_TMF_ABORTS,		/* ABORT TASK (SET), CLEAR TASK SET/ACA */
	RFL_ST_TMF_RESETS,		/* LOGICAL UNIT / TARGET WARM/COLD RESET */
	RFL_ST_TMF_UNSUPPORTED,		/* other functions (TASK REASSIGN) */
	RFL_ST_DATA_OUT_DISCARDS,	/* Data-Out of no live task: dropped */
	RFL_ST_NR
};

/* The negotiable keys offered through tpgt_N/param. */
enum rfl_param_id {
	RFL_P_HEADER_DIGEST,
	RFL_P_DATA_DIGEST,
	RFL_P_MAX_RECV_DSL,
	RFL_P_MAX_BURST,
	RFL_P_FIRST_BURST,
	RFL_P_IMMEDIATE_DATA,
	RFL_P_INITIAL_R2T,
	RFL_P_MAX_R2T,
	RFL_P_DATA_PDU_IN_ORDER,
	RFL_P_DATA_SEQ_IN_ORDER,
	RFL_P_TIME2WAIT,
	RFL_P_TIME2RETAIN,
	RFL_P_ERL,
	RFL_P_MAX_CONNECTIONS,
	RFL_P_TARGET_ALIAS,
	RFL_P_NR
};

#define RFL_PARAM_LEN	256

struct rfl_tiqn {
	struct se_wwn wwn;
	char name[RFL_NAME_MAX + 1];
	struct list_head node;		/* on rfl_tiqns, under rfl_cfg_mutex */
	struct list_head tpgs;		/* rfl_tpg.node, under rfl_cfg_mutex */
};

struct rfl_tpg {
	struct se_portal_group se_tpg;
	struct rfl_tiqn *tiqn;
	u16 tag;
	bool enabled;			/* logins accepted; under rfl_cfg_mutex */
	struct list_head node;		/* on tiqn->tpgs */
	struct rfl_tpg_attrib attrib;
	struct rfl_auth auth;
	/* param values; writers hold rfl_cfg_mutex, login copies under it */
	char param[RFL_P_NR][RFL_PARAM_LEN];
	struct list_head nps;		/* rfl_np.node, under rfl_cfg_mutex */
	/* Protects conns and nr_conns; taken from any process context. */
	spinlock_t conn_lock;
	struct list_head conns;		/* rfl_conn.tpg_node */
	unsigned int nr_conns;
	wait_queue_head_t conn_wq;	/* woken when a conn leaves conns */
	atomic64_t stats[RFL_ST_NR];	/* no lock: atomic, increase only */
};

struct rfl_np {
	struct se_tpg_np se_np;
	struct rfl_tpg *tpg;
	struct sockaddr_storage addr;
	struct socket *sock;		/* listening socket */
	struct net *net;		/* namespace of the creator, held */
	struct work_struct accept_work;
	struct list_head node;		/* on tpg->nps */
	void (*old_data_ready)(struct sock *sk);
};

/* How a login is refused: Login Response status and the logged reason. */
struct rfl_login_status {
	u8 cls;
	u8 detail;
	const char *why;
};

struct rfl_auth_ctx;

struct rfl_nacl {
	struct se_node_acl se_nacl;
	struct rfl_auth auth;
};

enum rfl_conn_state {
	RFL_CONN_LOGIN,		/* login phase */
	RFL_CONN_FFP,		/* full feature phase */
	RFL_CONN_LOGOUT,	/* Logout or login refusal answered: close */
};

enum rfl_rx_state {
	RFL_RX_BHS,		/* reading the 48-byte BHS */
	RFL_RX_AHS,		/* AHS and header digest */
	RFL_RX_DATA,		/* data segment into its destination */
	RFL_RX_DDGST,		/* padding and data digest */
};

/* Where the data segment of the PDU being received goes. */
enum rfl_rx_dest {
	RFL_RXD_BUF,		/* conn->rx_buf */
	RFL_RXD_SG,		/* a command's scatterlist at rx_sg_off */
	RFL_RXD_DISCARD,	/* read and dropped */
};

/* An entry of a connection's transmit queue. */
struct rfl_txe {
	struct list_head node;		/* on conn->txq, under txq_lock */
	bool is_cmd;			/* in an rfl_cmd, else an rfl_ctl */
};

/* A PDU that is not a command's data or status: built once, sent once. */
struct rfl_ctl {
	struct rfl_txe txe;
	u8 hdr[ISCSI_HDR_LEN];
	u8 *data;			/* kmalloc'd, may be NULL */
	u32 len;
	bool stat;			/* takes a StatSN */
	bool final;			/* close the connection after it */
	/*
	 * A Logout Response: not sent by io_work but by release_work once
	 * the session is removed (its SPC-2 reservation released).
	 */
	bool logout;
	bool login;			/* a login response: never digests */
};

struct rfl_conn {
	struct kref kref;
	struct rfl_tpg *tpg;
	struct rfl_np *np;		/* portal it arrived on; NULL: gone */
	struct socket *sock;
	struct sockaddr_storage peer, local;
	enum rfl_conn_state state;	/* io_work only */
	/*
	 * Set under txq_lock when teardown starts; io_work reads it without
	 * the lock (READ_ONCE) and does nothing more.
	 */
	bool dead;
	struct list_head tpg_node;	/* on tpg->conns */
	struct work_struct io_work;
	struct work_struct release_work;
	struct delayed_work login_timeout;
	/* NOP-In pings (rfl_tgt_nopin.c); ping_* under txq_lock. */
	struct delayed_work nopin_work;
	u32 nopin_interval, nopin_rsp_timeout;	/* seconds, set at login */
	u32 ping_ttt;			/* TTT of the last ping */
	bool ping_out;			/* a ping awaits its NOP-Out */
	void (*old_data_ready)(struct sock *sk);
	void (*old_write_space)(struct sock *sk);
	void (*old_state_change)(struct sock *sk);

	/* Session: fixed once the login completed. */
	struct se_session *se_sess;
	struct rfl_params params;
	char iname[RFL_NAME_MAX + 1];
	u8 isid[6];
	u16 tsih;
	u32 cmdsn_depth;
	bool discovery;
	bool reflect;			/* RFL_REFLECT_KEY=Yes negotiated */
	/*
	 * Set (release) once the fields above are fixed: tpgt_N/sessions
	 * shows the connection from then on, reading them under
	 * tpg->conn_lock without the io_work that wrote them.
	 */
	bool logged_in;
	/* Session counters: atomic, written by io_work, read by configfs. */
	atomic64_t st_cmds;		/* SCSI Commands accepted */
	atomic64_t st_bytes_in;		/* write data received */
	atomic64_t st_bytes_out;	/* read data sent (Data-In payload) */

	/* Login state, io_work only. */
	u8 login_csg;
	bool login_tpgt_sent;
	bool login_mrdsl_sent;
	struct rfl_neg_ctx neg;
	struct rfl_auth_ctx *auth;	/* security stage (rfl_tgt_auth.c) */
	char (*login_own)[RFL_PARAM_LEN];	/* param copy, RFL_P_NR */
	char *login_text;		/* RFL_LOGIN_BUF, accumulated */
	struct rfl_text_acc login_acc;
	u32 login_itt;

	/* Serial numbers; exp_cmd_sn and stat_sn are io_work only. */
	u32 exp_cmd_sn;
	atomic_t max_cmd_sn;		/* advanced as commands finish */
	u32 stat_sn;
	u32 next_ttt;

	/* Receive state, io_work only. */
	enum rfl_rx_state rx_state;
	u8 rx_hdr[RFL_HDR_BUF];
	u32 rx_hdr_len;			/* bytes of BHS+AHS+digest expected */
	u32 rx_off;			/* bytes of the current part received */
	u32 rx_dsl;			/* data segment length */
	enum rfl_rx_dest rx_dest;
	bool rx_skip;			/* PDU refused: drop it once read */
	bool rx_proxy;			/* SCSI Command had RFL_CMD_FLAG_PROXY */
	u8 *rx_buf;			/* data of non-SCSI PDUs */
	u32 rx_buf_cap;
	struct rfl_cmd *rx_cmd;		/* destination of RFL_RXD_SG */
	u32 rx_sg_off;			/* buffer offset of the segment */
	u8 rx_trail[8];			/* padding and data digest */
	u32 rx_trail_len;
	struct rfl_pdu_limits rx_lim;

	/* Transmit queue of struct rfl_txe: commands and control PDUs. */
	/*
	 * Protects txq, wp_list, cmds, dead, every rfl_cmd.flags, the ping
	 * state and the arming of nopin_work.
	 */
	spinlock_t txq_lock;
	struct list_head txq;
	struct list_head wp_list;	/* writes waiting for Data-Out */
	struct list_head cmds;		/* every live rfl_cmd, under txq_lock */

	/* Transmit state of the PDU in flight, io_work only. */
	struct rfl_ctl *tx_ctl;
	struct rfl_cmd *tx_cmd;
	u8 tx_hdr[ISCSI_HDR_LEN + ISCSI_DIGEST_SIZE];
	u32 tx_hdr_len, tx_hdr_off;
	const u8 *tx_buf;		/* data from a buffer, or */
	struct scatterlist *tx_sg;	/* data from a command's pages */
	u32 tx_sg_off;			/* buffer offset of the data */
	u32 tx_len, tx_off;		/* data segment and bytes sent */
	u8 tx_trail[8];
	u32 tx_trail_len, tx_trail_off;
	bool tx_busy;			/* a PDU is partly sent */
	bool tx_close;			/* close after the PDU in flight */
	bool tx_logout;			/* tx_hdr holds a held Logout Response */
};

/* Command flags, under conn->txq_lock. */
#define RFL_CMD_LIO		BIT(0)	/* se_cmd initialised in LIO */
#define RFL_CMD_WP		BIT(1)	/* write_pending was called */
#define RFL_CMD_EXEC		BIT(2)	/* handed to target_execute_cmd */
#define RFL_CMD_MUTE		BIT(3)	/* aborted: send nothing */
#define RFL_CMD_QUEUED		BIT(4)	/* on conn->txq */
#define RFL_CMD_RSP		BIT(5)	/* response (data/status) to send */
#define RFL_CMD_R2T		BIT(6)	/* R2Ts to send */
#define RFL_CMD_SN		BIT(7)	/* holds a slot of the CmdSN window */
#define RFL_CMD_TMR		BIT(8)	/* a task management request */
#define RFL_CMD_ON_WP		BIT(9)	/* on conn->wp_list */
#define RFL_CMD_DSN_ERR		BIT(16)	/* a Data-Out out of DataSN order */

struct rfl_cmd {
	struct se_cmd se_cmd;
	struct rfl_conn *conn;
	struct rfl_txe txe;		/* on conn->txq when QUEUED */
	struct list_head wp_node;	/* on conn->wp_list */
	struct list_head conn_node;	/* on conn->cmds */
	struct list_head td_node;	/* on a private list, with a ref */
	unsigned long flags;		/* RFL_CMD_* */
	u32 itt;
	u32 ttt;
	u32 cmd_sn;
	u64 lun;
	u32 edtl;			/* Expected Data Transfer Length */
	/* EDTL and CDB disagree (rfl_tgt_resid.c): set before submission. */
	u32 lio_len;			/* data length LIO gets */
	u8 resid_flags;			/* ISCSI_FLAG_CMD_{OVER,UNDER}FLOW */
	u32 resid;			/* the fabric's residual count */
	/* Data-Out sequence state, io_work only. */
	u32 dout_sn;			/* next DataSN expected */
	u32 dout_end;			/* end of the current R2T sequence */
	bool dout_unsol;		/* unsolicited Data-Out seen */
	struct scatterlist *sgl;	/* our pages, passed to LIO */
	unsigned int sg_nents;
	u8 cdb[ISCSI_CDB_SIZE + RFL_MAX_AHS];
	enum dma_data_direction dir;
	/* Write data: under txq_lock except in io_work's receive path. */
	u32 data_rcvd;			/* bytes of Data-Out received */
	u32 r2t_off;			/* end of what was solicited so far */
	u32 r2t_sn;
	u32 r2t_sent;			/* R2Ts sent */
	u32 first_burst_end;		/* end of unsolicited data */
	/* Read data and status, io_work only. */
	u32 data_sn;
	u32 tx_data_off;
	u32 tx_burst_left;
	bool status_sent;
	bool rsp_sent;			/* all of the response: ITT free again */
	u8 tmr_func;			/* ISCSI_TM_FUNC_* */
	u8 tmr_rsp;			/* ISCSI_TMF_RSP_* */
	u32 ref_itt;			/* ABORT TASK: the task's ITT */
	/*
	 * Reflection (rfl_tgt_reflect.c). The first three are set when the
	 * SCSI Command PDU arrives; script is set by the backstore in
	 * parse_cdb, before write_pending, in io_work, and read by io_work.
	 */
	bool sess_reflect;		/* the session negotiated reflection */
	bool proxy_req;			/* RFL_CMD_FLAG_PROXY was set */
	bool had_data;			/* immediate or unsolicited data */
	void *script;			/* kvmalloc'd, ours; NULL: none */
	u32 script_len;
	unsigned char sense[TRANSPORT_SENSE_BUFFER];
};

extern struct workqueue_struct *rfl_io_wq;
extern struct workqueue_struct *rfl_release_wq;
extern struct mutex rfl_cfg_mutex;
extern struct list_head rfl_tiqns;
extern const struct target_core_fabric_ops rfl_fabric_ops;

/* rfl_tgt_configfs.c */
extern struct configfs_attribute *rfl_wwn_attrs[];
extern struct configfs_attribute *rfl_tpg_attrib_attrs[];
extern struct configfs_attribute *rfl_tpg_param_attrs[];
extern struct configfs_attribute *rfl_tpg_auth_attrs[];
extern struct configfs_attribute *rfl_nacl_auth_attrs[];
struct se_wwn *rfl_make_tiqn(struct target_fabric_configfs *tf,
			     struct config_group *group, const char *name);
void rfl_drop_tiqn(struct se_wwn *wwn);
struct se_portal_group *rfl_make_tpg(struct se_wwn *wwn, const char *name);
void rfl_drop_tpg(struct se_portal_group *se_tpg);
int rfl_enable_tpg(struct se_portal_group *se_tpg, bool enable);
const char *rfl_param_key(unsigned int id);
void rfl_configfs_init(void);

/* rfl_tgt_stats.c */
extern struct configfs_attribute *rfl_tpg_base_attrs[];

static inline void rfl_stat_inc(struct rfl_tpg *tpg, enum rfl_stat_id id)
{
	atomic64_inc(&tpg->stats[id]);
}

/* rfl_tgt_np.c */
struct se_tpg_np *rfl_make_np(struct se_portal_group *se_tpg,
			      struct config_group *group, const char *name);
void rfl_drop_np(struct se_tpg_np *se_np);
int rfl_np_format(const struct sockaddr_storage *ss, char *buf, size_t len);

/* rfl_tgt_conn.c */
struct rfl_conn *rfl_conn_create(struct rfl_np *np, struct socket *sock);
void rfl_conn_fail(struct rfl_conn *conn, const char *why);
void rfl_conn_put(struct rfl_conn *conn);
void rfl_conn_kick(struct rfl_conn *conn);
void rfl_tpg_close_conns(struct rfl_tpg *tpg, struct rfl_np *np,
			 bool wait);
void rfl_close_session(struct se_session *se_sess);

/* rfl_tgt_login.c */
int rfl_login_rx(struct rfl_conn *conn);
void rfl_login_free(struct rfl_conn *conn);

/* rfl_tgt_nopin.c */
void rfl_nopin_init(struct rfl_conn *conn);
void rfl_nopin_start(struct rfl_conn *conn);
void rfl_nopin_answer(struct rfl_conn *conn, u32 ttt);
void rfl_nopin_stop(struct rfl_conn *conn);
void rfl_tpg_async_logout(struct rfl_tpg *tpg);

/* rfl_tgt_resid.c */
void rfl_cmd_fit(struct rfl_conn *conn, struct rfl_cmd *cmd);
unsigned int rfl_cmd_lio_nents(struct rfl_cmd *cmd);
void rfl_cmd_trim(struct rfl_cmd *cmd);
u8 rfl_cmd_residual(struct rfl_cmd *cmd, __be32 *count);
bool rfl_cmd_check_datasn(struct rfl_cmd *cmd, const struct iscsi_data *hdr,
			  u32 max_burst);

/* rfl_tgt_auth.c */
extern struct configfs_attribute *rfl_discovery_attrs[];
void rfl_auth_init(void);
int rfl_auth_start(struct rfl_conn *conn, struct rfl_login_status *st);
int rfl_auth_rx(struct rfl_conn *conn, const struct rfl_kv *kvs,
		unsigned int n, struct rfl_text_buf *tb,
		struct rfl_login_status *st);
unsigned int rfl_auth_strip(struct rfl_kv *kvs, unsigned int n);
bool rfl_auth_done(struct rfl_conn *conn);
void rfl_auth_free(struct rfl_conn *conn);

/* rfl_tgt_rx.c */
int rfl_rx_work(struct rfl_conn *conn, int *budget);
void rfl_queue_ctl(struct rfl_conn *conn, struct rfl_ctl *ctl);
struct rfl_ctl *rfl_ctl_alloc(struct rfl_conn *conn, u8 opcode, u32 len);
void rfl_send_reject(struct rfl_conn *conn, u8 reason);
bool rfl_rx_cmdsn(struct rfl_conn *conn);

/* rfl_tgt_tx.c */
int rfl_tx_work(struct rfl_conn *conn, int *budget);
void rfl_tx_flush_all(struct rfl_conn *conn);
void rfl_tx_logout_rsp(struct rfl_conn *conn);
u32 rfl_max_cmd_sn(struct rfl_conn *conn);

/* rfl_tgt_reflect.c */
void rfl_login_reflect(struct rfl_conn *conn, const struct rfl_kv *kvs,
		       unsigned int n);
bool rfl_cmd_sends_script(struct rfl_cmd *cmd);

/* rfl_tgt_cmd.c */
int rfl_cmd_rx_scsi(struct rfl_conn *conn);
int rfl_cmd_rx_scsi_done(struct rfl_conn *conn);
int rfl_cmd_rx_data_out(struct rfl_conn *conn);
int rfl_cmd_rx_data_out_done(struct rfl_conn *conn);
int rfl_cmd_rx_tmf(struct rfl_conn *conn);
void rfl_cmd_queue(struct rfl_cmd *cmd, unsigned long what);
void rfl_cmd_release_all(struct rfl_conn *conn);
void rfl_cmd_done(struct rfl_cmd *cmd);
int rfl_check_stop_free(struct se_cmd *se_cmd);
void rfl_release_cmd(struct se_cmd *se_cmd);
int rfl_write_pending(struct se_cmd *se_cmd);
int rfl_queue_data_in(struct se_cmd *se_cmd);
int rfl_queue_status(struct se_cmd *se_cmd);
void rfl_queue_tm_rsp(struct se_cmd *se_cmd);
void rfl_aborted_task(struct se_cmd *se_cmd);

static inline struct rfl_tpg *rfl_tpg(struct se_portal_group *se_tpg)
{
	return container_of(se_tpg, struct rfl_tpg, se_tpg);
}

static inline struct rfl_cmd *rfl_cmd(struct se_cmd *se_cmd)
{
	return container_of(se_cmd, struct rfl_cmd, se_cmd);
}

#endif /* RFL_TGT_H */
