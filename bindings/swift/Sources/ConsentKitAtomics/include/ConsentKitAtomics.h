// Lock-free primitives for the ConsentKit Swift facade: the 64-bit counters of the access batcher and the pointer
// to the decision mirror's published version. Header-only (static inline), so the Swift optimizer inlines them into
// the hot path; C11 atomics work on every platform the SDK ships to (iOS, the iOS simulator, Linux hosts), unlike
// Swift's Synchronization module, which needs iOS 18.
//
// The counter functions take a base pointer and an element index, the pointer functions one slot. The memory is
// allocated by Swift with the element's size and alignment and is only ever accessed through these functions.
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

/// Loads the pointer in `slot` (acquire: everything written before the matching `ck_store_ptr` is visible).
static inline void *_Nullable ck_load_ptr(void *_Nonnull slot) {
    return atomic_load_explicit((_Atomic(void *) *)slot, memory_order_acquire);
}

/// Stores `value` in `slot` (release: publishes everything written before it to `ck_load_ptr`).
static inline void ck_store_ptr(void *_Nonnull slot, void *_Nullable value) {
    atomic_store_explicit((_Atomic(void *) *)slot, value, memory_order_release);
}

#endif
