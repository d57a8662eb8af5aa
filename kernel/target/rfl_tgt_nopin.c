// SPDX-License-Identifier: GPL-2.0
/*
 * Target-initiated messages of a session in full feature phase:
 *
 * - NOP-In pings (RFC 7143 section 11.19): every attrib/nopin_timeout
 *   seconds (0: never) a NOP-In with ITT 0xffffffff and a Target Transfer
 *   Tag of ours goes out; the initiator must echo the tag in a NOP-Out
 *   within attrib/nopin_response_timeout seconds, or the connection is
 *   dropped (its commands are cleaned up by the usual teardown).
 * - The Async Message asking for a logout (AsyncEvent 1) sent to every
 *   session when its tpg is disabled; the sessions get a bounded time to
 *   log out before their connections are closed.
 *
 * Locking: the ping state of a connection (ping_out, ping_ttt) and the
 * arming of nopin_work are under conn->txq_lock, the lock that also
 * guards conn->dead, so that nothing is queued or armed once teardown
 * has started; the teardown cancels nopin_work before io_work.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "rfl_tgt.h"

/* Queue @ctl unless the connection is dying; true if queued. */
static bool rfl_queue_ctl_live(struct rfl_conn *conn, struct rfl_ctl *ctl)
{
	bool live;

	spin_lock_bh(&conn->txq_lock);
	live = !conn->dead;
	if (live)
		list_add_tail(&ctl->txe.node, &conn->txq);
	spin_unlock_bh(&conn->txq_lock);
	if (!live) {
		kvfree(ctl->data);
		kfree(ctl);
	}
	return live;
}

static void rfl_nopin_work(struct work_struct *work)
{
	struct rfl_conn *conn = container_of(to_delayed_work(work),
					     struct rfl_conn, nopin_work);
	struct iscsi_nopin *h;
	struct rfl_ctl *ctl;
	bool late;

	spin_lock_bh(&conn->txq_lock);
	late = conn->ping_out;
	spin_unlock_bh(&conn->txq_lock);
	if (late) {
		pr_warn_ratelimited("%pISpc (%s): no NOP-Out answer to the NOP-In ping (TTT 0x%x) within %u s: dropping the connection\n",
				    &conn->peer, conn->iname, conn->ping_ttt,
				    conn->nopin_rsp_timeout);
		rfl_stat_inc(conn->tpg, RFL_ST_NOPIN_TIMEOUTS);
		rfl_conn_fail(conn, "NOP-In ping not answered");
		return;
	}
	ctl = rfl_ctl_alloc(conn, ISCSI_OP_NOOP_IN, 0);
	if (!ctl) {
		rfl_conn_fail(conn, "out of memory for a NOP-In ping");
		return;
	}
	h = (struct iscsi_nopin *)ctl->hdr;
	h->itt = cpu_to_be32(ISCSI_RESERVED_TAG);
	/* StatSN is sent but not advanced: ctl->stat stays false. */
	spin_lock_bh(&conn->txq_lock);
	if (conn->dead) {
		spin_unlock_bh(&conn->txq_lock);
		kfree(ctl);
		return;
	}
	if (++conn->ping_ttt == ISCSI_RESERVED_TAG)
		conn->ping_ttt = 1;
	h->ttt = cpu_to_be32(conn->ping_ttt);
	conn->ping_out = true;
	list_add_tail(&ctl->txe.node, &conn->txq);
	queue_delayed_work(rfl_io_wq, &conn->nopin_work,
			   conn->nopin_rsp_timeout * HZ);
	spin_unlock_bh(&conn->txq_lock);
	rfl_conn_kick(conn);
}

void rfl_nopin_init(struct rfl_conn *conn)
{
	INIT_DELAYED_WORK(&conn->nopin_work, rfl_nopin_work);
}

/**
 * rfl_nopin_start() - start pinging a session that entered full feature
 * @conn: the connection of a normal session
 */
void rfl_nopin_start(struct rfl_conn *conn)
{
	struct rfl_tpg *tpg = conn->tpg;

	mutex_lock(&rfl_cfg_mutex);
	conn->nopin_interval = tpg->attrib.nopin_timeout;
	conn->nopin_rsp_timeout = tpg->attrib.nopin_response_timeout;
	mutex_unlock(&rfl_cfg_mutex);
	if (!conn->nopin_interval || conn->discovery)
		return;
	spin_lock_bh(&conn->txq_lock);
	if (!conn->dead)
		queue_delayed_work(rfl_io_wq, &conn->nopin_work,
				   conn->nopin_interval * HZ);
	spin_unlock_bh(&conn->txq_lock);
}

