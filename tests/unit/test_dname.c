/*
 * test_dname.c -- domain name helpers.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "util/dname.h"
#include "unit.h"

static const char *
rt(const char *in)
{
	static char buf[DNAME_STR_MAX];
	uint8_t n[DNAME_MAX];

	if (dname_from_str(in, n) < 0)
		return "(invalid)";
	return dname_to_str(n, buf, sizeof(buf));
}

static void
test_from_to_str(void)
{
	uint8_t n[DNAME_MAX];
	char big[400];
	int i;

	CHECK_STR(rt("www.example.com"), "www.example.com.");
	CHECK_STR(rt("www.Example.COM."), "www.Example.COM.");
	CHECK_STR(rt("."), ".");
	CHECK_STR(rt(""), ".");
	CHECK_STR(rt("a\\.b.c"), "a\\.b.c.");
	CHECK_STR(rt("a\\032b.c"), "a\\032b.c.");
	CHECK_STR(rt("\\065\\066"), "AB.");
	CHECK_STR(rt("x\\\\y"), "x\\\\y.");
	CHECK_STR(rt("\\000\\255"), "\\000\\255.");
	CHECK_EQ_INT(dname_from_str("www.example.com", n), 17);
	CHECK(memcmp(n, "\3www\7example\3com", 17) == 0);
	CHECK_EQ_INT(dname_from_str(".", n), 1);
	CHECK_EQ_INT(n[0], 0);

	CHECK_EQ_INT(dname_from_str("a..b", n), -1);
	CHECK_EQ_INT(dname_from_str(".a", n), -1);
	CHECK_EQ_INT(dname_from_str("..", n), -1);
	CHECK_EQ_INT(dname_from_str("a\\", n), -1);
	CHECK_EQ_INT(dname_from_str("a\\25", n), -1);
	CHECK_EQ_INT(dname_from_str("a\\256", n), -1);

	/* 63-byte label fine, 64 not. */
	memset(big, 'a', 64);
	big[63] = '\0';
	CHECK_EQ_INT(dname_from_str(big, n), 65);
	big[63] = 'a';
	big[64] = '\0';
	CHECK_EQ_INT(dname_from_str(big, n), -1);

	/* 255 bytes total is the limit: 4 labels of 63 = 256 + root. */
	big[0] = '\0';
	for (i = 0; i < 3; i++)
		strcat(big, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	strcat(big, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	CHECK_EQ_INT(dname_from_str(big, n), 255);
	strcat(big, "a");
	CHECK_EQ_INT(dname_from_str(big, n), -1);
}

static void
test_to_str_small_buffer(void)
{
	uint8_t n[DNAME_MAX];
	char buf[8];

	dname_from_str("www.example.com", n);
	dname_to_str(n, buf, sizeof(buf));
	CHECK(strlen(buf) < sizeof(buf));
	CHECK(strncmp(buf, "www.exa", 7) == 0 || strncmp(buf, "www.", 4) == 0);
	dname_to_str(n, buf, 1);
	CHECK_EQ_INT(buf[0], 0);
}

static void
test_unpack(void)
{
	/* header-less test packet: name at 0, name with pointer at 17 */
	uint8_t pkt[64] = "\3www\7example\3com\0" "\4mail\xc0\x04";
	uint8_t out[DNAME_MAX];
	size_t pos = 0;

	CHECK_EQ_INT(dname_unpack(pkt, 17, &pos, out), 17);
	CHECK_EQ_INT(pos, 17);
	CHECK_EQ_INT(dname_unpack(pkt, 24, &pos, out), 18);
	CHECK_EQ_INT(pos, 24);
	CHECK(memcmp(out, "\4mail\7example\3com", 18) == 0);

	/* truncated */
	pos = 0;
	CHECK_EQ_INT(dname_unpack(pkt, 10, &pos, out), -1);
	pos = 17;
	CHECK_EQ_INT(dname_unpack(pkt, 23, &pos, out), -1);
	pos = 0;
	CHECK_EQ_INT(dname_skip(pkt, 16, &pos), -1);
	pos = 17;
	CHECK_EQ_INT(dname_skip(pkt, 24, &pos), 0);
	CHECK_EQ_INT(pos, 24);
	pos = 17;
	CHECK_EQ_INT(dname_skip(pkt, 23, &pos), -1);
}

static void
test_unpack_hostile(void)
{
	uint8_t out[DNAME_MAX];
	size_t pos;
	uint8_t self[] = { 0xc0, 0x00 };
	uint8_t fwd[] = { 0xc0, 0x02, 0x00 };
	uint8_t loop[] = { 1, 'a', 0xc0, 0x00 };
	uint8_t ext1[] = { 0x40, 0x00 };
	uint8_t ext2[] = { 0x80, 0x00 };
	uint8_t past[] = { 0x01, 'a', 0xc0, 0x10 };
	uint8_t big[800];
	int i;

	pos = 0;
	CHECK_EQ_INT(dname_unpack(self, sizeof(self), &pos, out), -1);
	pos = 0;
	CHECK_EQ_INT(dname_unpack(fwd, sizeof(fwd), &pos, out), -1);
	pos = 2;
	CHECK_EQ_INT(dname_unpack(loop, sizeof(loop), &pos, out), -1);
	pos = 0;
	CHECK_EQ_INT(dname_unpack(ext1, sizeof(ext1), &pos, out), -1);
	pos = 0;
	CHECK_EQ_INT(dname_unpack(ext2, sizeof(ext2), &pos, out), -1);
	pos = 0;
	CHECK_EQ_INT(dname_unpack(past, sizeof(past), &pos, out), -1);
	pos = 0;
	CHECK_EQ_INT(dname_skip(ext1, sizeof(ext1), &pos), -1);

	/* A name growing past 255 bytes through backward pointers:
	 * "\5aaaaa" then pointers to the previous chunk. */
	for (i = 0; i < 100; i++) {
		big[i * 8] = 5;
		memset(big + i * 8 + 1, 'a', 5);
		if (i == 0) {
			big[6] = 0;
			big[7] = 0;
		} else {
			big[i * 8 + 6] = (uint8_t)(0xc0 | ((i - 1) * 8) >> 8);
			big[i * 8 + 7] = (uint8_t)((i - 1) * 8);
		}
	}
	pos = 8 * 30;
	CHECK_EQ_INT(dname_unpack(big, sizeof(big), &pos, out), 6 * 31 + 1);
	pos = 8 * 45;
	CHECK_EQ_INT(dname_unpack(big, sizeof(big), &pos, out), -1);
	/* 256-byte name without pointers */
	memset(big, 0, sizeof(big));
	for (i = 0; i < 4; i++)
		big[i * 64] = 63;
	pos = 0;
	CHECK_EQ_INT(dname_unpack(big, sizeof(big), &pos, out), -1);
}

static void
test_compare(void)
{
	uint8_t a[DNAME_MAX], b[DNAME_MAX], c[DNAME_MAX], r[DNAME_MAX];
	uint8_t h1[DNAME_MAX], h2[DNAME_MAX];

	dname_from_str("WWW.Example.com", a);
	dname_from_str("www.example.COM.", b);
	dname_from_str("example.com", c);
	dname_from_str(".", r);
	CHECK(dname_equal(a, b));
	CHECK(!dname_equal(a, c));
	CHECK(dname_is_subdomain(a, c));
	CHECK(dname_is_subdomain(c, c));
	CHECK(!dname_is_subdomain(c, a));
	CHECK(dname_is_strict_subdomain(a, c));
	CHECK(!dname_is_strict_subdomain(c, c));
	CHECK(dname_is_subdomain(a, r));
	CHECK(dname_is_strict_subdomain(a, r));
	CHECK(!dname_is_strict_subdomain(r, r));
	CHECK_EQ_INT(dname_label_count(a), 3);
	CHECK_EQ_INT(dname_label_count(r), 0);
	CHECK_EQ_INT(dname_len(a), 17);
	CHECK(dname_equal(dname_remove_labels(a, 1), c));
	CHECK(dname_equal(dname_remove_labels(a, 3), r));
	CHECK(dname_equal(dname_suffix_labels(a, 2), c));
	CHECK(dname_equal(dname_suffix_labels(a, 0), r));
	CHECK(dname_suffix_labels(a, 5) == a);
	CHECK_EQ_INT(dname_common_labels(a, c), 2);
	dname_from_str("mail.example.org", b);
	CHECK_EQ_INT(dname_common_labels(a, b), 0);
	dname_from_str("ftp.EXAMPLE.com", b);
	CHECK_EQ_INT(dname_common_labels(a, b), 2);
	CHECK_EQ_INT(dname_common_labels(r, b), 0);

	/* High-bit bytes must not be case folded: 0xC1 is not 0xE1. */
	dname_from_str("\\193bc", h1);
	dname_from_str("\\225bc", h2);
	CHECK(!dname_equal(h1, h2));
	dname_from_str("\\091", h1);      /* '[' is not '{' */
	dname_from_str("\\123", h2);
	CHECK(!dname_equal(h1, h2));
	dname_from_str("\\064", h1);      /* '@' is not '`' */
	dname_from_str("\\096", h2);
	CHECK(!dname_equal(h1, h2));
	/* Long names exercise the 8-byte path. */
	dname_from_str("abcdefghijklmnopqrstuvwxyz.ABCDEFGHIJKLMNOPQRSTUVWXYZ.x", h1);
	dname_from_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ.abcdefghijklmnopqrstuvwxyz.X", h2);
	CHECK(dname_equal(h1, h2));
	dname_from_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ.abcdefghijklmnopqrstuvwxyz.Y", h2);
	CHECK(!dname_equal(h1, h2));
}

/* Every byte position of names of every length takes part in equality
 * and hashing (the word-at-a-time tails must not drop bytes). */
static void
test_every_byte_counts(void)
{
	char s[64];
	uint8_t a[DNAME_MAX], b[DNAME_MAX];
	int len, pos, miss = 0;

	for (len = 1; len < 60; len++) {
		memset(s, 'k', (size_t)len);
		s[len] = '\0';
		dname_from_str(s, a);
		for (pos = 0; pos < len; pos++) {
			s[pos] = 'K';
			dname_from_str(s, b);
			CHECK(dname_equal(a, b));
			CHECK(dname_hash(a, 99) == dname_hash(b, 99));
			s[pos] = 'm';
			dname_from_str(s, b);
			CHECK(!dname_equal(a, b));
			if (dname_hash(a, 99) == dname_hash(b, 99))
				miss++;
			s[pos] = 'k';
		}
	}
	CHECK_EQ_INT(miss, 0);
}

static void
test_canonical_order(void)
{
	/* RFC 4034 section 6.1 example, in order. */
	static const char *order[] = {
		"example", "a.example", "yljkjljk.a.example", "Z.a.example",
		"zABC.a.EXAMPLE", "z.example", "\\001.z.example", "*.z.example",
		"\\200.z.example"
	};
	uint8_t a[DNAME_MAX], b[DNAME_MAX];
	size_t i, j;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		for (j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
			int d;
			CHECK(dname_from_str(order[i], a) > 0);
			CHECK(dname_from_str(order[j], b) > 0);
			d = dname_canonical_cmp(a, b);
			if (i < j)
				CHECK(d < 0);
			else if (i > j)
				CHECK(d > 0);
			else
				CHECK(d == 0);
		}
	}
	dname_from_str("A.B", a);
	dname_from_str("a.b", b);
	CHECK_EQ_INT(dname_canonical_cmp(a, b), 0);
	dname_from_str(".", a);
	CHECK(dname_canonical_cmp(a, b) < 0);
}

