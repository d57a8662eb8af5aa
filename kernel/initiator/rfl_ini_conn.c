// SPDX-License-Identifier: GPL-2.0
/*
 * Connections: enable (socket in the enabling process's namespace,
 * connect, login, switch to non-blocking callbacks, add the SCSI host),
 * the socket callbacks that drive io_work, io_work itself, NOP-Out pings,
 * failure, session recovery and disable.
 *
 * Teardown order (err_work, the only place that stops a connection): the
 * session is marked dead under sess->lock (queuecommand queues nothing
 * after that), the socket callbacks are restored and the socket shut
 * down, io_work and the ping are cancelled and the transmit queue is
 * dropped. Then, unless the target is being disabled, the SCSI targets
 * are blocked and every outstanding command goes back to the midlayer
 * for retry; recovery_work reconnects with backoff and reinstates the
 * session (same ISID), or past replacement_timeout lets I/O fail. When
 * disabling, outstanding commands are completed with an error.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <net/tcp.h>

#include "rfl_ini.h"

/**
 * rfl_ini_set_error() - record why a login or connection failed.
 * @tgt: the target object; its mutex is held or it is being enabled
 * @fmt: printf format of the reason
 *
 * The reason is kept in last_error and logged (rate-limited: a target
 * that keeps refusing during recovery does not flood the log).
 */
