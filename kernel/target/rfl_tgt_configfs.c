// SPDX-License-Identifier: GPL-2.0
/*
 * configfs of the "reflect" fabric, laid out like LIO's iscsi fabric:
 *
 *   target/reflect/<target IQN>/tpgt_N/{lun,np,acls,attrib,param,auth,enable}
 *
 * LIO core creates the directories; this file creates targets and tpgs
 * and provides the attributes of attrib/, param/ and auth/ (for a tpg and
 * for each ACL). Portals are in rfl_tgt_np.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/ctype.h>
#include <linux/module.h>

#include "rfl_tgt.h"

/* ------------------------------------------------------------ targets */

static bool rfl_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (!len || len > RFL_NAME_MAX)
		return false;
	return !strncmp(name, "iqn.", 4) || !strncmp(name, "eui.", 4) ||
	       !strncmp(name, "naa.", 4);
}

struct se_wwn *rfl_make_tiqn(struct target_fabric_configfs *tf,
			     struct config_group *group, const char *name)
{
	struct rfl_tiqn *tiqn;

	if (!rfl_name_ok(name)) {
		pr_err("target name %s is not an iqn., eui. or naa. name\n",
		       name);
		return ERR_PTR(-EINVAL);
	}
	tiqn = kzalloc(sizeof(*tiqn), GFP_KERNEL);
	if (!tiqn)
		return ERR_PTR(-ENOMEM);
	strscpy(tiqn->name, name, sizeof(tiqn->name));
	INIT_LIST_HEAD(&tiqn->tpgs);
	mutex_lock(&rfl_cfg_mutex);
	list_add_tail(&tiqn->node, &rfl_tiqns);
	mutex_unlock(&rfl_cfg_mutex);
	return &tiqn->wwn;
}

void rfl_drop_tiqn(struct se_wwn *wwn)
{
	struct rfl_tiqn *tiqn = container_of(wwn, struct rfl_tiqn, wwn);

	mutex_lock(&rfl_cfg_mutex);
	list_del(&tiqn->node);
	mutex_unlock(&rfl_cfg_mutex);
	kfree(tiqn);
}

static ssize_t rfl_wwn_version_show(struct config_item *item, char *page)
{
	return sprintf(page, "reflect iSCSI target (RFC 7143, ERL 0)\n");
}

CONFIGFS_ATTR_RO(rfl_wwn_, version);

struct configfs_attribute *rfl_wwn_attrs[] = {
	&rfl_wwn_attr_version,
	NULL,
};

/* ---------------------------------------------------------------- tpgs */

/* Offered values of the negotiable keys, and their defaults. */
static const struct {
	const char *key;
	const char *dflt;
	unsigned int key_id;
} rfl_params[RFL_P_NR] = {
	[RFL_P_HEADER_DIGEST] = { "HeaderDigest", "CRC32C,None",
				  RFL_KEY_HEADER_DIGEST },
	[RFL_P_DATA_DIGEST] = { "DataDigest", "CRC32C,None",
				RFL_KEY_DATA_DIGEST },
	[RFL_P_MAX_RECV_DSL] = { "MaxRecvDataSegmentLength", "262144",
				 RFL_KEY_MAX_RECV_DSL },
	[RFL_P_MAX_BURST] = { "MaxBurstLength", "262144",
			      RFL_KEY_MAX_BURST_LENGTH },
	[RFL_P_FIRST_BURST] = { "FirstBurstLength", "65536",
				RFL_KEY_FIRST_BURST_LENGTH },
	[RFL_P_IMMEDIATE_DATA] = { "ImmediateData", "Yes",
				   RFL_KEY_IMMEDIATE_DATA },
	[RFL_P_INITIAL_R2T] = { "InitialR2T", "Yes", RFL_KEY_INITIAL_R2T },
	[RFL_P_MAX_R2T] = { "MaxOutstandingR2T", "1",
			    RFL_KEY_MAX_OUTSTANDING_R2T },
	[RFL_P_DATA_PDU_IN_ORDER] = { "DataPDUInOrder", "Yes",
				      RFL_KEY_DATA_PDU_IN_ORDER },
	[RFL_P_DATA_SEQ_IN_ORDER] = { "DataSequenceInOrder", "Yes",
				      RFL_KEY_DATA_SEQUENCE_IN_ORDER },
	[RFL_P_TIME2WAIT] = { "DefaultTime2Wait", "2",
			      RFL_KEY_DEFAULT_TIME2WAIT },
	[RFL_P_TIME2RETAIN] = { "DefaultTime2Retain", "20",
				RFL_KEY_DEFAULT_TIME2RETAIN },
	[RFL_P_ERL] = { "ErrorRecoveryLevel", "0",
			RFL_KEY_ERROR_RECOVERY_LEVEL },
	[RFL_P_MAX_CONNECTIONS] = { "MaxConnections", "1",
				    RFL_KEY_MAX_CONNECTIONS },
	[RFL_P_TARGET_ALIAS] = { "TargetAlias", "reflect target",
				 RFL_KEY_TARGET_ALIAS },
};

