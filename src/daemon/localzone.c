/*
 * localzone.c -- the local-zone / local-data table and its answers.
 *
 * Names are kept lower-cased in one open-addressing hash table; a lookup
 * walks the question's name up towards the root, so its cost depends on
 * the number of labels, not on how many entries there are (blocklists of
 * a hundred thousand names are common). Before that walk, the question's
 * top-level label is compared with those the table has (up to 16 kept one
 * by one, more in a bitmap of their hashes): with only the built-in
 * zones, a question outside .arpa, .localhost, .test, .onion and .invalid
 * costs one pass over its labels and five comparisons of label lengths.
 */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldns/ldns.h>

#include "daemon/localzone.h"
#include "util/msgbuild.h"
#include "util/rand.h"
#include "util/wire.h"

enum lz_type {
	LZ_NONE = -1, LZ_TRANSPARENT, LZ_TYPETRANSPARENT, LZ_STATIC, LZ_DENY,
	LZ_REFUSE, LZ_REDIRECT, LZ_ALWAYS_NXDOMAIN, LZ_ALWAYS_REFUSE, LZ_ALWAYS_DENY
};

/* Top-level labels listed one by one before a table falls back to a
 * bitmap; the built-in zones have five. */
#define TLDS_MAX 16

/* TTL of the built-in zones' records, as in RFC 6303 section 3. */
#define BUILTIN_TTL 10800

static const char *const lz_type_names[] = {
	"transparent", "typetransparent", "static", "deny", "refuse", "redirect",
	"always_nxdomain", "always_refuse", "always_deny"
};

struct lz_rrset {
	struct lz_rrset *next;
	uint16_t type;
	uint32_t ttl;
	int count;
	struct rdata *rd;
};

struct lz_node {
	uint8_t name[DNAME_MAX];    /* lower case */
	int type;                   /* enum lz_type, LZ_NONE if no zone here */
	int zone_line;
	bool implicit;              /* made for local-data or a stub/forward zone */
	bool builtin;               /* from localzone_defaults.c */
	bool nodefault;             /* "local-zone: NAME nodefault" */
	struct lz_rrset *sets;
};

struct local_zones {
	struct lz_node *nodes;
	int nnodes, cap;
	uint32_t *index;            /* node number + 1, 0 = empty */
	uint32_t index_size;        /* power of two */
	uint32_t seed;
	int nrrsets;
	/* The top-level labels that have a zone or data: up to TLDS_MAX
	 * listed (lower case, length byte first), more in a bitmap of their
	 * hashes (ntlds -1); whole_tree when the root has one. */
	uint8_t tlds[TLDS_MAX][64];
	int ntlds;
	uint64_t tld_bits[4];
	bool whole_tree;
};

static uint32_t
lz_slot(const struct local_zones *lz, const uint8_t *name)
{
	return dname_hash(name, lz->seed) & (lz->index_size - 1);
}

static struct lz_node *
lz_find(const struct local_zones *lz, const uint8_t *name)
{
	uint32_t i;

	if (lz->index_size == 0)
		return NULL;
	for (i = lz_slot(lz, name); lz->index[i] != 0; i = (i + 1) & (lz->index_size - 1)) {
		struct lz_node *n = &lz->nodes[lz->index[i] - 1];
		if (dname_equal(n->name, name))
			return n;
	}
	return NULL;
}

static int
lz_reindex(struct local_zones *lz, uint32_t size)
{
	uint32_t *idx = calloc(size, sizeof(*idx));
	int k;

	if (idx == NULL)
		return -1;
	free(lz->index);
	lz->index = idx;
	lz->index_size = size;
	for (k = 0; k < lz->nnodes; k++) {
		uint32_t i = lz_slot(lz, lz->nodes[k].name);
		while (idx[i] != 0)
			i = (i + 1) & (size - 1);
		idx[i] = (uint32_t)k + 1;
	}
	return 0;
}