static void
test_lower_hash(void)
{
	uint8_t a[DNAME_MAX], b[DNAME_MAX], c[DNAME_MAX];
	char s[DNAME_STR_MAX];
	uint32_t seed;
	int i, same = 0;

	dname_from_str("WwW.ExAmPlE.CoM", a);
	dname_from_str("www.example.com", b);
	CHECK_EQ_INT(dname_copy_lower(c, a), 17);
	CHECK(memcmp(c, b, 17) == 0);
	CHECK(dname_hash(a, 1) == dname_hash(b, 1));
	CHECK(dname_hash(a, 1) != dname_hash(a, 2));
	dname_lower(a);
	CHECK(memcmp(a, b, 17) == 0);

	/* Names differing in one byte, at various lengths, hash apart. */
	for (seed = 0; seed < 4; seed++) {
		for (i = 1; i < 60; i++) {
			memset(s, 'q', (size_t)i);
			s[i] = '\0';
			dname_from_str(s, a);
			s[i - 1] = 'r';
			dname_from_str(s, b);
			if (dname_hash(a, seed) == dname_hash(b, seed))
				same++;
			/* trailing byte only, no overread into later memory */
			CHECK(dname_hash(a, seed) == dname_hash(a, seed));
		}
	}
	CHECK(same == 0);
	dname_from_str(".", a);
	dname_from_str("a", b);
	CHECK(dname_hash(a, 7) != dname_hash(b, 7));
}

