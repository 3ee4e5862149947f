/*
 * respond.c -- fitting answers to clients; see respond.h.
 */
/* Angle brackets: the build's config.h, not daemon/config.h beside us. */
#include <config.h>

#include <string.h>

#include "daemon/respond.h"
#include "cache/cache.h"
#include "iter/iter.h"
#include "util/msgbuild.h"

#define OPT_FIXED 11            /* root owner, type, class, TTL, rdlen */
#define OPT_EDE 6               /* option code, length, info-code */
#define EDNS_OPT_EDE 15
#define UDP_MIN 512
#define TCP_MAX 65535
#define OPCODE_MASK 0x7800

/* Length of the uncompressed name at p (at most avail bytes), 0 if it is
 * not one. */
static size_t
plain_name_len(const uint8_t *p, size_t avail)
{
	size_t n = 0;

	while (n < avail && n < DNAME_MAX) {
		if (p[n] == 0)
			return n + 1;
		if (p[n] & 0xc0)
			return 0;
		n += (size_t)p[n] + 1;
	}
	return 0;
}

/* Offset just past the answer and authority sections, 0 if they do not
 * parse. */
static size_t
sections_end(const uint8_t *buf, size_t len, size_t pos)
{
	unsigned n = (unsigned)rd16(buf + 6) + rd16(buf + 8);

	while (n--) {
		if (dname_skip(buf, len, &pos) < 0 || pos + 10 > len)
			return 0;
		pos += 10 + rd16(buf + pos + 8);
		if (pos > len)
			return 0;
	}
	return pos;
}

/* What an RRset of a canonical answer is: its owner and type, the type an
 * RRSIG covers for the signatures that follow their set. */
struct set_key {
	uint8_t owner[DNAME_MAX];
	uint16_t type;
};

/* Read the record at *pos (known to parse: sections_end said so). */
static void
record_key(const uint8_t *buf, size_t len, size_t *pos, struct set_key *k)
{
	uint16_t rdlen;

	if (dname_unpack(buf, len, pos, k->owner) < 0)
		k->owner[0] = 0;
	k->type = rd16(buf + *pos);
	rdlen = rd16(buf + *pos + 8);
	if (k->type == RR_TYPE_RRSIG && rdlen >= 2)
		k->type = rd16(buf + *pos + 10);
	*pos += 10 + (size_t)rdlen;
}

/* Make the message fit in room bytes. Dropping the additional section
 * needs no TC (RFC 2181 section 9). Anything more sets TC, and the answer
 * and authority sections keep, in order, the whole RRsets (signatures
 * included) that fit before the first one that does not: what fits is
 * still there for a client that looks, and no RRset is ever cut short. */
static size_t
fit(uint8_t *buf, size_t len, size_t qend, size_t room)
{
	size_t end = sections_end(buf, len, qend), pos = qend, kept = qend, start;
	unsigned counts[2] = { rd16(buf + 6), rd16(buf + 8) }, keep[2] = { 0, 0 }, sec, i;
	struct set_key k[2];
	int cur = 0;

	if (end && end <= room) {
		wr16(buf + 10, 0);
		return end;
	}
	wr16(buf + 2, rd16(buf + 2) | FLAG_TC);
	for (sec = 0; end && sec < 2; sec++) {
		for (i = 0; i < counts[sec]; i++) {
			start = pos;
			record_key(buf, len, &pos, &k[cur]);
			if (i == 0 || k[cur].type != k[!cur].type ||
			    !dname_equal(k[cur].owner, k[!cur].owner)) {
				/* a new set: the ones before it are whole */
				kept = start;
				keep[sec] = i;
			}
			if (pos > room)
				goto done;
			cur = !cur;
		}
		kept = pos;
		keep[sec] = counts[sec];
	}
done:
	wr16(buf + 6, (uint16_t)keep[0]);
	wr16(buf + 8, (uint16_t)keep[1]);
	wr16(buf + 10, 0);
	return kept;
}

