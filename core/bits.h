/* SPDX-License-Identifier: MIT */
/*
 * Bit helpers for constant headers that assembly files include too (the
 * assembler is run with -D__ASSEMBLY__). GAS has no integer suffixes, so
 * there BIT() is a plain shift; its arithmetic is 64-bit already.
 */
#ifndef KEEL_CORE_BITS_H
#define KEEL_CORE_BITS_H

#ifdef __ASSEMBLY__
#define BIT(n) (1 << (n))
#else
#define BIT(n) (1ULL << (n))
#define GENMASK(hi, lo) (((~0ULL) >> (63 - (hi))) & ~((1ULL << (lo)) - 1))
#define FIELD_GET(mask, v) (((v) & (mask)) >> __builtin_ctzll(mask))
#define FIELD_PREP(mask, v) (((u64)(v) << __builtin_ctzll(mask)) & (mask))
#endif

#endif
