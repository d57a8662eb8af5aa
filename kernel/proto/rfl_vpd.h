/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SCSI Vital Product Data: the LU designator of the Device Identification
 * page (VPD 0x83, SPC-4 7.8.6) that identifies a backing LU in scripts.
 */
#ifndef RFL_VPD_H
#define RFL_VPD_H

#include "rfl_port.h"

u32 rfl_vpd83_pick(const u8 *vpd, u32 len, u32 max, u32 *off);

#endif /* RFL_VPD_H */
