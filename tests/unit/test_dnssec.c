/*
 * test_dnssec.c -- key tags, DS digests, signature verification for
 * every supported algorithm, the chain of trust, DNAME synthesis, and
 * denial proofs over zones signed by ldns. Trust anchors:
 * test_dnssec_anchor.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnssec/dnssec.h"
#include "dnssec_util.h"
#include "unit.h"
#include "util/dname.h"

static struct arena A;
static struct val_env VE;
static struct val_result R;

static void
setup(void)
{
	arena_init(&A, 65536);
	val_env_init(&VE, (time_t)T_NOW, &A);
	memset(&R, 0, sizeof(R));
}

static void
teardown(void)
{
	arena_free_all(&A);
}

/* ---- DNAME synthesis ---- */

/* Issue 9: the CNAME beside a DNAME is believed only when it is exactly
 * the DNAME's synthesis (RFC 6672 sections 2.2, 3.4, 5.3.1). */
static void
test_dname_synthesis(void)
{
	static const struct { const char *dname, *cname; bool is; } cases[] = {
		{ "x. DNAME .", "a.x.x. CNAME a.x.", true },
		{ "x. DNAME .", "A.X.x. CNAME a.X.", true },      /* case */
		{ "x. DNAME .", "a.x. CNAME a.", true },
		{ "x. DNAME .", "a.x.x. CNAME decoy.", false },   /* forged */
		{ "x. DNAME .", "a.x.x. CNAME a.", false },       /* two steps at once */
		{ "x. DNAME .", "x. CNAME y.", false },           /* not below */
		{ "dn.example. DNAME example.net.", "a.b.dn.example. CNAME a.b.example.net.", true },
		{ "dn.example. DNAME example.net.", "www.dn.example. CNAME www.dn.example.net.", false },
		{ "dn.example. DNAME example.net.", "www.other.example. CNAME www.example.net.", false },
	};
	struct rrset *dname, *cname, two;
	size_t i;

	setup();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *d[] = { cases[i].dname, NULL }, *c[] = { cases[i].cname, NULL };
		dname = tset(&A, NULL, d);
		cname = tset(&A, NULL, c);
		if (val_dname_synthesises(dname, cname) != cases[i].is) {
			fprintf(stderr, "%s / %s: expected %d\n", cases[i].dname, cases[i].cname,
			    cases[i].is);
			CHECK(0);
		}
		if (!cases[i].is)
			continue;
		/* a second target, or a second DNAME record: nothing */
		two = *cname;
		two.count = 2;
		CHECK(!val_dname_synthesises(dname, &two));
		two = *dname;
		two.count = 2;
		CHECK(!val_dname_synthesises(&two, cname));
		CHECK(!val_dname_synthesises(cname, dname));
	}
	teardown();
}

/* ---- signatures ---- */

static void
check_algorithm(ldns_signing_algorithm alg)
{
	struct tkey k, *keys[] = { &k, NULL };
	struct rrset *dnskey, *rs;
	const char *data[] = {
		"www.example. 3600 IN A 192.0.2.1",
		"www.example. 3600 IN A 192.0.2.2",
		NULL
	};
	uint8_t *sig;

	setup();
	tkey_init(&k, alg, "example.", 257, T_INCEPT, T_EXPIRE);
	dnskey = tdnskey_set(&A, keys, keys);
	rs = tset(&A, keys, data);
	CHECK_EQ_INT(rs->sigcount, 1);
	CHECK_EQ_INT(val_verify_rrset(&VE, dnskey, dnskey, &R), SEC_SECURE);
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	CHECK_EQ_INT(rs->security, SEC_SECURE);
	CHECK_EQ_INT(R.ede, EDE_NONE);
	CHECK_EQ_INT(R.wc_labels, -1);
	CHECK_EQ_INT(VE.verified, 2);

	/* Changed data. */
	((uint8_t *)rs->rdata[1].data)[3] ^= 0x10;
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_DNSSEC_BOGUS);
	CHECK_EQ_INT(rs->security, SEC_BOGUS);
	((uint8_t *)rs->rdata[1].data)[3] ^= 0x10;
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	/* Changed signature. */
	sig = (uint8_t *)rs->rdata[rs->count].data;
	sig[rs->rdata[rs->count].len - 5] ^= 0x01;
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_DNSSEC_BOGUS);
	tkey_free(&k);
	teardown();
}