static struct lz_node *
lz_get(struct local_zones *lz, const uint8_t *name)
{
	struct lz_node *n = lz_find(lz, name);

	if (n != NULL)
		return n;
	if (lz->nnodes == lz->cap) {
		int ncap = lz->cap ? lz->cap * 2 : 16;
		struct lz_node *nn = realloc(lz->nodes, sizeof(*nn) * (size_t)ncap);
		if (nn == NULL)
			return NULL;
		lz->nodes = nn;
		lz->cap = ncap;
	}
	n = &lz->nodes[lz->nnodes++];
	memset(n, 0, sizeof(*n));
	dname_copy_lower(n->name, name);
	n->type = LZ_NONE;
	/* keep the table at most half full */
	if ((uint32_t)lz->nnodes * 2 > lz->index_size) {
		if (lz_reindex(lz, lz->index_size ? lz->index_size * 2 : 64) != 0) {
			lz->nnodes--;
			return NULL;
		}
	} else {
		uint32_t i = lz_slot(lz, n->name);
		while (lz->index[i] != 0)
			i = (i + 1) & (lz->index_size - 1);
		lz->index[i] = (uint32_t)lz->nnodes;
	}
	return n;
}

static int
lz_err(char *err, size_t errlen, const char *file, int line, const char *fmt, const char *arg)
{
	char msg[2048];

	snprintf(msg, sizeof(msg), fmt, arg);
	snprintf(err, errlen, "%s:%d: %s", file, line, msg);
	return -1;
}

static int
type_by_name(const char *name)
{
	int t;

	for (t = 0; t < (int)(sizeof(lz_type_names) / sizeof(lz_type_names[0])); t++)
		if (strcasecmp(name, lz_type_names[t]) == 0)
			return t;
	return LZ_NONE;
}

static int
add_zone(struct local_zones *lz, const char *text, const char *file, int line, char *err, size_t errlen)
{
	char name[DNAME_STR_MAX], type[64];
	uint8_t wire[DNAME_MAX];
	struct lz_node *n;
	int t;

	if (sscanf(text, "%1023s %63s", name, type) != 2)
		return lz_err(err, errlen, file, line, "local-zone needs \"NAME TYPE\", got '%s'", text);
	if (dname_from_str(name, wire) < 0)
		return lz_err(err, errlen, file, line, "local-zone: bad name '%s'", name);
	if (strcasecmp(type, "nodefault") == 0) {
		/* only stops a built-in zone of this very name */
		if ((n = lz_get(lz, wire)) == NULL)
			return lz_err(err, errlen, file, line, "%s", "out of memory");
		n->nodefault = true;
		return 0;
	}
	if ((t = type_by_name(type)) == LZ_NONE)
		return lz_err(err, errlen, file, line, "local-zone: unknown type '%s' (transparent, "
		    "typetransparent, static, deny, refuse, redirect, always_nxdomain, always_refuse, always_deny, "
		    "nodefault)", type);
	n = lz_get(lz, wire);
	if (n == NULL)
		return lz_err(err, errlen, file, line, "%s", "out of memory");
	if (n->type != LZ_NONE)
		return lz_err(err, errlen, file, line, "local-zone '%s' given twice", name);
	n->type = t;
	n->zone_line = line;
	return 0;
}

static int
add_rr(struct local_zones *lz, const uint8_t *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, size_t rdlen)
{
	struct lz_node *n = lz_get(lz, owner);
	struct lz_rrset *s;
	struct rdata *rd;
	uint8_t *copy;
	int i;

	if (n == NULL)
		return -1;
	for (s = n->sets; s != NULL; s = s->next)
		if (s->type == type)
			break;
	if (s == NULL) {
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			return -1;
		s->type = type;
		s->ttl = ttl;
		s->next = n->sets;
		n->sets = s;
		lz->nrrsets++;
	}
	for (i = 0; i < s->count; i++)
		if (s->rd[i].len == rdlen && memcmp(s->rd[i].data, rdata, rdlen) == 0)
			return 0;       /* the same record twice: once, as Unbound */
	rd = realloc(s->rd, sizeof(*rd) * (size_t)(s->count + 1));
	copy = malloc(rdlen ? rdlen : 1);
	if (rd == NULL || copy == NULL) {
		free(copy);
		if (rd != NULL)
			s->rd = rd;
		return -1;
	}
	memcpy(copy, rdata, rdlen);
	s->rd = rd;
	s->rd[s->count].len = (uint16_t)rdlen;
	s->rd[s->count].data = copy;
	s->count++;
	if (ttl < s->ttl)
		s->ttl = ttl;
	return 0;
}

