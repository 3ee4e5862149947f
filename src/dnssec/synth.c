/*
 * synth.c -- the CNAME a DNAME stands for. A CNAME beside a DNAME is made
 * by the server from the DNAME and carries no signature (RFC 6672 section
 * 3.4): a validator believes it only when it is exactly what the signed
 * DNAME synthesises (RFC 6672 section 5.3.1), and then exactly as much as
 * it believes the DNAME, as a wildcard expansion is checked against its
 * signed source (RFC 4035 section 5.3.4).
 */
#include "config.h"

#include "dnssec/val_int.h"
#include "util/dname.h"

bool
val_dname_synthesises(const struct rrset *dname, const struct rrset *cname)
{
	uint8_t want[DNAME_MAX];
	int len;

	if (dname->type != RR_TYPE_DNAME || dname->count != 1 ||
	    cname->type != RR_TYPE_CNAME || cname->count != 1)
		return false;
	len = dname_substitute(cname->owner, dname->owner, dname->rdata[0].data, want);
	return len > 0 && (size_t)len == cname->rdata[0].len &&
	    dname_len(cname->rdata[0].data) == (size_t)len &&
	    dname_equal(want, cname->rdata[0].data);
}
