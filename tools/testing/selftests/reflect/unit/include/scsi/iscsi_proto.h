/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: the kernel's own <scsi/iscsi_proto.h>, by the path
 * proto.mk finds in the installed kernel headers. kernel/proto/rfl_port.h
 * defines the kernel types it uses (u32, s32, __force) first.
 */
#ifndef RFL_SHIM_ISCSI_PROTO_H
#define RFL_SHIM_ISCSI_PROTO_H

#include RFL_KHDR_ISCSI_PROTO

#endif
