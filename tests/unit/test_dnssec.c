/*
 * test_dnssec.c -- trust anchors, key tags, DS digests, signature
 * verification for every supported algorithm, the chain of trust, and
 * denial proofs over zones signed by ldns.
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

#ifndef DNSSEC_TEST_DATA
#define DNSSEC_TEST_DATA "tests/unit/data/dnssec"
#endif

static const char *root_ds[] = {
	". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
	". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
};

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

/* ---- anchors, key tags, digests ---- */

static void
test_root_anchor_file(void)
{
	struct val_anchors *as = val_anchors_new();
	const struct val_anchor *ta;
	char err[256];
	int i, j;

	CHECK_EQ_INT(val_anchors_add_file(as, DNSSEC_TEST_DATA "/root.key", err, sizeof(err)), 2);
	for (i = 0; i < 2; i++)
		CHECK_EQ_INT(val_anchors_add_str(as, root_ds[i], err, sizeof(err)), 0);
	CHECK_EQ_INT(val_anchors_count(as), 1);
	setup();
	ta = val_anchors_lookup(as, tname(&A, "www.example.com"));
	CHECK(ta != NULL);
	if (ta != NULL) {
		CHECK(ta->name[0] == 0);
		CHECK(!ta->insecure);
		CHECK(ta->dnskey != NULL && ta->dnskey->count == 2);
		CHECK(ta->ds != NULL && ta->ds->count == 2);
	}
	if (ta != NULL && ta->dnskey != NULL && ta->ds != NULL) {
		const struct rdata *k = ta->dnskey->rdata, *d = ta->ds->rdata;

		CHECK_EQ_INT(val_keytag(k[0].data, k[0].len), 20326);
		CHECK_EQ_INT(val_keytag(k[1].data, k[1].len), 38696);
		CHECK(val_dnskey_usable(k[0].data, k[0].len));
		for (i = 0; i < 2; i++)
			for (j = 0; j < 2; j++)
				CHECK_EQ_INT(val_ds_matches(ta->name, d[i].data, d[i].len,
				    k[j].data, k[j].len), i == j);
	}
	teardown();
	val_anchors_free(as);
}

