/*
 * wide.h: the little fixed-width unsigned arithmetic the apportionment core
 * needs to compare products exactly (weights up to 2^80, squared for
 * Huntington-Hill, times divisors up to 2^64).  Pure C.
 */
#ifndef SETTLE_WIDE_H
#define SETTLE_WIDE_H

#include <stdint.h>

typedef unsigned __int128 u128;

/* 256-bit unsigned, little-endian 64-bit limbs */
typedef struct u256
{
	uint64_t	l[4];
} u256;

static inline u256
u256_from_u128(u128 v)
{
	u256		r = {{(uint64_t) v, (uint64_t) (v >> 64), 0, 0}};

	return r;
}

/* a * m, assumed not to overflow 256 bits (callers keep operands in range) */
static inline u256
u256_mul_u64(u256 a, uint64_t m)
{
	u256		r;
	u128		carry = 0;

	for (int i = 0; i < 4; i++)
	{
		u128		p = (u128) a.l[i] * m + carry;

		r.l[i] = (uint64_t) p;
		carry = p >> 64;
	}
	return r;
}

static inline u256
u256_add(u256 a, u256 b)
{
	u256		r;
	u128		carry = 0;

	for (int i = 0; i < 4; i++)
	{
		u128		s = (u128) a.l[i] + b.l[i] + carry;

		r.l[i] = (uint64_t) s;
		carry = s >> 64;
	}
	return r;
}

/* a * b for a, b < 2^128, exact */
static inline u256
u256_mul_u128(u128 a, u128 b)
{
	u256		lo = u256_mul_u64(u256_from_u128(a), (uint64_t) b);
	u256		hi = u256_mul_u64(u256_from_u128(a), (uint64_t) (b >> 64));
	u256		shifted = {{0, hi.l[0], hi.l[1], hi.l[2]}};

	return u256_add(lo, shifted);
}

static inline int
u256_cmp(u256 a, u256 b)
{
	for (int i = 3; i >= 0; i--)
		if (a.l[i] != b.l[i])
			return a.l[i] < b.l[i] ? -1 : 1;
	return 0;
}

#endif							/* SETTLE_WIDE_H */