static size_t
put_opt(uint8_t *buf, size_t len, const struct respond_client *c, uint16_t ede, uint8_t ext_rcode)
{
	uint8_t *p = buf + len;
	bool has_ede = ede != EDE_NONE;

	p[0] = 0;
	wr16(p + 1, RR_TYPE_OPT);
	wr16(p + 3, c->our_udp_size);
	p[5] = ext_rcode;
	p[6] = 0;                     /* version */
	wr16(p + 7, c->dnssec_ok ? EDNS_DO : 0);
	wr16(p + 9, has_ede ? OPT_EDE : 0);
	if (has_ede) {
		wr16(p + 11, EDNS_OPT_EDE);
		wr16(p + 13, 2);
		wr16(p + 15, ede);
	}
	wr16(buf + 10, rd16(buf + 10) + 1);
	return len + OPT_FIXED + (has_ede ? OPT_EDE : 0);
}

static size_t
patch(uint8_t *buf, size_t len, size_t cap, const struct respond_client *c,
    uint16_t ede, uint8_t ext_rcode)
{
	size_t qend = DNS_HEADER_SIZE + c->qname_len + 4;
	size_t optlen = c->edns ? OPT_FIXED + (ede != EDE_NONE ? OPT_EDE : 0) : 0;
	size_t limit = c->limit < cap ? c->limit : cap;
	uint16_t flags;

	if (len < qend || rd16(buf + 4) != 1 ||
	    plain_name_len(buf + DNS_HEADER_SIZE, len - DNS_HEADER_SIZE) != c->qname_len)
		return 0;
	wr16(buf, c->id);
	flags = rd16(buf + 2) & ~(FLAG_RD | FLAG_CD | FLAG_TC);
	flags |= c->flags & (FLAG_RD | FLAG_CD);
	/* RFC 6840 section 5.8: AD only for clients that show they want it. */
	if (!c->dnssec_ok && !(c->flags & FLAG_AD))
		flags &= ~FLAG_AD;
	wr16(buf + 2, flags);
	memcpy(buf + DNS_HEADER_SIZE, c->qname, c->qname_len);
	if (len + optlen > limit)
		len = fit(buf, len, qend, limit - optlen);
	if (c->edns)
		len = put_opt(buf, len, c, ede, ext_rcode);
	return len;
}

size_t
respond_patch(uint8_t *buf, size_t len, size_t cap, const struct respond_client *c, uint16_t ede)
{
	return patch(buf, len, cap, c, ede, 0);
}

/* Header and question of a canonical answer; the builder is left in b. */
static void
start_answer(struct msg_builder *b, uint8_t *buf, size_t cap,
    const struct respond_client *c, uint16_t rcode)
{
	mb_init(b, buf, cap);
	mb_header(b, 0, FLAG_QR | FLAG_RA | (c->flags & (FLAG_RD | FLAG_CD)), rcode & 0xf);
	mb_question(b, c->qname, c->qtype, c->qclass);
}

size_t
respond_error(uint8_t *buf, size_t cap, const struct respond_client *c, uint16_t rcode, uint16_t ede)
{
	struct msg_builder b;
	size_t len;

	start_answer(&b, buf, cap, c, rcode);
	len = mb_finish(&b);
	return patch(buf, len, cap, c, ede, (uint8_t)(rcode >> 4));
}

/* RFC 8482 section 4.2: one synthesized HINFO instead of everything. */
static size_t
respond_any(uint8_t *buf, size_t cap, const struct respond_client *c)
{
	static const uint8_t hinfo[] = { 7, 'R', 'F', 'C', '8', '4', '8', '2', 0 };
	struct msg_builder b;
	size_t len;

	start_answer(&b, buf, cap, c, RCODE_NOERROR);
	mb_rr(&b, SEC_ANSWER, c->qname, RR_TYPE_HINFO, RR_CLASS_IN, RESPOND_ANY_TTL,
	    hinfo, sizeof(hinfo));
	len = mb_finish(&b);
	return patch(buf, len, cap, c, EDE_NONE, 0);
}

/* An answer of just the header, for queries whose question we cannot
 * (or need not) read. */
