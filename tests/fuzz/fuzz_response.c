/*
 * fuzz_response.c -- an upstream reply: parsing it (msg_parse), making
 * sense of it for the question we sent (response_classify) and storing
 * what it taught us (response_store), the scrubbing a hostile server
 * must not get past.
 *
 * Input: the reply as the transport hands it over. The question it was
 * sent for is its own question (the transport drops replies to other
 * questions) or, without one, www.example.com A. Its ID picks the zone
 * the server was asked as (the question name less 0-7 labels) and
 * whether it is a forwarder. Checked for every input: nothing outside
 * that zone is ever stored (bailiwick) unless forwarding, and what
 * classification returns lies where it must.
 */
#include "config.h"

#include <string.h>

#include "fuzz_util.h"
#include "cache/cache.h"
#include "iter/response.h"

#define NOW 1700000000

static const uint8_t fixed_name[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	3, 'c', 'o', 'm', 0 };

static bool
in_zone(const struct delegpt *dp, const uint8_t *name)
{
	return dp->forward || dname_is_subdomain(name, dp->zone);
}

/* Nothing about a name outside the zone may have reached the cache. */
static void
check_bailiwick(struct cache *c, const struct delegpt *dp, const struct dns_msg *msg,
    struct arena *a)
{
	struct rrset got;
	int s, i;

	if (dp->forward)
		return;
	for (s = 0; s < 3; s++)
		for (i = 0; i < msg->count[s]; i++) {
			const struct dns_rr *rr = &msg->rr[s][i];
			if (dname_is_subdomain(rr->owner, dp->zone))
				continue;
			FUZZ_ASSERT(!cache_rrset_lookup(c, rr->owner, rr->type, rr->rclass, NOW, a, &got));
			FUZZ_ASSERT(!cache_rrset_lookup(c, rr->owner, rr->type, ITER_CLASS_GLUE, NOW, a, &got));
		}
}

static void
check_classification(const struct delegpt *dp, const uint8_t *sent, const struct resp_info *ri)
{
	int i;

	FUZZ_ASSERT(ri->nchain >= 0 && ri->nchain <= RESP_MAX_CHAIN);
	for (i = 0; i < ri->nchain; i++)
		FUZZ_ASSERT(ri->synth[i] || in_zone(dp, ri->chain[i]->owner));
	if (ri->type == RESP_REFERRAL) {
		FUZZ_ASSERT(ri->ns != NULL && !dp->forward);
		FUZZ_ASSERT(dname_is_strict_subdomain(ri->ns->owner, dp->zone));
		FUZZ_ASSERT(dname_is_subdomain(sent, ri->ns->owner));
	}
	if (ri->soa != NULL)
		FUZZ_ASSERT(in_zone(dp, ri->soa->owner));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cache *cache;
	static struct iter_config *cfg;
	static struct arena a;
	static struct delegpt dp;
	struct dns_msg msg;
	struct resp_info ri;
	const uint8_t *sent;
	uint16_t sent_type, sel;
	int strip;

	if (cache == NULL) {
		fuzz_quiet();
		cache = cache_create(1 << 20);
		cfg = iter_config_new();
		arena_init(&a, 16384);
	}
	if (msg_parse(data, size, &msg, &a) != WIRE_OK) {
		arena_free_all(&a);
		return 0;
	}
	sel = msg.id;
	if (msg.qdcount == 1) {
		sent = msg.qname;
		sent_type = msg.qtype;
	} else {
		sent = fixed_name;
		sent_type = RR_TYPE_A;
	}
	memset(&dp, 0, sizeof(dp));
	strip = sel & 7;
	if (strip > dname_label_count(sent))
		strip = dname_label_count(sent);
	dp.zone = dname_remove_labels(sent, strip);
	dp.forward = (sel & 8) != 0;
	if (response_classify(&a, &dp, &msg, sent, sent_type, &ri) == 0) {
		check_classification(&dp, sent, &ri);
		if (ri.type != RESP_LAME) {
			response_store(cache, cfg, &dp, &ri, NOW);
			check_bailiwick(cache, &dp, &msg, &a);
		}
		if (ri.soa != NULL)
			(void)response_negative_ttl(cfg, ri.soa);
	}
	cache_flush(cache);
	arena_free_all(&a);
	return 0;
}