static int
add_data(struct local_zones *lz, const char *text, const char *file, int line, char *err, size_t errlen)
{
	ldns_rr *rr = NULL;
	ldns_status st = ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL);
	uint8_t owner[DNAME_MAX], rdata[65535];
	size_t rdlen = 0, i;
	int rc = 0;

	if (st != LDNS_STATUS_OK)
		return lz_err(err, errlen, file, line, "local-data: %s", ldns_get_errorstr_by_id(st));
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
	    ldns_rdf_size(ldns_rr_owner(rr)) > DNAME_MAX) {
		ldns_rr_free(rr);
		return lz_err(err, errlen, file, line, "local-data: only class IN records: '%s'", text);
	}
	memcpy(owner, ldns_rdf_data(ldns_rr_owner(rr)), ldns_rdf_size(ldns_rr_owner(rr)));
	/* ldns keeps each field in wire form with names uncompressed,
	 * which is exactly our RDATA form. */
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		ldns_rdf *f = ldns_rr_rdf(rr, i);
		if (rdlen + ldns_rdf_size(f) > sizeof(rdata)) {
			rc = -1;
			break;
		}
		memcpy(rdata + rdlen, ldns_rdf_data(f), ldns_rdf_size(f));
		rdlen += ldns_rdf_size(f);
	}
	if (rc == 0)
		rc = add_rr(lz, owner, (uint16_t)ldns_rr_get_type(rr), ldns_rr_ttl(rr), rdata, rdlen);
	ldns_rr_free(rr);
	if (rc != 0)
		return lz_err(err, errlen, file, line, "local-data: record too large or out of memory: '%s'", text);
	return 0;
}

/* "192.0.2.1 name" -> PTR at 1.2.0.192.in-addr.arpa. */
static int
add_data_ptr(struct local_zones *lz, const char *text, const char *file, int line, char *err, size_t errlen)
{
	char addr[128], name[DNAME_STR_MAX], rev[256];
	uint8_t ip[16], owner[DNAME_MAX], target[DNAME_MAX];
	int n, i, tlen;

	if (sscanf(text, "%127s %1023s", addr, name) != 2)
		return lz_err(err, errlen, file, line, "local-data-ptr needs \"ADDRESS NAME\", got '%s'", text);
	if ((tlen = dname_from_str(name, target)) < 0)
		return lz_err(err, errlen, file, line, "local-data-ptr: bad name '%s'", name);
	if (inet_pton(AF_INET, addr, ip) == 1) {
		snprintf(rev, sizeof(rev), "%u.%u.%u.%u.in-addr.arpa", ip[3], ip[2], ip[1], ip[0]);
	} else if (inet_pton(AF_INET6, addr, ip) == 1) {
		for (i = 15, n = 0; i >= 0; i--)
			n += snprintf(rev + n, sizeof(rev) - (size_t)n, "%x.%x.", ip[i] & 0xf, ip[i] >> 4);
		snprintf(rev + n, sizeof(rev) - (size_t)n, "ip6.arpa");
	} else
		return lz_err(err, errlen, file, line, "local-data-ptr: bad address '%s'", addr);
	dname_from_str(rev, owner);
	if (add_rr(lz, owner, RR_TYPE_PTR, 3600, target, (size_t)tlen) != 0)
		return lz_err(err, errlen, file, line, "%s", "out of memory");
	return 0;
}

static struct lz_node *
enclosing_zone(const struct local_zones *lz, const uint8_t *name)
{
	int labels = dname_label_count(name), l;

	for (l = labels; l >= 0; l--) {
		struct lz_node *n = lz_find(lz, dname_suffix_labels(name, l));
		if (n != NULL && n->type != LZ_NONE)
			return n;
	}
	return NULL;
}

static bool
is_served(const struct localzone_setup *setup, const uint8_t *name)
{
	int i;

	for (i = 0; setup != NULL && i < setup->nserved; i++)
		if (dname_equal(setup->served[i], name))
			return true;
	return false;
}

