/*
 * msgbuild.c -- writing DNS messages with name compression.
 *
 * Every public write saves the builder state first and restores it on
 * failure, so a record is either entirely in the buffer or not at all,
 * including the compression targets and TTL offsets it would have added.
 */
#include "config.h"

#include <string.h>

#include "util/msgbuild.h"

#define COMP_PTR_MAX 0x3fff
#define EDNS_OPT_EDE 15

struct mb_state {
	size_t len;
	int ncomp;
	size_t ttl_n;
	uint16_t count[4];
	int section;
};

static void
mb_save(const struct msg_builder *b, struct mb_state *s)
{
	s->len = b->len;
	s->ncomp = b->ncomp;
	s->ttl_n = b->ttl_n;
	memcpy(s->count, b->count, sizeof(s->count));
	s->section = b->section;
}

static int
mb_fail(struct msg_builder *b, const struct mb_state *s)
{
	b->len = s->len;
	b->ncomp = s->ncomp;
	b->ttl_n = s->ttl_n;
	memcpy(b->count, s->count, sizeof(s->count));
	b->section = s->section;
	b->full = true;
	return -1;
}

void
mb_init(struct msg_builder *b, uint8_t *buf, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap > 65535 ? 65535 : cap;
}

void
mb_record_ttls(struct msg_builder *b, uint16_t *offs, size_t cap)
{
	b->ttl_offs = offs;
	b->ttl_cap = cap;
	b->ttl_n = 0;
}

static inline bool
room(const struct msg_builder *b, size_t n)
{
	return b->cap - b->len >= n;
}

static inline uint8_t
lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Whether the name written at off in our own buffer equals suffix s.
 * Pointers in the buffer were written by us and point backwards. */
static bool
buf_name_equal(const uint8_t *buf, size_t off, const uint8_t *s)
{
	uint8_t c;
	unsigned i;

	for (;;) {
		c = buf[off];
		while ((c & 0xc0) == 0xc0) {
			off = (size_t)(c & 0x3f) << 8 | buf[off + 1];
			c = buf[off];
		}
		if (c != *s)
			return false;
		if (c == 0)
			return true;
		for (i = 1; i <= c; i++)
			if (lc(buf[off + i]) != lc(s[i]))
				return false;
		off += (size_t)c + 1;
		s += c + 1;
	}
}

/* Write name, pointing to an earlier copy of its longest suffix when
 * compress is set; its labels become targets for later names when
 * record is set. */
static int
write_name(struct msg_builder *b, const uint8_t *name, bool compress, bool record)
{
	const uint8_t *s = name;
	int i, ptr = -1;
	size_t prefix, need;

	if (compress) {
		for (s = name; *s && ptr < 0; ) {
			for (i = 0; i < b->ncomp; i++) {
				if (b->buf[b->comp[i]] == *s &&
				    buf_name_equal(b->buf, b->comp[i], s)) {
					ptr = b->comp[i];
					break;
				}
			}
			if (ptr < 0)
				s += *s + 1;
		}
	}
	if (ptr >= 0) {
		prefix = (size_t)(s - name);
		need = prefix + 2;
	} else {
		prefix = dname_len(name) - 1;
		need = prefix + 1;
	}
	if (!room(b, need))
		return -1;
	if (record) {
		for (s = name; s < name + prefix; s += *s + 1) {
			size_t off = b->len + (size_t)(s - name);
			if (off > COMP_PTR_MAX || b->ncomp >= MB_COMPRESS_MAX)
				break;
			b->comp[b->ncomp++] = (uint16_t)off;
		}
	}
	memcpy(b->buf + b->len, name, prefix);
	b->len += prefix;
	if (ptr >= 0) {
		wr16(b->buf + b->len, (uint16_t)(0xc000 | ptr));
		b->len += 2;
	} else {
		b->buf[b->len++] = 0;
	}
	return 0;
}

static int
write_bytes(struct msg_builder *b, const void *p, size_t n)
{
	if (!room(b, n))
		return -1;
	if (n > 0)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
	return 0;
}

/* RDATA of a compressible type, names compressed per its layout. Returns
 * 1 if the rdata does not match the layout (the caller then copies it
 * as it is), -1 when out of room. */
static int
write_rdata_compressed(struct msg_builder *b, const char *layout, const uint8_t *rd,
    uint16_t rdlen)
{
	size_t p = 0, n, q;
	const char *l;

	/* Check first, so a bad rdata is not half written. */
	for (l = layout; *l; l++) {
		if (*l == 'N' || *l == 'n') {
			for (q = p; q < rdlen && rd[q] != 0; q += (size_t)rd[q] + 1)
				if (rd[q] & 0xc0)
					return 1;
			if (q >= rdlen || q + 1 - p > DNAME_MAX)
				return 1;
			p = q + 1;
		} else if (*l == 'S') {
			if (p >= rdlen)
				return 1;
			p += (size_t)rd[p] + 1;
		} else if (*l == 'R') {
			p = rdlen;
		} else {
			p += (size_t)(*l - '0');
		}
		if (p > rdlen)
			return 1;
	}
	if (p != rdlen)
		return 1;
	p = 0;
	for (l = layout; *l; l++) {
		if (*l == 'N' || *l == 'n') {
			if (write_name(b, rd + p, true, true) < 0)
				return -1;
			p += dname_len(rd + p);
			continue;
		}
		if (*l == 'S')
			n = (size_t)rd[p] + 1;
		else if (*l == 'R')
			n = rdlen - p;
		else
			n = (size_t)(*l - '0');
		if (write_bytes(b, rd + p, n) < 0)
			return -1;
		p += n;
	}
	return 0;
}

