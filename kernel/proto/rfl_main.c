// SPDX-License-Identifier: GPL-2.0
/*
 * reflect_proto.ko: the protocol code shared by the reflect target and
 * host modules. Loaded with selftest=1 it runs its known-answer checks
 * and refuses to load if one fails.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "rfl_proto.h"

static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "Run the known-answer checks at load time");

static int __init rfl_proto_init(void)
{
	const char *what;

	if (!selftest)
		return 0;
	if (rfl_selftest(&what)) {
		pr_err("selftest failed: %s\n", what);
		return -EINVAL;
	}
	pr_info("selftest passed\n");
	return 0;
}

static void __exit rfl_proto_exit(void)
{
}

module_init(rfl_proto_init);
module_exit(rfl_proto_exit);

MODULE_DESCRIPTION("iSCSI reflection: shared protocol code");
MODULE_LICENSE("GPL");
