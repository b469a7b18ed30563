/*
 * fuzz_bytes.h: reading a fuzz input byte by byte (0 once it runs out), for
 * the targets that build a problem from the input's bytes.
 */
#ifndef SETTLE_FUZZ_BYTES_H
#define SETTLE_FUZZ_BYTES_H

#include <stddef.h>
#include <stdint.h>

static unsigned
byte(const uint8_t **p, size_t *left)
{
	if (*left == 0)
		return 0;
	(*left)--;
	return *(*p)++;
}

#endif							/* SETTLE_FUZZ_BYTES_H */