static void
test_algorithms(void)
{
	CHECK(val_algo_supported(5) && val_algo_supported(7) &&
	    val_algo_supported(8) && val_algo_supported(10) && val_algo_supported(13) &&
	    val_algo_supported(14) && val_algo_supported(15) && val_algo_supported(16));
	/* DSA: MUST NOT validate (RFC 8624 section 3.1) */
	CHECK(!val_algo_supported(3) && !val_algo_supported(6) &&
	    !val_algo_supported(12) && !val_algo_supported(253));
	check_algorithm(LDNS_SIGN_RSASHA256);
	check_algorithm(LDNS_SIGN_RSASHA512);
	check_algorithm(LDNS_SIGN_ECDSAP256SHA256);
	check_algorithm(LDNS_SIGN_ECDSAP384SHA384);
	check_algorithm(LDNS_SIGN_ED25519);
	check_algorithm(LDNS_SIGN_ED448);
}

/* Case, order and duplicates must not matter (RFC 4034 section 6). */
static void
test_canonical_form(void)
{
	struct tkey k, *keys[] = { &k, NULL };
	struct rrset *dnskey, *rs, *sets;
	const char *data[] = {
		"MX.Example. 7200 IN MX 20 Mail2.EXAMPLE.",
		"mx.example. 7200 IN MX 10 mail.example.",
		"mX.example. 7200 IN MX 5 ZZ.Example.",
		NULL
	};
	const char *srv[] = { "_sip._udp.Example. 300 IN SRV 1 2 5060 SIP.Example.", NULL };
	const char *txt[] = { "t.example. 300 IN TXT \"MiXeD\" \"Case\"", NULL };
	const char *nsec[] = { "N.example. 300 IN NSEC Next.Example. A RRSIG NSEC", NULL };
	struct rdata tmp;
	int n;

	setup();
	tkey_init(&k, LDNS_SIGN_ECDSAP256SHA256, "example.", 256, T_INCEPT, T_EXPIRE);
	dnskey = tdnskey_set(&A, keys, keys);
	rs = tset(&A, keys, data);
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	/* The ttl becomes the original TTL at most. */
	rs->ttl = 86400;
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	CHECK_EQ_INT(rs->ttl, 7200);
	/* Reordered records. */
	tmp = rs->rdata[0];
	rs->rdata[0] = rs->rdata[2];
	rs->rdata[2] = tmp;
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	/* A duplicated record (a cache merge gone wrong) is still the same set. */
	n = rs->count + rs->sigcount;
	{
		struct rdata *rd = arena_alloc(&A, (size_t)(n + 1) * sizeof(*rd));

		memcpy(rd, rs->rdata, rs->count * sizeof(*rd));
		rd[rs->count] = rs->rdata[0];
		memcpy(rd + rs->count + 1, rs->rdata + rs->count, rs->sigcount * sizeof(*rd));
		rs->rdata = rd;
		rs->count++;
	}
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);

	CHECK_EQ_INT(val_verify_rrset(&VE, tset(&A, keys, srv), dnskey, &R), SEC_SECURE);
	CHECK_EQ_INT(val_verify_rrset(&VE, tset(&A, keys, txt), dnskey, &R), SEC_SECURE);
	/* NSEC's next name keeps its case (RFC 6840 section 5.1): ldns
	 * signs it that way too, so this checks we agree. */
	n = tsets(&A, keys, &sets, nsec);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(val_verify_rrset(&VE, &sets[0], dnskey, &R), SEC_SECURE);
	tkey_free(&k);
	teardown();
}

