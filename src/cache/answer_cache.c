/*
 * answer_cache.c -- whole-answer entries and the cache-hit path.
 *
 * An entry is one allocation: the shard header, a few lengths, the TTL
 * offsets and the wire message. The key's name is not stored again: it is
 * the question in the wire (compared without regard to case, since the
 * message keeps the case the first client used). Only when the message's
 * question does not match the key, which callers should not do, is a
 * lower-cased copy of the key appended after the wire.
 *
 * The hit path takes the shard lock, copies the message out and patches
 * its TTLs; it does not allocate and does not parse.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/shard.h"
#include "util/dname.h"
#include "util/wire.h"

/* aux[1] flag: the key name follows the wire. */
#define ANSWER_OWN_KEY 0x01

struct answer_entry {
	struct shard_entry e;   /* aux[0] variant, aux[1] flags */
	uint32_t orig_ttl;
	uint32_t recheck;       /* a refresh failed: serve stale until then */
	uint16_t wirelen;
	uint16_t n_ttl;
	uint16_t ede;
	uint16_t offs[];        /* n_ttl offsets, then the wire, then the key */
};

#define ANSWER_HDR offsetof(struct answer_entry, offs)

static inline const uint8_t *
answer_wire(const struct answer_entry *ae)
{
	return (const uint8_t *)(ae->offs + ae->n_ttl);
}

/* A remembered resolution failure (RFC 9520), not data. */
static inline bool
answer_is_failure(const struct answer_entry *ae)
{
	return (answer_wire(ae)[3] & 0x0f) == RCODE_SERVFAIL;
}

const uint8_t *
answer_entry_name(const struct shard_entry *e)
{
	const struct answer_entry *ae = (const struct answer_entry *)e;

	if (e->aux[1] & ANSWER_OWN_KEY)
		return answer_wire(ae) + ae->wirelen;
	return answer_wire(ae) + DNS_HEADER_SIZE;
}

bool
answer_entry_bogus(const struct shard_entry *e)
{
	const struct answer_entry *ae = (const struct answer_entry *)e;

	return answer_is_failure(ae) && ae->ede >= EDE_DNSSEC_BOGUS && ae->ede <= EDE_NSEC_MISSING;
}

/* a (any case) equals lower (lower-cased) over n bytes of wire name.
 * Label lengths are below 'A', so folding them is harmless. */
static inline bool
name_eq_lower(const uint8_t *a, const uint8_t *lower, size_t n)
{
	size_t i;
	uint8_t ch;

	for (i = 0; i < n; i++) {
		ch = a[i];
		if (ch >= 'A' && ch <= 'Z')
			ch += 'a' - 'A';
		if (ch != lower[i])
			return false;
	}
	return true;
}

static struct answer_entry *
answer_entry_find(struct shard *s, uint32_t hash, const uint8_t *name, size_t namelen,
    uint16_t qtype, uint16_t qclass, uint8_t variant)
{
	struct shard_entry *e;

	for (e = shard_bucket(s, hash); e; e = e->hnext) {
		if (e->hash == hash && e->kind == ENTRY_ANSWER && e->type == qtype &&
		    e->rclass == qclass && e->aux[0] == variant &&
		    e->namelen == namelen &&
		    name_eq_lower(answer_entry_name(e), name, namelen))
			return (struct answer_entry *)e;
	}
	return NULL;
}

/* The entry for a question, or NULL; either way with the shard that
 * would hold it locked (*sp), for the caller to unlock. */
static inline struct answer_entry *
answer_find_locked(struct cache *c, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, uint8_t variant, struct shard **sp)
{
	uint8_t name[DNAME_MAX];
	size_t namelen = dname_copy_lower(name, qname);
	uint32_t hash = cache_hash(c, name, qtype, qclass, ENTRY_ANSWER, variant);
	struct shard *s = cache_shard(c, hash);

	pthread_mutex_lock(&s->lock);
	*sp = s;
	return answer_entry_find(s, hash, name, namelen, qtype, qclass, variant);
}

/* Whether the message's only question is (name, qtype, qclass), written
 * uncompressed, so that it can serve as the entry's key. */
static bool
question_is_key(const uint8_t *wire, size_t len, const uint8_t *name,
    size_t namelen, uint16_t qtype, uint16_t qclass)
{
	const uint8_t *q = wire + DNS_HEADER_SIZE;

	if (rd16(wire + 4) != 1 || len < DNS_HEADER_SIZE + namelen + 4)
		return false;
	/* name is a valid name, so matching it byte for byte (labels and the
	 * final root label included) proves q is the same uncompressed name. */
	if (!name_eq_lower(q, name, namelen))
		return false;
	return rd16(q + namelen) == qtype && rd16(q + namelen + 2) == qclass;
}

