// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace twin of the kernel's crc32c(): table-driven CRC32C
 * (Castagnoli, reflected polynomial 0x82f63b78), same calling convention:
 * no inversion on entry or exit. Linked into the unit tests and fuzzers
 * only; the module uses lib/libcrc32c.c.
 */

#ifdef __KERNEL__
#error "userspace only: the kernel has lib/libcrc32c.c"
#endif

#include "rfl_port.h"

#define RFL_CRC32C_POLY	0x82f63b78U

static u32 rfl_crc32c_table[256];
static bool rfl_crc32c_ready;

static void rfl_crc32c_init(void)
{
	unsigned int i, bit;
	u32 c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (bit = 0; bit < 8; bit++)
			c = (c >> 1) ^ ((c & 1) ? RFL_CRC32C_POLY : 0);
		rfl_crc32c_table[i] = c;
	}
	rfl_crc32c_ready = true;
}

u32 crc32c(u32 crc, const void *address, unsigned int length)
{
	const u8 *p = address;

	if (!rfl_crc32c_ready)
		rfl_crc32c_init();
	while (length--)
		crc = (crc >> 8) ^ rfl_crc32c_table[(crc ^ *p++) & 0xff];
	return crc;
}
