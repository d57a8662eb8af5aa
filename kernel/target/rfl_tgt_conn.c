// SPDX-License-Identifier: GPL-2.0
/*
 * Connections: creation from an accepted socket, the socket callbacks
 * that drive io_work, io_work itself, and teardown.
 *
 * Teardown order (release_work, on rfl_release_wq): the connection is
 * marked dead under txq_lock (nothing is queued for transmission after
 * that), the socket callbacks are restored, io_work is cancelled and the
 * socket shut down, LIO is told to stop the session, every command still
 * held is completed or released, LIO's outstanding commands are waited
 * for, and the session is removed.
 *
 * A Logout closes the session the same way, except that the Logout
 * Response, held back by io_work, is sent once the session is removed
 * and only then is the socket shut down: the initiator cannot see the
 * logout complete while the session (its SPC-2 reservation, for one)
 * still exists, as it does on iscsi_target_mod.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/random.h>
#include <net/tcp.h>

#include "rfl_tgt.h"

static void rfl_conn_release_work(struct work_struct *work);

static void rfl_sk_data_ready(struct sock *sk)
{
	struct rfl_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn)
		queue_work(rfl_io_wq, &conn->io_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void rfl_sk_write_space(struct sock *sk)
{
	struct rfl_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		queue_work(rfl_io_wq, &conn->io_work);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void rfl_sk_state_change(struct sock *sk)
{
	struct rfl_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn) {
		switch (sk->sk_state) {
		case TCP_FIN_WAIT1:
		case TCP_CLOSE_WAIT:
		case TCP_CLOSE:
			rfl_conn_fail(conn, NULL);
			break;
		default:
			break;
		}
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/* Wake io_work unless the connection is being torn down. */
void rfl_conn_kick(struct rfl_conn *conn)
{
	queue_work(rfl_io_wq, &conn->io_work);
}

static void rfl_io_work(struct work_struct *work)
{
	struct rfl_conn *conn = container_of(work, struct rfl_conn, io_work);
	int budget = RFL_IO_BUDGET;
	int rx, tx;

	/*
	 * A failed connection waits for its release: receiving again (the
	 * socket may wake this work before the release cancels it) would
	 * parse the same bad header twice, logging and counting it twice.
	 * Whatever must still go out after the failure (a held Logout
	 * Response) is sent by rfl_conn_release_work().
	 */
	if (READ_ONCE(conn->dead))
		return;
	do {
		rx = rfl_rx_work(conn, &budget);
		if (rx < 0)
			goto fail;
		tx = rfl_tx_work(conn, &budget);
		if (tx < 0)
			goto fail;
	} while ((rx > 0 || tx > 0) && budget > 0);
	/* Out of budget with work left: let other connections run. */
	if (budget <= 0)
		queue_work(rfl_io_wq, &conn->io_work);
	return;
fail:
	/* What the peer sent (or did not send right) ends the connection. */
	if (rx == -EPROTO) {
		rfl_stat_inc(conn->tpg, RFL_ST_PROTO_DROPS);
		if (conn->state == RFL_CONN_LOGIN)
			rfl_stat_inc(conn->tpg, RFL_ST_LOGIN_FAIL_PROTO);
	}
	rfl_conn_fail(conn, rx < 0 ? "receive" : "transmit");
}

static void rfl_login_timeout(struct work_struct *work)
{
	struct rfl_conn *conn = container_of(to_delayed_work(work),
					     struct rfl_conn, login_timeout);

	/* The login may have completed while this work was queued. */
	if (READ_ONCE(conn->state) == RFL_CONN_LOGIN) {
		rfl_stat_inc(conn->tpg, RFL_ST_LOGIN_TIMEOUTS);
		rfl_conn_fail(conn, "login timed out");
	}
}

struct rfl_conn *rfl_conn_create(struct rfl_np *np, struct socket *sock)
{
	struct rfl_tpg *tpg = np->tpg;
	struct sock *sk = sock->sk;
	struct rfl_conn *conn;
	u32 timeout;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return ERR_PTR(-ENOMEM);
	conn->rx_buf_cap = RFL_LOGIN_BUF;
	conn->rx_buf = kvmalloc(conn->rx_buf_cap, GFP_KERNEL);
	conn->login_text = kmalloc(RFL_LOGIN_BUF, GFP_KERNEL);
	if (!conn->rx_buf || !conn->login_text) {
		kvfree(conn->rx_buf);
		kfree(conn->login_text);
		kfree(conn);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&conn->kref);
	conn->tpg = tpg;
	conn->np = np;
	conn->sock = sock;
	conn->state = RFL_CONN_LOGIN;
	conn->rx_state = RFL_RX_BHS;
	conn->rx_lim.max_recv_dsl = RFL_LOGIN_BUF;
	conn->rx_lim.max_ahs_len = RFL_MAX_AHS;
	conn->stat_sn = get_random_u32();
	rfl_params_init(&conn->params);
	rfl_text_acc_init(&conn->login_acc, conn->login_text, RFL_LOGIN_BUF);
	spin_lock_init(&conn->txq_lock);
	INIT_LIST_HEAD(&conn->txq);
	INIT_LIST_HEAD(&conn->wp_list);
	INIT_LIST_HEAD(&conn->cmds);
	INIT_WORK(&conn->io_work, rfl_io_work);
	INIT_WORK(&conn->release_work, rfl_conn_release_work);
	INIT_DELAYED_WORK(&conn->login_timeout, rfl_login_timeout);
	rfl_nopin_init(conn);
	kernel_getpeername(sock, (struct sockaddr *)&conn->peer);
	kernel_getsockname(sock, (struct sockaddr *)&conn->local);