static void
test_validity_period(void)
{
	struct tkey k, *keys[] = { &k, NULL };
	struct rrset *dnskey, *rs;
	const char *data[] = { "www.example. 3600 IN A 192.0.2.1", NULL };

	setup();
	tkey_init(&k, LDNS_SIGN_ED25519, "example.", 257, T_INCEPT, T_EXPIRE);
	dnskey = tdnskey_set(&A, keys, keys);

	/* Expired an hour ago, period 10 days: skew is capped at 3600 s. */
	tkey_period(&k, T_NOW - 10 * 86400, T_NOW - 3601);
	rs = tset(&A, keys, data);
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_SIG_EXPIRED);
	/* Within the skew: usable now, with a zero TTL. */
	tkey_period(&k, T_NOW - 10 * 86400, T_NOW - 60);
	rs = tset(&A, keys, data);
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	CHECK_EQ_INT(rs->ttl, 0);
	/* Not yet valid. */
	tkey_period(&k, T_NOW + 7200, T_NOW + 10 * 86400);
	rs = tset(&A, keys, data);
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_SIG_NOT_YET);
	/* Short period: skew is at least 300 s. */
	tkey_period(&k, T_NOW + 200, T_NOW + 1000);
	rs = tset(&A, keys, data);
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	CHECK_EQ_INT(rs->ttl, 1000);
	/* Expiry soon caps the TTL. */
	tkey_period(&k, T_INCEPT, T_NOW + 100);
	rs = tset(&A, keys, data);
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	CHECK_EQ_INT(rs->ttl, 100);
	/* Serial arithmetic: a period spanning the 32-bit wrap (2106). */
	tkey_period(&k, 0xffff0000u, 0x00010000u);
	rs = tset(&A, keys, data);
	VE.now = (time_t)0xfffffff0u;
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	VE.now = (time_t)0x100000010ull;     /* after the wrap */
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	VE.now = (time_t)0x100020000ull;
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_SIG_EXPIRED);
	/* One good signature among bad ones is enough. */
	VE.now = (time_t)T_NOW;
	{
		struct tkey k2, *both[] = { &k2, &k, NULL };
		struct rrset *dk;

		tkey_init(&k2, LDNS_SIGN_ED25519, "example.", 256, T_NOW - 100000, T_NOW - 90000);
		tkey_period(&k, T_INCEPT, T_EXPIRE);
		dk = tdnskey_set(&A, both, keys);
		rs = tset(&A, both, data);
		CHECK_EQ_INT(rs->sigcount, 2);
		CHECK_EQ_INT(val_verify_rrset(&VE, rs, dk, &R), SEC_SECURE);
		tkey_free(&k2);
	}
	tkey_free(&k);
	teardown();
}

