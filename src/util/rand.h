/*
 * rand.h -- unpredictable numbers for query IDs, server choice and
 * anything an off-path attacker must not guess.
 *
 * Each thread keeps its own buffer refilled from getrandom(2), so the
 * per-query cost is a few instructions and no lock.
 */
#ifndef RESOLVERD_UTIL_RAND_H
#define RESOLVERD_UTIL_RAND_H

#include <stdint.h>
#include <stddef.h>

uint16_t rand_u16(void);
uint32_t rand_u32(void);
/* Uniform in [0, bound), bound > 0, without modulo bias. */
uint32_t rand_uniform(uint32_t bound);
void rand_bytes(void *buf, size_t n);

#endif
