/*
 * fuzz_util.c -- see fuzz_util.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "util/log.h"

static int memfd = -1;
static char path[64];

const char *
fuzz_file(const uint8_t *data, size_t size)
{
	size_t done = 0;
	ssize_t n;

	if (memfd < 0) {
		memfd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (memfd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) != 0)
		abort();
	while (done < size) {
		n = pwrite(memfd, data + done, size - done, (off_t)done);
		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	return path;
}

const char *
fuzz_text_file(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	const char *p;
	size_t i;

	if (copy == NULL)
		abort();
	for (i = 0; i < size; i++)
		copy[i] = data[i] ? data[i] : ' ';
	p = fuzz_file(copy, size);
	free(copy);
	return p;
}

void
fuzz_quiet(void)
{
	log_verbosity = -1;
}

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: FUZZ_ASSERT failed: %s\n", file, line, what);
	abort();
}
