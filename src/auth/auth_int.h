/*
 * auth_int.h -- the in-memory form of a loaded zone, shared by the
 * loader (zoneload.c), the lookups (authzone.c) and the responder
 * (answer.c). Not part of the module's API.
 *
 * Every name of the zone, empty non-terminals included, is one struct
 * az_node in one array sorted in canonical DNS order (RFC 4034 section
 * 6.1). In that order a name's subtree directly follows it, so one
 * binary search per label finds an exact match, the closest encloser
 * and the topmost delegation above a name, and the node before a
 * missing name leads to the NSEC that covers it. NSEC3 records are kept
 * apart, sorted by their binary hash: their owners are not names a
 * query can find (RFC 5155 section 7.2.8).
 *
 * Everything lives in the zone's arena and is freed with it.
 */
#ifndef RESOLVERD_AUTH_AUTH_INT_H
#define RESOLVERD_AUTH_AUTH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "auth/authzone.h"
#include "util/arena.h"
#include "util/dname.h"
#include "util/rrset.h"

/* The only NSEC3 hash there is (SHA-1) has 20 bytes. */
#define AZ_NSEC3_HASHLEN 20
#define AZ_NO_NODE UINT32_MAX

/* az_node.flags */
#define AZ_CUT       0x01   /* a delegation: NS set below the apex */
#define AZ_OCCLUDED  0x02   /* strictly below a delegation: glue only */

struct az_node {
	const uint8_t *name;        /* lower case */
	struct rrset *sets;         /* nsets RRsets, sorted by type */
	uint16_t nsets;             /* 0 for an empty non-terminal */
	uint16_t flags;
	uint32_t nsec;              /* the closest node at or before this one
	                             * that owns an NSEC set, or AZ_NO_NODE */
};

struct az_nsec3 {
	uint8_t hash[AZ_NSEC3_HASHLEN];
	const struct rrset *set;
};

struct authzone {
	struct arena arena;
	uint8_t origin[DNAME_MAX];
	int origin_labels;
	struct az_node *nodes;      /* nodes[0] is the apex */
	uint32_t nnodes;
	struct rrset *sets;         /* every RRset, in node order */
	size_t nsets;
	struct az_nsec3 *nsec3;     /* sorted by hash; NULL unless NSEC3 */
	size_t nnsec3;
	const struct rrset *soa;
	uint32_t serial;
	uint32_t neg_ttl;           /* min(SOA TTL, SOA MINIMUM) */
	time_t expires;
	/* NSEC3 parameters of the whole zone, from NSEC3PARAM */
	uint8_t n3_alg;
	uint16_t n3_iterations;
	uint8_t n3_saltlen;
	uint8_t n3_salt[255];
};

/* Where a name leads, found by walking down from the apex. */
enum az_where {
	AZ_FOUND,        /* node is the name itself */
	AZ_REFERRAL,     /* node is the topmost delegation at or above it */
	AZ_NXDOMAIN      /* node is the closest encloser */
};

/* Walk from the apex to name (at or below the origin). A delegation at
 * exactly name does not stop the walk when stop_at_cut is false (DS
 * queries are answered from the parent side of the cut). */
enum az_where az_walk(const struct authzone *z, const uint8_t *name, bool stop_at_cut,
    uint32_t *node);

/* Index of the node named name, or AZ_NO_NODE; *before (may be NULL) is
 * set to the number of nodes that sort before name. */
uint32_t az_search(const struct authzone *z, const uint8_t *name, uint32_t *before);

/* The RRset of this type at node, or NULL. */
const struct rrset *az_set(const struct az_node *node, uint16_t type);

/* The NSEC set that matches name or, if name has none, covers it. NULL
 * in a zone without NSEC. */
const struct rrset *az_nsec_for(const struct authzone *z, const uint8_t *name);

/* NSEC3 lookups by hash: the record whose owner hash equals h, or the one
 * that covers h (the last hash below h, wrapping around). NULL when
 * there is none (or, for az_nsec3_cover, when the zone has no NSEC3). */
const struct az_nsec3 *az_nsec3_match(const struct authzone *z, const uint8_t *h);
const struct az_nsec3 *az_nsec3_cover(const struct authzone *z, const uint8_t *h);

/* The zone's NSEC3 hash of name into h (AZ_NSEC3_HASHLEN bytes). */
void az_nsec3_hash(const struct authzone *z, const uint8_t *name, uint8_t *h);

#endif
