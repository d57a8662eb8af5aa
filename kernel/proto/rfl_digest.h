/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iSCSI CRC32C digests (RFC 7143 section 13.1, test vectors in RFC 3720
 * appendix B.4). The digest goes on the wire least significant byte first.
 */
#ifndef RFL_DIGEST_H
#define RFL_DIGEST_H

#include "rfl_port.h"

/* Seed of a running digest for rfl_digest_update(). */
#define RFL_DIGEST_SEED	(~0U)

u32 rfl_digest_update(u32 crc, const void *data, u32 len);
u32 rfl_digest_final(u32 crc, u32 len);
u32 rfl_digest(const void *data, u32 len);
u32 rfl_hdr_digest(const struct iscsi_hdr *hdr, const void *ahs);
u32 rfl_data_digest(const void *data, u32 len);
void rfl_digest_put(u8 *wire, u32 digest);
u32 rfl_digest_get(const u8 *wire);

#endif /* RFL_DIGEST_H */
