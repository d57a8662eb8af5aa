// SPDX-License-Identifier: GPL-2.0
/*
 * Reflection in the fabric: the login key RFL_REFLECT_KEY, and the hooks
 * (kernel/include/rfl_target.h) through which a backstore attaches a
 * reflection script to a command. Sending it is rfl_tgt_tx.c's job.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>

#include "rfl_script.h"
#include "rfl_target.h"
#include "rfl_tgt.h"

static const char * const rfl_own_yes[] = { "Yes" };
static const char * const rfl_own_no[] = { "No" };

/**
 * rfl_login_reflect() - negotiation of RFL_REFLECT_KEY in a login
 * @conn: the connection in login
 * @kvs: the pairs of a received login text, or NULL to set up our side
 *	(tpgt_N/attrib/reflection, read once per login)
 * @n: their number
 *
 * The key is Boolean AND: reflection is on when the initiator offered Yes
 * and we answered Yes. A discovery session never reflects.
 */
void rfl_login_reflect(struct rfl_conn *conn, const struct rfl_kv *kvs,
		       unsigned int n)
{
	const struct rfl_kv *kv;
	bool offer;

	if (!kvs) {
		conn->neg.ks = &rfl_reflect_keyset;
		conn->neg.vendor_own =
			READ_ONCE(conn->tpg->attrib.reflection) ?
			rfl_own_yes : rfl_own_no;
		conn->reflect = false;
		return;
	}
	kv = rfl_text_find(kvs, n, RFL_REFLECT_KEY);
	if (!kv || kv->special != RFL_SV_PLAIN ||
	    rfl_bool_decode(kv->value, kv->value_len, &offer))
		return;
	conn->reflect = offer && conn->neg.vendor_own == rfl_own_yes &&
			!conn->discovery && !conn->neg.params.discovery;
}

/* The command's reflection script goes out instead of data and status. */
bool rfl_cmd_sends_script(struct rfl_cmd *cmd)
{
	return cmd->script && !cmd->se_cmd.scsi_status &&
	       !cmd->se_cmd.scsi_sense_length;
}

static struct rfl_cmd *rfl_cmd_of(struct se_cmd *se_cmd)
{
	/*
	 * Recent LIO keeps its own copy of a fabric's ops (6.12 does), so
	 * se_tfo is not &rfl_fabric_ops: recognise our commands by a
	 * callback only this fabric has.
	 */
	if (!se_cmd || !se_cmd->se_tfo ||
	    se_cmd->se_tfo->release_cmd != rfl_release_cmd ||
	    (se_cmd->se_cmd_flags & SCF_SCSI_TMR_CDB))
		return NULL;
	return rfl_cmd(se_cmd);
}

/**
 * rfl_tgt_cmd_reflectable() - whether a command may get a reflection status
 * @se_cmd: a command in the backstore's parse_cdb or later
 *
 * Return: true only for a command of the "reflect" fabric, on a session
 * that negotiated reflection, that did not ask to be proxied
 * (RFL_CMD_FLAG_PROXY) and carries no immediate or unsolicited data.
 */
bool rfl_tgt_cmd_reflectable(struct se_cmd *se_cmd)
{
	struct rfl_cmd *cmd = rfl_cmd_of(se_cmd);

	return cmd && cmd->sess_reflect && !cmd->proxy_req && !cmd->had_data;
}
EXPORT_SYMBOL_GPL(rfl_tgt_cmd_reflectable);

/**
 * rfl_tgt_cmd_max_script() - the largest script the initiator accepts
 * @se_cmd: the command
 *
 * Return: the initiator's MaxRecvDataSegmentLength, or 0 when @se_cmd is
 * not reflectable.
 */
u32 rfl_tgt_cmd_max_script(struct se_cmd *se_cmd)
{
	if (!rfl_tgt_cmd_reflectable(se_cmd))
		return 0;
	return rfl_cmd(se_cmd)->conn->params.max_xmit_dsl;
}
EXPORT_SYMBOL_GPL(rfl_tgt_cmd_max_script);

/**
 * rfl_tgt_cmd_set_script() - answer a command with a reflection status
 * @se_cmd: a reflectable command, in the backstore's parse_cdb (before
 *	LIO asks the fabric for a WRITE's data)
 * @buf: the encoded script, from kmalloc() or kvmalloc()
 * @len: its bytes, at most rfl_tgt_cmd_max_script()
 *
 * The fabric owns @buf from the call on, also when it fails. A WRITE with
 * a script is executed without soliciting its data. When the backstore
 * completes the command with GOOD status the script is sent as the data
 * segment of a SCSI Response with Response RFL_RESPONSE_REFLECT.
 *
 * Return: 0, -EINVAL if the command is not reflectable, -EMSGSIZE if the
 * script is too long for the initiator.
 */
int rfl_tgt_cmd_set_script(struct se_cmd *se_cmd, void *buf, u32 len)
{
	struct rfl_cmd *cmd = rfl_cmd_of(se_cmd);

	if (!rfl_tgt_cmd_reflectable(se_cmd)) {
		kvfree(buf);
		return -EINVAL;
	}
	if (!len || len > cmd->conn->params.max_xmit_dsl) {
		kvfree(buf);
		return -EMSGSIZE;
	}
	kvfree(cmd->script);
	cmd->script = buf;
	cmd->script_len = len;
	return 0;
}
EXPORT_SYMBOL_GPL(rfl_tgt_cmd_set_script);

/**
 * rfl_tgt_cmd_is_reflected() - whether a script is attached
 * @se_cmd: the command
 *
 * Return: true after a successful rfl_tgt_cmd_set_script().
 */
bool rfl_tgt_cmd_is_reflected(struct se_cmd *se_cmd)
{
	struct rfl_cmd *cmd = rfl_cmd_of(se_cmd);

	return cmd && cmd->script;
}
EXPORT_SYMBOL_GPL(rfl_tgt_cmd_is_reflected);
