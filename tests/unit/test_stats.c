/*
 * test_stats.c -- the statistics module (src/stats): histogram bucketing,
 * the Prometheus text format and its escaping, the flat name=value form,
 * merging and ordering per-server counts; and the engine's bounded
 * per-server table (src/iter/upstats.c), white-box.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "iter/iter_internal.h"
#include "stats/hist.h"
#include "stats/metrics.h"
#include "stats/textout.h"
#include "stats/top.h"
#include "unit.h"

static bool is_addr(const struct top_entry *e, const char *ip);

#define US 1000ull
#define MS 1000000ull

static struct netaddr
addr(const char *ip)
{
	struct netaddr a;
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;

	memset(&a, 0, sizeof(a));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(53);
	inet_pton(AF_INET, ip, &sin->sin_addr);
	a.len = sizeof(*sin);
	return a;
}

static bool
is_addr(const struct top_entry *e, const char *ip)
{
	struct netaddr a = addr(ip);

	return netaddr_equal((const struct sockaddr *)&e->addr.ss, (const struct sockaddr *)&a.ss);
}

/* Bounds are inclusive (Prometheus le); above the last is +Inf. */
static void
test_hist_buckets(void)
{
	const struct hist_layout *l = &hist_query_duration;
	struct hist h;

	memset(&h, 0, sizeof(h));
	CHECK_EQ_INT(l->n, 17);
	CHECK_EQ_INT(l->le_ns[0], 50 * US);
	CHECK_EQ_INT(l->le_ns[l->n - 1], 10000 * MS);
	hist_observe(&h, l, 0);
	hist_observe(&h, l, 50 * US);
	hist_observe(&h, l, 50 * US + 1);
	hist_observe(&h, l, 100 * US);
	hist_observe(&h, l, 3 * MS);
	hist_observe(&h, l, 10000 * MS);
	hist_observe(&h, l, 10000 * MS + 1);
	CHECK_EQ_INT(h.bucket[0], 2);          /* 0 and exactly 50 us */
	CHECK_EQ_INT(h.bucket[1], 2);          /* (50 us, 100 us] */
	CHECK_EQ_INT(h.bucket[6], 1);          /* 3 ms in (2.5 ms, 5 ms] */
	CHECK_EQ_INT(h.bucket[16], 1);         /* exactly 10 s */
	CHECK_EQ_INT(h.bucket[17], 1);         /* +Inf */
	CHECK_EQ_INT(hist_count(&h, l), 7);
	CHECK_EQ_INT(h.sum_ns, 0 + 50 * US + 50 * US + 1 + 100 * US + 3 * MS + 20000 * MS + 1);
}

static void
test_hist_merge(void)
{
	struct hist a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	hist_observe(&a, &hist_upstream_rtt, 1 * MS);
	hist_observe(&b, &hist_upstream_rtt, 1 * MS);
	hist_observe(&b, &hist_upstream_rtt, 20 * MS);
	hist_merge(&a, &b);
	CHECK_EQ_INT(a.bucket[0], 2);
	CHECK_EQ_INT(a.bucket[4], 1);          /* (10 ms, 25 ms] */
	CHECK_EQ_INT(hist_count(&a, &hist_upstream_rtt), 3);
	CHECK_EQ_INT(a.sum_ns, 22 * MS);
}

static void
test_escape(void)
{
	char out[64];

	CHECK_STR(textout_escape("plain", false, out, sizeof(out)), "plain");
	CHECK_STR(textout_escape("a\\b\"c\nd", false, out, sizeof(out)), "a\\\\b\\\"c\\nd");
	/* HELP text keeps its double quotes */
	CHECK_STR(textout_escape("a\\b\"c\nd", true, out, sizeof(out)), "a\\\\b\"c\\nd");
	/* cut short, never in the middle of an escape, always terminated */
	CHECK_STR(textout_escape("ab\"", false, out, 4), "ab");
}

