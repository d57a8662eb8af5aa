// SPDX-License-Identifier: GPL-2.0
/*
 * What a portal group shows of its state, read-only, in tpgt_N:
 *
 *   statistics  one "name value" line per counter of enum rfl_stat_id,
 *               counted since the tpg was created, never reset
 *   sessions    one line per logged-in connection (a session: one
 *               connection each) with its own counters
 *
 * Locking: the counters are atomic64_t and need no lock; sessions walks
 * tpg->conns under tpg->conn_lock (which keeps each rfl_conn on the list
 * alive) and reads a connection's dead flag under its txq_lock, the
 * order rfl_tpg_close_conns() uses too.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/module.h>

#include "rfl_tgt.h"

static const char * const rfl_stat_names[RFL_ST_NR] = {
	[RFL_ST_LOGINS]			= "logins",
	[RFL_ST_LOGIN_FAIL_AUTH]	= "login_failures_auth",
	[RFL_ST_LOGIN_FAIL_TARGET]	= "login_failures_target",
	[RFL_ST_LOGIN_FAIL_PROTO]	= "login_failures_protocol",
	[RFL_ST_LOGIN_FAIL_OTHER]	= "login_failures_other",
	[RFL_ST_LOGIN_TIMEOUTS]		= "login_timeouts",
	[RFL_ST_LOGOUTS]		= "logouts",
	[RFL_ST_REJECTS]		= "rejects_sent",
	[RFL_ST_PROTO_DROPS]		= "protocol_error_drops",
	[RFL_ST_HDR_DIGEST]		= "header_digest_errors",
	[RFL_ST_DATA_DIGEST]		= "data_digest_errors",
	[RFL_ST_CMDSN_DROPS]		= "cmdsn_drops",
	[RFL_ST_NOPIN_TIMEOUTS]		= "nopin_timeouts",
	[RFL_ST_TMF_ABORTS]		= "task_mgmt_aborts",
	[RFL_ST_TMF_RESETS]		= "task_mgmt_resets",
	[RFL_ST_TMF_UNSUPPORTED]	= "task_mgmt_unsupported",
	[RFL_ST_DATA_OUT_DISCARDS]	= "data_out_discards",
};

static ssize_t rfl_tpg_statistics_show(struct config_item *item, char *page)
{
	struct rfl_tpg *tpg = rfl_tpg(to_tpg(item));
	ssize_t len = 0;
	unsigned int i;

	for (i = 0; i < RFL_ST_NR; i++)
		len += scnprintf(page + len, PAGE_SIZE - len, "%s %lld\n",
				 rfl_stat_names[i],
				 (long long)atomic64_read(&tpg->stats[i]));
	return len;
}

/* One line of sessions, or 0 if it does not fit in @size. */
static int rfl_session_line(struct rfl_conn *conn, char *buf, size_t size)
{
	char line[RFL_NAME_MAX + 256];
	bool dead;
	int n;

	spin_lock_bh(&conn->txq_lock);
	dead = conn->dead;
	spin_unlock_bh(&conn->txq_lock);
	n = scnprintf(line, sizeof(line),
		      "%s isid=%6phN tsih=%u type=%s peer=%pISpc conns=1 state=%s reflect=%s cmds=%lld bytes_in=%lld bytes_out=%lld\n",
		      conn->iname, conn->isid, conn->tsih,
		      conn->discovery ? "discovery" : "normal", &conn->peer,
		      dead ? "closing" : "up", conn->reflect ? "yes" : "no",
		      (long long)atomic64_read(&conn->st_cmds),
		      (long long)atomic64_read(&conn->st_bytes_in),
		      (long long)atomic64_read(&conn->st_bytes_out));
	if (n >= size)
		return 0;
	memcpy(buf, line, n + 1);
	return n;
}

static ssize_t rfl_tpg_sessions_show(struct config_item *item, char *page)
{
	struct rfl_tpg *tpg = rfl_tpg(to_tpg(item));
	struct rfl_conn *conn;
	ssize_t len = 0;
	int n;

	spin_lock(&tpg->conn_lock);
	list_for_each_entry(conn, &tpg->conns, tpg_node) {
		/* Pairs with the release in rfl_login_rx(). */
		if (!smp_load_acquire(&conn->logged_in))
			continue;
		n = rfl_session_line(conn, page + len, PAGE_SIZE - len);
		if (!n)
			break;		/* a page is full: the rest is cut */
		len += n;
	}
	spin_unlock(&tpg->conn_lock);
	return len;
}

CONFIGFS_ATTR_RO(rfl_tpg_, statistics);
CONFIGFS_ATTR_RO(rfl_tpg_, sessions);

struct configfs_attribute *rfl_tpg_base_attrs[] = {
	&rfl_tpg_attr_statistics,
	&rfl_tpg_attr_sessions,
	NULL,
};