static void
test_anchor_config(void)
{
	struct val_anchors *as = val_anchors_new();
	const struct val_anchor *ta;
	char err[256], path[] = "/tmp/test_dnssec_XXXXXX";
	FILE *fp;
	int fd;

	setup();
	CHECK_EQ_INT(val_anchors_add_str(as, "example. 3600 IN DS 1234 13 2 "
	    "0000000000000000000000000000000000000000000000000000000000000000", err, sizeof(err)), 0);
	CHECK_EQ_INT(val_anchors_add_str(as, "Sub.Example DNSKEY 257 3 15 "
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", err, sizeof(err)), 0);
	CHECK_EQ_INT(val_anchors_add_str(as, "example. A 192.0.2.1", err, sizeof(err)), -1);
	CHECK(strstr(err, "DS or DNSKEY") != NULL);
	CHECK_EQ_INT(val_anchors_add_str(as, "example. CH DS 1 13 2 00", err, sizeof(err)), -1);
	CHECK_EQ_INT(val_anchors_add_str(as, "example. DS nonsense", err, sizeof(err)), -1);
	CHECK_EQ_INT(val_anchors_add_insecure(as, tname(&A, "corp.example")), 0);
	CHECK_EQ_INT(val_anchors_add_insecure(as, tname(&A, "sub.example")), 0);
	CHECK_EQ_INT(val_anchors_count(as), 3);

	ta = val_anchors_lookup(as, tname(&A, "www.EXAMPLE"));
	CHECK(ta != NULL && ta->ds != NULL && !ta->insecure && dname_equal(ta->name, tname(&A, "example")));
	ta = val_anchors_lookup(as, tname(&A, "a.b.corp.example"));
	CHECK(ta != NULL && ta->insecure && ta->ds == NULL && ta->dnskey == NULL);
	/* A configured key beats domain-insecure at the same name. */
	ta = val_anchors_lookup(as, tname(&A, "x.sub.example"));
	CHECK(ta != NULL && !ta->insecure && ta->dnskey != NULL && ta->dnskey->count == 1);
	CHECK(ta != NULL && memcmp(ta->name, "\003sub\007example", 13) == 0);
	CHECK(val_anchors_lookup(as, tname(&A, "example.org")) == NULL);
	CHECK(val_anchors_lookup(as, tname(&A, ".")) == NULL);

	/* Zone file syntax: $ORIGIN, $TTL, relative names, comments; the
	 * same record twice is kept once. */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	fp = fdopen(fd, "w");
	fprintf(fp, "; comment\n$ORIGIN net.\n$TTL 60\n\nzone 3600 IN DS 1 8 2 "
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA ; trailing\n"
	    "zone DS 1 8 2 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
	fclose(fp);
	CHECK_EQ_INT(val_anchors_add_file(as, path, err, sizeof(err)), 2);
	ta = val_anchors_lookup(as, tname(&A, "www.zone.net"));
	CHECK(ta != NULL && ta->ds != NULL && ta->ds->count == 1);

	/* unbound-anchor's autotrust format. */
	fp = fopen(path, "w");
	fprintf(fp, "; autotrust trust anchor file\n;;id: auto.net. 1\n;;last_queried: 1700000000 "
	    ";;Tue Nov 14 22:13:20 2023\n;;query_failed: 0\n"
	    "auto.net.\t172800\tIN\tDNSKEY\t257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= "
	    ";{id = 3467 (ksk), size = 256b} ;;state=2 [  VALID  ] ;;count=0 "
	    ";;lastchange=1700000000 ;;Tue Nov 14 22:13:20 2023\n");
	fclose(fp);
	CHECK_EQ_INT(val_anchors_add_file(as, path, err, sizeof(err)), 1);
	ta = val_anchors_lookup(as, tname(&A, "auto.net"));
	CHECK(ta != NULL && ta->dnskey != NULL && ta->dnskey->count == 1);

	fp = fopen(path, "w");
	fprintf(fp, "zone.net. DS 1 8 2 AAAA\nzone.net. A 192.0.2.1\n");
	fclose(fp);
	CHECK_EQ_INT(val_anchors_add_file(as, path, err, sizeof(err)), -1);
	CHECK(strstr(err, ":2:") != NULL);
	/* the line named is the record's own, comments and blanks counted */
	fp = fopen(path, "w");
	fprintf(fp, "; one\n; two\n\nzone.net. DS 1 8 2 AAAA\n; five\n\nzone.net. A 192.0.2.1\n");
	fclose(fp);
	CHECK_EQ_INT(val_anchors_add_file(as, path, err, sizeof(err)), -1);
	CHECK(strstr(err, ":7: ") != NULL);
	fp = fopen(path, "w");
	fprintf(fp, "; nothing\n");
	fclose(fp);
	CHECK_EQ_INT(val_anchors_add_file(as, path, err, sizeof(err)), -1);
	unlink(path);
	CHECK_EQ_INT(val_anchors_add_file(as, path, err, sizeof(err)), -1);
	teardown();
	val_anchors_free(as);
}

static void
test_ds_digests(void)
{
	struct tkey k;
	struct rrset *key, *ds;
	const ldns_hash hs[] = { LDNS_SHA1, LDNS_SHA256, LDNS_SHA384 };
	const char *strs[2] = { NULL, NULL };
	size_t i;

	setup();
	tkey_init(&k, LDNS_SIGN_ECDSAP256SHA256, "example.", 257, T_INCEPT, T_EXPIRE);
	strs[0] = tkey_dnskey_str(&k);
	key = tset(&A, NULL, strs);
	free((char *)strs[0]);
	CHECK_EQ_INT(val_keytag(key->rdata[0].data, key->rdata[0].len), k.tag);
	for (i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		strs[0] = tkey_ds_str(&k, hs[i]);
		ds = tset(&A, NULL, strs);
		free((char *)strs[0]);
		CHECK(val_ds_matches(key->owner, ds->rdata[0].data, ds->rdata[0].len,
		    key->rdata[0].data, key->rdata[0].len));
		/* Owner case does not matter; the owner itself does. */
		CHECK(val_ds_matches(tname(&A, "EXAMPLE"), ds->rdata[0].data, ds->rdata[0].len,
		    key->rdata[0].data, key->rdata[0].len));
		CHECK(!val_ds_matches(tname(&A, "example.org"), ds->rdata[0].data, ds->rdata[0].len,
		    key->rdata[0].data, key->rdata[0].len));
		((uint8_t *)ds->rdata[0].data)[ds->rdata[0].len - 1] ^= 1;
		CHECK(!val_ds_matches(key->owner, ds->rdata[0].data, ds->rdata[0].len,
		    key->rdata[0].data, key->rdata[0].len));
	}
	CHECK(val_digest_supported(1) && val_digest_supported(2) && val_digest_supported(4));
	CHECK(!val_digest_supported(3) && !val_digest_supported(0));
	tkey_free(&k);
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
	RUN(test_root_anchor_file);
	RUN(test_anchor_config);
	RUN(test_ds_digests);
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
