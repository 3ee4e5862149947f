/*
 * dnssec_util.c -- see dnssec_util.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnssec_util.h"
#include "util/dname.h"
#include "util/wire.h"

static void
die(const char *what)
{
	fprintf(stderr, "test setup failed: %s\n", what);
	abort();
}

void
tkey_init(struct tkey *t, ldns_signing_algorithm alg, const char *owner,
    uint16_t flags, uint32_t incept, uint32_t expire)
{
	uint16_t bits = (alg == LDNS_SIGN_RSASHA256 || alg == LDNS_SIGN_RSASHA512) ? 1024 : 0;
	ldns_rr *rr;

	if ((t->key = ldns_key_new_frm_algorithm(alg, bits)) == NULL)
		die("key generation");
	ldns_key_set_pubkey_owner(t->key, ldns_dname_new_frm_str(owner));
	ldns_key_set_flags(t->key, flags);
	ldns_key_set_inception(t->key, incept);
	ldns_key_set_expiration(t->key, expire);
	if ((rr = ldns_key2rr(t->key)) == NULL)
		die("key2rr");
	t->tag = ldns_calc_keytag(rr);
	ldns_key_set_keytag(t->key, t->tag);
	ldns_rr_free(rr);
	t->alg = (uint8_t)alg;
	t->list = ldns_key_list_new();
	ldns_key_list_push_key(t->list, t->key);
}

void
tkey_free(struct tkey *t)
{
	/* The list frees its keys. */
	ldns_key_list_free(t->list);
}

void
tkey_period(struct tkey *t, uint32_t incept, uint32_t expire)
{
	ldns_key_set_inception(t->key, incept);
	ldns_key_set_expiration(t->key, expire);
}

char *
tkey_dnskey_str(const struct tkey *t)
{
	ldns_rr *rr = ldns_key2rr(t->key);
	char *s = ldns_rr2str(rr);

	ldns_rr_free(rr);
	return s;
}

char *
tkey_ds_str(const struct tkey *t, ldns_hash h)
{
	ldns_rr *rr = ldns_key2rr(t->key), *ds = ldns_key_rr2ds(rr, h);
	char *s;

	if (ds == NULL)
		die("key_rr2ds");
	s = ldns_rr2str(ds);
	ldns_rr_free(rr);
	ldns_rr_free(ds);
	return s;
}

/* Uncompressed wire form of the records as the answer section of a
 * reply, parsed back with our own parser so that the sets are grouped
 * exactly as the resolver groups real ones. */
static int
sets_from_list(struct arena *a, const ldns_rr_list *l, struct rrset **out)
{
	size_t cap = 65535, len = DNS_HEADER_SIZE, i, n = ldns_rr_list_rr_count(l);
	uint8_t *pkt = arena_zalloc(a, cap);
	struct dns_msg *msg = arena_zalloc(a, sizeof(*msg));
	int k;

	if (pkt == NULL || msg == NULL || n > 65535)
		die("alloc");
	wr16(pkt + 2, FLAG_QR);
	wr16(pkt + 6, (uint16_t)n);
	for (i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		const ldns_rdf *o = ldns_rr_owner(rr);
		ldns_buffer *b = ldns_buffer_new(1024);
		size_t rl;

		if (ldns_rr_rdata2buffer_wire(b, rr) != LDNS_STATUS_OK)
			die("rdata2wire");
		rl = ldns_buffer_position(b);
		if (len + ldns_rdf_size(o) + 10 + rl > cap)
			die("too big");
		memcpy(pkt + len, ldns_rdf_data(o), ldns_rdf_size(o));
		len += ldns_rdf_size(o);
		wr16(pkt + len, (uint16_t)ldns_rr_get_type(rr));
		wr16(pkt + len + 2, (uint16_t)ldns_rr_get_class(rr));
		wr32(pkt + len + 4, ldns_rr_ttl(rr));
		wr16(pkt + len + 8, (uint16_t)rl);
		memcpy(pkt + len + 10, ldns_buffer_begin(b), rl);
		len += 10 + rl;
		ldns_buffer_free(b);
	}
	if (msg_parse(pkt, len, msg, a) != WIRE_OK)
		die("msg_parse");
	if ((k = rrsets_from_section(msg, SEC_ANSWER, a, out)) < 0)
		die("rrsets_from_section");
	return k;
}

static ldns_rr_list *
parse_list(const char *const *rrs)
{
	ldns_rr_list *l = ldns_rr_list_new();
	ldns_rdf *origin = ldns_dname_new_frm_str(".");

	for (; *rrs != NULL; rrs++) {
		ldns_rr *rr = NULL;

		if (ldns_rr_new_frm_str(&rr, *rrs, 3600, origin, NULL) != LDNS_STATUS_OK) {
			fprintf(stderr, "cannot parse: %s\n", *rrs);
			die("parse");
		}
		ldns_rr_list_push_rr(l, rr);
	}
	ldns_rdf_deep_free(origin);
	return l;
}

