/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: what the kernel's <scsi/iscsi_proto.h> needs from
 * <scsi/scsi.h> is in the kernel's own scsi_proto.h (struct scsi_lun,
 * SCSI_MAX_VARLEN_CDB_SIZE), which only needs <linux/types.h>. It is
 * included by the path proto.mk finds in the installed kernel headers, so
 * nothing is copied. This shadows glibc's <scsi/scsi.h> for the builds of
 * the shared protocol code only.
 */
#ifndef RFL_SHIM_SCSI_SCSI_H
#define RFL_SHIM_SCSI_SCSI_H

#include RFL_KHDR_SCSI_PROTO

#endif
