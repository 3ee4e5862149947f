/*
 * dname.c -- uncompressed wire-format domain names.
 *
 * These functions sit on the cache-hit path, so they work on the wire form
 * directly, never allocate, and compare eight bytes at a time where they
 * can. Label length bytes are at most 63, which ASCII case folding leaves
 * alone, so a whole name can be folded and compared as one byte string.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "util/dname.h"

/* A legitimate encoder never chains pointers; this bounds the work a
 * hostile packet can cause per name. */
#define DNAME_MAX_POINTERS DNAME_LABELS_MAX

static const uint8_t lower_tab[256] = {
#define R(x) x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7
	R(0x00), R(0x08), R(0x10), R(0x18), R(0x20), R(0x28), R(0x30), R(0x38),
	0x40, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
	R(0x60), R(0x68), R(0x70), R(0x78),
	R(0x80), R(0x88), R(0x90), R(0x98), R(0xa0), R(0xa8), R(0xb0), R(0xb8),
	R(0xc0), R(0xc8), R(0xd0), R(0xd8), R(0xe0), R(0xe8), R(0xf0), R(0xf8)
#undef R
};

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Fold 'A'..'Z' to lower case in eight bytes at once. Every byte is
 * handled in its own lane: the additions below cannot carry across
 * lanes because each lane holds at most 0x7f before adding. */
static inline uint64_t
lower64(uint64_t x)
{
	uint64_t low7 = x & ~HIGHS;
	uint64_t ge_a = low7 + ONES * (0x80 - 'A');
	uint64_t gt_z = low7 + ONES * (0x7f - 'Z');
	uint64_t upper = (ge_a ^ gt_z) & ~x & HIGHS;

	return x | (upper >> 2);
}

static inline uint64_t
load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Load up to 8 trailing bytes, zero-padded, without reading past them.
 * A variable-length memcpy would be a library call here. */
static inline uint64_t
load_tail(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	if (n >= 4) {
		/* Two words that overlap when n < 8; hi's bytes land at
		 * offsets n-4..n-1. Little-endian assembly so the overlap
		 * lines up on any host; compilers make these plain loads. */
		uint64_t lo = le32(p), hi = le32(p + n - 4);
		return lo | hi << (8 * (n - 4));
	}
	if (n > 0)
		v = (uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) |
		    (uint64_t)p[n - 1] << (8 * (n - 1));
	return v;
}

int
dname_unpack(const uint8_t *pkt, size_t pktlen, size_t *pos, uint8_t *out)
{
	size_t p = *pos, olen = 0, after = 0, run = p;
	int jumps = 0;
	uint8_t c;

	/* Labels are copied a run at a time (one memcpy per stretch
	 * between pointers), which is one copy for an uncompressed name. */
	for (;;) {
		if (p >= pktlen)
			return -1;
		c = pkt[p];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (p + 1 >= pktlen)
				return -1;
			target = (size_t)(c & 0x3f) << 8 | pkt[p + 1];
			/* Strictly backwards rules out loops. */
			if (target >= p || ++jumps > DNAME_MAX_POINTERS)
				return -1;
			memcpy(out + olen - (p - run), pkt + run, p - run);
			if (after == 0)
				after = p + 2;
			p = run = target;
			continue;
		}
		if (c & 0xc0)
			return -1;
		if (olen + 1 + c > DNAME_MAX || p + 1 + c > pktlen)
			return -1;
		olen += 1 + (size_t)c;
		p += 1 + (size_t)c;
		if (c == 0)
			break;
	}
	memcpy(out + olen - (p - run), pkt + run, p - run);
	*pos = after ? after : p;
	return (int)olen;
}

int
dname_skip(const uint8_t *pkt, size_t pktlen, size_t *pos)
{
	size_t p = *pos, n = 0;
	uint8_t c;

	for (;;) {
		if (p >= pktlen)
			return -1;
		c = pkt[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 2 > pktlen)
				return -1;
			p += 2;
			break;
		}
		if (c & 0xc0)
			return -1;
		n += 1 + (size_t)c;
		p += 1 + (size_t)c;
		if (n > DNAME_MAX)
			return -1;
		if (c == 0)
			break;
	}
	if (p > pktlen)
		return -1;
	*pos = p;
	return 0;
}

size_t
dname_len(const uint8_t *name)
{
	const uint8_t *p = name;

	while (*p)
		p += *p + 1;
	return (size_t)(p - name) + 1;
}

