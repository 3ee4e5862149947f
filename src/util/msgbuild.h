/*
 * msgbuild.h -- writing DNS messages into a caller's buffer.
 *
 * Sections must be written in order: question, answer, authority,
 * additional, then OPT. Names are compressed against names already in the
 * message. Every write is all-or-nothing: when a record or RRset does not
 * fit, nothing of it is written, the call returns -1 and b->full is set, so
 * the caller can stop and set TC.
 *
 * When ttl_offs is set, the offset of every TTL field written (except
 * OPT's) is recorded there, so a stored answer can later have its TTLs
 * decremented in place without parsing it (the cache-hit path).
 */
#ifndef RESOLVERD_UTIL_MSGBUILD_H
#define RESOLVERD_UTIL_MSGBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/wire.h"
#include "util/rrset.h"

#define MB_COMPRESS_MAX 128

struct msg_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	uint16_t count[4];        /* QD AN NS AR */
	int section;              /* 0 question .. 3 additional */
	bool full;
	int ncomp;
	uint16_t comp[MB_COMPRESS_MAX]; /* offsets of label sequences written */
	uint16_t *ttl_offs;       /* optional, caller's array */
	size_t ttl_n, ttl_cap;
};

/* Start a message in buf (cap bytes, at most 65535 used). */
void mb_init(struct msg_builder *b, uint8_t *buf, size_t cap);

/* Record TTL offsets into offs (cap entries); a record whose TTL offset
 * does not fit makes the write fail as if the buffer were full. */
void mb_record_ttls(struct msg_builder *b, uint16_t *offs, size_t cap);

/* Write the 12-byte header; counts are filled by mb_finish. flags holds
 * QR..CD and the opcode; the low 4 bits of rcode go in the header. */
int mb_header(struct msg_builder *b, uint16_t id, uint16_t flags, uint16_t rcode);

int mb_question(struct msg_builder *b, const uint8_t *qname, uint16_t qtype, uint16_t qclass);

/* One record. rdata is uncompressed; names in it are compressed when the
 * type allows (rr_type_rdata_compressible). */
int mb_rr(struct msg_builder *b, enum msg_section sec, const uint8_t *owner,
    uint16_t type, uint16_t rclass, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen);

/* A whole RRset (with its RRSIGs when with_sigs), all or nothing. */
int mb_rrset(struct msg_builder *b, enum msg_section sec, const struct rrset *rs, bool with_sigs);

/* The OPT pseudo-record. ede != EDE_NONE adds an Extended DNS Error option
 * with ede_text (may be NULL). rcode is the full rcode: its upper bits go
 * into OPT. */
int mb_opt(struct msg_builder *b, uint16_t udp_size, uint16_t rcode, uint16_t edns_flags,
    uint16_t ede, const char *ede_text);

/* Write the section counts. Returns the message length. */
size_t mb_finish(struct msg_builder *b);

#endif