int
mb_header(struct msg_builder *b, uint16_t id, uint16_t flags, uint16_t rcode)
{
	if (b->len != 0)
		return -1;
	if (!room(b, DNS_HEADER_SIZE)) {
		b->full = true;
		return -1;
	}
	memset(b->buf, 0, DNS_HEADER_SIZE);
	wr16(b->buf, id);
	wr16(b->buf + 2, (uint16_t)((flags & ~0xfu) | (rcode & 0xfu)));
	b->len = DNS_HEADER_SIZE;
	return 0;
}

int
mb_question(struct msg_builder *b, const uint8_t *qname, uint16_t qtype, uint16_t qclass)
{
	struct mb_state s;
	uint8_t tail[4];

	if (b->section != 0 || b->len < DNS_HEADER_SIZE)
		return -1;
	mb_save(b, &s);
	wr16(tail, qtype);
	wr16(tail + 2, qclass);
	if (write_name(b, qname, true, true) < 0 || write_bytes(b, tail, 4) < 0)
		return mb_fail(b, &s);
	b->count[0]++;
	return 0;
}

/* One record, without saving state: callers do that. */
static int
put_rr(struct msg_builder *b, int sec, const uint8_t *owner, uint16_t type,
    uint16_t rclass, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	uint8_t fixed[10];
	size_t rdstart;
	const char *layout;
	int r = 1;

	if (write_name(b, owner, true, true) < 0)
		return -1;
	wr16(fixed, type);
	wr16(fixed + 2, rclass);
	wr32(fixed + 4, ttl);
	wr16(fixed + 8, 0);
	if (!room(b, sizeof(fixed)))
		return -1;
	if (b->ttl_offs != NULL) {
		if (b->ttl_n >= b->ttl_cap)
			return -1;
		b->ttl_offs[b->ttl_n++] = (uint16_t)(b->len + 4);
	}
	memcpy(b->buf + b->len, fixed, sizeof(fixed));
	b->len += sizeof(fixed);
	rdstart = b->len;
	if (rr_type_rdata_compressible(type) && (layout = rr_rdata_layout(type)) != NULL) {
		r = write_rdata_compressed(b, layout, rdata, rdlen);
		if (r < 0)
			return -1;
		if (r > 0)
			b->len = rdstart;
	}
	if (r > 0 && write_bytes(b, rdata, rdlen) < 0)
		return -1;
	wr16(b->buf + rdstart - 2, (uint16_t)(b->len - rdstart));
	b->count[sec]++;
	b->section = sec;
	return 0;
}

int
mb_rr(struct msg_builder *b, enum msg_section sec, const uint8_t *owner,
    uint16_t type, uint16_t rclass, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	struct mb_state s;
	int bsec = (int)sec + 1;

	if (bsec < b->section || bsec > 3 || b->len < DNS_HEADER_SIZE)
		return -1;
	mb_save(b, &s);
	if (put_rr(b, bsec, owner, type, rclass, ttl, rdata, rdlen) < 0)
		return mb_fail(b, &s);
	return 0;
}

int
mb_rrset(struct msg_builder *b, enum msg_section sec, const struct rrset *rs, bool with_sigs)
{
	struct mb_state s;
	int bsec = (int)sec + 1;
	uint16_t i, n = rs->count;

	if (bsec < b->section || bsec > 3 || b->len < DNS_HEADER_SIZE)
		return -1;
	mb_save(b, &s);
	for (i = 0; i < n; i++)
		if (put_rr(b, bsec, rs->owner, rs->type, rs->rclass, rs->ttl,
		    rs->rdata[i].data, rs->rdata[i].len) < 0)
			return mb_fail(b, &s);
	if (with_sigs) {
		for (i = 0; i < rs->sigcount; i++)
			if (put_rr(b, bsec, rs->owner, RR_TYPE_RRSIG, rs->rclass, rs->ttl,
			    rs->rdata[n + i].data, rs->rdata[n + i].len) < 0)
				return mb_fail(b, &s);
	}
	b->section = bsec;
	return 0;
}

int
mb_opt(struct msg_builder *b, uint16_t udp_size, uint16_t rcode, uint16_t edns_flags,
    uint16_t ede, const char *ede_text)
{
	uint8_t rr[11 + 6];
	size_t tlen = 0, rdlen = 0;

	if (b->len < DNS_HEADER_SIZE)
		return -1;
	if (ede != EDE_NONE) {
		tlen = ede_text ? strlen(ede_text) : 0;
		rdlen = 6 + tlen;
	}
	if (rdlen > UINT16_MAX || !room(b, 11 + rdlen)) {
		b->full = true;
		return -1;
	}
	rr[0] = 0;
	wr16(rr + 1, RR_TYPE_OPT);
	wr16(rr + 3, udp_size);
	/* Extended rcode, version 0, flags. */
	wr32(rr + 5, (uint32_t)((rcode >> 4) & 0xff) << 24 | edns_flags);
	wr16(rr + 9, (uint16_t)rdlen);
	if (ede != EDE_NONE) {
		wr16(rr + 11, EDNS_OPT_EDE);
		wr16(rr + 13, (uint16_t)(2 + tlen));
		wr16(rr + 15, ede);
	}
	memcpy(b->buf + b->len, rr, ede != EDE_NONE ? 17 : 11);
	b->len += ede != EDE_NONE ? 17 : 11;
	if (tlen > 0) {
		memcpy(b->buf + b->len, ede_text, tlen);
		b->len += tlen;
	}
	b->count[3]++;
	b->section = 3;
	return 0;
}

size_t
mb_finish(struct msg_builder *b)
{
	int i;

	if (b->len < DNS_HEADER_SIZE)
		return b->len;
	for (i = 0; i < 4; i++)
		wr16(b->buf + 4 + 2 * i, b->count[i]);
	return b->len;
}
