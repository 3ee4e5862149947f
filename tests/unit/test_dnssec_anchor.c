/*
 * test_dnssec_anchor.c -- trust anchors (the root key file, anchors from
 * the config and from zone-file-form files with the line of a bad record,
 * negative anchors, what an anchor must look like to be taken at all),
 * key tags and DS digests, and which DS records count.
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

#define DIGEST32 "0000000000000000000000000000000000000000000000000000000000000000"

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
	fprintf(fp, "zone.net. DS 1 8 2 " DIGEST32 "\nzone.net. A 192.0.2.1\n");
	fclose(fp);
	CHECK_EQ_INT(val_anchors_add_file(as, path, err, sizeof(err)), -1);
	CHECK(strstr(err, ":2:") != NULL);
	/* the line named is the record's own, comments and blanks counted */
	fp = fopen(path, "w");
	fprintf(fp, "; one\n; two\n\nzone.net. DS 1 8 2 " DIGEST32 "\n; five\n\n"
	    "zone.net. A 192.0.2.1\n");
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

/*
 * Issue 9: a DS anchor whose digest cannot be of its type (a SHA-256
 * digest labelled SHA-1, a truncated one) would match no key and leave
 * the zone bogus for good: it is refused when loaded, a file's with its
 * line. A digest type we do not implement may have any length: it is
 * ignored when validating (the zone insecure unless another anchor
 * vouches).
 */
static void
test_anchor_digest_length(void)
{
	struct val_anchors *as = val_anchors_new();
	char err[256], path[] = "/tmp/test_dnssec_XXXXXX";
	FILE *fp;
	int fd;

	CHECK_EQ_INT(val_anchors_add_str(as, ". IN DS 20326 8 1 "
	    "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D", err, sizeof(err)), -1);
	CHECK_STR(err, "DS digest type 1 (SHA-1) has 32 bytes, not 20");
	CHECK_EQ_INT(val_anchors_add_str(as, ". IN DS 20326 8 2 E06D44B80B8F1D39", err, sizeof(err)), -1);
	CHECK_STR(err, "DS digest type 2 (SHA-256) has 8 bytes, not 32");
	CHECK_EQ_INT(val_anchors_add_str(as, ". IN DS 20326 8 4 " DIGEST32, err, sizeof(err)), -1);
	CHECK_STR(err, "DS digest type 4 (SHA-384) has 32 bytes, not 48");
	CHECK_EQ_INT(val_anchors_count(as), 0);
	/* the right lengths, and an unknown digest type of any length */
	CHECK_EQ_INT(val_anchors_add_str(as, ". IN DS 20326 8 1 "
	    "0000000000000000000000000000000000000000", err, sizeof(err)), 0);
	CHECK_EQ_INT(val_anchors_add_str(as, ". IN DS 20326 8 2 " DIGEST32, err, sizeof(err)), 0);
	CHECK_EQ_INT(val_anchors_add_str(as, ". IN DS 20326 8 3 E06D", err, sizeof(err)), 0);
	CHECK_EQ_INT(val_anchors_add_str(as, ". IN DS 20326 8 9 E06D", err, sizeof(err)), 0);

	fd = mkstemp(path);
	CHECK(fd >= 0);
	fp = fdopen(fd, "w");
	fprintf(fp, "; root\n. IN DS 20326 8 2 " DIGEST32 "\n\n"
	    ". IN DS 20326 8 1 " DIGEST32 "\n");
	fclose(fp);
	CHECK_EQ_INT(val_anchors_add_file(as, path, err, sizeof(err)), -1);
	CHECK(strncmp(err, path, strlen(path)) == 0);
	CHECK(strstr(err, ":4: DS digest type 1 (SHA-1) has 32 bytes, not 20") != NULL);
	unlink(path);
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

/*
 * Issue 9: a DS of an algorithm and digest type we support is used
 * whatever its digest, so one that matches no key -- even by having the
 * wrong length for its type -- leaves the zone bogus, never insecure (RFC
 * 4035 section 5.2, RFC 6840 section 5.2). Only a DS set of nothing but
 * algorithms or digest types we lack makes it insecure.
 */
static void
test_ds_digest_no_match(void)
{
	struct tkey k, *keys[] = { &k, NULL };
	struct rrset *dnskey, *ds;
	struct val_anchor ta;
	const char *strs[2] = { NULL, NULL };
	char *good, *p, bad[512];

	setup();
	tkey_init(&k, LDNS_SIGN_ECDSAP256SHA256, "example.", 257, T_INCEPT, T_EXPIRE);
	dnskey = tdnskey_set(&A, keys, keys);
	good = tkey_ds_str(&k, LDNS_SHA256);
	strs[0] = good;
	ds = tset(&A, NULL, strs);
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, ds, NULL, &R), SEC_SECURE);

	/* the key's SHA-256 digest, labelled SHA-1: 32 bytes where 20 go */
	snprintf(bad, sizeof(bad), "%s", good);
	p = strstr(bad, " 13 2 ");
	CHECK(p != NULL);
	if (p != NULL)
		p[4] = '1';
	strs[0] = bad;
	ds = tset(&A, NULL, strs);
	CHECK(val_ds_usable(ds));
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, ds, NULL, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_DNSKEY_MISSING);
	/* the same as a trust anchor (made here: loading refuses it) */
	memset(&ta, 0, sizeof(ta));
	ta.name = tname(&A, "example");
	ta.ds = ds;
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, NULL, &ta, &R), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_DNSKEY_MISSING);

	/* a SHA-256 digest cut short */
	snprintf(bad, sizeof(bad), "%s", good);
	bad[strlen(bad) - 9] = '\0';
	strs[0] = bad;
	ds = tset(&A, NULL, strs);
	CHECK(val_ds_usable(ds));
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, ds, NULL, &R), SEC_BOGUS);

	/* a digest type we lack (GOST), of any length: insecure */
	snprintf(bad, sizeof(bad), "%s", good);
	p = strstr(bad, " 13 2 ");
	if (p != NULL)
		p[4] = '3';
	bad[strlen(bad) - 9] = '\0';
	strs[0] = bad;
	ds = tset(&A, NULL, strs);
	CHECK(!val_ds_usable(ds));
	CHECK_EQ_INT(val_verify_dnskey(&VE, dnskey, ds, NULL, &R), SEC_INSECURE);
	free(good);
	tkey_free(&k);
	teardown();
}

int
main(void)
{
	RUN(test_root_anchor_file);
	RUN(test_anchor_config);
	RUN(test_anchor_digest_length);
	RUN(test_ds_digests);
	RUN(test_ds_digest_no_match);
	return unit_summary();
}
