/*
 * wire.c -- parsing DNS messages.
 *
 * Every offset is checked against the packet length before it is used;
 * counts and lengths from the packet are never trusted. Names in the RDATA
 * of the types listed in rr_rdata_layout are decompressed so that records
 * are self-contained and comparable.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "util/wire.h"

/* The smallest resource record: root owner, type, class, TTL, rdlength. */
#define RR_MIN_SIZE 11
#define EDNS_OPT_EDE 15
#define RDATA_NAMES_MAX 2

static const uint8_t empty_rdata[1];

const char *
rr_rdata_layout(uint16_t type)
{
	switch (type) {
	case RR_TYPE_NS: case 3 /* MD */: case 4 /* MF */: case RR_TYPE_CNAME:
	case 7 /* MB */: case 8 /* MG */: case 9 /* MR */: case RR_TYPE_PTR:
	case RR_TYPE_DNAME:
		return "N";
	case RR_TYPE_SOA:
		return "NN44444";
	case 14 /* MINFO */: case 17 /* RP */:
		return "NN";
	case RR_TYPE_MX: case 18 /* AFSDB */: case 21 /* RT */: case 36 /* KX */:
		return "2N";
	case 26 /* PX */:
		return "2NN";
	case 24 /* SIG */:
		return "99NR";
	case 30 /* NXT */:
		return "NR";
	case RR_TYPE_SRV:
		return "222N";
	case RR_TYPE_NAPTR:
		return "22SSSN";
	case RR_TYPE_RRSIG:
		return "99nR";
	case RR_TYPE_NSEC:
		return "nR";
	default:
		return NULL;
	}
}

bool
rr_type_rdata_compressible(uint16_t type)
{
	switch (type) {
	case RR_TYPE_NS: case 3: case 4: case RR_TYPE_CNAME: case RR_TYPE_SOA:
	case 7: case 8: case 9: case RR_TYPE_PTR: case 14: case RR_TYPE_MX:
		return true;
	default:
		return false;
	}
}

/* RFC 4034 6.2 list as corrected by RFC 6840 5.1 (NSEC removed); only
 * types with a layout matter since the others carry no names we know. */
static bool
rr_type_canonical_lower(uint16_t type)
{
	return type != RR_TYPE_NSEC && rr_rdata_layout(type) != NULL;
}

static enum wire_status
parse_header(const uint8_t *pkt, size_t len, struct dns_msg *msg)
{
	if (len < DNS_HEADER_SIZE)
		return WIRE_SHORT;
	msg->id = rd16(pkt);
	msg->flags = rd16(pkt + 2);
	msg->rcode = msg->flags & 0xf;
	msg->qdcount = rd16(pkt + 4);
	msg->qname[0] = 0;
	msg->qname_len = 0;
	msg->qtype = 0;
	msg->qclass = 0;
	msg->rr[0] = msg->rr[1] = msg->rr[2] = NULL;
	msg->count[0] = msg->count[1] = msg->count[2] = 0;
	memset(&msg->edns, 0, sizeof(msg->edns));
	msg->edns.ede = EDE_NONE;
	return WIRE_OK;
}

/* The question section; fills qname only when there is exactly one. */
static enum wire_status
parse_question(const uint8_t *pkt, size_t len, size_t *pos, struct dns_msg *msg)
{
	size_t p = *pos;
	unsigned i;
	int n;

	if ((size_t)msg->qdcount * 5 > len - p)
		return WIRE_MALFORMED;
	for (i = 0; i < msg->qdcount; i++) {
		if (msg->qdcount == 1) {
			n = dname_unpack(pkt, len, &p, msg->qname);
			if (n < 0)
				return WIRE_MALFORMED;
			msg->qname_len = (uint16_t)n;
		} else if (dname_skip(pkt, len, &p) < 0) {
			return WIRE_MALFORMED;
		}
		if (p + 4 > len)
			return WIRE_MALFORMED;
		if (msg->qdcount == 1) {
			msg->qtype = rd16(pkt + p);
			msg->qclass = rd16(pkt + p + 2);
		}
		p += 4;
	}
	*pos = p;
	return WIRE_OK;
}

