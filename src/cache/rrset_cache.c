/*
 * rrset_cache.c -- RRset entries.
 *
 * An entry is one allocation: the shard header, the record counts, the
 * lower-cased owner, then every record (data first, RRSIGs after) as a
 * 16-bit big-endian length and its bytes. Nothing else is stored: the
 * total data length is found by walking the records, which is cheaper
 * than the bytes to remember it in every entry.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/shard.h"
#include "util/dname.h"
#include "util/wire.h"

struct rrset_entry {
	struct shard_entry e;   /* aux[0] trust, aux[1] security */
	uint16_t count;
	uint16_t sigcount;
	uint8_t data[];
};

#define RRSET_HDR offsetof(struct rrset_entry, data)

const uint8_t *
rrset_entry_name(const struct shard_entry *e)
{
	return ((const struct rrset_entry *)e)->data;
}

bool
rrset_entry_bogus(const struct shard_entry *e)
{
	return e->aux[1] == SEC_BOGUS;
}

static struct rrset_entry *
rrset_entry_find(struct shard *s, uint32_t hash, const uint8_t *name, size_t namelen,
    uint16_t type, uint16_t rclass)
{
	struct shard_entry *e;

	for (e = shard_bucket(s, hash); e; e = e->hnext) {
		if (e->hash == hash && e->kind == ENTRY_RRSET && e->type == type &&
		    e->rclass == rclass && e->namelen == namelen &&
		    memcmp(rrset_entry_name(e), name, namelen) == 0)
			return (struct rrset_entry *)e;
	}
	return NULL;
}

/* Bytes of the record area (lengths included). */
static size_t
rrset_data_len(const struct rrset_entry *re)
{
	const uint8_t *p = re->data + re->e.namelen;
	unsigned i, n = (unsigned)re->count + re->sigcount;

	for (i = 0; i < n; i++)
		p += 2 + rd16(p);
	return (size_t)(p - (re->data + re->e.namelen));
}

int
cache_rrset_store(struct cache *c, const struct rrset *rs, time_t now)
{
	uint8_t name[DNAME_MAX];
	struct rrset_entry *re, *old;
	struct shard_entry *dead = NULL;
	struct shard *s;
	size_t namelen, datalen = 0, i, n;
	uint8_t *p;
	int r;

	/* A zero TTL means "use once": nothing to keep. */
	if (rs->ttl == 0)
		return 0;
	n = (size_t)rs->count + rs->sigcount;
	for (i = 0; i < n; i++)
		datalen += 2 + (size_t)rs->rdata[i].len;
	namelen = dname_copy_lower(name, rs->owner);
	re = malloc(RRSET_HDR + namelen + datalen);
	if (!re)
		return -1;
	re->e.hash = cache_hash(c, name, rs->type, rs->rclass, ENTRY_RRSET, 0);
	re->e.expire = cache_expiry(now, rs->ttl);
	re->e.type = rs->type;
	re->e.rclass = rs->rclass;
	re->e.kind = ENTRY_RRSET;
	re->e.namelen = (uint8_t)namelen;
	re->e.aux[0] = rs->trust;
	re->e.aux[1] = rs->security;
	re->count = rs->count;
	re->sigcount = rs->sigcount;
	memcpy(re->data, name, namelen);
	p = re->data + namelen;
	for (i = 0; i < n; i++) {
		wr16(p, rs->rdata[i].len);
		if (rs->rdata[i].len)
			memcpy(p + 2, rs->rdata[i].data, rs->rdata[i].len);
		p += 2 + rs->rdata[i].len;
	}

	s = cache_shard(c, re->e.hash);
	pthread_mutex_lock(&s->lock);
	old = rrset_entry_find(s, re->e.hash, name, namelen, rs->type, rs->rclass);
	if (old && old->e.expire > cache_time32(now) && old->e.aux[0] > rs->trust) {
		pthread_mutex_unlock(&s->lock);
		free(re);
		return 0;
	}
	/* Check first so that a set too big to store leaves the old one. */
	if (!shard_can_hold(s, &re->e)) {
		pthread_mutex_unlock(&s->lock);
		free(re);
		return -1;
	}
	if (old)
		shard_remove(s, &old->e, &dead);
	r = shard_insert(s, &re->e, &dead);
	pthread_mutex_unlock(&s->lock);
	shard_free_list(dead);
	if (r != 0) {
		free(re);
		return -1;
	}
	return 1;
}

