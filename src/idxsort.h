/*
 * idxsort.h: a stable bottom-up merge sort of an index array (pure C).
 *
 * idx_sort(idx, tmp, n, before, ctx) orders idx[0..n) so that idx[i] comes
 * before idx[j] whenever before(idx[j], idx[i], ctx) is false; equal keys keep
 * their order.  tmp has room for n entries.  Used by the matching cores to
 * order municipalities by cost and households by size.
 */
#ifndef SETTLE_IDXSORT_H
#define SETTLE_IDXSORT_H

#include <stdint.h>
#include <string.h>

typedef int (*idx_before) (int32_t a, int32_t b, const void *ctx);

static inline void
idx_sort(int32_t *idx, int32_t *tmp, int n, idx_before before, const void *ctx)
{
	for (int width = 1; width < n; width *= 2)
	{
		for (int lo = 0; lo < n; lo += 2 * width)
		{
			int			mid = lo + width < n ? lo + width : n;
			int			hi = lo + 2 * width < n ? lo + 2 * width : n;
			int			i = lo,
						j = mid,
						k = lo;

			while (i < mid && j < hi)
				tmp[k++] = before(idx[j], idx[i], ctx) ? idx[j++] : idx[i++];
			while (i < mid)
				tmp[k++] = idx[i++];
			while (j < hi)
				tmp[k++] = idx[j++];
		}
		memcpy(idx, tmp, (size_t) n * sizeof(int32_t));
	}
}

#endif							/* SETTLE_IDXSORT_H */
