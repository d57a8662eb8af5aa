// SPDX-License-Identifier: GPL-2.0
/*
 * Misbehaves on purpose at load, so the runner's own test can prove that a
 * kernel report fails a VM test even when the script itself succeeds.
 * Never loaded outside tools/testing/selftests/reflect/host/runner_selftest.sh.
 */

#include <linux/module.h>
#include <linux/bug.h>

static char *mode = "oops";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "oops: NULL dereference at load; warn: WARN_ON at load");

static int __init rfl_oops_test_init(void)
{
	int *p = NULL;

	if (!strcmp(mode, "warn")) {
		WARN_ON(1);
		return 0;
	}
	/* Hide the NULL from the compiler so that the load is emitted. */
	OPTIMIZER_HIDE_VAR(p);
	return *p;
}

static void __exit rfl_oops_test_exit(void)
{
}

module_init(rfl_oops_test_init);
module_exit(rfl_oops_test_exit);
MODULE_DESCRIPTION("reflect test suite: a module that oopses or warns at load");
MODULE_LICENSE("GPL");
