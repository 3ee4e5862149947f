/*
 * fuzz_config.c -- the configuration reader: resolver.conf text through
 * config_load, and what is built from it without touching other files:
 * the inline trust anchors, access control and the local zones.
 *
 * Input: the file's text. Checked for every input: a refused file says
 * where ("file:line: reason" or "file: reason"); local answers parse and
 * are for the question asked.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "fuzz_util.h"
#include "daemon/config.h"
#include "dnssec/dnssec.h"
#include "util/wire.h"

static void
check_local(const struct local_zones *lz, const char *text)
{
	static const uint16_t types[] = { RR_TYPE_A, RR_TYPE_AAAA, RR_TYPE_PTR, RR_TYPE_TXT,
		RR_TYPE_MX, RR_TYPE_CNAME, RR_TYPE_SOA, RR_TYPE_NS, RR_TYPE_DS };
	static uint8_t out[65535];
	static struct arena a;
	static int init;
	char word[DNAME_STR_MAX + 1];
	uint8_t name[DNAME_MAX], sub[DNAME_MAX + 2];
	struct dns_msg m;
	size_t len, i, n;

	if (!init) {
		arena_init(&a, 8192);
		init = 1;
	}
	n = strcspn(text, " \t");
	if (n >= sizeof(word))
		return;
	memcpy(word, text, n);
	word[n] = '\0';
	if (dname_from_str(word, name) < 0)
		return;
	/* The name itself and a name below it. */
	sub[0] = 1;
	sub[1] = 'x';
	if (dname_len(name) + 2 > DNAME_MAX)
		sub[0] = 0;
	else
		memcpy(sub + 2, name, dname_len(name));
	for (i = 0; i < sizeof(types) / sizeof(types[0]) * 2; i++) {
		const uint8_t *q = i % 2 ? sub : name;
		if (localzone_answer(lz, q, types[i / 2], RR_CLASS_IN, out, sizeof(out), &len) !=
		    LOCAL_ANSWER)
			continue;
		FUZZ_ASSERT(msg_parse(out, len, &m, &a) == WIRE_OK);
		FUZZ_ASSERT(m.qdcount == 1 && dname_equal(m.qname, q) && m.qtype == types[i / 2]);
		arena_free_all(&a);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;
	struct config *cfg;
	struct val_anchors *as;
	struct sockaddr_in sin;
	char err[512];
	int i;

	fuzz_quiet();
	if (size > 1 << 16)
		return 0;
	path = fuzz_file(data, size);
	cfg = config_load(path, err, sizeof(err));
	if (cfg == NULL) {
		FUZZ_ASSERT(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':');
		return 0;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	(void)config_acl_lookup(cfg, (struct sockaddr *)&sin);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	(void)config_acl_lookup(cfg, (struct sockaddr *)&sin);
	if ((as = val_anchors_new()) != NULL) {
		for (i = 0; i < cfg->ntrust_anchors; i++)
			(void)val_anchors_add_str(as, cfg->trust_anchors[i], err, sizeof(err));
		val_anchors_free(as);
	}
	if (cfg->local != NULL)
		for (i = 0; i < cfg->nlocal_lines; i++)
			check_local(cfg->local, cfg->local_lines[i].text);
	config_free(cfg);
	return 0;
}