/* One built-in zone with its SOA, NS and loopback data. */
static int
add_builtin(struct local_zones *lz, const struct localzone_builtin *b)
{
	static const uint8_t nobody_invalid[] = "\006nobody\007invalid";
	static const uint8_t soa_numbers[20] = {
		0, 0, 0, 1,  0, 0, 0x0e, 0x10,  0, 0, 0x04, 0xb0,
		0, 0x09, 0x3a, 0x80,  0, 0, 0x2a, 0x30 };   /* 1 3600 1200 604800 10800 */
	static const uint8_t localhost[] = "\011localhost";
	static const uint8_t loopback6[16] = { [15] = 1 };
	uint8_t soa[2 * DNAME_MAX + sizeof(soa_numbers)];
	size_t nlen = dname_len(b->name), p;
	struct lz_node *n = lz_get(lz, b->name);

	if (n == NULL)
		return -1;
	n->type = type_by_name(b->type);
	n->builtin = true;
	memcpy(soa, b->name, nlen);
	memcpy(soa + nlen, nobody_invalid, sizeof(nobody_invalid));
	p = nlen + sizeof(nobody_invalid);
	memcpy(soa + p, soa_numbers, sizeof(soa_numbers));
	p += sizeof(soa_numbers);
	if (add_rr(lz, b->name, RR_TYPE_SOA, BUILTIN_TTL, soa, p) != 0 ||
	    add_rr(lz, b->name, RR_TYPE_NS, BUILTIN_TTL, b->name, nlen) != 0)
		return -1;
	if (b->address && (add_rr(lz, b->name, RR_TYPE_A, BUILTIN_TTL, (const uint8_t *)"\177\0\0\1", 4) != 0 ||
	    add_rr(lz, b->name, RR_TYPE_AAAA, BUILTIN_TTL, loopback6, sizeof(loopback6)) != 0))
		return -1;
	if (b->ptr[0] != 0 &&
	    add_rr(lz, b->ptr, RR_TYPE_PTR, BUILTIN_TTL, localhost, sizeof(localhost)) != 0)
		return -1;
	return 0;
}

/* The built-in zones the configuration leaves in place; then a transparent
 * zone at each stub or forward zone below one of them, so that its
 * servers are asked. */
static int
add_builtins(struct local_zones *lz, const struct localzone_setup *setup)
{
	struct localzone_builtin b;
	const struct lz_node *n;
	int i;

	for (i = 0; localzone_builtin(i, &b); i++) {
		n = lz_find(lz, b.name);
		if ((n != NULL && (n->type != LZ_NONE || n->nodefault)) ||
		    (b.lan && setup != NULL && setup->unblock_lan_zones) || is_served(setup, b.name))
			continue;
		if (add_builtin(lz, &b) != 0)
			return -1;
	}
	for (i = 0; setup != NULL && i < setup->nserved; i++) {
		struct lz_node *s;
		n = enclosing_zone(lz, setup->served[i]);
		if (n == NULL || !n->builtin || dname_equal(n->name, setup->served[i]))
			continue;
		if ((s = lz_get(lz, setup->served[i])) == NULL)
			return -1;
		s->type = LZ_TRANSPARENT;
		s->implicit = true;
	}
	return 0;
}

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c;
}

/* FNV-1a of a label, case-insensitive, 0..255. */
static unsigned
tld_bit(const uint8_t *label)
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i <= label[0]; i++)
		h = (h ^ lower(label[i])) * 16777619u;
	return (h ^ (h >> 16)) & 255u;
}

static bool
tld_listed(const struct local_zones *lz, const uint8_t *label)
{
	int i, j;

	for (i = 0; i < lz->ntlds; i++) {
		if (lz->tlds[i][0] != label[0])
			continue;
		for (j = 1; j <= label[0] && lz->tlds[i][j] == lower(label[j]); j++)
			;
		if (j > label[0])
			return true;
	}
	return false;
}

static const uint8_t *
last_label(const uint8_t *name)
{
	const uint8_t *last = NULL;

	for (; *name != 0; name += *name + 1)
		last = name;
	return last;
}

static void
build_filter(struct local_zones *lz)
{
	int i;

	for (i = 0; i < lz->nnodes; i++) {
		const struct lz_node *n = &lz->nodes[i];
		const uint8_t *tld = last_label(n->name);
		unsigned b;

		if (n->type == LZ_NONE && n->sets == NULL)
			continue;               /* a nodefault mark */
		if (tld == NULL) {
			lz->whole_tree = true;
			continue;
		}
		b = tld_bit(tld);
		lz->tld_bits[b >> 6] |= (uint64_t)1 << (b & 63);
		if (lz->ntlds < 0 || tld_listed(lz, tld))
			continue;
		if (lz->ntlds == TLDS_MAX)
			lz->ntlds = -1;
		else
			memcpy(lz->tlds[lz->ntlds++], tld, (size_t)tld[0] + 1);   /* names are lower case */
	}
}

