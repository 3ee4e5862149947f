/*
 * iter_world.h -- the engine driven without any I/O, for the engine's unit
 * tests: a fake environment records the upstream queries, a small
 * in-memory world of authoritative servers answers them (root, com and
 * net, example.com, example.net, other.com, deep.com, nxns.com), and the
 * clock is a variable. Names under empty.example.com get a reply of
 * nothing but the header (no SOA); sigchain.example.com is an alias into
 * other.com with (fake) signatures. Nothing is validated.
 */
#ifndef RESOLVERD_TESTS_ITER_WORLD_H
#define RESOLVERD_TESTS_ITER_WORLD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cache/cache.h"
#include "iter/iter.h"
#include "util/msgbuild.h"
#include "util/wire.h"
#include "util/log.h"

struct sent {
	struct iter *iter;      /* the engine that sent it */
	char server[64];
	uint8_t qname[DNAME_MAX];
	uint16_t qtype;
	bool tcp, rd;
	void *token;
	uint64_t due_ms;        /* when its reply (or timeout) comes */
	bool times_out;         /* slower than the timeout it was sent with */
};

extern struct sent log_sent[4096];  /* every query sent, in order */
extern int nlog;
extern time_t fake_now;
extern uint64_t fake_ms;

struct delivered {
	uint8_t wire[4096];
	size_t len;
	uint16_t ede;
	int count;
	uint64_t at_ms;         /* fake clock at delivery */
};

extern struct delivered got[64];    /* what client c (0..63) was given */

extern const char *dead_server;     /* never answers */
extern const char *dead_server2;    /* neither does this one */
extern const char *slow_server;     /* answers after slow_ms */
extern const char *slow_server2;
extern unsigned slow_ms;
extern bool tcp_dead;               /* no TCP query is ever answered */
/* Extra round-trip time of the root addresses 198.41.0.4 .. 198.41.0.7
 * (every server takes 3 ms besides). */
extern unsigned root_rtt[4];
extern bool big_answer_tc;          /* 192.0.2.1 truncates big.example.com over UDP */

extern struct iter *it;
extern struct iter *it_other;       /* a second worker's engine, or NULL */
/* Answers of a test's own: the reply to q in buf (cap bytes), or 0 for
 * the world's. Reset by setup. */
extern size_t (*world_hook)(const struct sent *q, uint8_t *buf, size_t cap);
extern struct cache *cache;
extern struct iter_config *cfg;
extern uint16_t default_explore;    /* the engine's exploration share */

/* A fresh engine, cache and world; qname minimisation as qmin. */
void setup(bool qmin);
/* Three more root addresses beside 198.41.0.4 (the hint holds four). */
void add_root_addrs(void);
/* A second engine on the same cache and config, as another worker has:
 * it_other (freed by teardown). */
struct iter *add_other_iter(void);
void teardown(void);
/* Answer queued queries until the engine stops asking. */
void pump(void);
/* Client c asks name/type (RD). */
void ask(const char *name, uint16_t type, int client);
/* ... with these flags (FLAG_RD, FLAG_CD, ITER_FLAG_DO). */
void ask_flags(const char *name, uint16_t type, uint16_t flags, int client);
/* ... of engine i. */
void ask_iter(struct iter *i, const char *name, uint16_t type, uint16_t flags, int client);
/* Queries sent to server so far. */
int sent_to(const char *server);
/* Parse the one answer client c got; returns its rcode, -1 if none. */
int answer_of(int c, struct dns_msg *msg, struct arena *a);
bool has_a(const struct dns_msg *m, const char *owner, const char *addr);

#endif
