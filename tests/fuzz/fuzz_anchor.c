/*
 * fuzz_anchor.c -- the small zone files the daemon reads at start-up:
 * a trust-anchor-file (root.key, or unbound-anchor's autotrust file)
 * through val_anchors_add_file, its first line as a trust-anchor: value
 * through val_anchors_add_str, and the same file as root-hints through
 * iter_hints_load.
 *
 * Checked for every input: a refused file says where ("path:line:
 * reason" or "path: reason"); lookups find an anchor at or above the
 * name asked.
 */
#include "config.h"

#include <string.h>

#include "fuzz_util.h"
#include "dnssec/dnssec.h"
#include "iter/iter.h"
#include "util/dname.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const asked[] = { ".", "com", "example.com", "www.example.com",
		"signed", "good.signed" };
	struct val_anchors *as;
	const struct val_anchor *ta;
	const char *path;
	char err[512], line[512];
	uint8_t name[DNAME_MAX];
	size_t i, n;

	fuzz_quiet();
	if (size > 1 << 16)
		return 0;
	path = fuzz_text_file(data, size);
	if ((as = val_anchors_new()) == NULL)
		return 0;
	if (val_anchors_add_file(as, path, err, sizeof(err)) < 0)
		FUZZ_ASSERT(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':');
	n = 0;
	while (n < size && n < sizeof(line) - 1 && data[n] != '\n' && data[n] != 0) {
		line[n] = (char)data[n];
		n++;
	}
	line[n] = '\0';
	(void)val_anchors_add_str(as, line, err, sizeof(err));
	(void)val_anchors_count(as);
	for (i = 0; i < sizeof(asked) / sizeof(asked[0]); i++) {
		dname_from_str(asked[i], name);
		if ((ta = val_anchors_lookup(as, name)) != NULL)
			FUZZ_ASSERT(dname_is_subdomain(name, ta->name));
	}
	val_anchors_free(as);
	{
		struct iter_hints hints = { 0, NULL };
		if (iter_hints_load(&hints, path, err, sizeof(err)) == 0)
			FUZZ_ASSERT(hints.count > 0);
		iter_hints_clear(&hints);
	}
	return 0;
}
