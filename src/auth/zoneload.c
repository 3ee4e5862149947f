/*
 * zoneload.c -- reading a zone file into the form authzone_answer uses,
 * and refusing files a server should not serve.
 *
 * ldns parses the file one record at a time, so every record keeps the
 * line it came from for the checks that can only run once the whole
 * zone is known (glue, DS placement, NSEC3 parameters). Records are then
 * sorted into canonical order once, grouped into RRsets with their
 * RRSIGs, and the names, with the empty non-terminals between them,
 * become the node array (see auth_int.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "auth/auth_int.h"
#include "dnssec/dnssec.h"
#include "util/wire.h"
#include "util/zonefile.h"

/* Records, names and sets are small; big blocks keep malloc calls few. */
#define AZ_ARENA_BLOCK (256 * 1024)
/* The file is read into memory whole; the root zone is about 2 MiB. */
#define AZ_MAX_FILE (512 << 20)

/* One record as read, before it joins an RRset. */
struct load_rr {
	const uint8_t *owner;       /* lower case, in the zone's arena */
	const uint8_t *rdata;
	uint32_t ttl;
	uint32_t line;
	uint16_t rdlen;
	uint16_t type;
	uint16_t covers;            /* RRSIG: the type covered; else type */
};

struct loader {
	struct authzone *z;
	const char *path;
	char *err;
	size_t errlen;
	struct load_rr *rr;
	size_t nrr, caprr;
	uint32_t *set_line;         /* line of each set's first record */
	ldns_buffer *buf;           /* while reading: one record's RDATA */
};

static int __attribute__((format(printf, 3, 4)))
fail(struct loader *ld, uint32_t line, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(ld->err, ld->errlen, "%s:%u: %s", ld->path, line, why);
	else
		snprintf(ld->err, ld->errlen, "%s: %s", ld->path, why);
	return -1;
}

static const char *
name_str(const uint8_t *name, char *buf)
{
	return dname_to_str(name, buf, DNAME_STR_MAX);
}

/* Length of the uncompressed name at the start of p (avail bytes), or
 * -1 if there is no valid one. */
static int
name_len_in(const uint8_t *p, size_t avail)
{
	size_t n = 0;

	while (n < avail && p[n] != 0) {
		if (p[n] & 0xc0)
			return -1;
		n += (size_t)p[n] + 1;
	}
	if (n >= avail || n + 1 > DNAME_MAX)
		return -1;
	return (int)n + 1;
}

static bool
is_meta_type(uint16_t type)
{
	return type == RR_TYPE_OPT || type == RR_TYPE_IXFR || type == RR_TYPE_AXFR ||
	    type == RR_TYPE_MAILA || type == RR_TYPE_MAILB || type == RR_TYPE_ANY;
}

