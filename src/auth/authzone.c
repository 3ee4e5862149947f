/*
 * authzone.c -- lookups in a loaded zone, and its accessors.
 *
 * All lookups are binary searches over arrays built at load; none of
 * them allocates, so they serve authzone_answer on every upstream
 * question that would have gone to the zone's servers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "dnssec/dnssec.h"

/* Binary search of nodes [lo, z->nnodes). */
static uint32_t
search_from(const struct authzone *z, uint32_t lo, const uint8_t *name, uint32_t *before)
{
	uint32_t hi = z->nnodes, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = dname_canonical_cmp(z->nodes[mid].name, name);
		if (c == 0) {
			if (before != NULL)
				*before = mid;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (before != NULL)
		*before = lo;
	return AZ_NO_NODE;
}

uint32_t
az_search(const struct authzone *z, const uint8_t *name, uint32_t *before)
{
	return search_from(z, 0, name, before);
}

enum az_where
az_walk(const struct authzone *z, const uint8_t *name, bool stop_at_cut, uint32_t *node)
{
	int labels = dname_label_count(name), l;
	uint32_t at = 0, found;

	/* One label at a time from the apex down: the first missing name
	 * ends the walk (nothing exists below it, since empty non-terminals
	 * are nodes too), and the first delegation does as well, because
	 * everything below it belongs to the child zone. A name's subtree
	 * follows it in canonical order, so each search starts past the
	 * previous match. */
	for (l = z->origin_labels + 1; l <= labels; l++) {
		found = search_from(z, at + 1, dname_remove_labels(name, labels - l), NULL);
		if (found == AZ_NO_NODE) {
			*node = at;
			return AZ_NXDOMAIN;
		}
		at = found;
		if ((z->nodes[at].flags & AZ_CUT) && (l < labels || stop_at_cut)) {
			*node = at;
			return AZ_REFERRAL;
		}
	}
	*node = at;
	return AZ_FOUND;
}

const struct rrset *
az_set(const struct az_node *node, uint16_t type)
{
	uint16_t i;

	for (i = 0; i < node->nsets; i++)
		if (node->sets[i].type == type)
			return &node->sets[i];
	return NULL;
}

const struct rrset *
az_nsec_for(const struct authzone *z, const uint8_t *name)
{
	uint32_t before, at, n;

	at = az_search(z, name, &before);
	if (at == AZ_NO_NODE) {
		/* The apex sorts before every name of the zone. */
		if (before == 0)
			return NULL;
		at = before - 1;
	}
	if ((n = z->nodes[at].nsec) == AZ_NO_NODE)
		return NULL;
	return az_set(&z->nodes[n], RR_TYPE_NSEC);
}

/* Index of the first NSEC3 whose hash is not below h. */
static size_t
nsec3_lower_bound(const struct authzone *z, const uint8_t *h)
{
	size_t lo = 0, hi = z->nnsec3, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(z->nsec3[mid].hash, h, AZ_NSEC3_HASHLEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct az_nsec3 *
az_nsec3_match(const struct authzone *z, const uint8_t *h)
{
	size_t i = nsec3_lower_bound(z, h);

	if (i < z->nnsec3 && memcmp(z->nsec3[i].hash, h, AZ_NSEC3_HASHLEN) == 0)
		return &z->nsec3[i];
	return NULL;
}

const struct az_nsec3 *
az_nsec3_cover(const struct authzone *z, const uint8_t *h)
{
	size_t i = nsec3_lower_bound(z, h);

	if (z->nnsec3 == 0)
		return NULL;
	/* Below the first hash: the last record's span wraps around to it. */
	return &z->nsec3[i == 0 ? z->nnsec3 - 1 : i - 1];
}

void
az_nsec3_hash(const struct authzone *z, const uint8_t *name, uint8_t *h)
{
	uint8_t out[NSEC3_HASH_MAX];

	/* The loader accepted only algorithms val_nsec3_hash knows. */
	if (val_nsec3_hash(name, z->n3_alg, z->n3_iterations, z->n3_salt, z->n3_saltlen,
	    out) != AZ_NSEC3_HASHLEN)
		memset(out, 0, AZ_NSEC3_HASHLEN);
	memcpy(h, out, AZ_NSEC3_HASHLEN);
}

void
authzone_free(struct authzone *z)
{
	if (z == NULL)
		return;
	arena_free_all(&z->arena);
	free(z);
}

time_t
authzone_expires(const struct authzone *z)
{
	return z->expires;
}

const uint8_t *
authzone_origin(const struct authzone *z)
{
	return z->origin;
}

uint32_t
authzone_serial(const struct authzone *z)
{
	return z->serial;
}

bool
authzone_signed(const struct authzone *z)
{
	const struct rrset *keys = az_set(&z->nodes[0], RR_TYPE_DNSKEY);

	return keys != NULL && keys->sigcount > 0;
}
