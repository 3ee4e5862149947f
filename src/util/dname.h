/*
 * dname.h -- domain names in uncompressed wire form.
 *
 * Throughout resolverd a name is a sequence of length-prefixed labels ending
 * with the zero-length root label, at most DNAME_MAX (255) bytes, never
 * compressed. Case is preserved; every comparison here is case-insensitive
 * (ASCII only, RFC 4343). Functions that take a name assume it is valid
 * (it came from dname_unpack or dname_from_str).
 */
#ifndef RESOLVERD_UTIL_DNAME_H
#define RESOLVERD_UTIL_DNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNAME_MAX 255
#define DNAME_LABELS_MAX 128
/* Presentation buffer big enough for any name with \DDD escapes. */
#define DNAME_STR_MAX 1024

/* Read the name at *pos in a packet of pktlen bytes, following compression
 * pointers (each must point strictly backwards, which rules out loops),
 * into out (DNAME_MAX bytes). *pos is moved past the name as it sits in the
 * packet. Returns the uncompressed length (>= 1), or -1 when the name is
 * malformed: runs past the end, pointer forward or out of range, label type
 * 0x40/0x80, or longer than 255 bytes. */
int dname_unpack(const uint8_t *pkt, size_t pktlen, size_t *pos, uint8_t *out);

/* Move *pos past a (possibly compressed) name without decoding it.
 * Returns 0, or -1 if it runs past the end. Pointers are not followed. */
int dname_skip(const uint8_t *pkt, size_t pktlen, size_t *pos);

/* Length in bytes of a valid uncompressed name, including the root label. */
size_t dname_len(const uint8_t *name);

/* Number of labels, not counting the root label ("." has 0). */
int dname_label_count(const uint8_t *name);

/* Case-insensitive equality. */
bool dname_equal(const uint8_t *a, const uint8_t *b);

/* True if name is equal to or below zone. */
bool dname_is_subdomain(const uint8_t *name, const uint8_t *zone);

/* True if name is strictly below zone. */
bool dname_is_strict_subdomain(const uint8_t *name, const uint8_t *zone);

/* Pointer into name after removing its n leftmost labels (n <= label count).
 * The result shares name's memory. */
const uint8_t *dname_remove_labels(const uint8_t *name, int n);

/* The suffix of name that has exactly `labels` labels (0 = root).
 * Shares name's memory. Used for QNAME minimisation. */
const uint8_t *dname_suffix_labels(const uint8_t *name, int labels);

/* Number of labels name and other have in common, counted from the root. */
int dname_common_labels(const uint8_t *a, const uint8_t *b);

/* Canonical DNS order (RFC 4034 section 6.1): <0, 0, >0. */
int dname_canonical_cmp(const uint8_t *a, const uint8_t *b);

/* "*." followed by encloser, into out (DNAME_MAX bytes): the wildcard
 * that could answer for names below encloser. Returns the length, or -1
 * when the result would exceed 255 bytes. */
int dname_wildcard(const uint8_t *encloser, uint8_t *out);

/* DNAME substitution (RFC 6672 section 2.2): name, which must be strictly
 * below owner, with its suffix owner replaced by target, into out
 * (DNAME_MAX bytes). Returns the length, or -1 when name is not below
 * owner or the result would exceed 255 bytes (YXDOMAIN). */
int dname_substitute(const uint8_t *name, const uint8_t *owner, const uint8_t *target,
    uint8_t *out);

/* Lower-case name in place. */
void dname_lower(uint8_t *name);

/* Copy name to out (DNAME_MAX bytes), lower-cased. Returns length. */
size_t dname_copy_lower(uint8_t *out, const uint8_t *name);

/* Case-insensitive hash, mixed with seed. */
uint32_t dname_hash(const uint8_t *name, uint32_t seed);

/* Parse presentation form ("www.example.com", trailing dot optional,
 * "\." and "\DDD" escapes, "." or "" for the root) into out (DNAME_MAX
 * bytes). Returns the length, or -1 if invalid. */
int dname_from_str(const char *str, uint8_t *out);

/* Write presentation form with a trailing dot into buf (buflen bytes,
 * DNAME_STR_MAX is always enough). Returns buf. */
char *dname_to_str(const uint8_t *name, char *buf, size_t buflen);

#endif