static int
add_rr(struct loader *ld, const ldns_rr *rr, ldns_buffer *buf, uint32_t line)
{
	struct authzone *z = ld->z;
	const ldns_rdf *owner_rdf = ldns_rr_owner(rr);
	uint16_t type = (uint16_t)ldns_rr_get_type(rr);
	uint8_t owner[DNAME_MAX];
	char nbuf[DNAME_STR_MAX], zbuf[DNAME_STR_MAX], tbuf[16];
	static const uint8_t no_rdata[1];
	struct load_rr *r;
	const uint8_t *prev;
	size_t len;

	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return fail(ld, line, "class %u is not IN", (unsigned)ldns_rr_get_class(rr));
	if (owner_rdf == NULL || ldns_rdf_get_type(owner_rdf) != LDNS_RDF_TYPE_DNAME ||
	    name_len_in(ldns_rdf_data(owner_rdf), ldns_rdf_size(owner_rdf)) !=
	    (int)ldns_rdf_size(owner_rdf))
		return fail(ld, line, "bad owner name");
	dname_copy_lower(owner, ldns_rdf_data(owner_rdf));
	if (!dname_is_subdomain(owner, z->origin))
		return fail(ld, line, "%s is outside the zone %s", name_str(owner, nbuf),
		    name_str(z->origin, zbuf));
	if (owner[0] == 1 && owner[1] == '*')
		return fail(ld, line, "wildcard %s: wildcards are not supported",
		    name_str(owner, nbuf));
	if (type == RR_TYPE_DNAME)
		return fail(ld, line, "DNAME records are not supported");
	if (is_meta_type(type))
		return fail(ld, line, "type %s cannot be in a zone", rr_type_str(type, tbuf));
	if (type == RR_TYPE_SOA && !dname_equal(owner, z->origin))
		return fail(ld, line, "SOA record at %s, which is not the zone apex",
		    name_str(owner, nbuf));

	ldns_buffer_clear(buf);
	if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK ||
	    (len = ldns_buffer_position(buf)) > UINT16_MAX)
		return fail(ld, line, "cannot encode the record's data");
	if (type == RR_TYPE_RRSIG && (len < 19 || rd16(ldns_buffer_begin(buf)) == RR_TYPE_RRSIG))
		return fail(ld, line, "malformed RRSIG record");
	if ((type == RR_TYPE_NS || type == RR_TYPE_CNAME) &&
	    name_len_in(ldns_buffer_begin(buf), len) != (int)len)
		return fail(ld, line, "malformed %s record", rr_type_str(type, tbuf));

	if (ld->nrr >= AUTHZONE_MAX_RECORDS)
		return fail(ld, line, "more than %d records", AUTHZONE_MAX_RECORDS);
	if (ld->nrr == ld->caprr) {
		size_t ncap = ld->caprr ? ld->caprr * 2 : 1024;
		struct load_rr *n = reallocarray(ld->rr, ncap, sizeof(*n));

		if (n == NULL)
			return fail(ld, line, "out of memory");
		ld->rr = n;
		ld->caprr = ncap;
	}
	r = &ld->rr[ld->nrr];
	/* Zone files list a name's records together: share its copy. */
	prev = ld->nrr > 0 ? ld->rr[ld->nrr - 1].owner : NULL;
	if (prev != NULL && dname_equal(prev, owner))
		r->owner = prev;
	else if ((r->owner = arena_memdup(&z->arena, owner, dname_len(owner))) == NULL)
		return fail(ld, line, "out of memory");
	if (len == 0)
		r->rdata = no_rdata;
	else if ((r->rdata = arena_memdup(&z->arena, ldns_buffer_begin(buf), len)) == NULL)
		return fail(ld, line, "out of memory");
	r->rdlen = (uint16_t)len;
	r->ttl = ldns_rr_ttl(rr);
	r->line = line;
	r->type = type;
	r->covers = type == RR_TYPE_RRSIG ? rd16(r->rdata) : type;
	ld->nrr++;
	return 0;
}

static int
record_cb(void *arg, const ldns_rr *rr, uint32_t line)
{
	struct loader *ld = arg;

	return add_rr(ld, rr, ld->buf, line);
}

/* text is the whole file, read at once so that lines can be counted
 * where each record starts (util/zonefile.h). */
static int
read_records(struct loader *ld, char *text, size_t len)
{
	int rc = 0;

	if ((ld->buf = ldns_buffer_new(4096)) == NULL)
		return fail(ld, 0, "out of memory");
	if (zonefile_parse(ld->path, text, len, ld->z->origin, record_cb, ld,
	    ld->err, ld->errlen) < 0)
		rc = -1;
	else if (ld->nrr == 0)
		rc = fail(ld, 0, "no records");
	ldns_buffer_free(ld->buf);
	ld->buf = NULL;
	return rc;
}

/* Canonical order of owners, then type (an RRSIG goes with the type it
 * covers, after that type's records), then RDATA, so that equal
 * records end up next to each other. */
static int
rr_cmp(const void *va, const void *vb)
{
	const struct load_rr *a = va, *b = vb;
	int c;

	if (a->owner != b->owner && (c = dname_canonical_cmp(a->owner, b->owner)) != 0)
		return c;
	if (a->covers != b->covers)
		return a->covers < b->covers ? -1 : 1;
	if (a->type != b->type)
		return a->type == RR_TYPE_RRSIG ? 1 : -1;
	return rdata_canonical_cmp(a->type, a->rdata, a->rdlen, b->rdata, b->rdlen);
}

static bool
same_set(const struct load_rr *a, const struct load_rr *b)
{
	return a->covers == b->covers && (a->owner == b->owner || dname_equal(a->owner, b->owner));
}

