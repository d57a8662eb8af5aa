/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Portability layer of the shared protocol code. The same sources build
 * into reflect_proto.ko and into the userspace unit tests and fuzzers: in
 * the kernel this header pulls in kernel headers, in userspace it maps the
 * few kernel types and helpers used here onto libc. iscsi_proto.h is the
 * kernel's own in both cases (userspace reaches it through the shim
 * include directory of tools/testing/selftests/reflect/unit/include).
 */
#ifndef RFL_PORT_H
#define RFL_PORT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/limits.h>
#include <linux/string.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <scsi/iscsi_proto.h>

/* Zeroed array of n elements of size bytes (large ones from vmalloc). */
static inline void *rfl_alloc(size_t n, size_t size)
{
	return kvcalloc(n, size, GFP_KERNEL);
}

static inline void rfl_free(void *p)
{
	kvfree(p);
}

#else /* userspace */

#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;

#ifndef __force
#define __force
#endif

#define U8_MAX		((u8)~0U)
#define U16_MAX		((u16)~0U)
#define U32_MAX		((u32)~0U)
#define U64_MAX		((u64)~0ULL)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))

#define cpu_to_be16(x)	((__force __be16)htobe16(x))
#define cpu_to_be32(x)	((__force __be32)htobe32(x))
#define be16_to_cpu(x)	be16toh((__force u16)(x))
#define be32_to_cpu(x)	be32toh((__force u32)(x))

/* Nothing to export; the expansion swallows the semicolon. */
#define EXPORT_SYMBOL_GPL rfl_no_export
#define rfl_no_export(sym) static_assert(1, #sym)

/* The userspace twin of lib/libcrc32c.c: rfl_crc32c_user.c. */
u32 crc32c(u32 crc, const void *address, unsigned int length);

#include <scsi/iscsi_proto.h>

static inline void *rfl_alloc(size_t n, size_t size)
{
	return calloc(n, size);
}

static inline void rfl_free(void *p)
{
	free(p);
}

#endif /* __KERNEL__ */

/*
 * Big-endian fields at any alignment, byte by byte: the same code in the
 * kernel (whose unaligned helpers moved header between 6.1 and 6.12) and
 * in userspace.
 */
static inline u16 rfl_get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 rfl_get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline u64 rfl_get_be64(const u8 *p)
{
	return (u64)rfl_get_be32(p) << 32 | rfl_get_be32(p + 4);
}

static inline void rfl_put_be16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void rfl_put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline void rfl_put_be64(u8 *p, u64 v)
{
	rfl_put_be32(p, v >> 32);
	rfl_put_be32(p + 4, (u32)v);
}

#endif /* RFL_PORT_H */