/* The OPT record whose fixed part starts at rec (type field) and whose
 * RDATA is rdlen bytes at rd. Options point into the packet. */
static enum wire_status
parse_opt(const uint8_t *rec, const uint8_t *rd, uint16_t rdlen, struct dns_msg *msg)
{
	uint32_t ttl = rd32(rec + 4);
	size_t p = 0;
	uint16_t code, olen;

	if (msg->edns.present)
		return WIRE_MALFORMED;
	msg->edns.present = true;
	msg->edns.udp_size = rd16(rec + 2);
	msg->edns.ext_rcode = (uint8_t)(ttl >> 24);
	msg->edns.version = (uint8_t)(ttl >> 16);
	msg->edns.flags = (uint16_t)ttl;
	msg->rcode = (uint16_t)(msg->edns.ext_rcode << 4 | (msg->flags & 0xf));
	while (p < rdlen) {
		if (rdlen - p < 4)
			return WIRE_MALFORMED;
		code = rd16(rd + p);
		olen = rd16(rd + p + 2);
		p += 4;
		if (olen > rdlen - p)
			return WIRE_MALFORMED;
		if (code == EDNS_OPT_EDE && olen >= 2 && msg->edns.ede == EDE_NONE)
			msg->edns.ede = rd16(rd + p);
		p += olen;
	}
	msg->edns.opts_len = rdlen;
	msg->edns.opts = rdlen ? rd : NULL;
	return WIRE_OK;
}

/* Where one record's fixed fields and RDATA sit in the packet. */
struct rr_pos {
	size_t owner;           /* offset of the owner name */
	size_t fixed;           /* offset of the type field */
	size_t rdata;
	uint16_t type, rclass, rdlen;
};

/* Locate the next record and check that it lies inside the packet. The
 * owner is unpacked into owner when given (and checked either way). */
static enum wire_status
locate_rr(const uint8_t *pkt, size_t len, size_t *pos, uint8_t *owner, int *ownerlen,
    struct rr_pos *rp)
{
	uint8_t tmp[DNAME_MAX];
	size_t p = *pos;
	int n;

	rp->owner = p;
	n = dname_unpack(pkt, len, &p, owner ? owner : tmp);
	if (n < 0 || len - p < 10)
		return WIRE_MALFORMED;
	if (ownerlen)
		*ownerlen = n;
	rp->fixed = p;
	rp->type = rd16(pkt + p);
	rp->rclass = rd16(pkt + p + 2);
	rp->rdlen = rd16(pkt + p + 8);
	p += 10;
	if (rp->rdlen > len - p)
		return WIRE_MALFORMED;
	rp->rdata = p;
	*pos = p + rp->rdlen;
	return WIRE_OK;
}

static enum wire_status
check_opt_rr(const uint8_t *pkt, const struct rr_pos *rp, int sec, bool owner_root,
    struct dns_msg *msg)
{
	if (sec != SEC_ADDITIONAL || !owner_root)
		return WIRE_MALFORMED;
	return parse_opt(pkt + rp->fixed, pkt + rp->rdata, rp->rdlen, msg);
}