/* Sign each rrset of l (records of one owner and type) with keys. */
static ldns_rr_list *
sign_sets(ldns_rr_list *l, struct tkey **keys)
{
	ldns_rr_list *all = ldns_rr_list_new();
	size_t n = ldns_rr_list_rr_count(l), i, j;
	bool *done = calloc(n ? n : 1, sizeof(*done));

	for (i = 0; i < n; i++) {
		ldns_rr *first = ldns_rr_list_rr(l, i);
		ldns_rr_list *set;
		struct tkey **k;

		if (done[i])
			continue;
		set = ldns_rr_list_new();
		for (j = i; j < n; j++) {
			ldns_rr *rr = ldns_rr_list_rr(l, j);

			if (!done[j] && ldns_rr_get_type(rr) == ldns_rr_get_type(first) &&
			    ldns_dname_compare(ldns_rr_owner(rr), ldns_rr_owner(first)) == 0) {
				ldns_rr_list_push_rr(set, rr);
				done[j] = true;
			}
		}
		for (k = keys; k != NULL && *k != NULL; k++) {
			ldns_rr_list *sigs = ldns_sign_public(set, (*k)->list);

			if (sigs == NULL)
				die("sign");
			ldns_rr_list_push_rr_list(all, sigs);
			ldns_rr_list_free(sigs);
		}
		ldns_rr_list_free(set);
	}
	free(done);
	return all;
}

int
tsets(struct arena *a, struct tkey **keys, struct rrset **out, const char *const *rrs)
{
	ldns_rr_list *l = parse_list(rrs), *sigs = sign_sets(l, keys);
	int n;

	ldns_rr_list_push_rr_list(l, sigs);
	ldns_rr_list_free(sigs);
	n = sets_from_list(a, l, out);
	ldns_rr_list_deep_free(l);
	return n;
}

struct rrset *
tset(struct arena *a, struct tkey **keys, const char *const *rrs)
{
	struct rrset *out;

	if (tsets(a, keys, &out, rrs) != 1)
		die("expected one rrset");
	return out;
}

struct rrset *
tdnskey_set(struct arena *a, struct tkey **keys, struct tkey **signers)
{
	const char *strs[16];
	char *owned[16];
	struct rrset *rs;
	int i, n = 0;

	for (i = 0; keys[i] != NULL && n < 15; i++)
		strs[n] = owned[n] = tkey_dnskey_str(keys[i]), n++;
	strs[n] = NULL;
	rs = tset(a, signers, strs);
	for (i = 0; i < n; i++)
		free(owned[i]);
	return rs;
}

int
tzone(struct arena *a, struct tkey **keys, const char *const *rrs, bool nsec3,
    uint8_t n3flags, uint16_t iterations, const char *salt_hex, struct rrset **out)
{
	ldns_rr_list *l = parse_list(rrs);
	ldns_key_list *kl = ldns_key_list_new();
	ldns_zone *z = ldns_zone_new(), *signed_zone;
	uint8_t salt[64];
	size_t i, saltlen = salt_hex ? strlen(salt_hex) / 2 : 0;
	int n;

	for (i = 0; i < saltlen; i++) {
		unsigned v;

		if (sscanf(salt_hex + 2 * i, "%2x", &v) != 1)
			die("salt");
		salt[i] = (uint8_t)v;
	}
	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_clone(ldns_rr_list_rr(l, i));

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_zone_soa(z) == NULL)
			ldns_zone_set_soa(z, rr);
		else
			ldns_zone_push_rr(z, rr);
	}
	for (; *keys != NULL; keys++)
		ldns_key_list_push_key(kl, (*keys)->key);
	if (nsec3)
		signed_zone = ldns_zone_sign_nsec3(z, kl, LDNS_SHA1, n3flags, iterations,
		    (uint8_t)saltlen, salt);
	else
		signed_zone = ldns_zone_sign(z, kl);
	if (signed_zone == NULL)
		die("zone sign");
	ldns_rr_list_push_rr(ldns_zone_rrs(signed_zone), ldns_zone_soa(signed_zone));
	n = sets_from_list(a, ldns_zone_rrs(signed_zone), out);
	ldns_rr_list_pop_rr(ldns_zone_rrs(signed_zone));
	ldns_zone_deep_free(signed_zone);
	ldns_zone_deep_free(z);
	ldns_rr_list_deep_free(l);
	/* The keys belong to their tkey. (Popping them all trips a double
	 * free in ldns 1.8.3.) */
	ldns_key_list_set_key_count(kl, 0);
	ldns_key_list_free(kl);
	return n;
}

uint8_t *
tname(struct arena *a, const char *s)
{
	uint8_t buf[DNAME_MAX];
	int n = dname_from_str(s, buf);

	if (n < 0)
		die("name");
	return arena_memdup(a, buf, (size_t)n);
}

struct rrset *
tfind(struct rrset *sets, int n, const char *owner, uint16_t type)
{
	uint8_t name[DNAME_MAX];

	if (dname_from_str(owner, name) < 0)
		die("name");
	return rrset_find(sets, n, name, type);
}