/**
 * rfl_nopin_answer() - a NOP-Out with ITT 0xffffffff arrived
 * @conn: the connection
 * @ttt: its Target Transfer Tag
 *
 * Context: io_work.
 */
void rfl_nopin_answer(struct rfl_conn *conn, u32 ttt)
{
	spin_lock_bh(&conn->txq_lock);
	if (conn->ping_out && ttt == conn->ping_ttt) {
		conn->ping_out = false;
		if (!conn->dead)
			mod_delayed_work(rfl_io_wq, &conn->nopin_work,
					 conn->nopin_interval * HZ);
	}
	spin_unlock_bh(&conn->txq_lock);
}

/* Teardown: before io_work is cancelled (see the top of the file). */
void rfl_nopin_stop(struct rfl_conn *conn)
{
	cancel_delayed_work_sync(&conn->nopin_work);
}

/* ------------------------------------------------------ async logout */

/* Connections of normal sessions in full feature phase still there? */
static bool rfl_tpg_sessions_gone(struct rfl_tpg *tpg)
{
	struct rfl_conn *conn;
	bool gone = true;

	spin_lock(&tpg->conn_lock);
	list_for_each_entry(conn, &tpg->conns, tpg_node) {
		if (conn->se_sess && !conn->discovery &&
		    READ_ONCE(conn->state) == RFL_CONN_FFP) {
			gone = false;
			break;
		}
	}
	spin_unlock(&tpg->conn_lock);
	return gone;
}

static void rfl_send_async_logout(struct rfl_conn *conn)
{
	struct iscsi_async *h;
	struct rfl_ctl *ctl;

	ctl = rfl_ctl_alloc(conn, ISCSI_OP_ASYNC_EVENT, 0);
	if (!ctl)
		return;
	h = (struct iscsi_async *)ctl->hdr;
	memset(h->rsvd4, 0xff, 4);	/* bytes 16-19: 0xffffffff */
	h->async_event = ISCSI_ASYNC_MSG_REQUEST_LOGOUT;
	h->param3 = cpu_to_be16(RFL_ASYNC_LOGOUT_SECS);
	ctl->stat = true;
	if (rfl_queue_ctl_live(conn, ctl))
		rfl_conn_kick(conn);
}

/**
 * rfl_tpg_async_logout() - ask every session of a tpg to log out
 * @tpg: the tpg, just disabled (no new logins)
 *
 * Sends AsyncEvent 1 with Parameter3 = RFL_ASYNC_LOGOUT_SECS to each
 * session in full feature phase and waits at most that long for them to
 * log out; the caller closes whatever is left.
 *
 * Context: process context, may sleep.
 */
void rfl_tpg_async_logout(struct rfl_tpg *tpg)
{
	struct rfl_conn *conn, **list;
	unsigned int n = 0, i, cap;

	spin_lock(&tpg->conn_lock);
	cap = tpg->nr_conns;
	spin_unlock(&tpg->conn_lock);
	if (!cap)
		return;
	list = kcalloc(cap, sizeof(*list), GFP_KERNEL);
	if (!list)
		return;
	spin_lock(&tpg->conn_lock);
	list_for_each_entry(conn, &tpg->conns, tpg_node) {
		if (n == cap)
			break;
		if (conn->se_sess && !conn->discovery &&
		    READ_ONCE(conn->state) == RFL_CONN_FFP) {
			kref_get(&conn->kref);
			list[n++] = conn;
		}
	}
	spin_unlock(&tpg->conn_lock);
	for (i = 0; i < n; i++) {
		rfl_send_async_logout(list[i]);
		rfl_conn_put(list[i]);
	}
	kfree(list);
	if (!n)
		return;
	pr_info("%s tpgt_%u disabled: logout requested from %u session(s)\n",
		tpg->tiqn->name, tpg->tag, n);
	if (!wait_event_timeout(tpg->conn_wq, rfl_tpg_sessions_gone(tpg),
				RFL_ASYNC_LOGOUT_SECS * HZ))
		pr_warn("%s tpgt_%u: sessions still logged in %u s after the logout request: closing them\n",
			tpg->tiqn->name, tpg->tag, RFL_ASYNC_LOGOUT_SECS);
}