/* False when no zone or data can be at or above qname's TLD. */
static bool
may_hold(const struct local_zones *lz, const uint8_t *qname)
{
	const uint8_t *tld;
	unsigned b;

	if (lz->whole_tree)
		return true;
	if ((tld = last_label(qname)) == NULL)
		return false;
	if (lz->ntlds >= 0)
		return tld_listed(lz, tld);
	b = tld_bit(tld);
	return (lz->tld_bits[b >> 6] >> (b & 63)) & 1;
}

struct local_zones *
localzone_create(const struct local_line *lines, int n, const struct localzone_setup *setup,
    const char *file, char *err, size_t errlen)
{
	struct local_zones *lz = calloc(1, sizeof(*lz));
	int i, rc = 0;

	if (lz == NULL) {
		snprintf(err, errlen, "%s: out of memory", file);
		return NULL;
	}
	lz->seed = rand_u32();
	/* zones first, so data lines can be checked against them; then the
	 * built-in zones the configuration does not replace, so that data
	 * below them (a host in home.arpa) joins them, as in Unbound */
	for (i = 0; i < n && rc == 0; i++)
		if (lines[i].kind == LOCAL_ZONE_LINE)
			rc = add_zone(lz, lines[i].text, file, lines[i].line, err, errlen);
	if (rc == 0 && add_builtins(lz, setup) != 0) {
		snprintf(err, errlen, "%s: out of memory for the built-in local zones", file);
		rc = -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (lines[i].kind == LOCAL_DATA_LINE)
			rc = add_data(lz, lines[i].text, file, lines[i].line, err, errlen);
		else if (lines[i].kind == LOCAL_DATA_PTR_LINE)
			rc = add_data_ptr(lz, lines[i].text, file, lines[i].line, err, errlen);
	}
	if (rc != 0) {
		localzone_free(lz);
		return NULL;
	}
	for (i = 0; i < lz->nnodes; i++) {
		struct lz_node *node = &lz->nodes[i];
		if (node->sets != NULL && enclosing_zone(lz, node->name) == NULL) {
			node->type = LZ_TRANSPARENT;
			node->implicit = true;
		}
	}
	build_filter(lz);
	return lz;
}

void
localzone_free(struct local_zones *lz)
{
	int i, j;

	if (lz == NULL)
		return;
	for (i = 0; i < lz->nnodes; i++) {
		struct lz_rrset *s = lz->nodes[i].sets, *next;
		for (; s != NULL; s = next) {
			next = s->next;
			for (j = 0; j < s->count; j++)
				free((void *)s->rd[j].data);
			free(s->rd);
			free(s);
		}
	}
	free(lz->nodes);
	free(lz->index);
	free(lz);
}

void
localzone_counts(const struct local_zones *lz, int *zones, int *builtin, int *rrsets)
{
	int i, z = 0, b = 0;

	for (i = 0; lz != NULL && i < lz->nnodes; i++) {
		if (lz->nodes[i].type == LZ_NONE || lz->nodes[i].implicit)
			continue;
		if (lz->nodes[i].builtin)
			b++;
		else
			z++;
	}
	*zones = z;
	*builtin = b;
	*rrsets = lz != NULL ? lz->nrrsets : 0;
}

static int
cmp_nodes(const void *a, const void *b)
{
	const struct lz_node *const *x = a, *const *y = b;

	return dname_canonical_cmp((*x)->name, (*y)->name);
}

