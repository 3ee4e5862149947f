/*
 * verify.c -- key tags, DS digests, the canonical form of an rrset and
 * signature verification with OpenSSL 3 (RFC 4034, 4035 section 5.3,
 * 5702, 6605, 8080).
 *
 * Public keys are built from DNSKEY RDATA for each verification rather
 * than cached: validated answers are cached instead, so a key is used a
 * handful of times per TTL and a key cache would only add shared state.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "dnssec/val_int.h"
#include "util/dname.h"

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "src/dnssec needs OpenSSL 3 (EVP_PKEY_fromdata)"
#endif

void
val_env_init(struct val_env *ve, time_t now, struct arena *arena)
{
	ve->now = now;
	ve->arena = arena;
	ve->budget = VAL_DEFAULT_BUDGET;
	ve->verified = 0;
}

void
val_result_set(struct val_result *res, enum sec_status sec, uint16_t ede, const char *reason)
{
	res->sec = sec;
	res->ede = sec == SEC_BOGUS ? ede : EDE_NONE;
	res->reason = reason;
}

bool
val_algo_supported(uint8_t alg)
{
	switch (alg) {
	case DNSSEC_ALG_RSASHA1:
	case DNSSEC_ALG_RSASHA1_NSEC3:
	case DNSSEC_ALG_RSASHA256:
	case DNSSEC_ALG_RSASHA512:
	case DNSSEC_ALG_ECDSAP256SHA256:
	case DNSSEC_ALG_ECDSAP384SHA384:
	case DNSSEC_ALG_ED25519:
	case DNSSEC_ALG_ED448:
		return true;
	default:
		return false;
	}
}

static const EVP_MD *
digest_md(uint8_t digest, size_t *len)
{
	switch (digest) {
	case DS_DIGEST_SHA1:
		*len = 20;
		return EVP_sha1();
	case DS_DIGEST_SHA256:
		*len = 32;
		return EVP_sha256();
	case DS_DIGEST_SHA384:
		*len = 48;
		return EVP_sha384();
	default:
		return NULL;
	}
}

bool
val_digest_supported(uint8_t digest)
{
	return val_digest_len(digest) != 0;
}

size_t
val_digest_len(uint8_t digest)
{
	size_t len;

	return digest_md(digest, &len) != NULL ? len : 0;
}

uint16_t
val_keytag(const uint8_t *rdata, size_t len)
{
	uint32_t ac = 0;
	size_t i;

	if (len < 4)
		return 0;
	/* RSA/MD5 keys: the tag is bits 8-23 of the modulus' low bytes. */
	if (rdata[3] == 1)
		return len < 7 ? 0 : (uint16_t)(rdata[len - 3] << 8 | rdata[len - 2]);
	for (i = 0; i < len; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return (uint16_t)(ac & 0xffff);
}

bool
val_dnskey_usable(const uint8_t *rdata, size_t len)
{
	uint16_t flags;

	if (len < 5)
		return false;
	flags = rd16(rdata);
	return (flags & DNSKEY_FLAG_ZONE) && !(flags & DNSKEY_FLAG_REVOKE) &&
	    rdata[2] == DNSKEY_PROTOCOL;
}

bool
val_ds_matches(const uint8_t *owner, const uint8_t *ds, size_t dslen,
    const uint8_t *key, size_t keylen)
{
	uint8_t lower[DNAME_MAX], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const EVP_MD *type;
	EVP_MD_CTX *ctx;
	size_t want, olen;
	int ok;

	if (dslen < 4 || keylen < 4)
		return false;
	if ((type = digest_md(ds[3], &want)) == NULL || dslen - 4 != want)
		return false;
	if (rd16(ds) != val_keytag(key, keylen) || ds[2] != key[3])
		return false;
	olen = dname_copy_lower(lower, owner);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return false;
	ok = EVP_DigestInit_ex(ctx, type, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, lower, olen) == 1 &&
	    EVP_DigestUpdate(ctx, key, keylen) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1;
	EVP_MD_CTX_free(ctx);
	return ok && mdlen == want && memcmp(md, ds + 4, want) == 0;
}

int
val_name_len(const uint8_t *p, size_t max)
{
	size_t i = 0;

	while (i < max && p[i] != 0) {
		if (p[i] & 0xc0)
			return -1;
		i += (size_t)p[i] + 1;
	}
	if (i >= max || i + 1 > DNAME_MAX)
		return -1;
	return (int)(i + 1);
}