void rfl_ini_set_error(struct rfl_ini_tgt *tgt, const char *fmt, ...)
{
	char buf[RFL_INI_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	spin_lock(&tgt->err_lock);
	strscpy(tgt->last_error, buf, sizeof(tgt->last_error));
	spin_unlock(&tgt->err_lock);
	pr_warn_ratelimited("%s: %s\n", config_item_name(&tgt->group.cg_item),
			    buf);
}

static void rfl_ini_sk_data_ready(struct sock *sk)
{
	struct rfl_ini_sess *sess;

	read_lock_bh(&sk->sk_callback_lock);
	sess = sk->sk_user_data;
	if (sess)
		queue_work(rfl_ini_wq, &sess->io_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void rfl_ini_sk_write_space(struct sock *sk)
{
	struct rfl_ini_sess *sess;

	read_lock_bh(&sk->sk_callback_lock);
	sess = sk->sk_user_data;
	if (sess && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		queue_work(rfl_ini_wq, &sess->io_work);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void rfl_ini_sk_state_change(struct sock *sk)
{
	struct rfl_ini_sess *sess;

	read_lock_bh(&sk->sk_callback_lock);
	sess = sk->sk_user_data;
	if (sess) {
		switch (sk->sk_state) {
		case TCP_FIN_WAIT1:
		case TCP_CLOSE_WAIT:
		case TCP_CLOSE:
			rfl_ini_conn_fail(sess, "connection closed by peer");
			break;
		default:
			break;
		}
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

void rfl_ini_kick(struct rfl_ini_sess *sess)
{
	queue_work(rfl_ini_wq, &sess->io_work);
}

static void rfl_ini_io_work(struct work_struct *work)
{
	struct rfl_ini_sess *sess = container_of(work, struct rfl_ini_sess,
						 io_work);
	int budget = RFL_INI_IO_BUDGET;
	int rx, tx;

	/*
	 * A failed connection waits for err_work: receiving again would
	 * parse the same bad header twice and log it twice.
	 */
	if (READ_ONCE(sess->dead))
		return;
	do {
		rx = rfl_ini_rx_work(sess, &budget);
		if (rx < 0)
			goto fail;
		tx = rfl_ini_tx_work(sess, &budget);
		if (tx < 0)
			goto fail;
	} while ((rx > 0 || tx > 0) && budget > 0);
	/* Out of budget with work left: let other sessions run. */
	if (budget <= 0)
		queue_work(rfl_ini_wq, &sess->io_work);
	return;
fail:
	rfl_ini_conn_fail(sess, rx < 0 ? "receive error" : "transmit error");
}

/**
 * rfl_ini_conn_fail() - start tearing a connection down
 * @sess: the session
 * @why: reason for the log, NULL for an orderly close
 *
 * err_work is queued under sess->lock by the caller that marks the
 * session dead: any later caller finds it dead and may flush err_work
 * at once, knowing the teardown is queued or done (rfl_ini_disable()
 * frees the session after that flush). A close after our Logout Request
 * is the orderly end of the session and is not logged.
 *
 * Context: any; the teardown runs in err_work. The caller keeps the
 * session alive until this returns (err_work waits for io_work, the
 * ping and the socket callbacks, the other callers).
 */
void rfl_ini_conn_fail(struct rfl_ini_sess *sess, const char *why)
{
	unsigned long flags;
	bool first;

	spin_lock_irqsave(&sess->lock, flags);
	first = !sess->dead;
	sess->dead = true;
	if (first)
		queue_work(rfl_ini_wq, &sess->err_work);
	if (sess->logging_out)
		why = NULL;
	spin_unlock_irqrestore(&sess->lock, flags);
	if (first && why) {
		pr_warn_ratelimited("%pISpc: connection failed: %s\n",
				    &sess->peer, why);
		atomic64_inc(&sess->tgt->stats.conn_failures);
	}
}

static void rfl_ini_start_io(struct rfl_ini_sess *sess);
static void rfl_ini_logout_req_work(struct work_struct *work);

/* Hold the SCSI targets' I/O in their queues; recovery_mutex held. */
static void rfl_ini_block(struct rfl_ini_sess *sess)
{
	if (sess->blocked)
		return;
	rfl_scsi_block_targets(&sess->shost->shost_gendev);
	sess->blocked = true;
}

static void rfl_ini_err_work(struct work_struct *work)
{
	struct rfl_ini_sess *sess = container_of(work, struct rfl_ini_sess,
						 err_work);
	struct sock *sk = sess->sock->sk;
	unsigned long flags;
	bool recover;

	write_lock_bh(&sk->sk_callback_lock);
	if (sk->sk_user_data == sess) {
		sk->sk_user_data = NULL;
		sk->sk_data_ready = sess->old_data_ready;
		sk->sk_write_space = sess->old_write_space;
		sk->sk_state_change = sess->old_state_change;
	}
	write_unlock_bh(&sk->sk_callback_lock);
	kernel_sock_shutdown(sess->sock, SHUT_RDWR);
	cancel_work_sync(&sess->io_work);
	cancel_delayed_work_sync(&sess->nop_work);
	rfl_ini_tx_flush(sess);
	complete_all(&sess->logout_done);
	complete_all(&sess->tmf_done);
	spin_lock_irqsave(&sess->lock, flags);
	recover = !sess->stopping;
	spin_unlock_irqrestore(&sess->lock, flags);
	if (!recover) {
		rfl_ini_fail_all(sess, DID_TRANSPORT_FAILFAST);
		return;
	}
	/*
	 * Hold I/O: block the SCSI targets first, so that the commands
	 * handed back now wait in their queues for the new connection.
	 */
	mutex_lock(&sess->recovery_mutex);
	rfl_ini_block(sess);
	rfl_ini_fail_all(sess, DID_IMM_RETRY);
	WRITE_ONCE(sess->tgt->state, RFL_INI_RECOVERING);
	sess->recovery_start = jiffies;
	sess->recovery_delay = 1;
	queue_delayed_work(rfl_ini_wq, &sess->recovery_work, HZ);
	mutex_unlock(&sess->recovery_mutex);
}

/* Unblock the SCSI targets: running again, or failing their I/O. */
static void rfl_ini_unblock(struct rfl_ini_sess *sess, bool running)
{
	if (!sess->blocked)
		return;
	sess->blocked = !running;
	scsi_target_unblock(&sess->shost->shost_gendev,
			    running ? SDEV_RUNNING : SDEV_TRANSPORT_OFFLINE);
}

static void rfl_ini_recovery_work(struct work_struct *work)
{
	struct rfl_ini_sess *sess = container_of(to_delayed_work(work),
						 struct rfl_ini_sess,
						 recovery_work);
	struct rfl_ini_tgt *tgt = sess->tgt;
	u32 tmo = sess->cfg.replacement_timeout;
	unsigned long deadline, flags;
	bool stopping, held;
	int ret;

	mutex_lock(&sess->recovery_mutex);
	deadline = sess->recovery_start + tmo * HZ;
	held = READ_ONCE(tgt->state) == RFL_INI_RECOVERING;
	if (held && time_after(jiffies, deadline)) {
		held = false;
		pr_warn("%s: %s: no session after replacement_timeout (%u s): failing I/O\n",
			config_item_name(&tgt->group.cg_item),
			sess->cfg.target_iqn, tmo);
		WRITE_ONCE(tgt->state, RFL_INI_FAILED);
		/* Held and new commands fail from now on (DID_NO_CONNECT). */
		rfl_ini_unblock(sess, false);
	}
	if (sess->sock) {
		sock_release(sess->sock);
		sess->sock = NULL;
	}
	sess->tsih = 0;		/* same ISID, new session: reinstatement */
	/*
	 * While I/O is held, neither a connect nor the back-off lasts past
	 * the deadline: the I/O fails at replacement_timeout, not when an
	 * attempt begun before it gives up (up to 15 s later, then 8 s).
	 */
	sess->connect_tmo = held ? clamp_t(long, (long)(deadline - jiffies) + HZ, HZ,
					   RFL_INI_LOGIN_TMO * HZ) : 0;
	/* The portal lost first, then the others in turn. */
	ret = rfl_ini_connect_login(sess, sess->portal_idx);
	sess->connect_tmo = 0;
	spin_lock_irqsave(&sess->lock, flags);
	stopping = sess->stopping;
	if (!ret && !stopping) {
		sess->dead = false;
		sess->window_closed = false;
		sess->logging_out = false;	/* after a requested logout */
	}
	spin_unlock_irqrestore(&sess->lock, flags);
	if (stopping)
		goto out;
	if (ret) {
		unsigned long delay;

		sess->recovery_delay = min(sess->recovery_delay * 2, 8U);
		delay = sess->recovery_delay * HZ;
		/* Held I/O: the next run is just past the deadline at most. */
		if (held)
			delay = clamp_t(long, (long)(deadline - jiffies) + 1,
					0, delay);
		queue_delayed_work(rfl_ini_wq, &sess->recovery_work, delay);
		goto out;
	}
	sess->rx_state = RFL_INI_RX_BHS;
	sess->rx_off = 0;
	sess->rx_sc = NULL;
	sess->tx_busy = false;
	sess->tx_txe = NULL;
	sess->nop_ttt_pending = 0;
	reinit_completion(&sess->logout_done);
	reinit_completion(&sess->tmf_done);
	rfl_ini_start_io(sess);
	atomic64_inc(&tgt->stats.reconnects);
	WRITE_ONCE(tgt->state, RFL_INI_LOGGED_IN);
	pr_info("%s: session to %s reinstated at %pISpc\n",
		config_item_name(&tgt->group.cg_item), sess->cfg.target_iqn,
		&sess->peer);
	/* From blocked, or from offline after the timeout. */
	sess->blocked = false;
	scsi_target_unblock(&sess->shost->shost_gendev, SDEV_RUNNING);
out:
	mutex_unlock(&sess->recovery_mutex);
}

static void rfl_ini_nop_work(struct work_struct *work)
{
	struct rfl_ini_sess *sess = container_of(to_delayed_work(work),
						 struct rfl_ini_sess,
						 nop_work);
	u32 interval = sess->cfg.nop_interval;
	u32 timeout = sess->cfg.nop_timeout;
	struct iscsi_nopout *hdr;
	struct rfl_ini_txe *txe;
	unsigned long flags;
	bool dead;

	spin_lock_irqsave(&sess->lock, flags);
	dead = sess->dead;
	spin_unlock_irqrestore(&sess->lock, flags);
	if (dead || !interval)
		return;
	if (READ_ONCE(sess->nop_ttt_pending)) {
		if (time_after(jiffies, sess->nop_sent + timeout * HZ)) {
			rfl_ini_conn_fail(sess, "NOP-Out ping timed out");
			return;
		}
		queue_delayed_work(rfl_ini_wq, &sess->nop_work, HZ);
		return;
	}
	txe = rfl_ini_ctl_alloc(ISCSI_OP_NOOP_OUT, 0, GFP_NOIO);
	if (txe) {
		hdr = (struct iscsi_nopout *)txe->hdr;
		hdr->opcode |= ISCSI_OP_IMMEDIATE;
		hdr->itt = cpu_to_be32(RFL_INI_ITT_NOP);
		hdr->ttt = cpu_to_be32(ISCSI_RESERVED_TAG);
		txe->immediate = true;
		sess->nop_sent = jiffies;
		WRITE_ONCE(sess->nop_ttt_pending, 1);
		rfl_ini_queue_txe(sess, txe);
	}
	queue_delayed_work(rfl_ini_wq, &sess->nop_work, interval * HZ);
}

/**
 * rfl_ini_nportals() - how many portals a target object lists.
 * @cfg: its values
 *
 * Return: 0 when none is set.
 */
unsigned int rfl_ini_nportals(const struct rfl_ini_cfg *cfg)
{
	return cfg->portal.ss_family ? 1 + cfg->nextra : 0;
}

/**
 * rfl_ini_portal() - one portal of a target object.
 * @cfg: its values
 * @i: below rfl_ini_nportals()
 *
 * Return: the portal, in the order written.
 */
const struct sockaddr_storage *rfl_ini_portal(const struct rfl_ini_cfg *cfg,
					      unsigned int i)
{
	return i ? &cfg->extra_portals[i - 1] : &cfg->portal;
}

static int rfl_ini_connect(struct rfl_ini_sess *sess,
			   const struct sockaddr_storage *ss)
{
	struct rfl_ini_tgt *tgt = sess->tgt;
	unsigned long tmo = sess->connect_tmo ? sess->connect_tmo :
			    RFL_INI_LOGIN_TMO * HZ;
	unsigned long flags;
	int ret;

	ret = sock_create_kern(sess->net, ss->ss_family, SOCK_STREAM,
			       IPPROTO_TCP, &sess->sock);
	if (ret) {
		rfl_ini_set_error(tgt, "cannot create socket: %d", ret);
		return ret;
	}
	sess->sock->sk->sk_allocation = GFP_NOIO;
	WRITE_ONCE(sess->sock->sk->sk_rcvtimeo, RFL_INI_LOGIN_TMO * HZ);
	WRITE_ONCE(sess->sock->sk->sk_sndtimeo, tmo);
	tcp_sock_set_nodelay(sess->sock->sk);
	spin_lock_irqsave(&sess->lock, flags);
	sess->peer = *ss;
	spin_unlock_irqrestore(&sess->lock, flags);
	ret = kernel_connect(sess->sock, (struct sockaddr *)ss,
			     ss->ss_family == AF_INET6 ?
			     sizeof(struct sockaddr_in6) :
			     sizeof(struct sockaddr_in), 0);
	WRITE_ONCE(sess->sock->sk->sk_sndtimeo, RFL_INI_LOGIN_TMO * HZ);
	if (ret == -EINPROGRESS) {
		/* A blocking connect that ran out of sk_sndtimeo. */
		rfl_ini_set_error(tgt, "cannot connect to %pISpc: no answer within %u s",
				  ss, jiffies_to_msecs(tmo) / 1000);
		return -ETIMEDOUT;
	}
	if (ret) {
		rfl_ini_set_error(tgt, "cannot connect to %pISpc: %pe", ss,
				  ERR_PTR(ret));
		return ret;
	}
	return 0;
}

/**
 * rfl_ini_connect_login() - connect and log in, trying each portal once
 * @sess: the session, without a socket
 * @start: index of the portal to try first; the others follow in order,
 *         cycling
 *
 * A pool session tries its one portal (the pool walks its own list).
 * On success sess->portal_idx and sess->peer name the portal in use.
 *
 * Return: 0 with a logged-in, still blocking socket; else the error of
 * the last portal tried, its reason in last_error, and no socket.
 */
int rfl_ini_connect_login(struct rfl_ini_sess *sess, unsigned int start)
{
	unsigned int n = sess->pooled ? 1 : rfl_ini_nportals(&sess->cfg);
	unsigned int k, i;
	int ret = -EINVAL;

	for (k = 0; k < n; k++) {
		i = (start + k) % n;
		ret = rfl_ini_connect(sess, rfl_ini_portal(&sess->cfg, i));
		if (!ret)
			ret = rfl_ini_login(sess);
		if (!ret) {
			sess->portal_idx = i;
			return 0;
		}
		if (sess->sock) {
			sock_release(sess->sock);
			sess->sock = NULL;
		}
	}
	return ret;
}

/* Login done: from now on the socket is driven by io_work. */
static void rfl_ini_start_io(struct rfl_ini_sess *sess)
{
	struct sock *sk = sess->sock->sk;

	WRITE_ONCE(sk->sk_rcvtimeo, MAX_SCHEDULE_TIMEOUT);
	WRITE_ONCE(sk->sk_sndtimeo, MAX_SCHEDULE_TIMEOUT);
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = sess;
	sess->old_data_ready = sk->sk_data_ready;
	sess->old_write_space = sk->sk_write_space;
	sess->old_state_change = sk->sk_state_change;
	sk->sk_data_ready = rfl_ini_sk_data_ready;
	sk->sk_write_space = rfl_ini_sk_write_space;
	sk->sk_state_change = rfl_ini_sk_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
	queue_work(rfl_ini_wq, &sess->io_work);
	if (sess->cfg.nop_interval)
		queue_delayed_work(rfl_ini_wq, &sess->nop_work,
				   sess->cfg.nop_interval * HZ);
}

/**
 * rfl_ini_enable() - log into a target and expose its LUNs
 * @tgt: the target object, its mutex held
 *
 * The socket is created in the network namespace of the calling process.
 * Login runs here, synchronously; on success the SCSI host is added and
 * scanned.
 *
 * Return: 0, or a negative errno with the reason in last_error.
 */
int rfl_ini_enable(struct rfl_ini_tgt *tgt)
{
	return rfl_ini_enable_net(tgt, current->nsproxy->net_ns);
}

/**
 * rfl_ini_enable_net() - log into a target from a network namespace
 * @tgt: the target object, its mutex held (or private to the LU pool)
 * @net: the namespace of the socket
 *
 * As rfl_ini_enable(); the host of a pool object (tgt->pooled) is added
 * but not scanned: the pool adds the LUNs it needs itself.
 *
 * Return: 0, or a negative errno with the reason in last_error.
 */
int rfl_ini_enable_net(struct rfl_ini_tgt *tgt, struct net *net)
{
	struct rfl_ini_sess *sess;
	char name[RFL_NAME_MAX + 1];
	int ret;

	if (!*rfl_ini_initiator_name(name, sizeof(name))) {
		rfl_ini_set_error(tgt, "initiator_name is not set");
		return -EINVAL;
	}
	if (!tgt->cfg.target_iqn[0] || !tgt->cfg.portal.ss_family) {
		rfl_ini_set_error(tgt, "target_iqn and portal must be set");
		return -EINVAL;
	}
	if (tgt->cfg.first_burst > tgt->cfg.max_burst) {
		rfl_ini_set_error(tgt, "first_burst is above max_burst");
		return -EINVAL;
	}
	if (tgt->cfg.chap_userid[0])
		rfl_ini_chap_prepare();
	sess = rfl_ini_sess_alloc(tgt);
	if (!sess)
		return -ENOMEM;
	INIT_WORK(&sess->io_work, rfl_ini_io_work);
	INIT_WORK(&sess->err_work, rfl_ini_err_work);
	INIT_DELAYED_WORK(&sess->nop_work, rfl_ini_nop_work);
	INIT_DELAYED_WORK(&sess->recovery_work, rfl_ini_recovery_work);
	INIT_WORK(&sess->logout_req_work, rfl_ini_logout_req_work);
	sess->net = get_net(net);
	WRITE_ONCE(tgt->state, RFL_INI_LOGGING_IN);
	spin_lock(&tgt->err_lock);
	tgt->last_error[0] = '\0';
	spin_unlock(&tgt->err_lock);

	ret = rfl_ini_connect_login(sess, 0);
	if (ret)
		goto fail;
	rfl_ini_start_io(sess);
	tgt->sess = sess;
	WRITE_ONCE(tgt->state, RFL_INI_LOGGED_IN);
	ret = rfl_ini_scsi_add(sess);
	if (ret) {
		rfl_ini_set_error(tgt, "cannot add SCSI host: %d", ret);
		rfl_ini_disable(tgt);
		return ret;
	}
	pr_info("%s: logged into %s at %pISpc, SCSI host %u\n",
		config_item_name(&tgt->group.cg_item), sess->cfg.target_iqn,
		&sess->peer, sess->shost->host_no);
	return 0;
fail:
	WRITE_ONCE(tgt->state, RFL_INI_DISABLED);
	rfl_ini_sess_free(sess);
	return ret < 0 ? ret : -EIO;
}

/* Logout Request (close the session) and wait for the answer. */
static void rfl_ini_logout(struct rfl_ini_sess *sess)
{
	struct iscsi_logout *hdr;
	struct rfl_ini_txe *txe;
	unsigned long flags;
	bool dead;

	txe = rfl_ini_ctl_alloc(ISCSI_OP_LOGOUT, 0, GFP_KERNEL);
	if (!txe)
		return;
	spin_lock_irqsave(&sess->lock, flags);
	dead = sess->dead;
	sess->logging_out = true;
	spin_unlock_irqrestore(&sess->lock, flags);
	if (dead) {
		rfl_ini_txe_free(txe);
		return;
	}
	hdr = (struct iscsi_logout *)txe->hdr;
	hdr->opcode |= ISCSI_OP_IMMEDIATE;
	hdr->flags = ISCSI_FLAG_CMD_FINAL | ISCSI_LOGOUT_REASON_CLOSE_SESSION;
	hdr->itt = cpu_to_be32(RFL_INI_ITT_LOGOUT);
	txe->immediate = true;
	rfl_ini_queue_txe(sess, txe);
	if (!wait_for_completion_timeout(&sess->logout_done,
					 RFL_INI_LOGOUT_TMO * HZ))
		pr_warn("%pISpc: no Logout Response\n", &sess->peer);
}

/* Commands the session has on the wire or in reflection. */
static unsigned int rfl_ini_inflight(struct rfl_ini_sess *sess)
{
	unsigned long flags;
	unsigned int i, n = 0;

	spin_lock_irqsave(&sess->lock, flags);
	for (i = 0; i < sess->can_queue; i++)
		n += !!sess->tasks[i];
	spin_unlock_irqrestore(&sess->lock, flags);
	return n;
}

/*
 * The connection a logout was asked on is gone: dead, stopping, or
 * already replaced by recovery (which counts reconnects under
 * recovery_mutex, held by the caller for the last check).
 */
static bool rfl_ini_gone(struct rfl_ini_sess *sess)
{
	unsigned long flags;
	bool gone;

	spin_lock_irqsave(&sess->lock, flags);
	gone = sess->dead || sess->stopping;
	spin_unlock_irqrestore(&sess->lock, flags);
	return gone || atomic64_read(&sess->tgt->stats.reconnects) !=
		       sess->logout_req_conn;
}

/*
 * The target asked for a logout (it is going away, e.g. its portal group
 * is being disabled). RFC 7143 11.9.1: log out within Parameter3 seconds.
 * New commands are held (the SCSI targets blocked, as in recovery), those
 * in flight may end until then (at least 1 s, at most 30 s), the session
 * logs out, and recovery reconnects like after any loss, with the held
 * and unfinished commands retried on the new session and
 * replacement_timeout in force. Nothing counts as a connection failure.
 */
static void rfl_ini_logout_req_work(struct work_struct *work)
{
	struct rfl_ini_sess *sess = container_of(work, struct rfl_ini_sess,
						 logout_req_work);
	unsigned long deadline;
	unsigned int left;

	mutex_lock(&sess->recovery_mutex);
	if (rfl_ini_gone(sess)) {
		mutex_unlock(&sess->recovery_mutex);
		return;
	}
	rfl_ini_block(sess);
	mutex_unlock(&sess->recovery_mutex);
	deadline = jiffies + clamp_t(u16, sess->logout_req_secs, 1, 30) * HZ;
	while ((left = rfl_ini_inflight(sess)) && !rfl_ini_gone(sess) &&
	       time_before(jiffies, deadline))
		msleep(50);
	/*
	 * recovery_mutex keeps recovery from logging in again between the
	 * check and the Logout, which would log the new session out. The
	 * wait for the Logout Response under it is bounded, and err_work
	 * completes that wait before it takes the mutex.
	 */
	mutex_lock(&sess->recovery_mutex);
	if (!rfl_ini_gone(sess)) {
		pr_info("%s: %s asked for a logout: logging out (%u command(s) still in flight), then reconnecting\n",
			config_item_name(&sess->tgt->group.cg_item),
			sess->cfg.target_iqn, left);
		rfl_ini_logout(sess);
		rfl_ini_conn_fail(sess, NULL);
	}
	mutex_unlock(&sess->recovery_mutex);
}

/**
 * rfl_ini_disable() - log out and remove the SCSI host
 * @tgt: the target object, its mutex held
 */
void rfl_ini_disable(struct rfl_ini_tgt *tgt)
{
	struct rfl_ini_sess *sess = tgt->sess;

	unsigned long flags;

	if (!sess)
		return;
	/* Stop recovery; held I/O fails so that the disks can go. */
	spin_lock_irqsave(&sess->lock, flags);
	sess->stopping = true;
	spin_unlock_irqrestore(&sess->lock, flags);
	cancel_work_sync(&sess->logout_req_work);
	flush_work(&sess->err_work);
	cancel_delayed_work_sync(&sess->recovery_work);
	WRITE_ONCE(tgt->state, RFL_INI_LOGGING_OUT);
	mutex_lock(&sess->recovery_mutex);
	rfl_ini_unblock(sess, false);
	mutex_unlock(&sess->recovery_mutex);
	rfl_ini_scsi_remove(sess);
	rfl_ini_logout(sess);
	rfl_ini_conn_fail(sess, NULL);
	flush_work(&sess->err_work);
	tgt->sess = NULL;
	WRITE_ONCE(tgt->state, RFL_INI_DISABLED);
	pr_info("%s: logged out of %s\n",
		config_item_name(&tgt->group.cg_item), sess->cfg.target_iqn);
	rfl_ini_sess_free(sess);
}