int
localzone_print(const struct local_zones *lz, FILE *out)
{
	const struct lz_node **v;
	char name[DNAME_STR_MAX];
	int i, n = 0;

	if (lz == NULL)
		return 0;
	if ((v = calloc((size_t)lz->nnodes + 1, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < lz->nnodes; i++)
		if (lz->nodes[i].type != LZ_NONE)
			v[n++] = &lz->nodes[i];
	qsort(v, (size_t)n, sizeof(*v), cmp_nodes);
	for (i = 0; i < n; i++)
		fprintf(out, "%s %s%s\n", dname_to_str(v[i]->name, name, sizeof(name)),
		    lz_type_names[v[i]->type], v[i]->builtin ? " built-in" :
		    v[i]->implicit ? " implicit" : "");
	free(v);
	return 0;
}

static const struct lz_rrset *
node_set(const struct lz_node *n, uint16_t type)
{
	const struct lz_rrset *s;

	for (s = n != NULL ? n->sets : NULL; s != NULL; s = s->next)
		if (s->type == type)
			return s;
	return NULL;
}

static size_t
build(uint8_t *out, size_t cap, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
    bool aa, uint16_t rcode, const uint8_t *owner, const struct lz_rrset *ans,
    const uint8_t *soa_owner, const struct lz_rrset *soa)
{
	struct msg_builder b;
	struct rrset rs;

	mb_init(&b, out, cap);
	mb_header(&b, 0, FLAG_QR | FLAG_RA | (aa ? FLAG_AA : 0), rcode);
	mb_question(&b, qname, qtype, qclass);
	if (ans != NULL) {
		memset(&rs, 0, sizeof(rs));
		rs.owner = owner;
		rs.type = ans->type;
		rs.rclass = RR_CLASS_IN;
		rs.ttl = ans->ttl;
		rs.count = (uint16_t)ans->count;
		rs.rdata = ans->rd;
		mb_rrset(&b, SEC_ANSWER, &rs, false);
	}
	if (soa != NULL) {
		memset(&rs, 0, sizeof(rs));
		rs.owner = soa_owner;
		rs.type = RR_TYPE_SOA;
		rs.rclass = RR_CLASS_IN;
		rs.ttl = soa->ttl;
		rs.count = 1;
		rs.rdata = soa->rd;
		mb_rrset(&b, SEC_AUTHORITY, &rs, false);
	}
	return mb_finish(&b);
}

enum local_verdict
localzone_answer(const struct local_zones *lz, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, uint8_t *out, size_t cap, size_t *outlen)
{
	const struct lz_node *zone, *node;
	const struct lz_rrset *s = NULL;
	bool aa;

	if (lz == NULL || qclass != RR_CLASS_IN || !may_hold(lz, qname))
		return LOCAL_PASS;
	/* the DS of a zone's apex is the parent's */
	zone = enclosing_zone(lz, qtype == RR_TYPE_DS && qname[0] != 0 ?
	    dname_remove_labels(qname, 1) : qname);
	if (zone == NULL)
		return LOCAL_PASS;
	aa = !zone->implicit;
	node = lz_find(lz, qname);
	switch (zone->type) {
	case LZ_ALWAYS_DENY:
		return LOCAL_DROP;
	case LZ_ALWAYS_REFUSE:
		return LOCAL_REFUSE;
	case LZ_ALWAYS_NXDOMAIN:
		*outlen = build(out, cap, qname, qtype, qclass, true, RCODE_NXDOMAIN, NULL, NULL,
		    zone->name, node_set(zone, RR_TYPE_SOA));
		return LOCAL_ANSWER;
	case LZ_REDIRECT:
		node = zone;
		break;
	default:
		break;
	}
	if (node != NULL) {
		s = node_set(node, qtype);
		if (s == NULL && qtype != RR_TYPE_CNAME)
			s = node_set(node, RR_TYPE_CNAME);
		if (s != NULL) {
			*outlen = build(out, cap, qname, qtype, qclass, aa, RCODE_NOERROR, qname, s, NULL, NULL);
			return LOCAL_ANSWER;
		}
	}
	switch (zone->type) {
	case LZ_DENY:
		return LOCAL_DROP;
	case LZ_REFUSE:
		return LOCAL_REFUSE;
	case LZ_TYPETRANSPARENT:
		return LOCAL_PASS;
	case LZ_TRANSPARENT:
		if (node == NULL || node->sets == NULL)
			return LOCAL_PASS;
		/* the name is ours but not this type: NODATA */
		*outlen = build(out, cap, qname, qtype, qclass, aa, RCODE_NOERROR, NULL, NULL, NULL, NULL);
		return LOCAL_ANSWER;
	default:          /* static, redirect without data */
		*outlen = build(out, cap, qname, qtype, qclass, true,
		    node != NULL && node->sets != NULL ? RCODE_NOERROR : RCODE_NXDOMAIN,
		    NULL, NULL, zone->name, node_set(zone, RR_TYPE_SOA));
		return LOCAL_ANSWER;
	}
}