static void
test_key_mismatch(void)
{
	struct tkey k, other, *keys[] = { &k, NULL }, *okeys[] = { &other, NULL };
	struct rrset *dnskey, *rs, *plain;
	const char *data[] = { "www.example. 3600 IN A 192.0.2.1", NULL };
	uint8_t *sig, *key;

	setup();
	tkey_init(&k, LDNS_SIGN_ECDSAP256SHA256, "example.", 257, T_INCEPT, T_EXPIRE);
	tkey_init(&other, LDNS_SIGN_ECDSAP256SHA256, "example.", 257, T_INCEPT, T_EXPIRE);
	dnskey = tdnskey_set(&A, keys, keys);

	/* Signed by a key not in the set. */
	rs = tset(&A, okeys, data);
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_DNSKEY_MISSING);
	/* Key tag changed in the RRSIG. */
	rs = tset(&A, keys, data);
	sig = (uint8_t *)rs->rdata[1].data;
	wr16(sig + 16, (uint16_t)(k.tag + 1));
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_DNSKEY_MISSING);
	wr16(sig + 16, k.tag);
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	/* Algorithm field changed to one we lack. */
	sig[2] = 3;
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_RRSIGS_MISSING);
	sig[2] = 13;
	/* Labels field larger than the owner's. */
	sig[3] = 5;
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_DNSSEC_BOGUS);
	sig[3] = 2;
	/* No signature at all. */
	plain = tset(&A, NULL, data);
	CHECK_EQ_INT(val_verify_rrset(&VE, plain, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_RRSIGS_MISSING);
	CHECK(val_rrset_signer(plain) == NULL);
	CHECK(val_rrset_signer(rs) != NULL && dname_equal(val_rrset_signer(rs), tname(&A, "example")));
	/* No keys. */
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, NULL, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_DNSKEY_MISSING);

	/* A revoked key, or one without the zone bit, verifies nothing. */
	key = (uint8_t *)dnskey->rdata[0].data;
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	wr16(key, 257 | DNSKEY_FLAG_REVOKE);
	CHECK(!val_dnskey_usable(key, dnskey->rdata[0].len));
	wr16(key, 1);
	CHECK(!val_dnskey_usable(key, dnskey->rdata[0].len));
	wr16(key, 257);
	key[2] = 2;
	CHECK(!val_dnskey_usable(key, dnskey->rdata[0].len));
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_DNSKEY_MISSING);
	key[2] = 3;

	/* Signer outside the owner's ancestry. */
	{
		struct tkey z, *zk[] = { &z, NULL };
		struct rrset *zset;

		tkey_init(&z, LDNS_SIGN_ECDSAP256SHA256, "example.org.", 257, T_INCEPT, T_EXPIRE);
		zset = tdnskey_set(&A, zk, zk);
		rs = tset(&A, zk, data);
		CHECK_EQ_INT(val_verify_rrset(&VE, rs, zset, &R), SEC_BOGUS);
		CHECK_EQ_INT(R.ede, EDE_DNSSEC_BOGUS);
		tkey_free(&z);
	}
	/* Verification budget. */
	rs = tset(&A, keys, data);
	VE.budget = 0;
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_BOGUS);
	CHECK(strstr(R.reason, "limit") != NULL);
	tkey_free(&k);
	tkey_free(&other);
	teardown();
}

static void
test_wildcard_signature(void)
{
	struct tkey k, *keys[] = { &k, NULL };
	struct rrset *dnskey, *rs;
	const char *data[] = { "*.w.example. 3600 IN MX 10 mail.example.", NULL };

	setup();
	tkey_init(&k, LDNS_SIGN_ED25519, "example.", 257, T_INCEPT, T_EXPIRE);
	dnskey = tdnskey_set(&A, keys, keys);
	rs = tset(&A, keys, data);
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	CHECK_EQ_INT(R.wc_labels, -1);        /* the wildcard itself */
	rs->owner = tname(&A, "a.z.w.example");
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_SECURE);
	CHECK_EQ_INT(R.wc_labels, 2);
	rs->owner = tname(&A, "z.example");  /* wrong suffix */
	CHECK_EQ_INT(val_verify_rrset(&VE, rs, dnskey, &R), SEC_BOGUS);
	tkey_free(&k);
	teardown();
}

/* ---- chain of trust ---- */