/* Sort the records and group them into z->sets. */
static int
build_sets(struct loader *ld)
{
	struct authzone *z = ld->z;
	struct load_rr *r = ld->rr;
	size_t n = 0, i, j, k, data, nsets = 0;
	char nbuf[DNAME_STR_MAX], tbuf[16];

	qsort(r, ld->nrr, sizeof(*r), rr_cmp);
	/* Duplicates are one record (RFC 2181 section 5). */
	for (i = 0; i < ld->nrr; i++)
		if (n == 0 || rr_cmp(&r[n - 1], &r[i]) != 0)
			r[n++] = r[i];
	ld->nrr = n;
	for (i = 0; i < n; i++)
		if (i == 0 || !same_set(&r[i - 1], &r[i]))
			nsets++;
	z->sets = arena_zalloc(&z->arena, nsets * sizeof(*z->sets));
	ld->set_line = calloc(nsets, sizeof(*ld->set_line));
	if (z->sets == NULL || ld->set_line == NULL)
		return fail(ld, 0, "out of memory");

	for (i = 0; i < n; i = j) {
		struct rrset *rs = &z->sets[z->nsets];

		for (j = i + 1; j < n && same_set(&r[i], &r[j]); j++)
			;
		for (data = 0; i + data < j && r[i + data].type == r[i].covers; data++)
			;
		if (data == 0)
			return fail(ld, r[i].line, "RRSIG covering %s at %s, which has no such records",
			    rr_type_str(r[i].covers, tbuf), name_str(r[i].owner, nbuf));
		if (data > UINT16_MAX || j - i - data > UINT16_MAX)
			return fail(ld, r[i].line, "too many records in one RRset");
		if ((rs->rdata = arena_alloc(&z->arena, (j - i) * sizeof(*rs->rdata))) == NULL)
			return fail(ld, 0, "out of memory");
		rs->owner = r[i].owner;
		rs->type = r[i].covers;
		rs->rclass = RR_CLASS_IN;
		rs->ttl = r[i].ttl;
		rs->count = (uint16_t)data;
		rs->sigcount = (uint16_t)(j - i - data);
		rs->trust = TRUST_LOCAL;
		rs->security = SEC_UNCHECKED;
		for (k = i; k < j; k++) {
			rs->rdata[k - i].data = r[k].rdata;
			rs->rdata[k - i].len = r[k].rdlen;
			if (k < i + data && r[k].ttl < rs->ttl)
				rs->ttl = r[k].ttl;
		}
		ld->set_line[z->nsets++] = r[i].line;
	}
	return 0;
}

/* Number of names strictly between prev's closest common ancestor with
 * name and name itself: the empty non-terminals name brings along. In
 * canonical order a name's ancestors come before it and every subtree is
 * contiguous, so an ancestor of name that does not also enclose prev
 * cannot have appeared yet. */
static int
new_ancestors(const uint8_t *prev, const uint8_t *name)
{
	int common = dname_common_labels(prev, name);

	return dname_label_count(name) - 1 - common;
}

/* Turn the sets into nodes: one per owner, plus empty non-terminals.
 * NSEC3 owners are not nodes (see auth_int.h). */
static int
build_nodes(struct loader *ld)
{
	struct authzone *z = ld->z;
	const uint8_t *prev = NULL, *owner;
	size_t i, j, count = 0;
	uint32_t at = 0;
	int l, labels, add;

	for (i = 0; i < z->nsets; i = j) {
		owner = z->sets[i].owner;
		for (j = i + 1; j < z->nsets && z->sets[j].owner == owner; j++)
			;
		if (z->sets[i].type == RR_TYPE_NSEC3)
			continue;
		add = prev == NULL ? 0 : new_ancestors(prev, owner);
		count += 1 + (size_t)(add > 0 ? add : 0);
		if (count > AUTHZONE_MAX_NAMES)
			return fail(ld, 0, "more than %d names", AUTHZONE_MAX_NAMES);
		prev = owner;
	}
	if (count == 0 || (z->nodes = arena_zalloc(&z->arena, count * sizeof(*z->nodes))) == NULL)
		return fail(ld, 0, count == 0 ? "no SOA record at the apex" : "out of memory");

	prev = NULL;
	for (i = 0; i < z->nsets; i = j) {
		owner = z->sets[i].owner;
		for (j = i + 1; j < z->nsets && z->sets[j].owner == owner; j++)
			;
		if (z->sets[i].type == RR_TYPE_NSEC3)
			continue;
		if (j - i > UINT16_MAX)
			return fail(ld, ld->set_line[i], "too many types at one name");
		if (prev != NULL) {
			labels = dname_label_count(owner);
			for (l = dname_common_labels(prev, owner) + 1; l < labels; l++)
				z->nodes[at++].name = dname_remove_labels(owner, labels - l);
		}
		z->nodes[at].name = owner;
		z->nodes[at].sets = &z->sets[i];
		z->nodes[at].nsets = (uint16_t)(j - i);
		at++;
		prev = owner;
	}
	z->nnodes = at;
	return 0;
}

