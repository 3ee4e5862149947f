/*
 * fuzz_zone.c -- the zone-file loader behind root-zone-file: a zone file
 * through authzone_load (with util/zonefile.c's reader and every check of
 * the loaded zone), then questions about its names through
 * authzone_answer.
 *
 * Input: the file's text, origin the root. Asked: every owner name in
 * the file (up to 24), and a name below each, with a dozen types, with
 * and without DO. Checked for every input: a refused file says where
 * ("path:line: reason" or "path: reason"); every response parses and
 * is for the question asked.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_util.h"
#include "auth/authzone.h"
#include "util/wire.h"
#include "util/zonefile.h"

#define MAX_NAMES 24

static uint8_t names[MAX_NAMES][DNAME_MAX];
static int nnames;

static int
collect(void *arg, const ldns_rr *rr, uint32_t line)
{
	const ldns_rdf *owner = ldns_rr_owner(rr);

	if (nnames < MAX_NAMES && ldns_rdf_size(owner) <= DNAME_MAX) {
		memcpy(names[nnames], ldns_rdf_data(owner), ldns_rdf_size(owner));
		nnames++;
	}
	return 0;
}

static void
ask(const struct authzone *z, const uint8_t *qname)
{
	static const uint16_t types[] = { RR_TYPE_A, RR_TYPE_NS, RR_TYPE_SOA, RR_TYPE_DS,
		RR_TYPE_DNSKEY, RR_TYPE_NSEC, RR_TYPE_NSEC3, RR_TYPE_RRSIG, RR_TYPE_ANY,
		RR_TYPE_TXT, RR_TYPE_AAAA, RR_TYPE_CNAME };
	static uint8_t out[65535];
	static struct arena a;
	static int init;
	struct dns_msg m;
	size_t i, len;

	if (!init) {
		arena_init(&a, 16384);
		init = 1;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]) * 2; i++) {
		len = authzone_answer(z, qname, types[i / 2], RR_CLASS_IN, i % 2, out, sizeof(out));
		if (len == 0)
			continue;
		FUZZ_ASSERT(msg_parse(out, len, &m, &a) == WIRE_OK);
		FUZZ_ASSERT(m.qdcount == 1 && dname_equal(m.qname, qname) && m.qtype == types[i / 2]);
		arena_free_all(&a);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t root[1] = { 0 };
	const char *path;
	struct authzone *z;
	char err[512];
	uint8_t below[DNAME_MAX];
	int i;

	fuzz_quiet();
	if (size > 1 << 16)
		return 0;
	path = fuzz_text_file(data, size);
	z = authzone_load(path, root, time(NULL), err, sizeof(err));
	if (z == NULL) {
		FUZZ_ASSERT(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':');
		return 0;
	}
	FUZZ_ASSERT(authzone_origin(z)[0] == 0);
	(void)authzone_serial(z);
	(void)authzone_signed(z);
	nnames = 0;
	{
		char *text;
		size_t len;
		struct stat st;
		if (zonefile_read(path, 1 << 17, &text, &len, &st, err, sizeof(err)) == 0) {
			(void)zonefile_parse(path, text, len, root, collect, NULL, err, sizeof(err));
			free(text);
		}
	}
	ask(z, root);
	for (i = 0; i < nnames; i++) {
		ask(z, names[i]);
		if (dname_len(names[i]) + 2 <= DNAME_MAX) {
			below[0] = 1;
			below[1] = '~';
			memcpy(below + 2, names[i], dname_len(names[i]));
			ask(z, below);
		}
	}
	authzone_free(z);
	return 0;
}