const char *rfl_param_key(unsigned int id)
{
	return rfl_params[id].key;
}

struct se_portal_group *rfl_make_tpg(struct se_wwn *wwn, const char *name)
{
	struct rfl_tiqn *tiqn = container_of(wwn, struct rfl_tiqn, wwn);
	struct rfl_tpg *tpg;
	unsigned int i;
	u16 tag;
	int ret;

	if (strncmp(name, "tpgt_", 5) || kstrtou16(name + 5, 10, &tag) ||
	    !tag)
		return ERR_PTR(-EINVAL);
	tpg = kzalloc(sizeof(*tpg), GFP_KERNEL);
	if (!tpg)
		return ERR_PTR(-ENOMEM);
	tpg->tiqn = tiqn;
	tpg->tag = tag;
	tpg->attrib.generate_node_acls = 0;
	tpg->attrib.cache_dynamic_acls = 0;
	tpg->attrib.demo_mode_write_protect = 1;
	tpg->attrib.default_cmdsn_depth = 64;
	tpg->attrib.login_timeout = 15;
	tpg->attrib.netif_timeout = 2;
	tpg->attrib.nopin_timeout = 15;
	tpg->attrib.nopin_response_timeout = 30;
	tpg->attrib.reflection = 1;
	for (i = 0; i < RFL_P_NR; i++)
		strscpy(tpg->param[i], rfl_params[i].dflt, RFL_PARAM_LEN);
	INIT_LIST_HEAD(&tpg->nps);
	INIT_LIST_HEAD(&tpg->conns);
	spin_lock_init(&tpg->conn_lock);
	init_waitqueue_head(&tpg->conn_wq);
	ret = core_tpg_register(wwn, &tpg->se_tpg, SCSI_PROTOCOL_ISCSI);
	if (ret) {
		kfree(tpg);
		return ERR_PTR(ret);
	}
	mutex_lock(&rfl_cfg_mutex);
	list_add_tail(&tpg->node, &tiqn->tpgs);
	mutex_unlock(&rfl_cfg_mutex);
	return &tpg->se_tpg;
}

void rfl_drop_tpg(struct se_portal_group *se_tpg)
{
	struct rfl_tpg *tpg = rfl_tpg(se_tpg);

	mutex_lock(&rfl_cfg_mutex);
	tpg->enabled = false;
	list_del(&tpg->node);
	mutex_unlock(&rfl_cfg_mutex);
	rfl_tpg_close_conns(tpg, NULL, true);
	core_tpg_deregister(se_tpg);
	kfree(tpg);
}

int rfl_enable_tpg(struct se_portal_group *se_tpg, bool enable)
{
	struct rfl_tpg *tpg = rfl_tpg(se_tpg);

	mutex_lock(&rfl_cfg_mutex);
	tpg->enabled = enable;
	mutex_unlock(&rfl_cfg_mutex);
	if (!enable) {
		/* Ask the sessions to log out, then close what is left. */
		rfl_tpg_async_logout(tpg);
		rfl_tpg_close_conns(tpg, NULL, true);
	}
	return 0;
}

/* -------------------------------------------------------------- attrib */

static ssize_t rfl_attrib_show(struct config_item *item, char *page,
			       size_t off)
{
	struct rfl_tpg *tpg = rfl_tpg(attrib_to_tpg(item));

	return sprintf(page, "%u\n", *(u32 *)((char *)&tpg->attrib + off));
}