bool
cache_rrset_lookup(struct cache *c, const uint8_t *owner, uint16_t type,
    uint16_t rclass, time_t now, struct arena *arena, struct rrset *out)
{
	uint8_t name[DNAME_MAX];
	struct rrset_entry *re;
	struct shard_entry *dead = NULL;
	struct shard *s;
	struct rdata *rd;
	const uint8_t *src;
	uint8_t *blob;
	size_t namelen, datalen;
	uint32_t now32 = cache_time32(now);
	unsigned i, n;
	uint32_t hash;

	namelen = dname_copy_lower(name, owner);
	hash = cache_hash(c, name, type, rclass, ENTRY_RRSET, 0);
	s = cache_shard(c, hash);
	pthread_mutex_lock(&s->lock);
	re = rrset_entry_find(s, hash, name, namelen, type, rclass);
	if (!re) {
		pthread_mutex_unlock(&s->lock);
		return false;
	}
	if (re->e.expire <= now32) {
		shard_remove(s, &re->e, &dead);
		pthread_mutex_unlock(&s->lock);
		shard_free_list(dead);
		return false;
	}
	/* One arena block for the rdata array, the owner and the records,
	 * the array first so that it is aligned. */
	n = (unsigned)re->count + re->sigcount;
	datalen = rrset_data_len(re);
	rd = arena_alloc(arena, n * sizeof(*rd) + namelen + datalen);
	if (!rd) {
		pthread_mutex_unlock(&s->lock);
		return false;
	}
	blob = (uint8_t *)(rd + n);
	memcpy(blob, re->data, namelen + datalen);
	out->owner = blob;
	out->type = type;
	out->rclass = rclass;
	out->ttl = re->e.expire - now32;
	out->count = re->count;
	out->sigcount = re->sigcount;
	out->rdata = rd;
	out->trust = re->e.aux[0];
	out->security = re->e.aux[1];
	shard_touch(s, &re->e);
	pthread_mutex_unlock(&s->lock);

	src = blob + namelen;
	for (i = 0; i < n; i++) {
		rd[i].len = rd16(src);
		rd[i].data = src + 2;
		src += 2 + rd[i].len;
	}
	return true;
}

/* Whether the data records (not the signatures) of re are those of rs,
 * as sets: both come without duplicates, so equal counts and every record
 * of rs found in re is enough. */
static bool
rrset_entry_same_data(const struct rrset_entry *re, const struct rrset *rs)
{
	const uint8_t *start = re->data + re->e.namelen, *p;
	unsigned i, j;
	bool found;

	if (re->count != rs->count)
		return false;
	for (i = 0; i < rs->count; i++) {
		found = false;
		p = start;
		for (j = 0; j < re->count && !found; j++) {
			if (rdata_canonical_cmp(rs->type, rs->rdata[i].data,
			    rs->rdata[i].len, p + 2, rd16(p)) == 0)
				found = true;
			p += 2 + rd16(p);
		}
		if (!found)
			return false;
	}
	return true;
}

void
cache_rrset_update_security(struct cache *c, const struct rrset *rs, uint8_t security, uint8_t trust)
{
	uint8_t name[DNAME_MAX];
	struct rrset_entry *re;
	struct shard *s;
	size_t namelen;
	uint32_t hash;

	namelen = dname_copy_lower(name, rs->owner);
	hash = cache_hash(c, name, rs->type, rs->rclass, ENTRY_RRSET, 0);
	s = cache_shard(c, hash);
	pthread_mutex_lock(&s->lock);
	re = rrset_entry_find(s, hash, name, namelen, rs->type, rs->rclass);
	if (re && rrset_entry_same_data(re, rs)) {
		re->e.aux[0] = trust;
		re->e.aux[1] = security;
	}
	pthread_mutex_unlock(&s->lock);
}
