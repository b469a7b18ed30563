/*
 * fuzz_kommunkod.c: libFuzzer target for the municipality-code parser that
 * settle.kommunkod's input function uses (src/codes.c), outside PostgreSQL.
 *
 * Invariants checked on every input (abort() = a finding):
 *  - the parser never reads past the buffer (AddressSanitizer);
 *  - CODE_OK exactly when the input, trimmed of ASCII white space and cut at
 *    the first NUL, is four ASCII digits whose first two are a county code;
 *  - an accepted code prints as four digits that parse back to itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"

static int
space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	int			code = -1;
	settle_code_status st = settle_parse_kommunkod(s, size, &code);
	size_t		end = 0,
				start = 0;
	int			expect_ok;

	/* independent oracle */
	while (end < size && s[end] != '\0')
		end++;
	while (start < end && space(s[start]))
		start++;
	while (end > start && space(s[end - 1]))
		end--;
	expect_ok = (end - start == 4);
	for (size_t i = start; expect_ok && i < end; i++)
		if (s[i] < '0' || s[i] > '9')
			expect_ok = 0;
	if (expect_ok)
		expect_ok = settle_county_valid((s[start] - '0') * 10 + (s[start + 1] - '0'));

	if ((st == CODE_OK) != expect_ok)
		abort();
	if (st == CODE_OK)
	{
		char		buf[8];
		int			again;

		if (code < 0 || code > 9999 || !settle_kommunkod_valid(code))
			abort();
		snprintf(buf, sizeof buf, "%04d", code);
		if (memcmp(buf, s + start, 4) != 0)
			abort();
		if (settle_parse_kommunkod(buf, strlen(buf), &again) != CODE_OK || again != code)
			abort();
	}
	return 0;
}
