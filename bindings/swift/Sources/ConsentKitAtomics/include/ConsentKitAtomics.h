// Lock-free primitives for the ConsentKit Swift facade: the 64-bit counters of the access batcher. Header-only
// (static inline), so the Swift optimizer inlines them into the hot path; C11 atomics work on every platform the
// SDK ships to (iOS, the iOS simulator, Linux hosts), unlike Swift's Synchronization module, which needs iOS 18.
//
// Each function takes a base pointer and an element index. The memory is allocated by Swift with the element's
// size and alignment and is only ever accessed through these functions.
#ifndef CONSENTKIT_ATOMICS_H
#define CONSENTKIT_ATOMICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/// Adds to counter `i`; returns the value before the addition.
static inline uint64_t ck_add_u64(void *_Nonnull base, intptr_t i, uint64_t value) {
    return atomic_fetch_add_explicit((_Atomic(uint64_t) *)base + i, value, memory_order_relaxed);
}

/// Loads counter `i`.
static inline uint64_t ck_load_u64(void *_Nonnull base, intptr_t i) {
    return atomic_load_explicit((_Atomic(uint64_t) *)base + i, memory_order_relaxed);
}

/// Replaces counter `i`; returns the value it had.
static inline uint64_t ck_exchange_u64(void *_Nonnull base, intptr_t i, uint64_t value) {
    return atomic_exchange_explicit((_Atomic(uint64_t) *)base + i, value, memory_order_acq_rel);
}

/// Sets counter `i` to `desired` if it holds `expected`; returns whether it did.
static inline bool ck_compare_exchange_u64(void *_Nonnull base, intptr_t i, uint64_t expected, uint64_t desired) {
    return atomic_compare_exchange_strong_explicit((_Atomic(uint64_t) *)base + i, &expected, desired,
                                                   memory_order_acq_rel, memory_order_relaxed);
}

#endif