int
dname_label_count(const uint8_t *name)
{
	int n = 0;

	while (*name) {
		name += *name + 1;
		n++;
	}
	return n;
}

/* Case-insensitive comparison of n bytes; label bytes are never > 63, so
 * folding them is harmless. */
static inline bool
fold_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	while (n >= 8) {
		if (lower64(load64(a)) != lower64(load64(b)))
			return false;
		a += 8;
		b += 8;
		n -= 8;
	}
	if (n > 0 && lower64(load_tail(a, n)) != lower64(load_tail(b, n)))
		return false;
	return true;
}

bool
dname_equal(const uint8_t *a, const uint8_t *b)
{
	size_t la;

	if (a == b)
		return true;
	la = dname_len(a);
	/* Equal folded bytes imply the same label structure: the first byte
	 * of each is a length byte, and so on by induction. */
	if (la != dname_len(b))
		return false;
	return fold_equal(a, b, la);
}

const uint8_t *
dname_remove_labels(const uint8_t *name, int n)
{
	while (n-- > 0 && *name)
		name += *name + 1;
	return name;
}

const uint8_t *
dname_suffix_labels(const uint8_t *name, int labels)
{
	int have = dname_label_count(name);

	if (labels >= have)
		return name;
	return dname_remove_labels(name, have - labels);
}

bool
dname_is_subdomain(const uint8_t *name, const uint8_t *zone)
{
	int nl = dname_label_count(name), zl = dname_label_count(zone);

	if (nl < zl)
		return false;
	return dname_equal(dname_remove_labels(name, nl - zl), zone);
}

bool
dname_is_strict_subdomain(const uint8_t *name, const uint8_t *zone)
{
	int nl = dname_label_count(name), zl = dname_label_count(zone);

	if (nl <= zl)
		return false;
	return dname_equal(dname_remove_labels(name, nl - zl), zone);
}

/* Offsets of the labels of name, leftmost first. Returns the count. */
static int
label_offsets(const uint8_t *name, uint8_t *offs)
{
	int n = 0;
	size_t p = 0;

	while (name[p]) {
		offs[n++] = (uint8_t)p;
		p += name[p] + 1;
	}
	return n;
}

static int
label_cmp(const uint8_t *a, const uint8_t *b)
{
	uint8_t la = a[0], lb = b[0], i, n = la < lb ? la : lb;
	int d;

	for (i = 1; i <= n; i++) {
		d = (int)lower_tab[a[i]] - (int)lower_tab[b[i]];
		if (d != 0)
			return d;
	}
	return (int)la - (int)lb;
}

int
dname_common_labels(const uint8_t *a, const uint8_t *b)
{
	uint8_t oa[DNAME_LABELS_MAX], ob[DNAME_LABELS_MAX];
	int na = label_offsets(a, oa), nb = label_offsets(b, ob), n = 0;

	while (na > 0 && nb > 0) {
		na--;
		nb--;
		if (a[oa[na]] != b[ob[nb]] || label_cmp(a + oa[na], b + ob[nb]) != 0)
			break;
		n++;
	}
	return n;
}

int
dname_canonical_cmp(const uint8_t *a, const uint8_t *b)
{
	uint8_t oa[DNAME_LABELS_MAX], ob[DNAME_LABELS_MAX];
	int na = label_offsets(a, oa), nb = label_offsets(b, ob), d;

	/* RFC 4034 6.1: compare labels from the root down; a name sorts
	 * before the names below it. */
	while (na > 0 && nb > 0) {
		na--;
		nb--;
		d = label_cmp(a + oa[na], b + ob[nb]);
		if (d != 0)
			return d;
	}
	return na - nb;
}

void
dname_lower(uint8_t *name)
{
	size_t n = dname_len(name), i;

	for (i = 0; i < n; i++)
		name[i] = lower_tab[name[i]];
}

size_t
dname_copy_lower(uint8_t *out, const uint8_t *name)
{
	size_t n = dname_len(name), i;

	for (i = 0; i < n; i++)
		out[i] = lower_tab[name[i]];
	return n;
}

