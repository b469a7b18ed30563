/*
 * codes.h: Swedish county (län) and municipality (kommun) codes.
 *
 * Pure C, no PostgreSQL headers: the parsers here are shared by the
 * type input functions (kommunkod.c, lanskod.c) and the fuzz targets
 * under test/fuzz, which run outside the server.
 */
#ifndef SETTLE_CODES_H
#define SETTLE_CODES_H

#include <stddef.h>

/* Outcome of parsing a code; anything but CODE_OK is an error. */
typedef enum settle_code_status
{
	CODE_OK = 0,
	CODE_EMPTY,					/* nothing but white space */
	CODE_BAD_CHAR,				/* a character that cannot occur in a code */
	CODE_TOO_SHORT,				/* digits only, but fewer than required */
	CODE_TOO_LONG,				/* digits only, but more than required */
	CODE_BAD_COUNTY,			/* well formed, but no such county */
	CODE_BAD_LETTER				/* letters, but no county has that letter code */
} settle_code_status;

#define SETTLE_N_COUNTIES 21

/* Is 0..99 one of the 21 county codes? */
extern int	settle_county_valid(int county);

/* The registration letter code of a valid county ("AB"), or NULL. */
extern const char *settle_county_letter(int county);

/*
 * The 21 county codes ("01 03 ... 25") or letter codes ("AB C ... BD"),
 * space-separated, written from the one table in codes.c into buf (size
 * SETTLE_COUNTY_LIST_SIZE is always enough); returns buf.
 */
#define SETTLE_COUNTY_LIST_SIZE 80
extern char *settle_county_list(char *buf, size_t size, int letters);

/* The county whose letter code is s (case-insensitive, len bytes), or -1. */
extern int	settle_county_by_letter(const char *s, size_t len);

/*
 * Parse a municipality code: exactly four ASCII digits whose first two are
 * a county code, optionally surrounded by white space.  On CODE_OK *code is
 * 0..9999.  On CODE_TOO_SHORT *code holds the digits read (so a caller can
 * suggest the zero-padded form).  Reads at most len bytes; a NUL ends the
 * input early.
 */
extern settle_code_status settle_parse_kommunkod(const char *s, size_t len, int *code);

/*
 * Parse a county code: two ASCII digits, or a letter code, case-insensitive,
 * optionally surrounded by white space.  On CODE_OK *county is the county
 * number; on CODE_TOO_SHORT it holds the single digit read.
 */
extern settle_code_status settle_parse_lanskod(const char *s, size_t len, int *county);

/* Is a 0..9999 integer a syntactically valid municipality code? */
extern int	settle_kommunkod_valid(int code);

#endif							/* SETTLE_CODES_H */
