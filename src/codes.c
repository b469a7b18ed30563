/*
 * codes.c: parsing Swedish county (län) and municipality (kommun) codes.
 *
 * Pure C: see codes.h.  The 21 counties and their registration letters are
 * fixed by SCB's regional division (Sveriges regionala indelning); the
 * reference tables in settle carry the same list and a test keeps the two
 * in step.
 */
#include "codes.h"

#include <string.h>

static const struct
{
	int			code;
	const char *letter;
}			counties[SETTLE_N_COUNTIES] = {
	{1, "AB"}, {3, "C"}, {4, "D"}, {5, "E"}, {6, "F"}, {7, "G"}, {8, "H"},
	{9, "I"}, {10, "K"}, {12, "M"}, {13, "N"}, {14, "O"}, {17, "S"},
	{18, "T"}, {19, "U"}, {20, "W"}, {21, "X"}, {22, "Y"}, {23, "Z"},
	{24, "AC"}, {25, "BD"}
};

int
settle_county_valid(int county)
{
	return settle_county_letter(county) != NULL;
}

const char *
settle_county_letter(int county)
{
	for (int i = 0; i < SETTLE_N_COUNTIES; i++)
		if (counties[i].code == county)
			return counties[i].letter;
	return NULL;
}

char *
settle_county_list(char *buf, size_t size, int letters)
{
	size_t		at = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (int i = 0; i < SETTLE_N_COUNTIES; i++)
	{
		char		item[8];
		size_t		len = 0;

		if (i > 0)
			item[len++] = ' ';
		if (letters)
			for (const char *l = counties[i].letter; *l; l++)
				item[len++] = *l;
		else
		{
			item[len++] = (char) ('0' + counties[i].code / 10);
			item[len++] = (char) ('0' + counties[i].code % 10);
		}
		if (at + len >= size)
			break;
		memcpy(buf + at, item, len);
		at += len;
		buf[at] = '\0';
	}
	return buf;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char
ascii_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char) (c - 'a' + 'A') : c;
}

int
settle_county_by_letter(const char *s, size_t len)
{
	for (int i = 0; i < SETTLE_N_COUNTIES; i++)
	{
		const char *l = counties[i].letter;
		size_t		j;

		for (j = 0; j < len && l[j] != '\0'; j++)
			if (ascii_upper(s[j]) != l[j])
				break;
		if (j == len && l[j] == '\0')
			return counties[i].code;
	}
	return -1;
}

/* Trim white space; returns the start and sets *n to the trimmed length. */
static const char *
trim(const char *s, size_t len, size_t *n)
{
	size_t		end = 0;
	size_t		start = 0;

	/* a NUL ends the input (cstrings from the server, any bytes from fuzzers) */
	while (end < len && s[end] != '\0')
		end++;
	while (start < end && is_space(s[start]))
		start++;
	while (end > start && is_space(s[end - 1]))
		end--;
	*n = end - start;
	return s + start;
}

int
settle_kommunkod_valid(int code)
{
	return code >= 0 && code <= 9999 && settle_county_valid(code / 100);
}

settle_code_status
settle_parse_kommunkod(const char *s, size_t len, int *code)
{
	size_t		n;
	const char *p = trim(s, len, &n);
	int			v = 0;

	*code = 0;
	if (n == 0)
		return CODE_EMPTY;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(p[i]))
			return CODE_BAD_CHAR;
	if (n > 4)
		return CODE_TOO_LONG;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	*code = v;
	if (n < 4)
		return CODE_TOO_SHORT;
	if (!settle_county_valid(v / 100))
		return CODE_BAD_COUNTY;
	return CODE_OK;
}

settle_code_status
settle_parse_lanskod(const char *s, size_t len, int *county)
{
	size_t		n;
	const char *p = trim(s, len, &n);
	int			all_digits = 1;

	*county = 0;
	if (n == 0)
		return CODE_EMPTY;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(p[i]))
			all_digits = 0;
	if (all_digits)
	{
		int			v = 0;

		if (n > 2)
			return CODE_TOO_LONG;
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (p[i] - '0');
		*county = v;
		if (n < 2)
			return CODE_TOO_SHORT;
		return settle_county_valid(v) ? CODE_OK : CODE_BAD_COUNTY;
	}
	for (size_t i = 0; i < n; i++)
	{
		char		c = ascii_upper(p[i]);

		if (c < 'A' || c > 'Z')
			return CODE_BAD_CHAR;
	}
	if (n > 2)
		return CODE_BAD_LETTER;
	*county = settle_county_by_letter(p, n);
	if (*county < 0)
	{
		*county = 0;
		return CODE_BAD_LETTER;
	}
	return CODE_OK;
}
