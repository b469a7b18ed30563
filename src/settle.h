/*
 * settle.h: what the SQL-facing C files share (settle.c).
 */
#ifndef SETTLE_H
#define SETTLE_H

/* around every call of a pure core: arm cancellation, then raise it if it happened */
extern void settle_core_begin(void);
extern void settle_core_end(void);

#endif							/* SETTLE_H */