int
cache_answer_store(struct cache *c, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, uint8_t variant, const uint8_t *wire, size_t len,
    const uint16_t *ttl_offs, size_t n_ttl, uint32_t ttl, uint16_t ede, time_t now)
{
	uint8_t name[DNAME_MAX];
	struct answer_entry *ae, *old;
	struct shard_entry *dead = NULL;
	struct shard *s;
	size_t namelen, size, i;
	bool own_key;
	int r;

	if (ttl == 0 || len < DNS_HEADER_SIZE || len > UINT16_MAX || n_ttl > UINT16_MAX)
		return -1;
	for (i = 0; i < n_ttl; i++)
		if ((size_t)ttl_offs[i] + 4 > len)
			return -1;
	namelen = dname_copy_lower(name, qname);
	own_key = !question_is_key(wire, len, name, namelen, qtype, qclass);
	size = ANSWER_HDR + n_ttl * sizeof(uint16_t) + len + (own_key ? namelen : 0);
	ae = malloc(size);
	if (!ae)
		return -1;
	ae->e.hash = cache_hash(c, name, qtype, qclass, ENTRY_ANSWER, variant);
	ae->e.expire = cache_expiry(now, ttl);
	ae->e.type = qtype;
	ae->e.rclass = qclass;
	ae->e.kind = ENTRY_ANSWER;
	ae->e.namelen = (uint8_t)namelen;
	ae->e.aux[0] = variant;
	ae->e.aux[1] = own_key ? ANSWER_OWN_KEY : 0;
	/* Age is measured from the (clamped) store time. */
	ae->orig_ttl = ae->e.expire - cache_time32(now);
	ae->recheck = 0;
	ae->wirelen = (uint16_t)len;
	ae->n_ttl = (uint16_t)n_ttl;
	ae->ede = ede;
	if (n_ttl)
		memcpy(ae->offs, ttl_offs, n_ttl * sizeof(uint16_t));
	memcpy((uint8_t *)answer_wire(ae), wire, len);
	if (own_key)
		memcpy((uint8_t *)answer_wire(ae) + len, name, namelen);

	s = cache_shard(c, ae->e.hash);
	pthread_mutex_lock(&s->lock);
	old = answer_entry_find(s, ae->e.hash, name, namelen, qtype, qclass, variant);
	r = -1;
	if (shard_can_hold(s, &ae->e)) {
		if (old)
			shard_remove(s, &old->e, &dead);
		r = shard_insert(s, &ae->e, &dead);
	}
	pthread_mutex_unlock(&s->lock);
	shard_free_list(dead);
	if (r != 0) {
		free(ae);
		return -1;
	}
	return 0;
}

size_t
cache_answer_lookup(struct cache *c, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, uint8_t variant, time_t now, uint32_t stale_window,
    uint32_t stale_ttl, uint8_t *out, size_t cap, struct cache_answer_info *info)
{
	struct answer_entry *ae;
	struct shard_entry *dead = NULL;
	struct shard *s;
	uint32_t now32 = cache_time32(now), age, t;
	uint64_t stored;
	size_t len, i;
	bool stale = false;

	ae = answer_find_locked(c, qname, qtype, qclass, variant, &s);
	if (!ae)
		goto miss;
	if (now32 >= ae->e.expire) {
		/* A remembered failure is worth nothing once it expired. */
		if ((uint64_t)now32 >= (uint64_t)ae->e.expire + stale_window ||
		    answer_is_failure(ae)) {
			/* Past the stale window the entry is useless to this
			 * caller. A caller that passes no window (serve-stale
			 * off, or asking for fresh data only) leaves it for a
			 * caller that may still serve it; the next store of
			 * this question replaces it anyway. */
			if (stale_window > 0)
				shard_remove(s, &ae->e, &dead);
			goto miss;
		}
		stale = true;
	}
	len = ae->wirelen;
	if (len > cap)
		goto miss;
	memcpy(out, answer_wire(ae), len);
	/* The store time is expire - orig_ttl; clamp for clocks that went
	 * backwards. */
	stored = (uint64_t)ae->e.expire - ae->orig_ttl;
	age = now32 > stored ? (uint32_t)(now32 - stored) : 0;
	for (i = 0; i < ae->n_ttl; i++) {
		t = rd32(out + ae->offs[i]);
		if (stale)
			t = stale_ttl;
		else
			t = t > age ? t - age : 0;
		wr32(out + ae->offs[i], t);
	}
	if (info) {
		info->ede = ae->ede;
		info->rcode = out[3] & 0x0f;
		info->stale = stale;
		info->recheck = stale && now32 < ae->recheck;
		info->orig_ttl = ae->orig_ttl;
		info->remaining = stale ? 0 : ae->e.expire - now32;
	}
	shard_touch(s, &ae->e);
	s->hits++;
	pthread_mutex_unlock(&s->lock);
	return len;

miss:
	s->misses++;
	pthread_mutex_unlock(&s->lock);
	shard_free_list(dead);
	return 0;
}

void
cache_answer_remove(struct cache *c, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, uint8_t variant)
{
	struct answer_entry *ae;
	struct shard_entry *dead = NULL;
	struct shard *s;

	ae = answer_find_locked(c, qname, qtype, qclass, variant, &s);
	if (ae)
		shard_remove(s, &ae->e, &dead);
	pthread_mutex_unlock(&s->lock);
	shard_free_list(dead);
}

bool
cache_answer_keep_on_failure(struct cache *c, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, uint8_t variant, time_t now, uint32_t stale_window, uint32_t recheck)
{
	struct answer_entry *ae;
	struct shard *s;
	uint32_t now32 = cache_time32(now);
	bool keep = false;

	ae = answer_find_locked(c, qname, qtype, qclass, variant, &s);
	if (ae != NULL && !answer_is_failure(ae)) {
		if (now32 < ae->e.expire) {
			keep = true;
		} else if ((uint64_t)now32 < (uint64_t)ae->e.expire + stale_window) {
			ae->recheck = now32 + recheck;
			keep = true;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return keep;
}