static void
test_dnskey_chain(void)
{
	struct tkey ksk, zsk, *all[] = { &ksk, &zsk, NULL }, *kskonly[] = { &ksk, NULL },
	    *zskonly[] = { &zsk, NULL };
	struct rrset *dnskey, *ds;
	struct val_anchor ta;
	const char *strs[3] = { NULL, NULL, NULL };
	char *s1, *s2;

	setup();
	tkey_init(&ksk, LDNS_SIGN_ECDSAP256SHA256, "example.", 257, T_INCEPT, T_EXPIRE);
	tkey_init(&zsk, LDNS_SIGN_ECDSAP256SHA256, "example.", 256, T_INCEPT, T_EXPIRE);
	dnskey = tdnskey_set(&A, all, kskonly);

	strs[0] = s1 = tkey_ds_str(&ksk, LDNS_SHA256);
	ds = tset(&A, NULL, strs);
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, ds, NULL, &R), SEC_SECURE);
	CHECK_EQ_INT(dnskey->security, SEC_SECURE);
	free(s1);

	/* DS for the ZSK, which did not sign the set. */
	strs[0] = s1 = tkey_ds_str(&zsk, LDNS_SHA256);
	ds = tset(&A, NULL, strs);
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, ds, NULL, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_RRSIGS_MISSING);
	free(s1);

	/* DS matching nothing. */
	strs[0] = "example. DS 1 13 2 0000000000000000000000000000000000000000000000000000000000000000";
	ds = tset(&A, NULL, strs);
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, ds, NULL, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_DNSKEY_MISSING);
	CHECK_EQ_INT(dnskey->security, SEC_BOGUS);

	/* Only algorithms or digests we lack: insecure, not bogus. */
	strs[0] = "example. DS 1 3 2 0000000000000000000000000000000000000000000000000000000000000000";
	strs[1] = "example. DS 2 13 3 0000000000000000000000000000000000000000000000000000000000000000";
	ds = tset(&A, NULL, strs);
	CHECK(!val_ds_usable(ds));
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, ds, NULL, &R), SEC_INSECURE);
	strs[1] = NULL;

	/* A SHA-1 DS alone works; beside a SHA-256 DS it is ignored. */
	strs[0] = s1 = tkey_ds_str(&ksk, LDNS_SHA1);
	ds = tset(&A, NULL, strs);
	CHECK(val_ds_usable(ds));
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, ds, NULL, &R), SEC_SECURE);
	strs[1] = "example. DS 1 13 2 0000000000000000000000000000000000000000000000000000000000000000";
	ds = tset(&A, NULL, strs);
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, ds, NULL, &R), SEC_BOGUS);
	free(s1);
	strs[1] = NULL;

	/* Set signed by the ZSK only: the KSK the DS names did not sign. */
	strs[0] = s1 = tkey_ds_str(&ksk, LDNS_SHA384);
	ds = tset(&A, NULL, strs);
	free(s1);
	dnskey = tdnskey_set(&A, all, zskonly);
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, ds, NULL, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_RRSIGS_MISSING);

	/* Trust anchors: DNSKEY, DS, negative. */
	dnskey = tdnskey_set(&A, all, kskonly);
	memset(&ta, 0, sizeof(ta));
	ta.name = tname(&A, "example");
	strs[0] = s2 = tkey_dnskey_str(&ksk);
	ta.dnskey = tset(&A, NULL, strs);
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, NULL, &ta, &R), SEC_SECURE);
	free(s2);
	strs[0] = s2 = tkey_dnskey_str(&zsk);
	ta.dnskey = tset(&A, NULL, strs);
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, NULL, &ta, &R), SEC_BOGUS);
	free(s2);
	ta.dnskey = NULL;
	strs[0] = s1 = tkey_ds_str(&ksk, LDNS_SHA256);
	ta.ds = tset(&A, NULL, strs);
	free(s1);
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, NULL, &ta, &R), SEC_SECURE);
	ta.name = tname(&A, "example.org");
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, NULL, &ta, &R), SEC_BOGUS);
	ta.name = tname(&A, "example");
	ta.ds = NULL;
	ta.insecure = true;
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, NULL, &ta, &R), SEC_INSECURE);
	/* Expired signature over the DNSKEY set. */
	tkey_period(&ksk, T_NOW - 20 * 86400, T_NOW - 10 * 86400);
	dnskey = tdnskey_set(&A, all, kskonly);
	strs[0] = s1 = tkey_ds_str(&ksk, LDNS_SHA256);
	ds = tset(&A, NULL, strs);
	free(s1);
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, ds, NULL, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_SIG_EXPIRED);
	tkey_free(&ksk);
	tkey_free(&zsk);
	teardown();
}

