/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared protocol code of iSCSI reflection, exported by
 * reflect_proto.ko: PDU headers, digests, text keys and negotiation,
 * reflection scripts, extent maps and the VPD 0x83 designator choice.
 */
#ifndef RFL_PROTO_H
#define RFL_PROTO_H

#include "rfl_pdu.h"
#include "rfl_digest.h"
#include "rfl_keys.h"
#include "rfl_script.h"
#include "rfl_map.h"
#include "rfl_vpd.h"

int rfl_selftest(const char **what);

#endif /* RFL_PROTO_H */
