// Linux only (the root Package.swift adds this target on Linux): Debian trixie's swiftlang 6.0.3 ships a
// libswiftObservation.so that calls swift::threading::fatal, a function of the static libswiftThreading that the
// package did not link into it, so every binary that imports Observation fails to link ("undefined reference to
// `swift::threading::fatal(char const*, ...)'"). This defines it the way the Swift runtime does: print, then abort.
// It is written in C under the function's C++ (Itanium) name, because the toolchain root has no C++ library headers.
// A toolchain that provides the symbol itself keeps working: a shared library's definition does not clash with this
// one. Remove the target when the toolchain is fixed (bindings/swift/TOOLCHAIN-NOTES.md).
#if defined(__linux__)
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noreturn)) void consentkit_swift_threading_fatal(const char *msg, ...)
    __asm__("_ZN5swift9threading5fatalEPKcz");

void consentkit_swift_threading_fatal(const char *msg, ...) {
    va_list args;
    va_start(args, msg);
    vfprintf(stderr, msg, args);
    va_end(args);
    abort();
}
#endif