static ssize_t rfl_attrib_store(struct config_item *item, const char *page,
				size_t count, size_t off, u32 min, u32 max)
{
	struct rfl_tpg *tpg = rfl_tpg(attrib_to_tpg(item));
	u32 v;
	int ret;

	ret = kstrtou32(page, 0, &v);
	if (ret)
		return ret;
	if (v < min || v > max)
		return -EINVAL;
	mutex_lock(&rfl_cfg_mutex);
	*(u32 *)((char *)&tpg->attrib + off) = v;
	mutex_unlock(&rfl_cfg_mutex);
	return count;
}

/* One attribute of attrib/: a u32 of struct rfl_tpg_attrib in [lo, hi]. */
#define RFL_ATTRIB(name, lo, hi)					\
enum { rfl_attrib_off_##name = offsetof(struct rfl_tpg_attrib, name) };	\
static ssize_t rfl_tpg_attrib_##name##_show(struct config_item *item,	\
					    char *page)			\
{									\
	return rfl_attrib_show(item, page, rfl_attrib_off_##name);	\
}									\
static ssize_t rfl_tpg_attrib_##name##_store(struct config_item *item,	\
					     const char *page,		\
					     size_t count)		\
{									\
	return rfl_attrib_store(item, page, count,			\
				rfl_attrib_off_##name, lo, hi);		\
}									\
static struct configfs_attribute rfl_tpg_attrib_attr_##name = {	\
	.ca_name = __stringify(name),					\
	.ca_owner = THIS_MODULE,					\
	.ca_mode = 0644,						\
	.show = rfl_tpg_attrib_##name##_show,				\
	.store = rfl_tpg_attrib_##name##_store,				\
}

RFL_ATTRIB(authentication, 0, 1);
RFL_ATTRIB(generate_node_acls, 0, 1);
RFL_ATTRIB(cache_dynamic_acls, 0, 1);
RFL_ATTRIB(demo_mode_write_protect, 0, 1);
RFL_ATTRIB(default_cmdsn_depth, 1, 4096);
RFL_ATTRIB(login_timeout, 1, 3600);
RFL_ATTRIB(netif_timeout, 1, 3600);
RFL_ATTRIB(nopin_timeout, 0, 3600);
RFL_ATTRIB(nopin_response_timeout, 1, 3600);
RFL_ATTRIB(reflection, 0, 1);

struct configfs_attribute *rfl_tpg_attrib_attrs[] = {
	&rfl_tpg_attrib_attr_authentication,
	&rfl_tpg_attrib_attr_generate_node_acls,
	&rfl_tpg_attrib_attr_cache_dynamic_acls,
	&rfl_tpg_attrib_attr_demo_mode_write_protect,
	&rfl_tpg_attrib_attr_default_cmdsn_depth,
	&rfl_tpg_attrib_attr_login_timeout,
	&rfl_tpg_attrib_attr_netif_timeout,
	&rfl_tpg_attrib_attr_nopin_timeout,
	&rfl_tpg_attrib_attr_nopin_response_timeout,
	&rfl_tpg_attrib_attr_reflection,
	NULL,
};

/* --------------------------------------------------------------- param */

static ssize_t rfl_param_show(struct config_item *item, char *page,
			      unsigned int id)
{
	struct rfl_tpg *tpg = rfl_tpg(param_to_tpg(item));
	ssize_t ret;

	mutex_lock(&rfl_cfg_mutex);
	ret = sprintf(page, "%s\n", tpg->param[id]);
	mutex_unlock(&rfl_cfg_mutex);
	return ret;
}

/*
 * A value is checked against its key's syntax and range (kernel/proto's
 * key table). ERL 0, one connection, in-order data and sequences are all
 * this target does, so those keys take that one value only.
 */