enum wire_status
msg_parse_query(const uint8_t *pkt, size_t len, struct dns_msg *msg)
{
	enum wire_status st;
	size_t pos = DNS_HEADER_SIZE;
	unsigned cnt[3], i;
	int sec;
	struct rr_pos rp;
	uint8_t owner[DNAME_MAX];

	if ((st = parse_header(pkt, len, msg)) != WIRE_OK)
		return st;
	if ((st = parse_question(pkt, len, &pos, msg)) != WIRE_OK)
		return st;
	cnt[0] = rd16(pkt + 6);
	cnt[1] = rd16(pkt + 8);
	cnt[2] = rd16(pkt + 10);
	if (cnt[0] + cnt[1] + cnt[2] == 0)
		return WIRE_OK;
	if ((size_t)(cnt[0] + cnt[1] + cnt[2]) * RR_MIN_SIZE > len - pos)
		return WIRE_MALFORMED;
	/* What every EDNS client sends: one OPT with the root as owner. */
	if (cnt[0] == 0 && cnt[1] == 0 && cnt[2] == 1 && pkt[pos] == 0 &&
	    rd16(pkt + pos + 1) == RR_TYPE_OPT) {
		rp.fixed = pos + 1;
		rp.rdlen = rd16(pkt + pos + 9);
		rp.rdata = pos + 11;
		if (rp.rdlen > len - rp.rdata)
			return WIRE_MALFORMED;
		return parse_opt(pkt + rp.fixed, pkt + rp.rdata, rp.rdlen, msg);
	}
	/* Anything else: walk the records without keeping them, so that a
	 * message is malformed here exactly when msg_parse says so. */
	for (sec = 0; sec < 3; sec++) {
		for (i = 0; i < cnt[sec]; i++) {
			int olen;

			if ((st = locate_rr(pkt, len, &pos, owner, &olen, &rp)) != WIRE_OK)
				return st;
			if (rp.type == RR_TYPE_OPT &&
			    (st = check_opt_rr(pkt, &rp, sec, olen == 1, msg)) != WIRE_OK)
				return st;
		}
	}
	return WIRE_OK;
}

/* Whether the name at p uses compression; other defects are left for
 * dname_unpack to find. */
static bool
name_has_pointer(const uint8_t *pkt, size_t end, size_t p)
{
	uint8_t c;

	while (p < end) {
		c = pkt[p];
		if ((c & 0xc0) == 0xc0)
			return true;
		if (c == 0 || (c & 0xc0))
			return false;
		p += (size_t)c + 1;
	}
	return false;
}

/* Decode the RDATA of one record per its layout into arena memory. */
static enum wire_status
parse_rdata(const uint8_t *pkt, const struct rr_pos *rp, const char *layout,
    struct arena *arena, struct dns_rr *rr)
{
	uint8_t names[RDATA_NAMES_MAX][DNAME_MAX];
	struct { const uint8_t *p; size_t n; } seg[8];
	size_t p = rp->rdata, end = rp->rdata + rp->rdlen, total = 0, fixed;
	int nseg = 0, nname = 0, n, i;
	const char *l;
	uint8_t *out;

	for (l = layout; *l; l++) {
		const uint8_t *start = pkt + p;

		switch (*l) {
		case 'N':
		case 'n':
			if (nname == RDATA_NAMES_MAX)
				return WIRE_MALFORMED;
			if (*l == 'n' && name_has_pointer(pkt, end, p))
				return WIRE_MALFORMED;
			n = dname_unpack(pkt, end, &p, names[nname]);
			if (n < 0)
				return WIRE_MALFORMED;
			seg[nseg].p = names[nname++];
			seg[nseg].n = (size_t)n;
			break;
		case 'S':
			if (p >= end || (size_t)pkt[p] + 1 > end - p)
				return WIRE_MALFORMED;
			seg[nseg].p = start;
			seg[nseg].n = (size_t)pkt[p] + 1;
			p += seg[nseg].n;
			break;
		case 'R':
			seg[nseg].p = start;
			seg[nseg].n = end - p;
			p = end;
			break;
		default:
			fixed = (size_t)(*l - '0');
			if (fixed > end - p)
				return WIRE_MALFORMED;
			seg[nseg].p = start;
			seg[nseg].n = fixed;
			p += fixed;
			break;
		}
		total += seg[nseg++].n;
	}
	if (p != end || total > UINT16_MAX)
		return WIRE_MALFORMED;
	out = arena_alloc(arena, total);
	if (out == NULL)
		return WIRE_MALFORMED;
	rr->rdata = out;
	rr->rdlen = (uint16_t)total;
	for (i = 0; i < nseg; i++) {
		memcpy(out, seg[i].p, seg[i].n);
		out += seg[i].n;
	}
	return WIRE_OK;
}