bool
val_rrsig_parse(const uint8_t *rdata, size_t len, struct rrsig *s)
{
	int n;

	if (len < RRSIG_FIXED + 1)
		return false;
	s->covered = rd16(rdata);
	s->alg = rdata[2];
	s->labels = rdata[3];
	s->origttl = rd32(rdata + 4);
	s->expire = rd32(rdata + 8);
	s->incept = rd32(rdata + 12);
	s->keytag = rd16(rdata + 16);
	if ((n = val_name_len(rdata + RRSIG_FIXED, len - RRSIG_FIXED)) < 0)
		return false;
	s->signer = rdata + RRSIG_FIXED;
	s->signerlen = (size_t)n;
	s->sig = s->signer + n;
	s->siglen = len - RRSIG_FIXED - (size_t)n;
	return s->siglen > 0;
}

const uint8_t *
val_rrset_signer(const struct rrset *rs)
{
	struct rrsig s;
	int i;

	for (i = rs->count; i < rs->count + rs->sigcount; i++)
		if (val_rrsig_parse(rs->rdata[i].data, rs->rdata[i].len, &s))
			return s.signer;
	return NULL;
}

/* ---- canonical form (RFC 4034 section 6) ---- */

/* Types whose RDATA names are lower-cased for signing: those of RFC 4034
 * section 6.2 that have names, less NSEC (RFC 6840 section 5.1). The wire
 * parser's layout table lists exactly the name-bearing ones. */
static const char *
canon_layout(uint16_t type)
{
	return type == RR_TYPE_NSEC ? NULL : rr_rdata_layout(type);
}

/* Copy rdata to out with its names lower-cased per layout. An RDATA that
 * does not fit its layout is copied as it is: it then simply fails to
 * verify if the signer saw it differently. */
static void
canon_rdata(const char *layout, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t p = 0, end;
	int n;

	memcpy(out, in, len);
	if (layout == NULL)
		return;
	for (; *layout && p <= len; layout++) {
		switch (*layout) {
		case 'N':
		case 'n':
			if ((n = val_name_len(in + p, len - p)) < 0)
				return;
			for (end = p + (size_t)n; p < end; p++)
				if (out[p] >= 'A' && out[p] <= 'Z')
					out[p] = (uint8_t)(out[p] + 32);
			break;
		case 'S':
			if (p >= len)
				return;
			p += (size_t)in[p] + 1;
			break;
		case 'R':
			return;
		default:
			p += (size_t)(*layout - '0');
			break;
		}
	}
}

struct canon_rr {
	const uint8_t *data;
	uint16_t len;
};

static int
canon_cmp(const void *a, const void *b)
{
	const struct canon_rr *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int d = n ? memcmp(x->data, y->data, n) : 0;

	return d != 0 ? d : (int)x->len - (int)y->len;
}

/* The data an RRSIG signs (RFC 4034 section 3.1.8.1): its own RDATA
 * without the signature and with the signer lower-cased, then each record
 * with owner (wildcard-restored from the labels field), type, class,
 * original TTL and canonical RDATA, sorted and without duplicates.
 * Returns the buffer in the arena, or NULL on allocation failure. */
