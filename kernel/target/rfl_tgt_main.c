// SPDX-License-Identifier: GPL-2.0
/*
 * reflect_target.ko: module init and exit, and the fabric operations that
 * LIO asks of every fabric (names, demo-mode switches, session info).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "rfl_tgt.h"

struct workqueue_struct *rfl_io_wq;
struct workqueue_struct *rfl_release_wq;

/*
 * Serialises configuration: the lists of targets, tpgs and portals, a
 * tpg's enable flag and param values. Taken by configfs callbacks and by
 * login (to look up a target); never held while waiting for a connection.
 */
DEFINE_MUTEX(rfl_cfg_mutex);
LIST_HEAD(rfl_tiqns);

static char *rfl_tpg_get_wwn(struct se_portal_group *se_tpg)
{
	return rfl_tpg(se_tpg)->tiqn->name;
}

static u16 rfl_tpg_get_tag(struct se_portal_group *se_tpg)
{
	return rfl_tpg(se_tpg)->tag;
}

static int rfl_tpg_demo_mode(struct se_portal_group *se_tpg)
{
	return rfl_tpg(se_tpg)->attrib.generate_node_acls;
}

static int rfl_tpg_demo_mode_cache(struct se_portal_group *se_tpg)
{
	return rfl_tpg(se_tpg)->attrib.cache_dynamic_acls;
}

static int rfl_tpg_demo_mode_wp(struct se_portal_group *se_tpg)
{
	return rfl_tpg(se_tpg)->attrib.demo_mode_write_protect;
}

static int rfl_tpg_prod_mode_wp(struct se_portal_group *se_tpg)
{
	return 0;
}

static u32 rfl_tpg_get_inst_index(struct se_portal_group *se_tpg)
{
	return 1;
}

static u32 rfl_sess_get_index(struct se_session *se_sess)
{
	struct rfl_conn *conn = se_sess->fabric_sess_ptr;

	return conn ? conn->tsih : 0;
}

/* The ISID in the iSCSI TransportID format (persistent reservations). */
static u32 rfl_sess_get_initiator_sid(struct se_session *se_sess,
				      unsigned char *buf, u32 size)
{
	struct rfl_conn *conn = se_sess->fabric_sess_ptr;

	return snprintf(buf, size, "%6phN", conn->isid);
}

static int rfl_get_cmd_state(struct se_cmd *se_cmd)
{
	return 0;
}

static void rfl_set_default_node_attributes(struct se_node_acl *se_nacl)
{
}

static int rfl_init_nodeacl(struct se_node_acl *se_nacl, const char *name)
{
	return 0;
}

const struct target_core_fabric_ops rfl_fabric_ops = {
	.module				= THIS_MODULE,
	.fabric_name			= RFL_TGT_NAME,
	.node_acl_size			= sizeof(struct rfl_nacl),
	.max_data_sg_nents		= RFL_MAX_XFER / PAGE_SIZE,
	.tpg_get_wwn			= rfl_tpg_get_wwn,
	.tpg_get_tag			= rfl_tpg_get_tag,
	.tpg_check_demo_mode		= rfl_tpg_demo_mode,
	.tpg_check_demo_mode_cache	= rfl_tpg_demo_mode_cache,
	.tpg_check_demo_mode_write_protect = rfl_tpg_demo_mode_wp,
	.tpg_check_prod_mode_write_protect = rfl_tpg_prod_mode_wp,
	.tpg_get_inst_index		= rfl_tpg_get_inst_index,
	.check_stop_free		= rfl_check_stop_free,
	.release_cmd			= rfl_release_cmd,
	.close_session			= rfl_close_session,
	.sess_get_index			= rfl_sess_get_index,
	.sess_get_initiator_sid		= rfl_sess_get_initiator_sid,
	.write_pending			= rfl_write_pending,
	.set_default_node_attributes	= rfl_set_default_node_attributes,
	.get_cmd_state			= rfl_get_cmd_state,
	.queue_data_in			= rfl_queue_data_in,
	.queue_status			= rfl_queue_status,
	.queue_tm_rsp			= rfl_queue_tm_rsp,
	.aborted_task			= rfl_aborted_task,
	.fabric_make_wwn		= rfl_make_tiqn,
	.fabric_drop_wwn		= rfl_drop_tiqn,
	.fabric_make_tpg		= rfl_make_tpg,
	.fabric_enable_tpg		= rfl_enable_tpg,
	.fabric_drop_tpg		= rfl_drop_tpg,
	.fabric_make_np			= rfl_make_np,
	.fabric_drop_np			= rfl_drop_np,
	.fabric_init_nodeacl		= rfl_init_nodeacl,
	.tfc_wwn_attrs			= rfl_wwn_attrs,
	.tfc_tpg_base_attrs		= rfl_tpg_base_attrs,
	.tfc_tpg_attrib_attrs		= rfl_tpg_attrib_attrs,
	.tfc_tpg_param_attrs		= rfl_tpg_param_attrs,
	.tfc_tpg_auth_attrs		= rfl_tpg_auth_attrs,
	.tfc_tpg_nacl_auth_attrs	= rfl_nacl_auth_attrs,
	.tfc_discovery_attrs		= rfl_discovery_attrs,
	.write_pending_must_be_called	= true,
#if RFL_HAVE_TARGET_SUBMIT_TYPE
	.default_submit_type		= TARGET_DIRECT_SUBMIT,
	.direct_submit_supp		= 1,
#endif
};

static int __init rfl_tgt_init(void)
{
	int ret = -ENOMEM;

	rfl_io_wq = alloc_workqueue("reflect_io", WQ_MEM_RECLAIM | WQ_HIGHPRI,
				    0);
	if (!rfl_io_wq)
		goto out;
	rfl_release_wq = alloc_workqueue("reflect_release", WQ_MEM_RECLAIM,
					 0);
	if (!rfl_release_wq)
		goto out_io;
	rfl_configfs_init();
	rfl_auth_init();
	ret = target_register_template(&rfl_fabric_ops);
	if (ret)
		goto out_release;
	return 0;

out_release:
	destroy_workqueue(rfl_release_wq);
out_io:
	destroy_workqueue(rfl_io_wq);
out:
	return ret;
}

static void __exit rfl_tgt_exit(void)
{
	/* configfs holds the module while any target exists. */
	target_unregister_template(&rfl_fabric_ops);
	destroy_workqueue(rfl_release_wq);
	destroy_workqueue(rfl_io_wq);
}

module_init(rfl_tgt_init);
module_exit(rfl_tgt_exit);

MODULE_DESCRIPTION("iSCSI reflection: LIO fabric \"reflect\", an iSCSI target");
MODULE_LICENSE("GPL");