static void
test_prometheus_text(void)
{
	struct textout o;
	struct hist h;

	memset(&h, 0, sizeof(h));
	hist_observe(&h, &hist_upstream_rtt, 2 * MS);
	textout_init(&o, TEXTOUT_PROMETHEUS);
	textout_family(&o, "x_total", "counter", "Says \"hi\"\nback\\slash.");
	textout_u64(&o, "x_total", (const char *[]){ "k", "v\"1", "j", "a\nb", NULL }, 7);
	textout_u64(&o, "y", NULL, 3);
	textout_hist(&o, "h_seconds", (const char *[]){ "o", "x", NULL }, &h, &hist_upstream_rtt);
	CHECK(!o.failed);
	CHECK(strstr(o.buf, "# HELP x_total Says \"hi\"\\nback\\\\slash.\n"
	    "# TYPE x_total counter\n"
	    "x_total{k=\"v\\\"1\",j=\"a\\nb\"} 7\n"
	    "y 3\n") == o.buf);
	CHECK(strstr(o.buf, "h_seconds_bucket{o=\"x\",le=\"0.001\"} 0\n") != NULL);
	CHECK(strstr(o.buf, "h_seconds_bucket{o=\"x\",le=\"0.0025\"} 1\n") != NULL);
	CHECK(strstr(o.buf, "h_seconds_bucket{o=\"x\",le=\"10\"} 1\n") != NULL);
	CHECK(strstr(o.buf, "h_seconds_bucket{o=\"x\",le=\"+Inf\"} 1\n") != NULL);
	CHECK(strstr(o.buf, "h_seconds_sum{o=\"x\"} 0.002000000\n") != NULL);
	CHECK(strstr(o.buf, "h_seconds_count{o=\"x\"} 1\n") != NULL);
	textout_free(&o);
}

static void
test_flat_text(void)
{
	struct textout o;
	struct hist h;

	memset(&h, 0, sizeof(h));
	textout_init(&o, TEXTOUT_FLAT);
	textout_family(&o, "x_total", "counter", "not shown");
	textout_u64(&o, "x_total", (const char *[]){ "transport", "udp", NULL }, 12);
	textout_double(&o, "t", NULL, 1.5);
	textout_hist(&o, "h", (const char *[]){ "outcome", "cache_hit", NULL }, &h, &hist_query_duration);
	CHECK(strstr(o.buf, "x_total.udp=12\nt=1.5\n") == o.buf);
	CHECK(strstr(o.buf, "h_bucket.cache_hit.5e-05=0\n") != NULL);
	CHECK(strstr(o.buf, "h_bucket.cache_hit.+Inf=0\n") != NULL);
	CHECK(strstr(o.buf, "h_count.cache_hit=0\n") != NULL);
	CHECK(strstr(o.buf, "#") == NULL);
	textout_free(&o);
}

/* Every family of the full set is well formed: HELP, TYPE, then samples
 * of that name; counters end in _total. */
static void
test_render_families(void)
{
	struct stats_snapshot s;
	struct textout o;
	char *line, *save = NULL, family[128] = "", type[32] = "";
	int families = 0;

	memset(&s, 0, sizeof(s));
	s.version = "9.9";
	s.workers = 2;
	s.fe.queries[TRANSPORT_UDP] = 5;
	s.fe.responses[13] = 1;                 /* an unnamed rcode shows once seen */
	s.proc.ok = true;
	textout_init(&o, TEXTOUT_PROMETHEUS);
	stats_render(&s, &o);
	CHECK(!o.failed);
	CHECK(strstr(o.buf, "resolverd_build_info{version=\"9.9\"} 1\n") != NULL);
	CHECK(strstr(o.buf, "resolverd_queries_total{transport=\"udp\"} 5\n") != NULL);
	CHECK(strstr(o.buf, "resolverd_responses_total{rcode=\"RCODE13\"} 1\n") != NULL);
	CHECK(strstr(o.buf, "resolverd_responses_total{rcode=\"YXDOMAIN\"}") == NULL);
	for (line = strtok_r(o.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			sscanf(line + 7, "%127s", family);
			families++;
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			char name[128];
			sscanf(line + 7, "%127s %31s", name, type);
			CHECK_STR(name, family);
			if (strcmp(type, "counter") == 0)
				CHECK(strlen(family) > 6 && strcmp(family + strlen(family) - 6, "_total") == 0);
		} else {
			CHECK(strncmp(line, family, strlen(family)) == 0);
		}
	}
	CHECK(families >= 30);
	textout_free(&o);
}