	mutex_lock(&rfl_cfg_mutex);
	timeout = tpg->attrib.login_timeout;
	mutex_unlock(&rfl_cfg_mutex);

	spin_lock(&tpg->conn_lock);
	list_add_tail(&conn->tpg_node, &tpg->conns);
	tpg->nr_conns++;
	spin_unlock(&tpg->conn_lock);

	tcp_sock_set_nodelay(sk);
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = conn;
	conn->old_data_ready = sk->sk_data_ready;
	conn->old_write_space = sk->sk_write_space;
	conn->old_state_change = sk->sk_state_change;
	sk->sk_data_ready = rfl_sk_data_ready;
	sk->sk_write_space = rfl_sk_write_space;
	sk->sk_state_change = rfl_sk_state_change;
	write_unlock_bh(&sk->sk_callback_lock);

	queue_delayed_work(rfl_io_wq, &conn->login_timeout, timeout * HZ);
	queue_work(rfl_io_wq, &conn->io_work);
	return conn;
}

/**
 * rfl_conn_fail() - start tearing a connection down
 * @conn: the connection
 * @why: reason for the log, NULL for an orderly close
 *
 * Context: any; the teardown itself runs on rfl_release_wq. The caller
 * keeps @conn alive: release_work first waits for the socket callbacks,
 * io_work, the timers and tpg->conn_lock holders.
 */
void rfl_conn_fail(struct rfl_conn *conn, const char *why)
{
	bool first;

	/*
	 * Queued in the section that marks the connection dead: whoever
	 * finds it dead knows its release is already queued.
	 */
	spin_lock_bh(&conn->txq_lock);
	first = !conn->dead;
	WRITE_ONCE(conn->dead, true);
	if (first)
		queue_work(rfl_release_wq, &conn->release_work);
	spin_unlock_bh(&conn->txq_lock);
	if (first && why)
		pr_info_ratelimited("connection from %pISpc closed: %s\n",
				    &conn->peer, why);
}

static void rfl_conn_free(struct kref *kref)
{
	struct rfl_conn *conn = container_of(kref, struct rfl_conn, kref);

	kvfree(conn->rx_buf);
	kfree(conn->login_text);
	kfree(conn);
}

void rfl_conn_put(struct rfl_conn *conn)
{
	kref_put(&conn->kref, rfl_conn_free);
}

static void rfl_conn_release_work(struct work_struct *work)
{
	struct rfl_conn *conn = container_of(work, struct rfl_conn,
					     release_work);
	struct rfl_tpg *tpg = conn->tpg;
	struct sock *sk = conn->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = conn->old_data_ready;
	sk->sk_write_space = conn->old_write_space;
	sk->sk_state_change = conn->old_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
	cancel_delayed_work_sync(&conn->login_timeout);
	/* Before io_work: a ping queued late still finds io_work to kick. */
	rfl_nopin_stop(conn);
	cancel_work_sync(&conn->io_work);
	/* A Logout Response held back by io_work: after the session. */
	if (!conn->tx_logout)
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);

	if (conn->se_sess)
		target_stop_session(conn->se_sess);
	rfl_tx_flush_all(conn);
	rfl_cmd_release_all(conn);
	if (conn->se_sess) {
		target_wait_for_sess_cmds(conn->se_sess);
		target_remove_session(conn->se_sess);
		conn->se_sess = NULL;
	}
	if (conn->tx_logout) {
		rfl_tx_logout_rsp(conn);
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	}
	rfl_login_free(conn);
	sock_release(conn->sock);
	conn->sock = NULL;

	spin_lock(&tpg->conn_lock);
	list_del_init(&conn->tpg_node);
	tpg->nr_conns--;
	spin_unlock(&tpg->conn_lock);
	wake_up_all(&tpg->conn_wq);
	rfl_conn_put(conn);
}

static bool rfl_tpg_conns_gone(struct rfl_tpg *tpg, struct rfl_np *np)
{
	struct rfl_conn *conn;
	bool gone = true;

	spin_lock(&tpg->conn_lock);
	list_for_each_entry(conn, &tpg->conns, tpg_node) {
		if (!np || conn->np == np) {
			gone = false;
			break;
		}
	}
	spin_unlock(&tpg->conn_lock);
	return gone;
}

/**
 * rfl_tpg_close_conns() - end the connections of a tpg
 * @tpg: the tpg
 * @np: only those that came in through this portal; NULL: all
 * @wait: wait until they are gone
 *
 * Context: process context, may sleep; no configfs or rfl_cfg_mutex held
 * that teardown needs.
 */
void rfl_tpg_close_conns(struct rfl_tpg *tpg, struct rfl_np *np, bool wait)
{
	struct rfl_conn *conn;

	spin_lock(&tpg->conn_lock);
	list_for_each_entry(conn, &tpg->conns, tpg_node)
		if (!np || conn->np == np)
			rfl_conn_fail(conn, "portal group disabled");
	spin_unlock(&tpg->conn_lock);
	if (wait)
		wait_event(tpg->conn_wq, rfl_tpg_conns_gone(tpg, np));
}

/*
 * LIO asks to end a session (its ACL is being removed). It skips sessions
 * whose command counter is stopped, so stop it here before returning.
 */
void rfl_close_session(struct se_session *se_sess)
{
	struct rfl_conn *conn = se_sess->fabric_sess_ptr;

	target_stop_session(se_sess);
	rfl_conn_fail(conn, "session closed by LIO");
}