static size_t
header_only(const uint8_t *pkt, uint8_t *out, uint16_t rcode)
{
	uint16_t qflags = rd16(pkt + 2);

	memset(out, 0, DNS_HEADER_SIZE);
	memcpy(out, pkt, 2);
	wr16(out + 2, FLAG_QR | (qflags & (OPCODE_MASK | FLAG_RD)) | (rcode & 0xf));
	return DNS_HEADER_SIZE;
}

static void
client_init(struct respond_client *c, const struct dns_msg *m, bool tcp, uint16_t max_udp)
{
	uint16_t cap = max_udp > UDP_MIN ? max_udp : UDP_MIN;

	c->id = m->id;
	c->flags = m->flags;
	c->qtype = m->qtype;
	c->qclass = m->qclass;
	c->qname_len = m->qname_len;
	memcpy(c->qname, m->qname, m->qname_len);
	c->edns = m->edns.present;
	c->dnssec_ok = c->edns && (m->edns.flags & EDNS_DO);
	c->our_udp_size = cap;
	if (tcp)
		c->limit = TCP_MAX;
	else if (!c->edns || m->edns.udp_size <= UDP_MIN)
		c->limit = UDP_MIN;
	else
		c->limit = m->edns.udp_size < cap ? m->edns.udp_size : cap;
}

enum respond_verdict
respond_query(const uint8_t *pkt, size_t len, enum acl_action acl, bool tcp, uint16_t max_udp,
    struct dns_msg *msg, struct respond_client *c, uint8_t *out, size_t cap, size_t *outlen)
{
	enum wire_status st;

	/* Answering a response, or something too short to say where it came
	 * from, could make us a reflector. */
	if (acl == ACL_DENY || len < DNS_HEADER_SIZE || (rd16(pkt + 2) & FLAG_QR))
		return RESPOND_DROP;
	st = msg_parse_query(pkt, len, msg);
	if (st == WIRE_SHORT)
		return RESPOND_DROP;
	if (st == WIRE_MALFORMED || OPCODE_OF(msg->flags) != OPCODE_QUERY || msg->qdcount != 1) {
		uint16_t rcode = RCODE_FORMERR;
		if (acl == ACL_REFUSE)
			rcode = RCODE_REFUSED;
		else if (st == WIRE_OK && OPCODE_OF(msg->flags) != OPCODE_QUERY)
			rcode = RCODE_NOTIMP;
		*outlen = header_only(pkt, out, rcode);
		return RESPOND_ANSWERED;
	}
	client_init(c, msg, tcp, max_udp);
	if (acl == ACL_REFUSE)
		*outlen = respond_error(out, cap, c, RCODE_REFUSED, EDE_PROHIBITED);
	else if (c->edns && msg->edns.version > 0)
		*outlen = respond_error(out, cap, c, RCODE_BADVERS, EDE_NONE);
	else if (c->qclass != RR_CLASS_IN)
		*outlen = respond_error(out, cap, c, RCODE_REFUSED, EDE_NONE);
	else if (c->qtype == RR_TYPE_AXFR || c->qtype == RR_TYPE_IXFR)
		*outlen = respond_error(out, cap, c, RCODE_REFUSED, EDE_NONE);
	else if (c->qtype == RR_TYPE_MAILA || c->qtype == RR_TYPE_MAILB)
		*outlen = respond_error(out, cap, c, RCODE_NOTIMP, EDE_NONE);
	else if (c->qtype == RR_TYPE_OPT)
		*outlen = respond_error(out, cap, c, RCODE_FORMERR, EDE_NONE);
	else if (c->qtype == RR_TYPE_ANY)
		*outlen = respond_any(out, cap, c);
	else
		return RESPOND_RESOLVE;
	return RESPOND_ANSWERED;
}

uint8_t
respond_cache_variant(const struct respond_client *c)
{
	return (c->dnssec_ok ? CACHE_VARIANT_DO : 0) | (c->flags & FLAG_CD ? CACHE_VARIANT_CD : 0);
}

uint16_t
respond_iter_flags(const struct respond_client *c)
{
	return (c->flags & (FLAG_RD | FLAG_CD)) | (c->dnssec_ok ? ITER_FLAG_DO : 0);
}