static void
test_wildcard(void)
{
	uint8_t enc[DNAME_MAX], out[DNAME_MAX], want[DNAME_MAX];
	char big[300];
	int n, i;

	CHECK(dname_from_str("example.com", enc) > 0);
	CHECK(dname_from_str("*.example.com", want) > 0);
	n = dname_wildcard(enc, out);
	CHECK_EQ_INT(n, (int)dname_len(want));
	CHECK(n > 0 && memcmp(out, want, (size_t)n) == 0);
	CHECK(dname_from_str(".", enc) > 0);
	CHECK_EQ_INT(dname_wildcard(enc, out), 3);
	/* a 254-byte encloser (labels of 63, 62, 62, 62 bytes): "*." would
	 * make 256 bytes */
	for (i = 0, n = 0; i < 4; i++)
		n += snprintf(big + n, sizeof(big) - (size_t)n, "%.*s.", i == 0 ? 63 : 62,
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	CHECK_EQ_INT(dname_from_str(big, enc), 254);
	CHECK_EQ_INT(dname_wildcard(enc, out), -1);
}

/* RFC 6672 section 2.2: the owner suffix replaced by the target. */
static void
test_substitute(void)
{
	uint8_t name[DNAME_MAX], owner[DNAME_MAX], target[DNAME_MAX], out[DNAME_MAX],
	    want[DNAME_MAX];
	char big[300];
	int n, i;

	dname_from_str("a.b.X.example", name);
	dname_from_str("x.Example", owner);
	dname_from_str("example.net", target);
	dname_from_str("a.b.example.net", want);
	n = dname_substitute(name, owner, target, out);
	CHECK_EQ_INT(n, (int)dname_len(want));
	CHECK(n > 0 && memcmp(out, want, (size_t)n) == 0);
	/* x. DNAME . */
	dname_from_str("a.x.x", name);
	dname_from_str("x", owner);
	dname_from_str(".", target);
	dname_from_str("a.x", want);
	n = dname_substitute(name, owner, target, out);
	CHECK(n == (int)dname_len(want) && memcmp(out, want, (size_t)n) == 0);
	/* only strictly below the owner */
	CHECK_EQ_INT(dname_substitute(owner, owner, target, out), -1);
	dname_from_str("a.y", name);
	CHECK_EQ_INT(dname_substitute(name, owner, target, out), -1);
	/* a 251-byte target: a 4-byte label fits (255 bytes), a 5-byte one
	 * would make 256 (YXDOMAIN) */
	for (i = 0, n = 0; i < 4; i++)
		n += snprintf(big + n, sizeof(big) - (size_t)n, "%.*s.", i == 0 ? 60 : 62,
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	CHECK_EQ_INT(dname_from_str(big, target), 251);
	dname_from_str("abc.x", name);
	CHECK_EQ_INT(dname_substitute(name, owner, target, out), 255);
	dname_from_str("abcd.x", name);
	CHECK_EQ_INT(dname_substitute(name, owner, target, out), -1);
}

int
main(void)
{
	RUN(test_from_to_str);
	RUN(test_to_str_small_buffer);
	RUN(test_unpack);
	RUN(test_unpack_hostile);
	RUN(test_compare);
	RUN(test_every_byte_counts);
	RUN(test_canonical_order);
	RUN(test_lower_hash);
	RUN(test_wildcard);
	RUN(test_substitute);
	return unit_summary();
}
