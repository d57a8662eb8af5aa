/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reflect_target's interface to LIO backstores that answer READ and WRITE
 * with a reflection status (target_core_reflect, Documentation/vvol.rst).
 *
 * A backstore's parse_cdb asks rfl_tgt_cmd_reflectable() whether the
 * command may be reflected, builds a script no longer than
 * rfl_tgt_cmd_max_script() and attaches it with rfl_tgt_cmd_set_script().
 * From then on the fabric never solicits the command's data (no R2T for a
 * WRITE), and once the backstore completes the command with GOOD status
 * the fabric sends a SCSI Response with Response RFL_RESPONSE_REFLECT,
 * Status 0, residual counts 0 and the script as data segment, and no
 * Data-In. A command completed with any other status gets its ordinary
 * response; the script is then dropped.
 */
#ifndef RFL_TARGET_H
#define RFL_TARGET_H

#include <linux/types.h>
#include <target/target_core_base.h>

bool rfl_tgt_cmd_reflectable(struct se_cmd *se_cmd);
u32 rfl_tgt_cmd_max_script(struct se_cmd *se_cmd);
int rfl_tgt_cmd_set_script(struct se_cmd *se_cmd, void *buf, u32 len);
bool rfl_tgt_cmd_is_reflected(struct se_cmd *se_cmd);

#endif /* RFL_TARGET_H */
