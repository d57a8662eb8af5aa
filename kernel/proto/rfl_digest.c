// SPDX-License-Identifier: GPL-2.0
/*
 * CRC32C digests over iSCSI headers and data segments. crc32c() is the
 * kernel's (lib/libcrc32c.c); userspace builds link rfl_crc32c_user.c.
 */

#include "rfl_digest.h"

#ifdef __KERNEL__
#include <linux/crc32c.h>
#endif

/**
 * rfl_digest_update() - feed bytes into a running digest.
 * @crc: %RFL_DIGEST_SEED for the first piece, else the previous return
 * @data: bytes
 * @len: their count
 *
 * Lets a caller digest a segment spread over several buffers.
 *
 * Return: the running value, to pass to the next call or to
 * rfl_digest_final().
 */
u32 rfl_digest_update(u32 crc, const void *data, u32 len)
{
	return crc32c(crc, data, len);
}
EXPORT_SYMBOL_GPL(rfl_digest_update);

/**
 * rfl_digest_final() - finish a running data digest.
 * @crc: the running value
 * @len: total bytes fed so far; zero padding up to a multiple of 4 is
 *       added, as RFC 7143 covers the padding with the data digest
 *
 * Return: the digest value.
 */
u32 rfl_digest_final(u32 crc, u32 len)
{
	static const u8 zeros[ISCSI_PAD_LEN];
	u32 pad = -len & (ISCSI_PAD_LEN - 1);

	if (pad)
		crc = crc32c(crc, zeros, pad);
	return ~crc;
}
EXPORT_SYMBOL_GPL(rfl_digest_final);

/**
 * rfl_digest() - plain CRC32C of a buffer, no padding.
 * @data: bytes
 * @len: their count
 *
 * Return: the CRC32C value (RFC 3720 B.4: 32 zero bytes give 0x8a9136aa).
 */
u32 rfl_digest(const void *data, u32 len)
{
	return ~crc32c(RFL_DIGEST_SEED, data, len);
}
EXPORT_SYMBOL_GPL(rfl_digest);

/**
 * rfl_hdr_digest() - HeaderDigest of a PDU.
 * @hdr: the BHS
 * @ahs: its AHS, TotalAHSLength * 4 bytes; may be NULL when there is none
 *
 * Return: CRC32C over BHS followed by AHS.
 */
u32 rfl_hdr_digest(const struct iscsi_hdr *hdr, const void *ahs)
{
	u32 crc = crc32c(RFL_DIGEST_SEED, hdr, ISCSI_HDR_LEN);

	if (hdr->hlength && ahs)
		crc = crc32c(crc, ahs, (u32)hdr->hlength * 4);
	return ~crc;
}
EXPORT_SYMBOL_GPL(rfl_hdr_digest);

/**
 * rfl_data_digest() - DataDigest of a contiguous data segment.
 * @data: the segment
 * @len: DataSegmentLength (without padding)
 *
 * Return: CRC32C over the segment and its zero padding.
 */
u32 rfl_data_digest(const void *data, u32 len)
{
	return rfl_digest_final(rfl_digest_update(RFL_DIGEST_SEED, data, len),
				len);
}
EXPORT_SYMBOL_GPL(rfl_data_digest);

/**
 * rfl_digest_put() - store a digest in wire order.
 * @wire: 4 bytes
 * @digest: the digest value
 */
void rfl_digest_put(u8 *wire, u32 digest)
{
	wire[0] = digest;
	wire[1] = digest >> 8;
	wire[2] = digest >> 16;
	wire[3] = digest >> 24;
}
EXPORT_SYMBOL_GPL(rfl_digest_put);

/**
 * rfl_digest_get() - read a digest in wire order.
 * @wire: 4 bytes
 *
 * Return: the digest value, comparable with rfl_hdr_digest() and friends.
 */
u32 rfl_digest_get(const u8 *wire)
{
	return wire[0] | wire[1] << 8 | wire[2] << 16 | (u32)wire[3] << 24;
}
EXPORT_SYMBOL_GPL(rfl_digest_get);