enum wire_status
msg_parse(const uint8_t *pkt, size_t len, struct dns_msg *msg, struct arena *arena)
{
	enum wire_status st;
	size_t pos = DNS_HEADER_SIZE;
	unsigned cnt[3], i;
	int sec, olen;
	struct rr_pos rp;
	struct dns_rr *rr;
	const uint8_t *prev_owner = NULL;
	const char *layout;
	uint8_t owner[DNAME_MAX];
	uint32_t ttl;

	if ((st = parse_header(pkt, len, msg)) != WIRE_OK)
		return st;
	if ((st = parse_question(pkt, len, &pos, msg)) != WIRE_OK)
		return st;
	cnt[0] = rd16(pkt + 6);
	cnt[1] = rd16(pkt + 8);
	cnt[2] = rd16(pkt + 10);
	/* Bounds the allocation below by the packet size. */
	if ((size_t)(cnt[0] + cnt[1] + cnt[2]) * RR_MIN_SIZE > len - pos)
		return WIRE_MALFORMED;
	for (sec = 0; sec < 3; sec++) {
		if (cnt[sec] == 0)
			continue;
		msg->rr[sec] = arena_alloc(arena, cnt[sec] * sizeof(struct dns_rr));
		if (msg->rr[sec] == NULL)
			return WIRE_MALFORMED;
		for (i = 0; i < cnt[sec]; i++) {
			if ((st = locate_rr(pkt, len, &pos, owner, &olen, &rp)) != WIRE_OK)
				return st;
			if (rp.type == RR_TYPE_OPT) {
				if ((st = check_opt_rr(pkt, &rp, sec, olen == 1, msg)) != WIRE_OK)
					return st;
				if (rp.rdlen > 0 && (msg->edns.opts =
				    arena_memdup(arena, pkt + rp.rdata, rp.rdlen)) == NULL)
					return WIRE_MALFORMED;
				continue;
			}
			rr = &msg->rr[sec][msg->count[sec]];
			/* Owners repeat (that is what compression is for), so
			 * share the copy when it is the same as the last. */
			if (prev_owner != NULL && dname_len(prev_owner) == (size_t)olen &&
			    memcmp(prev_owner, owner, (size_t)olen) == 0) {
				rr->owner = prev_owner;
			} else {
				rr->owner = arena_memdup(arena, owner, (size_t)olen);
				if (rr->owner == NULL)
					return WIRE_MALFORMED;
				prev_owner = rr->owner;
			}
			rr->type = rp.type;
			rr->rclass = rp.rclass;
			ttl = rd32(pkt + rp.fixed + 4);
			/* RFC 2181 section 8: a TTL with the top bit set is 0. */
			rr->ttl = ttl & 0x80000000u ? 0 : ttl;
			if (rp.rclass == RR_CLASS_IN &&
			    ((rp.type == RR_TYPE_A && rp.rdlen != 4) ||
			    (rp.type == RR_TYPE_AAAA && rp.rdlen != 16)))
				return WIRE_MALFORMED;
			layout = rr_rdata_layout(rp.type);
			if (layout != NULL) {
				if ((st = parse_rdata(pkt, &rp, layout, arena, rr)) != WIRE_OK)
					return st;
			} else if (rp.rdlen == 0) {
				rr->rdata = empty_rdata;
				rr->rdlen = 0;
			} else {
				rr->rdata = arena_memdup(arena, pkt + rp.rdata, rp.rdlen);
				if (rr->rdata == NULL)
					return WIRE_MALFORMED;
				rr->rdlen = rp.rdlen;
			}
			msg->count[sec]++;
		}
	}
	return WIRE_OK;
}

size_t
msg_question_end(const uint8_t *pkt, size_t len)
{
	size_t pos = DNS_HEADER_SIZE;
	unsigned i, qd;

	if (len < DNS_HEADER_SIZE)
		return 0;
	qd = rd16(pkt + 4);
	if (qd == 0)
		return 0;
	for (i = 0; i < qd; i++) {
		if (dname_skip(pkt, len, &pos) < 0 || len - pos < 4)
			return 0;
		pos += 4;
	}
	return pos;
}

/* Mark which bytes of an (uncompressed, parsed) rdata are inside names:
 * up to RDATA_NAMES_MAX ranges [from, to). Returns the number found; an
 * rdata that does not match its layout yields none. */
