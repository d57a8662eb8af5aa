// SPDX-License-Identifier: GPL-2.0
/*
 * reflect_initiator: module load and unload. Loading creates the I/O
 * workqueue and the configfs subsystem; unloading removes the subsystem,
 * which cannot happen while a target object exists (configfs holds the
 * module), so every session has been disabled (logged out, host removed)
 * by then.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "rfl_ini.h"

struct workqueue_struct *rfl_ini_wq;

static int __init rfl_ini_init(void)
{
	int ret;

	rfl_ini_wq = alloc_workqueue("rfl_ini_io", WQ_MEM_RECLAIM | WQ_HIGHPRI,
				     0);
	if (!rfl_ini_wq)
		return -ENOMEM;
	ret = rfl_ini_lu_init();
	if (ret)
		goto out_wq;
	ret = rfl_ini_exec_init();
	if (ret)
		goto out_lu;
	ret = rfl_ini_configfs_init();
	if (ret)
		goto out_exec;
	pr_info("loaded\n");
	return 0;
out_exec:
	rfl_ini_exec_exit();
out_lu:
	rfl_ini_lu_exit();
out_wq:
	destroy_workqueue(rfl_ini_wq);
	return ret;
}

/*
 * Users of the LU pool and executor (the manager's modules) are gone, and
 * so are the configfs sessions: executions still deferred finish in
 * rfl_ini_exec_exit(), then every pooled session is logged out.
 */
static void __exit rfl_ini_exit(void)
{
	rfl_ini_configfs_exit();
	rfl_ini_exec_exit();
	rfl_ini_lu_exit();
	destroy_workqueue(rfl_ini_wq);
}

module_init(rfl_ini_init);
module_exit(rfl_ini_exit);
MODULE_DESCRIPTION("iSCSI reflection: in-kernel iSCSI initiator (SCSI LLD)");
MODULE_LICENSE("GPL");