/* add_rr shares an owner's copy only between consecutive records; a
 * name that comes back later in the file got a copy of its own. Make
 * equal owners (now adjacent) share one pointer, so that grouping by
 * name can compare pointers. */
static void
unify_owners(struct authzone *z)
{
	size_t i;

	for (i = 1; i < z->nsets; i++)
		if (z->sets[i].owner != z->sets[i - 1].owner &&
		    dname_equal(z->sets[i].owner, z->sets[i - 1].owner))
			z->sets[i].owner = z->sets[i - 1].owner;
}

/* Mark delegations and what they occlude, and where the NSEC chain is. */
static void
mark_nodes(struct authzone *z)
{
	uint32_t i, cut = AZ_NO_NODE, nsec = AZ_NO_NODE;
	struct az_node *n;

	for (i = 0; i < z->nnodes; i++) {
		n = &z->nodes[i];
		if (cut != AZ_NO_NODE && dname_is_strict_subdomain(n->name, z->nodes[cut].name)) {
			n->flags |= AZ_OCCLUDED;
		} else {
			cut = AZ_NO_NODE;
			if (i > 0 && az_set(n, RR_TYPE_NS) != NULL) {
				n->flags |= AZ_CUT;
				cut = i;
			}
			if (az_set(n, RR_TYPE_NSEC) != NULL)
				nsec = i;
		}
		n->nsec = nsec;
	}
}

static uint32_t
line_of(const struct loader *ld, const struct rrset *rs)
{
	return ld->set_line[rs - ld->z->sets];
}