/* A referral or DS reply from a signed parent "example." about child
 * zones below it. */
static void
test_ds_proof(void)
{
	struct tkey pk, ck, *pkeys[] = { &pk, NULL }, *ckeys[] = { &ck, NULL };
	struct rrset *pdnskey, *sets, *ds_out;
	char *dsstr;
	const char *ref[4];
	const char *nsec_deleg[] = {
		"unsigned.example. 3600 IN NSEC www.example. NS RRSIG NSEC", NULL
	};
	const char *nsec_plain[] = {
		"host.example. 3600 IN NSEC unsigned.example. A RRSIG NSEC", NULL
	};
	const char *nsec_apex[] = {
		"example. 3600 IN NSEC host.example. NS SOA RRSIG NSEC DNSKEY", NULL
	};
	int n;

	setup();
	tkey_init(&pk, LDNS_SIGN_ED25519, "example.", 257, T_INCEPT, T_EXPIRE);
	tkey_init(&ck, LDNS_SIGN_ED25519, "signed.example.", 257, T_INCEPT, T_EXPIRE);
	pdnskey = tdnskey_set(&A, pkeys, pkeys);
	CHECK_EQ_INT(val_verify_dnskey(&VE, pdnskey, NULL,
	    &(struct val_anchor){ .name = pdnskey->owner, .dnskey = pdnskey }, &R), SEC_SECURE);

	/* Signed delegation. */
	dsstr = tkey_ds_str(&ck, LDNS_SHA256);
	ref[0] = "signed.example. 3600 IN NS ns.signed.example.";
	ref[1] = dsstr;
	ref[2] = NULL;
	n = tsets(&A, pkeys, &sets, ref);
	/* The NS set of a referral is not signed by the parent; the
	 * helper signs everything, which does no harm here. */
	CHECK_EQ_INT(val_ds_proof(&VE, sets, n, tname(&A, "signed.example"), pdnskey, &ds_out, &R),
	    SEC_SECURE);
	CHECK(ds_out != NULL && ds_out->type == RR_TYPE_DS);
	{
		struct rrset *ckey = tdnskey_set(&A, ckeys, ckeys);

		CHECK_EQ_INT(val_verify_dnskey(&VE, ckey, ds_out, NULL, &R), SEC_SECURE);
	}
	/* DS signed by the child instead: bogus. */
	ref[0] = dsstr;
	ref[1] = NULL;
	n = tsets(&A, ckeys, &sets, ref);
	CHECK_EQ_INT(val_ds_proof(&VE, sets, n, tname(&A, "signed.example"), pdnskey, &ds_out, &R),
	    SEC_BOGUS);
	free(dsstr);
	/* DS with only an algorithm we lack: insecure. */
	ref[0] = "signed.example. 3600 IN DS 7 3 2 0000000000000000000000000000000000000000000000000000000000000000";
	n = tsets(&A, pkeys, &sets, ref);
	CHECK_EQ_INT(val_ds_proof(&VE, sets, n, tname(&A, "signed.example"), pdnskey, &ds_out, &R),
	    SEC_INSECURE);
	CHECK(ds_out == NULL);

	/* No DS, NSEC at the delegation: insecure child. */
	n = tsets(&A, pkeys, &sets, nsec_deleg);
	CHECK_EQ_INT(val_ds_proof(&VE, sets, n, tname(&A, "unsigned.example"), pdnskey, &ds_out, &R),
	    SEC_INSECURE);
	CHECK(R.delegation);
	/* The same NSEC unsigned, or signed by someone else: bogus. */
	n = tsets(&A, NULL, &sets, nsec_deleg);
	CHECK_EQ_INT(val_ds_proof(&VE, sets, n, tname(&A, "unsigned.example"), pdnskey, &ds_out, &R),
	    SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_NSEC_MISSING);
	n = tsets(&A, ckeys, &sets, nsec_deleg);
	CHECK_EQ_INT(val_ds_proof(&VE, sets, n, tname(&A, "unsigned.example"), pdnskey, &ds_out, &R),
	    SEC_BOGUS);
	/* A name without NS: no zone cut, keep the parent's keys. */
	n = tsets(&A, pkeys, &sets, nsec_plain);
	CHECK_EQ_INT(val_ds_proof(&VE, sets, n, tname(&A, "host.example"), pdnskey, &ds_out, &R),
	    SEC_SECURE);
	CHECK(ds_out == NULL && !R.delegation);
	/* A name that does not exist at all: no zone cut either (the NSEC
	 * covering "*.example" is the apex one). */
	{
		const char *both[] = { nsec_plain[0], nsec_apex[0], NULL };

		n = tsets(&A, pkeys, &sets, both);
		CHECK_EQ_INT(val_ds_proof(&VE, sets, n, tname(&A, "i.example"), pdnskey, &ds_out, &R),
		    SEC_SECURE);
		CHECK(ds_out == NULL);
	}
	/* The apex NSEC cannot deny the DS of the apex (child side). */
	n = tsets(&A, pkeys, &sets, nsec_apex);
	CHECK_EQ_INT(val_ds_proof(&VE, sets, n, tname(&A, "example"), pdnskey, &ds_out, &R),
	    SEC_BOGUS);
	/* A tampered NSEC spoils the proof. */
	n = tsets(&A, pkeys, &sets, nsec_deleg);
	((uint8_t *)sets[0].rdata[0].data)[sets[0].rdata[0].len - 1] ^= 0x40;
	CHECK_EQ_INT(val_ds_proof(&VE, sets, n, tname(&A, "unsigned.example"), pdnskey, &ds_out, &R),
	    SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_DNSSEC_BOGUS);
	tkey_free(&pk);
	tkey_free(&ck);
	teardown();
}