static inline uint64_t
mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint32_t
dname_hash(const uint8_t *name, uint32_t seed)
{
	/* Keys derived from the seed, not public constants: an attacker
	 * who knew them could craft words that zero a multiplication and
	 * so collide names at will. A table hashes with one seed, so the
	 * derivation is cached. */
	static __thread uint32_t kseed;
	static __thread uint64_t k0, k1;
	size_t n = dname_len(name);
	uint64_t h, a, b;
	const uint8_t *p = name;

	if (kseed != seed || k1 == 0) {
		k0 = mix(seed ^ 0x9e3779b97f4a7c15ULL, 0xd6e8feb86659fd93ULL);
		k1 = mix(k0 ^ 0xa0761d6478bd642fULL, 0xe7037ed1a0b428dbULL) | 1;
		kseed = seed;
	}
	h = k0 ^ n;

	while (n > 16) {
		a = lower64(load64(p));
		b = lower64(load64(p + 8));
		h = mix(a ^ k1, b ^ h);
		p += 16;
		n -= 16;
	}
	if (n > 8) {
		a = lower64(load64(p));
		b = lower64(load_tail(p + 8, n - 8));
	} else {
		a = lower64(load_tail(p, n));
		b = 0;
	}
	h = mix(a ^ k1, b ^ h ^ k0);
	h = mix(h ^ k0, k1);
	return (uint32_t)(h ^ (h >> 32));
}

int
dname_from_str(const char *str, uint8_t *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t olen = 0, lpos = 0;
	unsigned int c;

	if (s[0] == '\0' || (s[0] == '.' && s[1] == '\0')) {
		out[0] = 0;
		return 1;
	}
	out[0] = 0;
	olen = 1;
	while (*s) {
		if (*s == '.') {
			if (out[lpos] == 0)
				return -1;      /* empty label */
			s++;
			if (*s == '\0')
				break;
			lpos = olen;
			if (olen >= DNAME_MAX)
				return -1;
			out[olen++] = 0;
			continue;
		}
		if (*s == '\\') {
			s++;
			if (s[0] >= '0' && s[0] <= '9') {
				if (!(s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'))
					return -1;
				c = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 +
				    (unsigned)(s[2] - '0');
				if (c > 255)
					return -1;
				s += 3;
			} else if (*s == '\0') {
				return -1;
			} else {
				c = *s++;
			}
		} else {
			c = *s++;
		}
		if (out[lpos] >= 63 || olen >= DNAME_MAX - 1)
			return -1;
		out[lpos]++;
		out[olen++] = (uint8_t)c;
	}
	if (olen >= DNAME_MAX)
		return -1;
	out[olen++] = 0;
	return (int)olen;
}

char *
dname_to_str(const uint8_t *name, char *buf, size_t buflen)
{
	size_t o = 0, i;
	uint8_t l, c;
	char tmp[8];
	int n;

	if (buflen == 0)
		return buf;
	if (*name == 0) {
		if (buflen >= 2) {
			buf[0] = '.';
			buf[1] = '\0';
		} else {
			buf[0] = '\0';
		}
		return buf;
	}
	while ((l = *name++) != 0) {
		for (i = 0; i < l; i++) {
			c = name[i];
			if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' ||
			    c == ';' || c == '@' || c == '$') {
				tmp[0] = '\\';
				tmp[1] = (char)c;
				n = 2;
			} else if (c <= 0x20 || c >= 0x7f) {
				n = snprintf(tmp, sizeof(tmp), "\\%03u", (unsigned)c);
			} else {
				tmp[0] = (char)c;
				n = 1;
			}
			if (o + (size_t)n >= buflen)
				goto out;
			memcpy(buf + o, tmp, (size_t)n);
			o += (size_t)n;
		}
		name += l;
		if (o + 1 >= buflen)
			goto out;
		buf[o++] = '.';
	}
out:
	buf[o] = '\0';
	return buf;
}

int
dname_wildcard(const uint8_t *encloser, uint8_t *out)
{
	size_t len = dname_len(encloser);

	if (len + 2 > DNAME_MAX)
		return -1;
	out[0] = 1;
	out[1] = '*';
	memcpy(out + 2, encloser, len);
	return (int)len + 2;
}

int
dname_substitute(const uint8_t *name, const uint8_t *owner, const uint8_t *target,
    uint8_t *out)
{
	int keep = dname_label_count(name) - dname_label_count(owner);
	size_t prefix, tlen = dname_len(target);

	if (keep <= 0 || !dname_is_strict_subdomain(name, owner))
		return -1;
	prefix = (size_t)(dname_remove_labels(name, keep) - name);
	if (prefix + tlen > DNAME_MAX)
		return -1;
	memmove(out, name, prefix);
	memcpy(out + prefix, target, tlen);
	return (int)(prefix + tlen);
}