static int
check_soa(struct loader *ld, const struct stat *st, time_t now)
{
	struct authzone *z = ld->z;
	const struct rrset *soa = az_set(&z->nodes[0], RR_TYPE_SOA);
	const uint8_t *rd;
	uint32_t expire, minimum;
	char when[64];
	struct tm tm;
	int n1, n2;

	if (!dname_equal(z->nodes[0].name, z->origin) || soa == NULL)
		return fail(ld, 0, "no SOA record at the apex");
	if (soa->count > 1)
		return fail(ld, line_of(ld, soa), "more than one SOA record at the apex");
	if (az_set(&z->nodes[0], RR_TYPE_NS) == NULL)
		return fail(ld, 0, "no NS records at the apex");
	rd = soa->rdata[0].data;
	if ((n1 = name_len_in(rd, soa->rdata[0].len)) < 0 ||
	    (n2 = name_len_in(rd + n1, soa->rdata[0].len - (size_t)n1)) < 0 ||
	    (size_t)n1 + (size_t)n2 + 20 != soa->rdata[0].len)
		return fail(ld, line_of(ld, soa), "malformed SOA record");
	rd += n1 + n2;
	z->soa = soa;
	z->serial = rd32(rd);
	expire = rd32(rd + 12);
	minimum = rd32(rd + 16);
	z->neg_ttl = soa->ttl < minimum ? soa->ttl : minimum;
	z->expires = st->st_mtime + (time_t)expire;
	if (z->expires < now) {
		gmtime_r(&st->st_mtime, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		return fail(ld, 0, "zone copy is stale: last written %s, SOA expire %u s passed",
		    when, expire);
	}
	return 0;
}

static bool
has_address(const struct authzone *z, const uint8_t *name)
{
	uint32_t at = az_search(z, name, NULL);

	return at != AZ_NO_NODE && (az_set(&z->nodes[at], RR_TYPE_A) != NULL ||
	    az_set(&z->nodes[at], RR_TYPE_AAAA) != NULL);
}

/* The name servers of the apex or of the delegation at node `at` that
 * lie below it, or in the zone's own data, need addresses: otherwise
 * nobody can reach them (RFC 9471). Those below another delegation can
 * be looked up there. */
static int
check_ns_addresses(struct loader *ld, uint32_t at)
{
	struct authzone *z = ld->z;
	const struct rrset *ns = az_set(&z->nodes[at], RR_TYPE_NS);
	char nbuf[DNAME_STR_MAX], zbuf[DNAME_STR_MAX];
	const uint8_t *target;
	uint32_t where;
	uint16_t i;

	for (i = 0; i < ns->count; i++) {
		target = ns->rdata[i].data;
		if (!dname_is_subdomain(target, z->origin))
			continue;
		if (az_walk(z, target, true, &where) == AZ_REFERRAL && where != at)
			continue;
		if (!has_address(z, target))
			return fail(ld, line_of(ld, ns), "name server %s of %s has no A or AAAA record in the zone",
			    name_str(target, nbuf), name_str(z->nodes[at].name, zbuf));
	}
	return 0;
}

/* Per name: a CNAME stands alone (RFC 2181 section 10.1, RFC 4035
 * section 2.5 allows its RRSIG and NSEC), DS only at delegations, and
 * name servers reachable. */
static int
check_names(struct loader *ld)
{
	struct authzone *z = ld->z;
	const struct rrset *ds, *cname;
	char nbuf[DNAME_STR_MAX];
	uint32_t i;

	for (i = 0; i < z->nnodes; i++) {
		const struct az_node *n = &z->nodes[i];

		if ((cname = az_set(n, RR_TYPE_CNAME)) != NULL &&
		    n->nsets > (az_set(n, RR_TYPE_NSEC) != NULL ? 2 : 1))
			return fail(ld, line_of(ld, cname), "CNAME at %s alongside other data",
			    name_str(n->name, nbuf));
		if (!(n->flags & AZ_CUT) && (ds = az_set(n, RR_TYPE_DS)) != NULL)
			return fail(ld, line_of(ld, ds), "DS record at %s, which is not a delegation",
			    name_str(n->name, nbuf));
		if ((i == 0 || (n->flags & AZ_CUT)) && check_ns_addresses(ld, i) != 0)
			return -1;
	}
	return 0;
}

static int
nsec3_cmp(const void *a, const void *b)
{
	return memcmp(((const struct az_nsec3 *)a)->hash, ((const struct az_nsec3 *)b)->hash,
	    AZ_NSEC3_HASHLEN);
}

/* An NSEC3 zone: one parameter set for every record, from NSEC3PARAM,
 * and a sorted array of the records by hash. */
static int
load_nsec3(struct loader *ld, size_t count)
{
	struct authzone *z = ld->z;
	const struct rrset *param = az_set(&z->nodes[0], RR_TYPE_NSEC3PARAM), *rs;
	struct val_nsec3_params p;
	uint8_t h[NSEC3_HASH_MAX];
	char nbuf[DNAME_STR_MAX];
	const uint8_t *rd;
	size_t i;

	if (param == NULL)
		return fail(ld, 0, "NSEC3 records but no NSEC3PARAM at the apex");
	rd = param->rdata[0].data;
	if (param->count > 1)
		return fail(ld, line_of(ld, param), "more than one NSEC3PARAM record is not supported");
	if (param->rdata[0].len < 5 || param->rdata[0].len != 5 + rd[4])
		return fail(ld, line_of(ld, param), "malformed NSEC3PARAM record");
	if (rd[0] != NSEC3_HASH_SHA1)
		return fail(ld, line_of(ld, param), "NSEC3 hash algorithm %u is not supported", rd[0]);
	z->n3_alg = rd[0];
	z->n3_iterations = rd16(rd + 2);
	z->n3_saltlen = rd[4];
	memcpy(z->n3_salt, rd + 5, rd[4]);
	if (z->n3_iterations > VAL_NSEC3_MAX_ITERATIONS)
		return fail(ld, line_of(ld, param),
		    "%u NSEC3 iterations: more than %d are not supported (RFC 9276)",
		    z->n3_iterations, VAL_NSEC3_MAX_ITERATIONS);

	if ((z->nsec3 = arena_alloc(&z->arena, count * sizeof(*z->nsec3))) == NULL)
		return fail(ld, 0, "out of memory");
	for (i = 0; i < z->nsets; i++) {
		rs = &z->sets[i];
		if (rs->type != RR_TYPE_NSEC3)
			continue;
		if (dname_label_count(rs->owner) != z->origin_labels + 1 ||
		    val_nsec3_owner_hash(rs->owner, h) != AZ_NSEC3_HASHLEN)
			return fail(ld, line_of(ld, rs), "NSEC3 owner %s is not a hash directly below the apex",
			    name_str(rs->owner, nbuf));
		if ((i > 0 && rs[-1].owner == rs->owner) ||
		    (i + 1 < z->nsets && rs[1].owner == rs->owner))
			return fail(ld, line_of(ld, rs), "NSEC3 owner %s has other records too",
			    name_str(rs->owner, nbuf));
		if (rs->count > 1)
			return fail(ld, line_of(ld, rs), "more than one NSEC3 record at %s",
			    name_str(rs->owner, nbuf));
		if (!val_nsec3_parse(rs->rdata[0].data, rs->rdata[0].len, &p) ||
		    p.hashlen != AZ_NSEC3_HASHLEN || (p.flags & ~NSEC3_FLAG_OPTOUT) != 0)
			return fail(ld, line_of(ld, rs), "malformed NSEC3 record");
		if (p.alg != z->n3_alg || p.iterations != z->n3_iterations ||
		    p.saltlen != z->n3_saltlen || memcmp(p.salt, z->n3_salt, p.saltlen) != 0)
			return fail(ld, line_of(ld, rs), "NSEC3 record with parameters other than the NSEC3PARAM's");
		memcpy(z->nsec3[z->nnsec3].hash, h, AZ_NSEC3_HASHLEN);
		z->nsec3[z->nnsec3].set = rs;
		z->nnsec3++;
	}
	qsort(z->nsec3, z->nnsec3, sizeof(*z->nsec3), nsec3_cmp);
	return 0;
}

static int
check_denial(struct loader *ld)
{
	struct authzone *z = ld->z;
	size_t i, nsec = 0, nsec3 = 0;
	const struct rrset *param = az_set(&z->nodes[0], RR_TYPE_NSEC3PARAM);

	for (i = 0; i < z->nsets; i++) {
		if (z->sets[i].type == RR_TYPE_NSEC)
			nsec++;
		else if (z->sets[i].type == RR_TYPE_NSEC3)
			nsec3++;
	}
	if (nsec > 0 && nsec3 > 0)
		return fail(ld, 0, "both NSEC and NSEC3 records: a zone uses one or the other");
	if (nsec3 == 0 && param != NULL)
		return fail(ld, line_of(ld, param), "NSEC3PARAM but no NSEC3 records");
	return nsec3 > 0 ? load_nsec3(ld, nsec3) : 0;
}

struct authzone *
authzone_load(const char *path, const uint8_t *origin, time_t now, char *err, size_t errlen)
{
	struct loader ld;
	struct stat st;
	char *text;
	size_t len;
	int rc;

	memset(&ld, 0, sizeof(ld));
	ld.path = path;
	ld.err = err;
	ld.errlen = errlen;
	if (zonefile_read(path, AZ_MAX_FILE, &text, &len, &st, err, errlen) != 0)
		return NULL;
	if ((ld.z = calloc(1, sizeof(*ld.z))) == NULL) {
		free(text);
		fail(&ld, 0, "out of memory");
		return NULL;
	}
	arena_init(&ld.z->arena, AZ_ARENA_BLOCK);
	dname_copy_lower(ld.z->origin, origin);
	ld.z->origin_labels = dname_label_count(origin);

	rc = len == 0 ? fail(&ld, 0, "no records") : read_records(&ld, text, len);
	free(text);
	if (rc == 0)
		rc = build_sets(&ld);
	free(ld.rr);
	if (rc == 0) {
		unify_owners(ld.z);
		rc = build_nodes(&ld);
	}
	if (rc == 0) {
		mark_nodes(ld.z);
		rc = check_soa(&ld, &st, now);
	}
	if (rc == 0)
		rc = check_names(&ld);
	if (rc == 0)
		rc = check_denial(&ld);
	free(ld.set_line);
	if (rc != 0) {
		authzone_free(ld.z);
		return NULL;
	}
	return ld.z;
}
