/*
 * rand.c -- per-thread buffered randomness from the kernel.
 *
 * The kernel CSPRNG is the only source: query IDs and source ports are the
 * resolver's main defence against off-path spoofing, so they must not come
 * from a generator whose state could be recovered from outputs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

#include "util/log.h"
#include "util/rand.h"

#define RAND_BUF_SIZE 512

static __thread uint8_t rand_buf[RAND_BUF_SIZE];
static __thread size_t rand_avail;      /* unread bytes at the end of rand_buf */

static pthread_once_t rand_once = PTHREAD_ONCE_INIT;

/* A forked child inherits the forking thread's buffer: without this, parent
 * and child would hand out the same query IDs. */
static void
rand_child(void)
{
	memset(rand_buf, 0, sizeof(rand_buf));
	rand_avail = 0;
}

static void
rand_register(void)
{
	pthread_atfork(NULL, NULL, rand_child);
}

static void
rand_urandom(uint8_t *buf, size_t n)
{
	int fd;
	ssize_t r;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fatal("cannot open /dev/urandom: %s", strerror(errno));
	while (n > 0) {
		r = read(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			fatal("cannot read /dev/urandom: %s", r < 0 ? strerror(errno) : "EOF");
		buf += r;
		n -= (size_t)r;
	}
	close(fd);
}

static void
rand_kernel(uint8_t *buf, size_t n)
{
#ifdef HAVE_GETRANDOM
	while (n > 0) {
		ssize_t r = getrandom(buf, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* ENOSYS on old kernels, EPERM under some seccomp filters. */
			break;
		}
		buf += r;
		n -= (size_t)r;
	}
#endif
	if (n > 0)
		rand_urandom(buf, n);
}

void
rand_bytes(void *out, size_t n)
{
	uint8_t *p = out;
	size_t take;

	/* Large requests bypass the buffer instead of draining it. */
	if (n > RAND_BUF_SIZE / 2) {
		rand_kernel(p, n);
		return;
	}
	while (n > 0) {
		if (rand_avail == 0) {
			pthread_once(&rand_once, rand_register);
			rand_kernel(rand_buf, RAND_BUF_SIZE);
			rand_avail = RAND_BUF_SIZE;
		}
		take = n < rand_avail ? n : rand_avail;
		memcpy(p, rand_buf + RAND_BUF_SIZE - rand_avail, take);
		/* Bytes handed out are wiped so a later memory disclosure
		 * cannot reveal IDs already used. */
		memset(rand_buf + RAND_BUF_SIZE - rand_avail, 0, take);
		rand_avail -= take;
		p += take;
		n -= take;
	}
}

uint16_t
rand_u16(void)
{
	uint16_t v;

	rand_bytes(&v, sizeof(v));
	return v;
}

uint32_t
rand_u32(void)
{
	uint32_t v;

	rand_bytes(&v, sizeof(v));
	return v;
}

uint32_t
rand_uniform(uint32_t bound)
{
	uint32_t r, min;

	if (bound < 2)
		return 0;
	/* Reject the values below 2^32 mod bound so that every residue is
	 * equally likely. */
	min = (uint32_t)-bound % bound;
	do {
		r = rand_u32();
	} while (r < min);
	return r % bound;
}