static ssize_t rfl_param_store(struct config_item *item, const char *page,
			       size_t count, unsigned int id)
{
	struct rfl_tpg *tpg = rfl_tpg(param_to_tpg(item));
	const struct rfl_key *def = rfl_key_get(rfl_params[id].key_id);
	char buf[RFL_PARAM_LEN];
	size_t len;

	len = strscpy(buf, page, sizeof(buf)) < 0 ? 0 : strlen(buf);
	while (len && isspace(buf[len - 1]))
		buf[--len] = '\0';
	if (!len || !def || rfl_value_check(def, buf, len))
		return -EINVAL;
	switch (id) {
	case RFL_P_ERL:
		if (strcmp(buf, "0"))
			return -EINVAL;
		break;
	case RFL_P_MAX_CONNECTIONS:
		if (strcmp(buf, "1"))
			return -EINVAL;
		break;
	case RFL_P_DATA_PDU_IN_ORDER:
	case RFL_P_DATA_SEQ_IN_ORDER:
		if (strcmp(buf, "Yes"))
			return -EINVAL;
		break;
	}
	mutex_lock(&rfl_cfg_mutex);
	strscpy(tpg->param[id], buf, RFL_PARAM_LEN);
	mutex_unlock(&rfl_cfg_mutex);
	return count;
}

/* Lower-case C names, RFC 7143 key names in configfs (as LIO's). */
#define RFL_PARAM(fn, pid)						\
enum { rfl_param_id_##fn = (pid) };					\
static ssize_t rfl_tpg_param_##fn##_show(struct config_item *item,	\
					 char *page)			\
{									\
	return rfl_param_show(item, page, rfl_param_id_##fn);		\
}									\
static ssize_t rfl_tpg_param_##fn##_store(struct config_item *item,	\
					  const char *page,		\
					  size_t count)			\
{									\
	return rfl_param_store(item, page, count, rfl_param_id_##fn);	\
}									\
static struct configfs_attribute rfl_tpg_param_attr_##fn = {		\
	.ca_owner = THIS_MODULE,					\
	.ca_mode = 0644,						\
	.show = rfl_tpg_param_##fn##_show,				\
	.store = rfl_tpg_param_##fn##_store,				\
}

RFL_PARAM(header_digest, RFL_P_HEADER_DIGEST);
RFL_PARAM(data_digest, RFL_P_DATA_DIGEST);
RFL_PARAM(max_recv_dsl, RFL_P_MAX_RECV_DSL);
RFL_PARAM(max_burst, RFL_P_MAX_BURST);
RFL_PARAM(first_burst, RFL_P_FIRST_BURST);
RFL_PARAM(immediate_data, RFL_P_IMMEDIATE_DATA);
RFL_PARAM(initial_r2t, RFL_P_INITIAL_R2T);
RFL_PARAM(max_r2t, RFL_P_MAX_R2T);
RFL_PARAM(data_pdu_in_order, RFL_P_DATA_PDU_IN_ORDER);
RFL_PARAM(data_seq_in_order, RFL_P_DATA_SEQ_IN_ORDER);
RFL_PARAM(time2wait, RFL_P_TIME2WAIT);
RFL_PARAM(time2retain, RFL_P_TIME2RETAIN);
RFL_PARAM(erl, RFL_P_ERL);
RFL_PARAM(max_connections, RFL_P_MAX_CONNECTIONS);
RFL_PARAM(target_alias, RFL_P_TARGET_ALIAS);

/* Indexed by enum rfl_param_id; ca_name is filled in at module load. */
struct configfs_attribute *rfl_tpg_param_attrs[RFL_P_NR + 1] = {
	[RFL_P_HEADER_DIGEST] = &rfl_tpg_param_attr_header_digest,
	[RFL_P_DATA_DIGEST] = &rfl_tpg_param_attr_data_digest,
	[RFL_P_MAX_RECV_DSL] = &rfl_tpg_param_attr_max_recv_dsl,
	[RFL_P_MAX_BURST] = &rfl_tpg_param_attr_max_burst,
	[RFL_P_FIRST_BURST] = &rfl_tpg_param_attr_first_burst,
	[RFL_P_IMMEDIATE_DATA] = &rfl_tpg_param_attr_immediate_data,
	[RFL_P_INITIAL_R2T] = &rfl_tpg_param_attr_initial_r2t,
	[RFL_P_MAX_R2T] = &rfl_tpg_param_attr_max_r2t,
	[RFL_P_DATA_PDU_IN_ORDER] = &rfl_tpg_param_attr_data_pdu_in_order,
	[RFL_P_DATA_SEQ_IN_ORDER] = &rfl_tpg_param_attr_data_seq_in_order,
	[RFL_P_TIME2WAIT] = &rfl_tpg_param_attr_time2wait,
	[RFL_P_TIME2RETAIN] = &rfl_tpg_param_attr_time2retain,
	[RFL_P_ERL] = &rfl_tpg_param_attr_erl,
	[RFL_P_MAX_CONNECTIONS] = &rfl_tpg_param_attr_max_connections,
	[RFL_P_TARGET_ALIAS] = &rfl_tpg_param_attr_target_alias,
	[RFL_P_NR] = NULL,
};