/* Most queries first, then most timeouts, then by address; the same
 * server from several workers is one line. */
static void
test_top_order(void)
{
	struct top_entry e[5];

	memset(e, 0, sizeof(e));
	e[0].addr = addr("192.0.2.3");
	e[0].queries = 5;
	e[1].addr = addr("192.0.2.1");
	e[1].queries = 10;
	e[1].answers = 9;
	e[1].srtt_ms = 10;
	e[1].last_ms = 1;
	memcpy(e[1].zone, "\3com", 5);
	e[2].addr = addr("192.0.2.2");
	e[2].queries = 5;
	e[2].timeouts = 2;
	e[3].addr = addr("192.0.2.1");        /* the same server, another worker */
	e[3].queries = 4;
	e[3].answers = 1;
	e[3].srtt_ms = 30;
	e[3].last_ms = 2;
	memcpy(e[3].zone, "\3net", 5);
	e[4].addr = addr("192.0.2.0");
	e[4].queries = 5;
	CHECK_EQ_INT(top_merge(e, 5), 4);
	CHECK(is_addr(&e[0], "192.0.2.1"));
	CHECK_EQ_INT(e[0].queries, 14);
	CHECK_EQ_INT(e[0].answers, 10);
	/* RTT weighted by answers (+1): (10*10 + 30*2) / 12 */
	CHECK_EQ_INT(e[0].srtt_ms, 13);
	CHECK(dname_equal(e[0].zone, (const uint8_t *)"\3net"));   /* the latest */
	CHECK(is_addr(&e[1], "192.0.2.2"));
	CHECK(is_addr(&e[2], "192.0.2.0"));
	CHECK(is_addr(&e[3], "192.0.2.3"));
	CHECK(top_order(&e[0], &e[1]) < 0 && top_order(&e[1], &e[0]) > 0);
	CHECK_EQ_INT(top_merge(e, 0), 0);
}

/* The engine's table: exact counts while there is room; when full, the
 * least-queried address gives way and a busy one keeps its place. */
static void
test_upstats_space_saving(void)
{
	struct upstats *u = upstats_create();
	struct netaddr busy = addr("198.41.0.4"), a;
	struct top_entry *e;
	char ip[32];
	int i, n, found = -1;

	for (i = 0; i < 50; i++)
		upstats_query(u, &busy, (const uint8_t *)"", 1);
	upstats_reply(u, &busy, false);
	upstats_reply(u, &busy, true);
	/* far more one-off servers than the table holds */
	for (i = 0; i < 3000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 256, i % 256);
		a = addr(ip);
		upstats_query(u, &a, (const uint8_t *)"\3com", (uint64_t)i + 2);
		if (i % 100 == 0)
			upstats_query(u, &busy, (const uint8_t *)"", (uint64_t)i + 2);
	}
	n = upstats_copy(u, &e);
	CHECK_EQ_INT(n, 1024);
	for (i = 0; i < n; i++)
		if (netaddr_equal((struct sockaddr *)&e[i].addr.ss, (struct sockaddr *)&busy.ss))
			found = i;
	CHECK(found >= 0);
	if (found >= 0) {
		CHECK_EQ_INT(e[found].queries, 80);
		CHECK_EQ_INT(e[found].answers, 1);
		CHECK_EQ_INT(e[found].timeouts, 1);
	}
	n = top_merge(e, n);
	CHECK(netaddr_equal((struct sockaddr *)&e[0].addr.ss, (struct sockaddr *)&busy.ss));
	free(e);
	/* a reply from an address no longer in the table is ignored */
	a = addr("203.0.113.9");
	upstats_reply(u, &a, true);
	upstats_destroy(u);
}

int
main(void)
{
	RUN(test_hist_buckets);
	RUN(test_hist_merge);
	RUN(test_escape);
	RUN(test_prometheus_text);
	RUN(test_flat_text);
	RUN(test_render_families);
	RUN(test_top_order);
	RUN(test_upstats_space_saving);
	return unit_summary();
}
