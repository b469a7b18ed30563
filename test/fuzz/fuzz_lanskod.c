/*
 * fuzz_lanskod.c: libFuzzer target for the county-code parser that
 * settle.lanskod's input function uses (src/codes.c), outside PostgreSQL.
 *
 * Invariants checked on every input (abort() = a finding):
 *  - the parser never reads past the buffer (AddressSanitizer);
 *  - an accepted county is one of the 21, and was given either as its two
 *    digits or as its letter code in any case;
 *  - the two-digit form and the letter code of an accepted county parse back
 *    to the same county.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codes.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	int			county = -1;
	settle_code_status st = settle_parse_lanskod(s, size, &county);

	if (st == CODE_OK)
	{
		char		digits[4];
		const char *letter = settle_county_letter(county);
		int			again;
		char	   *copy;
		char	   *t;
		size_t		n;

		if (letter == NULL)
			abort();
		snprintf(digits, sizeof digits, "%02d", county);
		if (settle_parse_lanskod(digits, 2, &again) != CODE_OK || again != county)
			abort();
		if (settle_parse_lanskod(letter, strlen(letter), &again) != CODE_OK || again != county)
			abort();

		/* the accepted text, trimmed, is the digits or the letter code */
		n = strnlen(s, size);
		copy = malloc(n + 1);
		memcpy(copy, s, n);
		copy[n] = '\0';
		t = copy;
		while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r' || *t == '\f' || *t == '\v')
			t++;
		n = strlen(t);
		while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n' ||
						 t[n - 1] == '\r' || t[n - 1] == '\f' || t[n - 1] == '\v'))
			t[--n] = '\0';
		if (strcmp(t, digits) != 0 && strcasecmp(t, letter) != 0)
			abort();
		free(copy);
	}
	else if (county != 0 && st != CODE_TOO_SHORT && st != CODE_BAD_COUNTY)
		abort();				/* only these report a partial value */
	return 0;
}