void rfl_configfs_init(void)
{
	unsigned int i;

	for (i = 0; i < RFL_P_NR; i++)
		rfl_tpg_param_attrs[i]->ca_name = rfl_params[i].key;
}

/* ---------------------------------------------------------------- auth */

static ssize_t rfl_auth_show(struct rfl_auth *auth, char *page, size_t off)
{
	ssize_t ret;

	mutex_lock(&rfl_cfg_mutex);
	ret = sprintf(page, "%s\n", (char *)auth + off);
	mutex_unlock(&rfl_cfg_mutex);
	return ret;
}

static ssize_t rfl_auth_store(struct rfl_auth *auth, const char *page,
			      size_t count, size_t off)
{
	char *dst = (char *)auth + off;
	size_t len;

	if (count >= sizeof(auth->userid))
		return -EINVAL;
	len = count;
	while (len && isspace(page[len - 1]))
		len--;
	mutex_lock(&rfl_cfg_mutex);
	memcpy(dst, page, len);
	dst[len] = '\0';
	mutex_unlock(&rfl_cfg_mutex);
	return count;
}

/* One attribute of auth/: a string of struct rfl_auth. */
#define RFL_AUTH(pfx, to_auth, name)					\
enum { pfx##name##_off = offsetof(struct rfl_auth, name) };		\
static struct rfl_auth *pfx##name##_auth(struct config_item *item)	\
{									\
	return to_auth(item);						\
}									\
static ssize_t pfx##name##_show(struct config_item *item, char *page)	\
{									\
	return rfl_auth_show(pfx##name##_auth(item), page,		\
			     pfx##name##_off);				\
}									\
static ssize_t pfx##name##_store(struct config_item *item,		\
				 const char *page, size_t count)	\
{									\
	return rfl_auth_store(pfx##name##_auth(item), page, count,	\
			      pfx##name##_off);				\
}									\
static struct configfs_attribute pfx##attr_##name = {			\
	.ca_name = __stringify(name),					\
	.ca_owner = THIS_MODULE,					\
	.ca_mode = 0644,						\
	.show = pfx##name##_show,					\
	.store = pfx##name##_store,					\
}

static struct rfl_auth *rfl_tpg_auth(struct config_item *item)
{
	return &rfl_tpg(auth_to_tpg(item))->auth;
}

static struct rfl_auth *rfl_nacl_auth(struct config_item *item)
{
	return &container_of(auth_to_nacl(item), struct rfl_nacl,
			     se_nacl)->auth;
}

RFL_AUTH(rfl_tpg_auth_, rfl_tpg_auth, userid);
RFL_AUTH(rfl_tpg_auth_, rfl_tpg_auth, password);
RFL_AUTH(rfl_tpg_auth_, rfl_tpg_auth, userid_mutual);
RFL_AUTH(rfl_tpg_auth_, rfl_tpg_auth, password_mutual);
RFL_AUTH(rfl_nacl_auth_, rfl_nacl_auth, userid);
RFL_AUTH(rfl_nacl_auth_, rfl_nacl_auth, password);
RFL_AUTH(rfl_nacl_auth_, rfl_nacl_auth, userid_mutual);
RFL_AUTH(rfl_nacl_auth_, rfl_nacl_auth, password_mutual);

struct configfs_attribute *rfl_tpg_auth_attrs[] = {
	&rfl_tpg_auth_attr_userid,
	&rfl_tpg_auth_attr_password,
	&rfl_tpg_auth_attr_userid_mutual,
	&rfl_tpg_auth_attr_password_mutual,
	NULL,
};

struct configfs_attribute *rfl_nacl_auth_attrs[] = {
	&rfl_nacl_auth_attr_userid,
	&rfl_nacl_auth_attr_password,
	&rfl_nacl_auth_attr_userid_mutual,
	&rfl_nacl_auth_attr_password_mutual,
	NULL,
};
