/*
 * cancel.c: the state behind cancel.h (shared by the module and the fuzz
 * targets, which leave the hook unset).
 */
#include "cancel.h"

int			(*core_cancel_hook) (void) = 0;
int			core_stopped = 0;
uint32_t	core_ticks = 0;