static int
rdata_name_ranges(const char *layout, const uint8_t *d, size_t len, size_t r[][2])
{
	size_t p = 0, start;
	int n = 0;

	for (; *layout; layout++) {
		switch (*layout) {
		case 'N':
		case 'n':
			start = p;
			while (p < len && d[p] != 0) {
				if (d[p] & 0xc0)
					return 0;
				p += d[p] + 1;
			}
			if (p >= len || n == RDATA_NAMES_MAX)
				return 0;
			p++;
			r[n][0] = start;
			r[n][1] = p;
			n++;
			break;
		case 'S':
			if (p >= len)
				return 0;
			p += (size_t)d[p] + 1;
			break;
		case 'R':
			p = len;
			break;
		default:
			p += (size_t)(*layout - '0');
			break;
		}
		if (p > len)
			return 0;
	}
	return n;
}

static inline uint8_t
lower_if(const size_t r[][2], int n, size_t i, uint8_t c)
{
	int k;

	for (k = 0; k < n; k++)
		if (i >= r[k][0] && i < r[k][1])
			return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
	return c;
}

int
rdata_canonical_cmp(uint16_t type, const uint8_t *a, uint16_t alen, const uint8_t *b, uint16_t blen)
{
	size_t ra[RDATA_NAMES_MAX][2], rb[RDATA_NAMES_MAX][2], i, n;
	int na = 0, nb = 0, d;
	const char *layout;
	uint8_t ca, cb;

	n = alen < blen ? alen : blen;
	if (rr_type_canonical_lower(type)) {
		layout = rr_rdata_layout(type);
		na = rdata_name_ranges(layout, a, alen, ra);
		nb = rdata_name_ranges(layout, b, blen, rb);
	}
	if (na == 0 && nb == 0) {
		d = n ? memcmp(a, b, n) : 0;
		if (d != 0)
			return d;
	} else {
		for (i = 0; i < n; i++) {
			ca = lower_if(ra, na, i, a[i]);
			cb = lower_if(rb, nb, i, b[i]);
			if (ca != cb)
				return (int)ca - (int)cb;
		}
	}
	return (int)alen - (int)blen;
}

const char *
rr_type_str(uint16_t type, char *buf)
{
	static const struct { uint16_t t; const char *s; } names[] = {
		{ RR_TYPE_A, "A" }, { RR_TYPE_NS, "NS" }, { RR_TYPE_CNAME, "CNAME" },
		{ RR_TYPE_SOA, "SOA" }, { RR_TYPE_PTR, "PTR" }, { RR_TYPE_HINFO, "HINFO" },
		{ RR_TYPE_MX, "MX" }, { RR_TYPE_TXT, "TXT" }, { RR_TYPE_AAAA, "AAAA" },
		{ RR_TYPE_SRV, "SRV" }, { RR_TYPE_NAPTR, "NAPTR" }, { RR_TYPE_DNAME, "DNAME" },
		{ RR_TYPE_OPT, "OPT" }, { RR_TYPE_DS, "DS" }, { RR_TYPE_RRSIG, "RRSIG" },
		{ RR_TYPE_NSEC, "NSEC" }, { RR_TYPE_DNSKEY, "DNSKEY" },
		{ RR_TYPE_NSEC3, "NSEC3" }, { RR_TYPE_NSEC3PARAM, "NSEC3PARAM" },
		{ RR_TYPE_SVCB, "SVCB" }, { RR_TYPE_HTTPS, "HTTPS" }, { 17, "RP" },
		{ 18, "AFSDB" }, { 44, "SSHFP" }, { 52, "TLSA" }, { 257, "CAA" },
		{ 99, "SPF" }, { 250, "TSIG" }, { RR_TYPE_IXFR, "IXFR" },
		{ RR_TYPE_AXFR, "AXFR" }, { RR_TYPE_ANY, "ANY" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == type)
			return names[i].s;
	snprintf(buf, 16, "TYPE%u", (unsigned)type);
	return buf;
}

const char *
rcode_str(uint16_t rcode)
{
	static const char *names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"
	};

	if (rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	if (rcode == RCODE_BADVERS)
		return "BADVERS";
	return "RCODE?";
}
