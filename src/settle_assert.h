/*
 * settle_assert.h: internal consistency checks of the pure C cores.
 *
 * SETTLE_ASSERT(cond) is compiled in only with -DSETTLE_ASSERTS, which
 * `make STRICT=1` (the build test/check.sh tests) and the fuzz targets set;
 * a release build (`make`, the Debian package) leaves them out.  A failed
 * check prints the condition with its file and line and aborts: inside
 * PostgreSQL that ends the backend, as PostgreSQL's own Assert() does in an
 * assert-enabled server, so a broken invariant can never pass unnoticed.
 */
#ifndef SETTLE_ASSERT_H
#define SETTLE_ASSERT_H

#ifdef SETTLE_ASSERTS
#include <stdio.h>
#include <stdlib.h>

static inline void
settle_assert_failed(const char *cond, const char *file, int line)
{
	fprintf(stderr, "settle: internal check failed: %s (%s:%d)\n", cond, file, line);
	abort();
}

#define SETTLE_ASSERT(cond) ((cond) ? (void) 0 : settle_assert_failed(#cond, __FILE__, __LINE__))
#else
#define SETTLE_ASSERT(cond) ((void) 0)
#endif

#endif							/* SETTLE_ASSERT_H */
