/*
 * fuzz_util.h -- what the libFuzzer targets share.
 *
 * Each target is one file defining LLVMFuzzerTestOneInput; see README.md.
 * A target checks what must hold for every input (our own output parses,
 * bailiwick holds, ...) with FUZZ_ASSERT, which crashes like a sanitizer
 * report so that libFuzzer keeps the input.
 */
#ifndef RESOLVERD_FUZZ_UTIL_H
#define RESOLVERD_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A path naming a file whose content is data[0..size): one memory file
 * per process, rewritten on each call (nothing touches the disk). The
 * path stays the same; the content is replaced by the next call. */
const char *fuzz_file(const uint8_t *data, size_t size);

/* The same, with a NUL-free copy: for readers of text. */
const char *fuzz_text_file(const uint8_t *data, size_t size);

/* Silence the library's logging (targets call it once). */
void fuzz_quiet(void);

#define FUZZ_ASSERT(cond) \
	do { if (!(cond)) fuzz_fail(__FILE__, __LINE__, #cond); } while (0)
void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

#endif
