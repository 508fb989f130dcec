/* fuzz.h: what every libFuzzer target in tests/fuzz/ shares. A target is one file NAME.c with
 * LLVMFuzzerTestOneInput() and a seed corpus in tests/fuzz/NAME/; `make fuzz` builds it with
 * clang against the last chapter's code and runs it (tests/lib/fuzz). Each target checks a
 * property of what the code under test returned, not only that it did not crash: a broken
 * property is reported with fuzz_fail(), which aborts, so libFuzzer keeps the input. */
#ifndef MYDOCKER_FUZZ_H
#define MYDOCKER_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string: it ends at the first NUL byte, as a command-line argument would.
 * Free it with free(). */
char *fuzz_str(const uint8_t *data, size_t size);

/* Take N bytes (at most 8) off the front of the input as a little-endian number; fewer, or
 * none, when the input is shorter. */
uint64_t fuzz_take(const uint8_t **data, size_t *size, size_t n);

/* A property does not hold: print "fuzz: property failed: MESSAGE" and abort(). */
void fuzz_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Send stderr to /dev/null (ON) and back: for code that explains every refusal there, which
 * would bury libFuzzer's own output. */
void fuzz_quiet(bool on);

/* A fresh empty directory for a target's files, removed when the fuzzer exits. */
const char *fuzz_tmpdir(void);

#endif
