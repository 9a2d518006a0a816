/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-thread re-entry guard's state (guard.h). */
#include "guard.h"

__thread unsigned char shim_thread_state SHIM_TLS;