/* ---- denial with zones signed by ldns ---- */

static const char *zone_text[] = {
	"example. 3600 IN SOA ns.example. admin.example. 1 3600 600 86400 300",
	"example. 3600 IN NS ns.example.",
	"ns.example. 3600 IN A 192.0.2.53",
	"host.example. 3600 IN A 192.0.2.1",
	"*.w.example. 3600 IN MX 10 host.example.",
	"x.y.example. 3600 IN TXT \"deep\"",
	"unsigned.example. 3600 IN NS ns.elsewhere.",
	NULL,   /* DNSKEY goes here */
	NULL
};

static void
check_signed_denial(bool nsec3, uint16_t iterations, enum sec_status expect)
{
	struct tkey k, *keys[] = { &k, NULL };
	struct rrset *dnskey, *sets, *auth;
	char *keystr;
	int n, i, nauth;

	setup();
	tkey_init(&k, LDNS_SIGN_ECDSAP256SHA256, "example.", 257, T_INCEPT, T_EXPIRE);
	zone_text[7] = keystr = tkey_dnskey_str(&k);
	n = tzone(&A, keys, zone_text, nsec3, 0, iterations, "aabbccdd", &sets);
	zone_text[7] = NULL;
	free(keystr);
	dnskey = tfind(sets, n, "example.", RR_TYPE_DNSKEY);
	CHECK(dnskey != NULL);
	if (dnskey == NULL)
		goto out;
	CHECK_EQ_INT(val_verify_rrset(&VE, dnskey, dnskey, &R), SEC_SECURE);
	/* The whole chain as authority section: the proofs pick what they
	 * need. */
	auth = arena_alloc(&A, (size_t)n * sizeof(*auth));
	for (i = 0, nauth = 0; i < n; i++)
		if (sets[i].type == RR_TYPE_NSEC || sets[i].type == RR_TYPE_NSEC3 ||
		    sets[i].type == RR_TYPE_SOA)
			auth[nauth++] = sets[i];
	CHECK(nauth > 3);
	for (i = 0; i < nauth; i++)
		CHECK(auth[i].type == RR_TYPE_SOA ||
		    auth[i].type == (nsec3 ? RR_TYPE_NSEC3 : RR_TYPE_NSEC));

	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_NXDOMAIN, auth, nauth, tname(&A, "nope.example"),
	    RR_TYPE_A, -1, dnskey, &R), expect);
	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_NODATA, auth, nauth, tname(&A, "host.example"),
	    RR_TYPE_AAAA, -1, dnskey, &R), expect);
	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_NODATA, auth, nauth, tname(&A, "y.example"),
	    RR_TYPE_A, -1, dnskey, &R), expect);
	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_NODATA, auth, nauth, tname(&A, "a.w.example"),
	    RR_TYPE_A, -1, dnskey, &R), expect);
	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_WILDCARD, auth, nauth, tname(&A, "a.w.example"),
	    RR_TYPE_MX, 2, dnskey, &R), expect);
	if (expect != SEC_SECURE)
		goto out;
	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_NODATA, auth, nauth, tname(&A, "unsigned.example"),
	    RR_TYPE_DS, -1, dnskey, &R), SEC_SECURE);
	CHECK(R.delegation);
	/* Wrong claims. */
	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_NXDOMAIN, auth, nauth, tname(&A, "host.example"),
	    RR_TYPE_A, -1, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_NSEC_MISSING);
	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_NODATA, auth, nauth, tname(&A, "host.example"),
	    RR_TYPE_A, -1, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_NODATA, auth, nauth, tname(&A, "a.w.example"),
	    RR_TYPE_MX, -1, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_NXDOMAIN, auth, nauth, tname(&A, "a.unsigned.example"),
	    RR_TYPE_A, -1, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_WILDCARD, auth, nauth, tname(&A, "a.w.example"),
	    RR_TYPE_MX, 1, dnskey, &R), SEC_BOGUS);
	/* Proof from one record short. */
	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_NXDOMAIN, auth, 1, tname(&A, "nope.example"),
	    RR_TYPE_A, -1, dnskey, &R), SEC_BOGUS);
	/* Tampered records make the reply bogus even if not needed. */
	for (i = 0; i < nauth; i++)
		if (auth[i].type != RR_TYPE_SOA) {
			auth[i].security = SEC_UNCHECKED;
			((uint8_t *)auth[i].rdata[0].data)[auth[i].rdata[0].len - 1] ^= 0x01;
			break;
		}
	CHECK_EQ_INT(val_deny(&VE, VAL_DENY_NXDOMAIN, auth, nauth, tname(&A, "nope.example"),
	    RR_TYPE_A, -1, dnskey, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_DNSSEC_BOGUS);
out:
	tkey_free(&k);
	teardown();
}

static void
test_signed_nsec_zone(void)
{
	check_signed_denial(false, 0, SEC_SECURE);
}

static void
test_signed_nsec3_zone(void)
{
	check_signed_denial(true, 0, SEC_SECURE);
	check_signed_denial(true, 10, SEC_SECURE);
	/* RFC 9276: too many iterations make it insecure. */
	check_signed_denial(true, VAL_NSEC3_MAX_ITERATIONS + 1, SEC_INSECURE);
}

int
main(void)
{
	RUN(test_dname_synthesis);
	RUN(test_algorithms);
	RUN(test_canonical_form);
	RUN(test_validity_period);
	RUN(test_key_mismatch);
	RUN(test_wildcard_signature);
	RUN(test_dnskey_chain);
	RUN(test_ds_proof);
	RUN(test_signed_nsec_zone);
	RUN(test_signed_nsec3_zone);
	return unit_summary();
}
