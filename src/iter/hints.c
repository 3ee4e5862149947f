/*
 * hints.c -- root hints: the root's NS names and addresses, read from a
 * zone file such as IANA's named.root. ldns does the zone-file parsing;
 * this runs at start-up and reload only.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <ldns/ldns.h>

#include "iter/iter.h"
#include "util/wire.h"

#define HINTS_MAX_SERVERS 64

void
iter_hints_clear(struct iter_hints *hints)
{
	free(hints->servers);
	hints->servers = NULL;
	hints->count = 0;
}

static struct iter_hint_server *
hint_server(struct iter_hints *h, const uint8_t *name, bool create)
{
	int i;

	for (i = 0; i < h->count; i++)
		if (dname_equal(h->servers[i].name, name))
			return &h->servers[i];
	if (!create || h->count >= HINTS_MAX_SERVERS)
		return NULL;
	memset(&h->servers[h->count], 0, sizeof(h->servers[0]));
	memcpy(h->servers[h->count].name, name, dname_len(name));
	return &h->servers[h->count++];
}

/* ldns keeps names uncompressed in wire form, which is our form too. */
static bool
rdf_to_dname(const ldns_rdf *rdf, uint8_t *out)
{
	size_t n = ldns_rdf_size(rdf);

	if (ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME || n == 0 || n > DNAME_MAX)
		return false;
	memcpy(out, ldns_rdf_data(rdf), n);
	return true;
}

static void
add_address(struct iter_hint_server *s, const ldns_rdf *rdf, bool v6)
{
	struct netaddr *a;

	if (s->naddrs >= (int)(sizeof(s->addrs) / sizeof(s->addrs[0])))
		return;
	a = &s->addrs[s->naddrs];
	memset(a, 0, sizeof(*a));
	if (!v6 && ldns_rdf_size(rdf) == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(53);
		memcpy(&sin->sin_addr, ldns_rdf_data(rdf), 4);
		a->len = sizeof(*sin);
	} else if (v6 && ldns_rdf_size(rdf) == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(53);
		memcpy(&sin6->sin6_addr, ldns_rdf_data(rdf), 16);
		a->len = sizeof(*sin6);
	} else
		return;
	s->naddrs++;
}

int
iter_hints_load(struct iter_hints *hints, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	uint32_t default_ttl = 3600;
	ldns_rdf *origin = NULL, *prev = NULL;
	int line = 1, rc = 0, i, usable = 0;
	struct iter_hints h = { 0, NULL };
	uint8_t owner[DNAME_MAX], target[DNAME_MAX];

	if (fp == NULL) {
		snprintf(err, errlen, "%s: cannot open root hints: %s", path, strerror(errno));
		return -1;
	}
	h.servers = calloc(HINTS_MAX_SERVERS, sizeof(*h.servers));
	if (h.servers == NULL) {
		fclose(fp);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while (!feof(fp)) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, fp, &default_ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (st != LDNS_STATUS_OK) {
			snprintf(err, errlen, "%s:%d: %s", path, line, ldns_get_errorstr_by_id(st));
			rc = -1;
			break;
		}
		if (!rdf_to_dname(ldns_rr_owner(rr), owner)) {
			ldns_rr_free(rr);
			continue;
		}
		switch (ldns_rr_get_type(rr)) {
		case LDNS_RR_TYPE_NS:
			if (owner[0] == 0 && ldns_rr_rd_count(rr) == 1 &&
			    rdf_to_dname(ldns_rr_rdf(rr, 0), target))
				hint_server(&h, target, true);
			break;
		case LDNS_RR_TYPE_A:
		case LDNS_RR_TYPE_AAAA: {
			struct iter_hint_server *s = hint_server(&h, owner, false);
			if (s != NULL && ldns_rr_rd_count(rr) == 1)
				add_address(s, ldns_rr_rdf(rr, 0), ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA);
			break;
		}
		default:
			break;
		}
		ldns_rr_free(rr);
	}
	fclose(fp);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	if (rc == 0) {
		for (i = 0; i < h.count; i++)
			usable += h.servers[i].naddrs;
		if (usable == 0) {
			snprintf(err, errlen, "%s: no root server with an address (need '. NS name' and 'name A/AAAA addr' records)", path);
			rc = -1;
		}
	}
	if (rc != 0) {
		free(h.servers);
		return -1;
	}
	iter_hints_clear(hints);
	*hints = h;
	return 0;
}