static uint8_t *
canon_signed_data(struct arena *a, const struct rrset *rs, const uint8_t *sigrdata,
    const struct rrsig *s, size_t *outlen)
{
	uint8_t owner[DNAME_MAX], *buf, *p;
	const uint8_t *suffix;
	struct canon_rr *rr;
	const char *layout = canon_layout(rs->type);
	size_t olen, total, i, n;
	int labels = dname_label_count(rs->owner);

	if (s->labels < labels) {
		/* Expanded from a wildcard: sign over "*.<suffix>". */
		suffix = dname_remove_labels(rs->owner, labels - s->labels);
		owner[0] = 1;
		owner[1] = '*';
		olen = 2 + dname_copy_lower(owner + 2, suffix);
	} else {
		olen = dname_copy_lower(owner, rs->owner);
	}
	if ((rr = arena_alloc(a, (rs->count + 1) * sizeof(*rr))) == NULL)
		return NULL;
	total = RRSIG_FIXED + s->signerlen;
	for (i = 0; i < rs->count; i++) {
		uint8_t *c = arena_alloc(a, rs->rdata[i].len + 1u);

		if (c == NULL)
			return NULL;
		canon_rdata(layout, rs->rdata[i].data, rs->rdata[i].len, c);
		rr[i].data = c;
		rr[i].len = rs->rdata[i].len;
	}
	qsort(rr, rs->count, sizeof(*rr), canon_cmp);
	for (i = 0, n = 0; i < rs->count; i++) {
		if (n > 0 && canon_cmp(&rr[n - 1], &rr[i]) == 0)
			continue;
		rr[n++] = rr[i];
		total += olen + 10 + rr[i].len;
	}
	if ((buf = arena_alloc(a, total)) == NULL)
		return NULL;
	memcpy(buf, sigrdata, RRSIG_FIXED);
	dname_copy_lower(buf + RRSIG_FIXED, s->signer);
	p = buf + RRSIG_FIXED + s->signerlen;
	for (i = 0; i < n; i++) {
		memcpy(p, owner, olen);
		p += olen;
		wr16(p, rs->type);
		wr16(p + 2, rs->rclass);
		wr32(p + 4, s->origttl);
		wr16(p + 8, rr[i].len);
		p += 10;
		memcpy(p, rr[i].data, rr[i].len);
		p += rr[i].len;
	}
	*outlen = total;
	return buf;
}

/* ---- public keys ---- */

/* RFC 3110: exponent length (one byte, or zero and two bytes), exponent,
 * modulus. */
static EVP_PKEY *
key_rsa(const uint8_t *k, size_t len)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *n = NULL, *e = NULL;
	size_t elen, off;

	if (len < 3)
		return NULL;
	if (k[0] != 0) {
		elen = k[0];
		off = 1;
	} else {
		elen = rd16(k + 1);
		off = 3;
	}
	if (elen == 0 || elen > 8 || off + elen >= len)
		return NULL;
	if ((len - off - elen) * 8 > VAL_RSA_MAX_BITS)
		return NULL;
	e = BN_bin2bn(k + off, (int)elen, NULL);
	n = BN_bin2bn(k + off + elen, (int)(len - off - elen), NULL);
	if (e == NULL || n == NULL || (bld = OSSL_PARAM_BLD_new()) == NULL)
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/* RFC 6605: the point as X | Y, each half the key. */
static EVP_PKEY *
key_ec(const char *group, size_t want, const uint8_t *k, size_t len)
{
	uint8_t point[1 + 96];
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;

	if (len != want || want > sizeof(point) - 1)
		return NULL;
	point[0] = 0x04;        /* uncompressed */
	memcpy(point + 1, k, len);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, len + 1);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* RFC 6605: DNSSEC carries r | s; OpenSSL wants DER. Returns the DER
 * length written to *der (OPENSSL_free it), or -1. */
static int
ecdsa_sig_der(const uint8_t *sig, size_t len, size_t half, unsigned char **der)
{
	ECDSA_SIG *es;
	BIGNUM *r, *s;
	int n;

	if (len != 2 * half || (es = ECDSA_SIG_new()) == NULL)
		return -1;
	r = BN_bin2bn(sig, (int)half, NULL);
	s = BN_bin2bn(sig + half, (int)half, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return -1;
	}
	*der = NULL;
	n = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	return n > 0 ? n : -1;
}

/* Verify sig over data with the public key part of a DNSKEY. Returns 1
 * valid, 0 invalid, -1 when the key or signature is unusable. */
static int
crypto_verify(uint8_t alg, const uint8_t *key, size_t keylen, const uint8_t *sig,
    size_t siglen, const uint8_t *data, size_t datalen)
{
	const EVP_MD *md = NULL;
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned char *der = NULL;
	int derlen, rc = -1;

	switch (alg) {
	case DNSSEC_ALG_RSASHA1:
	case DNSSEC_ALG_RSASHA1_NSEC3:
		md = EVP_sha1();
		pkey = key_rsa(key, keylen);
		break;
	case DNSSEC_ALG_RSASHA256:
		md = EVP_sha256();
		pkey = key_rsa(key, keylen);
		break;
	case DNSSEC_ALG_RSASHA512:
		md = EVP_sha512();
		pkey = key_rsa(key, keylen);
		break;
	case DNSSEC_ALG_ECDSAP256SHA256:
		md = EVP_sha256();
		pkey = key_ec("P-256", 64, key, keylen);
		if ((derlen = ecdsa_sig_der(sig, siglen, 32, &der)) < 0)
			goto out;
		sig = der;
		siglen = (size_t)derlen;
		break;
	case DNSSEC_ALG_ECDSAP384SHA384:
		md = EVP_sha384();
		pkey = key_ec("P-384", 96, key, keylen);
		if ((derlen = ecdsa_sig_der(sig, siglen, 48, &der)) < 0)
			goto out;
		sig = der;
		siglen = (size_t)derlen;
		break;
	case DNSSEC_ALG_ED25519:
		if (keylen == 32 && siglen == 64)
			pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, keylen);
		break;
	case DNSSEC_ALG_ED448:
		if (keylen == 57 && siglen == 114)
			pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED448, NULL, key, keylen);
		break;
	default:
		break;
	}
	if (pkey == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	/* EdDSA takes no digest and only the one-shot call, which the others
	 * accept too. */
	if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) != 1)
		goto out;
	rc = EVP_DigestVerify(ctx, sig, siglen, data, datalen) == 1 ? 1 : 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	OPENSSL_free(der);
	/* Failures leave entries on the thread's error queue; nobody reads
	 * them, and they would pile up. */
	ERR_clear_error();
	return rc;
}

/* ---- rrset verification ---- */

/* How far a signature got before it failed; the furthest stage of any
 * RRSIG names the failure. */
enum sig_stage {
	STAGE_NONE = 0,     /* no RRSIG from this zone */
	STAGE_UNSUPPORTED,  /* only algorithms we lack */
	STAGE_NOKEY,        /* no usable key with its tag and algorithm */
	STAGE_NOTYET,
	STAGE_EXPIRED,
	STAGE_BAD           /* crypto said no, or the RRSIG is inconsistent */
};

/* Validity window check in serial-number arithmetic, with skew. Returns
 * 0 inside, or the failing stage. */
static enum sig_stage
sig_time_check(const struct rrsig *s, time_t now)
{
	uint32_t now32 = (uint32_t)now, period = s->expire - s->incept, skew;

	/* A period that is "negative" in serial arithmetic never validates. */
	if ((int32_t)period < 0)
		return STAGE_BAD;
	skew = period / 10;
	if (skew < VAL_SKEW_MIN)
		skew = VAL_SKEW_MIN;
	if (skew > VAL_SKEW_MAX)
		skew = VAL_SKEW_MAX;
	if ((int32_t)(now32 - s->incept) < -(int32_t)skew)
		return STAGE_NOTYET;
	if ((int32_t)(s->expire - now32) < -(int32_t)skew)
		return STAGE_EXPIRED;
	return STAGE_NONE;
}

static void
fail_result(struct val_result *res, enum sig_stage stage, bool budget)
{
	if (budget) {
		val_result_set(res, SEC_BOGUS, EDE_DNSSEC_BOGUS,
		    "validation work limit reached");
		return;
	}
	switch (stage) {
	case STAGE_NONE:
		val_result_set(res, SEC_BOGUS, EDE_RRSIGS_MISSING, "no signature from the zone");
		break;
	case STAGE_UNSUPPORTED:
		val_result_set(res, SEC_BOGUS, EDE_RRSIGS_MISSING,
		    "no signature with a supported algorithm");
		break;
	case STAGE_NOKEY:
		val_result_set(res, SEC_BOGUS, EDE_DNSKEY_MISSING,
		    "no DNSKEY matches the signature's key tag and algorithm");
		break;
	case STAGE_NOTYET:
		val_result_set(res, SEC_BOGUS, EDE_SIG_NOT_YET, "signature not yet valid");
		break;
	case STAGE_EXPIRED:
		val_result_set(res, SEC_BOGUS, EDE_SIG_EXPIRED, "signature expired");
		break;
	case STAGE_BAD:
		val_result_set(res, SEC_BOGUS, EDE_DNSSEC_BOGUS, "signature does not verify");
		break;
	}
}

/* Consistency of one RRSIG with the rrset (RFC 4035 section 5.3.1). */
static bool
sig_fits_rrset(const struct rrsig *s, const struct rrset *rs)
{
	if (s->covered != rs->type || s->labels > dname_label_count(rs->owner))
		return false;
	if (!dname_is_subdomain(rs->owner, s->signer))
		return false;
	/* A DS set lives in the parent: its child cannot sign it. */
	if (rs->type == RR_TYPE_DS && !dname_is_strict_subdomain(rs->owner, s->signer))
		return false;
	return true;
}

static void
secure_ttl(struct rrset *rs, const struct rrsig *s, time_t now)
{
	int32_t left = (int32_t)(s->expire - (uint32_t)now);

	if (rs->ttl > s->origttl)
		rs->ttl = s->origttl;
	/* Inside the skew allowance after expiry: usable now, not later. */
	if (left < 0)
		rs->ttl = 0;
	else if (rs->ttl > (uint32_t)left)
		rs->ttl = (uint32_t)left;
}

/* The label count of the closest encloser of a wildcard expansion, or -1
 * when rs is not one. An owner that is itself "*.<labels>" is the
 * wildcard, not an expansion of it. */
static int
wildcard_labels(const struct rrset *rs, const struct rrsig *s)
{
	int labels = dname_label_count(rs->owner);

	if (s->labels >= labels)
		return -1;
	if (s->labels + 1 == labels && rs->owner[0] == 1 && rs->owner[1] == '*')
		return -1;
	return s->labels;
}

enum sec_status
val_verify_rrset(struct val_env *ve, struct rrset *rs, const struct rrset *keys,
    struct val_result *res)
{
	enum sig_stage stage = STAGE_NONE, t;
	struct rrsig s;
	uint8_t *data = NULL;
	size_t datalen = 0;
	int i, k, tried_sigs = 0, tried_keys, rc;
	bool out_of_budget = false;

	res->wc_labels = -1;
	res->delegation = false;
	res->optout = false;
	if (keys == NULL || keys->count == 0) {
		fail_result(res, STAGE_NOKEY, false);
		rs->security = SEC_BOGUS;
		return SEC_BOGUS;
	}
	for (i = rs->count; i < rs->count + rs->sigcount; i++) {
		const struct rdata *sr = &rs->rdata[i];

		if (!val_rrsig_parse(sr->data, sr->len, &s) || !dname_equal(s.signer, keys->owner))
			continue;
		if (tried_sigs++ == VAL_MAX_SIGS_PER_SET)
			break;
		if (!sig_fits_rrset(&s, rs)) {
			stage = STAGE_BAD;
			continue;
		}
		if (!val_algo_supported(s.alg)) {
			if (stage < STAGE_UNSUPPORTED)
				stage = STAGE_UNSUPPORTED;
			continue;
		}
		if ((t = sig_time_check(&s, ve->now)) != STAGE_NONE) {
			if (stage < t)
				stage = t;
			continue;
		}
		if (stage < STAGE_NOKEY)
			stage = STAGE_NOKEY;
		data = NULL;
		for (k = 0, tried_keys = 0; k < keys->count && tried_keys < VAL_MAX_KEYS_PER_SIG; k++) {
			const struct rdata *kr = &keys->rdata[k];

			if (kr->len < 5 || kr->data[3] != s.alg || !val_dnskey_usable(kr->data, kr->len) ||
			    val_keytag(kr->data, kr->len) != s.keytag)
				continue;
			tried_keys++;
			if (ve->budget <= 0) {
				out_of_budget = true;
				goto fail;
			}
			if (data == NULL &&
			    (data = canon_signed_data(ve->arena, rs, sr->data, &s, &datalen)) == NULL) {
				val_result_set(res, SEC_BOGUS, EDE_DNSSEC_BOGUS, "out of memory");
				rs->security = SEC_BOGUS;
				return SEC_BOGUS;
			}
			ve->budget--;
			ve->verified++;
			rc = crypto_verify(s.alg, kr->data + 4, kr->len - 4u, s.sig, s.siglen, data, datalen);
			if (rc == 1) {
				secure_ttl(rs, &s, ve->now);
				res->wc_labels = wildcard_labels(rs, &s);
				val_result_set(res, SEC_SECURE, EDE_NONE, "signature verified");
				rs->security = SEC_SECURE;
				return SEC_SECURE;
			}
			stage = STAGE_BAD;
		}
	}
fail:
	fail_result(res, stage, out_of_budget);
	rs->security = SEC_BOGUS;
	return SEC_BOGUS;
}
