/*
 * test_config.c -- resolver.conf reading: values, defaults, every kind of
 * error message, access-control matching and the engine's view.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utime.h>
#include <time.h>

#include "daemon/config.h"
#include "unit.h"

static char tmpdir[256];
static char conf_path[300];
static char err[1024];

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

/* A fresh file each time so a failure names the file that caused it. */
static struct config *
load(const char *text)
{
	int fd;

	snprintf(conf_path, sizeof(conf_path), "%s/confXXXXXX", tmpdir);
	if ((fd = mkstemp(conf_path)) == -1) {
		perror("mkstemp");
		exit(2);
	}
	close(fd);
	write_file(conf_path, text);
	return config_load(conf_path, err, sizeof(err));
}

/* The error must be exactly "<file>:<msg>" ("<file>:3: ..." or
 * "<file>: ..."). */
static void
expect_error(int line, const char *text, const char *msg)
{
	struct config *cfg = load(text);
	char want[2048];

	snprintf(want, sizeof(want), "%s:%s", conf_path, msg);
	if (cfg != NULL || strcmp(err, want) != 0) {
		fprintf(stderr, "%s:%d: for config:\n%s  got:  %s\n  want: %s\n",
		    __FILE__, line, text, cfg ? "(loaded fine)" : err, want);
		unit_failed_checks++;
		unit_cur_failed = 1;
	}
	config_free(cfg);
	unlink(conf_path);
}
#define EXPECT_ERROR(text, msg) expect_error(__LINE__, (text), (msg))

static const char *
addr(const struct netaddr *a)
{
	static char buf[128];

	return netaddr_str((const struct sockaddr *)&a->ss, buf, sizeof(buf));
}

static struct sockaddr_storage *
sa(const char *text)
{
	static struct sockaddr_storage ss;
	struct sockaddr_in *sin = (void *)&ss;
	struct sockaddr_in6 *sin6 = (void *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
	} else {
		fprintf(stderr, "bad test address %s\n", text);
		exit(2);
	}
	return &ss;
}

static enum acl_action
acl(const struct config *cfg, const char *text)
{
	return config_acl_lookup(cfg, (const struct sockaddr *)sa(text));
}

static void
test_defaults(void)
{
	struct config *cfg = load("# nothing but a comment\n\n");

	CHECK(cfg != NULL);
	if (cfg == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_STR(cfg->file, conf_path);
	CHECK_EQ_INT(cfg->verbosity, 1);
	CHECK(cfg->num_threads >= 1);
	CHECK_EQ_INT(cfg->port, 53);
	CHECK_EQ_INT(cfg->ninterfaces, 2);
	if (cfg->ninterfaces == 2) {
		CHECK_STR(addr(&cfg->interfaces[0]), "127.0.0.1#53");
		CHECK_STR(addr(&cfg->interfaces[1]), "::1#53");
	}
	CHECK_EQ_INT(cfg->noutgoing, 0);
	CHECK_EQ_INT(cfg->nacl, 5);
	CHECK(cfg->do_ip4 && cfg->do_ip6 && cfg->do_udp && cfg->do_tcp);
	CHECK_EQ_INT(cfg->tcp_idle_timeout_ms, 10000);
	CHECK_EQ_INT(cfg->tcp_max_connections, 100);
	CHECK(cfg->root_hints != NULL &&
	    strstr(cfg->root_hints, "named.root") != NULL);
	CHECK_EQ_INT(cfg->cache_size, 64 << 20);
	CHECK_EQ_INT(cfg->cache_min_ttl, 0);
	CHECK_EQ_INT(cfg->cache_max_ttl, 86400);
	CHECK_EQ_INT(cfg->cache_max_negative_ttl, 3600);
	CHECK(cfg->harden_glue);
	CHECK(cfg->qname_minimisation);
	CHECK(cfg->do_not_query_localhost);
	CHECK_EQ_INT(cfg->edns_buffer_size, 1232);
	CHECK_EQ_INT(cfg->max_udp_size, 1232);
	CHECK_EQ_INT(cfg->nzones, 0);
	CHECK_EQ_INT(cfg->ntrust_anchor_files, 0);
	CHECK_EQ_INT(cfg->ntrust_anchors, 0);
	CHECK_EQ_INT(cfg->ndomain_insecure, 0);
	CHECK_STR(cfg->control_socket, "/run/resolverd.sock");
	CHECK(cfg->prefetch);
	CHECK(cfg->serve_expired);
	CHECK_EQ_INT(cfg->serve_expired_ttl, 86400);
	CHECK_EQ_INT(cfg->serve_expired_reply_ttl, 30);
	CHECK_EQ_INT(cfg->serve_expired_client_timeout, 1800);
	CHECK_EQ_INT(cfg->infra_host_ttl, 900);
	CHECK_EQ_INT(cfg->infra_cache_numhosts, 10000);
	CHECK_EQ_INT(cfg->infra_probe_share, 5);
	CHECK(cfg->root_zone_file == NULL);
	config_free(cfg);
	unlink(conf_path);
}

/* The root KSK-2017 DS digest (SHA-256). */
#define ROOT_DS_DIGEST "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"

static void
test_values(void)
{
	char text[4096], ta[320], buf[DNAME_STR_MAX];
	struct config *cfg;

	snprintf(ta, sizeof(ta), "%s/root.key", tmpdir);
	write_file(ta, ". IN DS 20326 8 2 abcd\n");
	/* Unbound layout: keys after the blocks go back to server:. */
	snprintf(text, sizeof(text),
	    "server:\n"
	    "\tverbosity: 3   # trailing comment\n"
	    "\tnum-threads: 4\n"
	    "\tinterface: 192.0.2.1\n"
	    "\tinterface: \"2001:db8::1@5353\"\n"
	    "\tinterface: 192.0.2.2#853 # Unbound's port form\n"
	    "\toutgoing-interface: 192.0.2.9\n"
	    "\toutgoing-interface: 2001:db8::9\n"
	    "\taccess-control: 10.0.0.0/8 allow\n"
	    "\taccess-control: 2001:db8::/32\trefuse\n"
	    "\tdo-ip4: yes\n"
	    "\tdo-ip6: yes\n"
	    "\tdo-udp: yes\n"
	    "\tdo-tcp: no\n"
	    "\ttcp-idle-timeout: 30000\n"
	    "\tincoming-num-tcp: 20\n"
	    "\troot-hints: '%s'\n"
	    "\tcache-size: 1g\n"
	    "\tcache-min-ttl: 5\n"
	    "\tcache-max-ttl: 3600\n"
	    "\tcache-max-negative-ttl: 60\n"
	    "\tharden-glue: no\n"
	    "\tqname-minimization: no\n"
	    "\tdo-not-query-localhost: no\n"
	    "\tedns-buffer-size: 1400\n"
	    "\tmax-udp-size: 4096\n"
	    "\ttrust-anchor-file: %s\n"
	    "\ttrust-anchor: \". 3600 IN DS 20326 8 2 %s\"\n"
	    "\tdomain-insecure: Example.COM\n"
	    "\tdomain-insecure: \"test.\"\n"
	    "\tcontrol-socket: \"/tmp/ctl #1.sock\" # a '#' in quotes is not a comment\n"
	    "\n"
	    "forward-zone:\n"
	    "\tname: \".\"\n"
	    "\tforward-addr: 192.0.2.53\n"
	    "\tforward-addr: 2001:db8::53@5353\n"
	    "stub-zone:\n"
	    "    name: Corp.Example.\n"
	    "    stub-addr: 10.1.1.1\n"
	    "server:\n"
	    "\tport: 5300\n", ta, ta, ROOT_DS_DIGEST);
	cfg = load(text);
	CHECK(cfg != NULL);
	if (cfg == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_EQ_INT(cfg->verbosity, 3);
	CHECK_EQ_INT(cfg->num_threads, 4);
	CHECK_EQ_INT(cfg->port, 5300);
	CHECK_EQ_INT(cfg->ninterfaces, 3);
	if (cfg->ninterfaces == 3) {
		/* port: comes after the interfaces and still applies */
		CHECK_STR(addr(&cfg->interfaces[0]), "192.0.2.1#5300");
		CHECK_STR(addr(&cfg->interfaces[1]), "2001:db8::1#5353");
		CHECK_STR(addr(&cfg->interfaces[2]), "192.0.2.2#853");
	}
	CHECK_EQ_INT(cfg->noutgoing, 2);
	if (cfg->noutgoing == 2) {
		CHECK_STR(addr(&cfg->outgoing[0]), "192.0.2.9#0");
		CHECK_STR(addr(&cfg->outgoing[1]), "2001:db8::9#0");
	}
	CHECK_EQ_INT(cfg->nacl, 7);
	CHECK(!cfg->do_tcp && cfg->do_udp);
	CHECK_EQ_INT(cfg->tcp_idle_timeout_ms, 30000);
	CHECK_EQ_INT(cfg->tcp_max_connections, 20);
	CHECK_STR(cfg->root_hints, ta);
	CHECK_EQ_INT(cfg->cache_size, 1 << 30);
	CHECK_EQ_INT(cfg->cache_min_ttl, 5);
	CHECK_EQ_INT(cfg->cache_max_ttl, 3600);
	CHECK_EQ_INT(cfg->cache_max_negative_ttl, 60);
	CHECK(!cfg->harden_glue);
	CHECK(!cfg->qname_minimisation);
	CHECK(!cfg->do_not_query_localhost);
	CHECK_EQ_INT(cfg->edns_buffer_size, 1400);
	CHECK_EQ_INT(cfg->max_udp_size, 4096);
	CHECK_EQ_INT(cfg->ntrust_anchor_files, 1);
	if (cfg->ntrust_anchor_files == 1)
		CHECK_STR(cfg->trust_anchor_files[0], ta);
	CHECK_EQ_INT(cfg->ntrust_anchors, 1);
	if (cfg->ntrust_anchors == 1)
		CHECK_STR(cfg->trust_anchors[0], ". 3600 IN DS 20326 8 2 " ROOT_DS_DIGEST);
	CHECK_EQ_INT(cfg->ndomain_insecure, 2);
	if (cfg->ndomain_insecure == 2) {
		CHECK_STR(dname_to_str(cfg->domain_insecure[0], buf,
		    sizeof(buf)), "example.com.");
		CHECK_STR(dname_to_str(cfg->domain_insecure[1], buf,
		    sizeof(buf)), "test.");
	}
	CHECK_STR(cfg->control_socket, "/tmp/ctl #1.sock");
	CHECK_EQ_INT(cfg->nzones, 2);
	if (cfg->nzones == 2) {
		CHECK(cfg->zones[0].forward);
		CHECK_STR(dname_to_str(cfg->zones[0].name, buf, sizeof(buf)),
		    ".");
		CHECK_EQ_INT(cfg->zones[0].naddrs, 2);
		CHECK_EQ_INT(cfg->zones[0].line, 33);
		if (cfg->zones[0].naddrs == 2) {
			CHECK_STR(addr(&cfg->zones[0].addrs[0]),
			    "192.0.2.53#53");
			CHECK_STR(addr(&cfg->zones[0].addrs[1]),
			    "2001:db8::53#5353");
		}
		CHECK(!cfg->zones[1].forward);
		CHECK_STR(dname_to_str(cfg->zones[1].name, buf, sizeof(buf)),
		    "corp.example.");
		CHECK_EQ_INT(cfg->zones[1].naddrs, 1);
	}
	config_free(cfg);
	unlink(conf_path);
	unlink(ta);
}

static void
test_interfaces(void)
{
	struct config *cfg;

	/* Defaults follow port:, and drop the family that is off. */
	cfg = load("port: 5353\ndo-ip6: no\n");
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		CHECK_EQ_INT(cfg->ninterfaces, 1);
		CHECK_STR(addr(&cfg->interfaces[0]), "127.0.0.1#5353");
		config_free(cfg);
	}
	cfg = load("do-ip4: no\n");
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		CHECK_EQ_INT(cfg->ninterfaces, 1);
		CHECK_STR(addr(&cfg->interfaces[0]), "::1#53");
		config_free(cfg);
	}
	/* Given interfaces replace the defaults. */
	cfg = load("interface: 0.0.0.0\n");
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		CHECK_EQ_INT(cfg->ninterfaces, 1);
		CHECK_STR(addr(&cfg->interfaces[0]), "0.0.0.0#53");
		config_free(cfg);
	}
	/* num-threads: 0 means one per CPU, as if absent. */
	cfg = load("num-threads: 0\n");
	CHECK(cfg != NULL && cfg->num_threads >= 1);
	config_free(cfg);
	unlink(conf_path);
}

/* The listener list: interfaces x (udp, tcp), then http-interface rows;
 * clashes and families are checked with the line. */
static void
test_listeners(void)
{
	struct config *cfg, *other;

	cfg = load("interface: 127.0.0.1@5300\ninterface: ::1@5300\ndo-tcp: no\n"
	    "http-interface: 127.0.0.1\nhttp-interface: ::1@8080\n");
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		CHECK_EQ_INT(cfg->nlisteners, 4);
		CHECK_EQ_INT(cfg->listeners[0].transport, TRANSPORT_UDP);
		CHECK_STR(addr(&cfg->listeners[0].addr), "127.0.0.1#5300");
		CHECK_EQ_INT(cfg->listeners[0].line, 1);
		CHECK_EQ_INT(cfg->listeners[1].transport, TRANSPORT_UDP);
		CHECK_EQ_INT(cfg->listeners[2].transport, TRANSPORT_STATS);
		CHECK_STR(addr(&cfg->listeners[2].addr), "127.0.0.1#9253");
		CHECK_EQ_INT(cfg->listeners[2].line, 4);
		CHECK_STR(addr(&cfg->listeners[3].addr), "::1#8080");
		CHECK_EQ_INT(config_listener_fds(cfg, true), 2);
		CHECK_EQ_INT(config_listener_fds(cfg, false), 2);
		CHECK_EQ_INT(config_count_listeners(cfg, TRANSPORT_STATS), 2);
		other = load("interface: 127.0.0.1@5300\ninterface: ::1@5300\ndo-tcp: no\n"
		    "http-interface: 127.0.0.1\nhttp-interface: ::1@8080\n");
		CHECK(other != NULL && config_listeners_same(cfg, other));
		config_free(other);
		other = load("interface: 127.0.0.1@5300\ninterface: ::1@5300\n"
		    "http-interface: 127.0.0.1\nhttp-interface: ::1@8080\n");
		CHECK(other != NULL && !config_listeners_same(cfg, other));
		config_free(other);
		config_free(cfg);
	}
	cfg = load("port: 5300\n");
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		CHECK_EQ_INT(cfg->nlisteners, 4);   /* 127.0.0.1 and ::1, udp and tcp */
		CHECK_EQ_INT(cfg->listeners[1].transport, TRANSPORT_TCP);
		config_free(cfg);
	}
	EXPECT_ERROR("interface: 127.0.0.1@8053\nhttp-interface: 127.0.0.1@8053\n",
	    "2: http-interface 127.0.0.1@8053 is already used by the tcp listener of line 1");
	EXPECT_ERROR("http-interface: 127.0.0.1@80\nhttp-interface: 127.0.0.1@80\n",
	    "2: http-interface 127.0.0.1@80 is already used by the stats-http listener of line 1");
	EXPECT_ERROR("http-interface: localhost\n",
	    "1: http-interface must be an IP address with optional @port, got 'localhost'");
	EXPECT_ERROR("do-ip6: no\nhttp-interface: ::1\n", "2: ::1@9253 is IPv6 but do-ip6 is no");
	EXPECT_ERROR("control-socket: relative.sock\n",
	    "1: control-socket must be an absolute path, got 'relative.sock'");
	EXPECT_ERROR("control-socket: /a.sock\ncontrol-socket: /b.sock\n",
	    "2: control-socket already set");
	unlink(conf_path);
}

static void
test_relative_paths(void)
{
	char sub[300], hints[340], conf[340], want[1024];
	struct config *cfg;

	snprintf(sub, sizeof(sub), "%s/etc", tmpdir);
	mkdir(sub, 0700);
	snprintf(hints, sizeof(hints), "%s/hints.zone", sub);
	write_file(hints, "; empty\n");
	snprintf(conf, sizeof(conf), "%s/r.conf", sub);
	write_file(conf, "root-hints: hints.zone\ntrust-anchor-file: hints.zone\n");
	cfg = config_load(conf, err, sizeof(err));
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		CHECK_STR(cfg->root_hints, hints);
		CHECK_STR(cfg->trust_anchor_files[0], hints);
		config_free(cfg);
	}
	/* and the message names the path it tried */
	write_file(conf, "\nroot-hints: missing.zone\n");
	CHECK(config_load(conf, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "%s:2: root-hints: cannot read "
	    "'%s/missing.zone': No such file or directory", conf, sub);
	CHECK_STR(err, want);
	unlink(conf);
	unlink(hints);
	rmdir(sub);
}

static void
test_errors(void)
{
	/* syntax */
	EXPECT_ERROR("verbosity: 1\nfoo: bar\n", "2: unknown key 'foo'");
	EXPECT_ERROR("remote-control:\n", "1: unknown key 'remote-control'");
	EXPECT_ERROR("verbosity 2\n", "1: expected 'key: value', got 'verbosity 2'");
	EXPECT_ERROR("port:\n", "1: missing value for 'port'");
	EXPECT_ERROR("port: \"\"\n", "1: missing value for 'port'");
	EXPECT_ERROR("port:   # just a comment\n", "1: missing value for 'port'");
	EXPECT_ERROR("control-socket: \"/tmp/x\n", "1: missing closing quote");
	/* quotes around the first word only (local-zone: "name" type) */
	EXPECT_ERROR("port: \"53\" 54\n", "1: port must be 1-65535, got '53 54'");
	EXPECT_ERROR("server: yes\n", "1: 'server:' starts a section and takes no value");
	EXPECT_ERROR("port: 53\nport: 54\n", "2: port already set on line 1");
	EXPECT_ERROR("tcp-max-connections: 5\nincoming-num-tcp: 6\n",
	    "2: incoming-num-tcp: tcp-max-connections already set on line 1");

	/* values */
	EXPECT_ERROR("\n\nverbosity: 9\n", "3: verbosity must be 0-4, got '9'");
	EXPECT_ERROR("verbosity: -1\n", "1: verbosity must be 0-4, got '-1'");
	EXPECT_ERROR("verbosity: two\n", "1: verbosity must be 0-4, got 'two'");
	EXPECT_ERROR("verbosity: 1#x\n", "1: verbosity must be 0-4, got '1#x'");
	EXPECT_ERROR("port: 0\n", "1: port must be 1-65535, got '0'");
	EXPECT_ERROR("port: 65536\n", "1: port must be 1-65535, got '65536'");
	EXPECT_ERROR("port: 99999999999999999999\n",
	    "1: port must be 1-65535, got '99999999999999999999'");
	EXPECT_ERROR("num-threads: 5000\n", "1: num-threads must be 0-1024, got '5000'");
	EXPECT_ERROR("do-ip4: true\n", "1: do-ip4 must be yes or no, got 'true'");
	EXPECT_ERROR("qname-minimization: 1\n",
	    "1: qname-minimization must be yes or no, got '1'");
	EXPECT_ERROR("cache-size: 10\n",
	    "1: cache-size must be a size of at least 64k (such as 64m), got '10'");
	EXPECT_ERROR("cache-size: 64x\n",
	    "1: cache-size must be a size of at least 64k (such as 64m), got '64x'");
	EXPECT_ERROR("cache-max-ttl: 2147483648\n",
	    "1: cache-max-ttl must be 0-2147483647, got '2147483648'");
	EXPECT_ERROR("serve-expired: maybe\n", "1: serve-expired must be yes or no, got 'maybe'");
	EXPECT_ERROR("serve-expired-client-timeout: 60001\n",
	    "1: serve-expired-client-timeout must be 0-60000, got '60001'");
	EXPECT_ERROR("infra-host-ttl: 0\n", "1: infra-host-ttl must be 1-604800, got '0'");
	EXPECT_ERROR("infra-cache-numhosts: 8\n",
	    "1: infra-cache-numhosts must be 16-16777216, got '8'");
	EXPECT_ERROR("prefetch: on\n", "1: prefetch must be yes or no, got 'on'");
	EXPECT_ERROR("infra-probe-share: 51\n", "1: infra-probe-share must be 0-50, got '51'");
	EXPECT_ERROR("edns-buffer-size: 511\n",
	    "1: edns-buffer-size must be 512-65535, got '511'");
	EXPECT_ERROR("max-udp-size: 70000\n",
	    "1: max-udp-size must be 512-65535, got '70000'");
	EXPECT_ERROR("tcp-idle-timeout: 0\n",
	    "1: tcp-idle-timeout must be 100-3600000, got '0'");
	EXPECT_ERROR("incoming-num-tcp: 0\n",
	    "1: incoming-num-tcp must be 1-65535, got '0'");
	EXPECT_ERROR("interface: eth0\n",
	    "1: interface must be an IP address with optional @port, got 'eth0'");
	EXPECT_ERROR("interface: 127.0.0.1@0\n",
	    "1: interface port must be 1-65535, got '127.0.0.1@0'");
	EXPECT_ERROR("outgoing-interface: 192.0.2.1@53\n",
	    "1: outgoing-interface must be an IP address without port, got '192.0.2.1@53'");
	EXPECT_ERROR("access-control: 10.0.0.0/8\n",
	    "1: access-control needs a netblock and an action (allow, refuse or deny), got '10.0.0.0/8'");
	EXPECT_ERROR("access-control: 10.0.0.0/8 allow_snoop\n",
	    "1: access-control action must be allow, refuse or deny, got 'allow_snoop'");
	EXPECT_ERROR("access-control: 10.0.0.0/33 allow\n",
	    "1: access-control: bad netblock '10.0.0.0/33'");
	EXPECT_ERROR("access-control: 10.0.0.0/8 allow\naccess-control: 10.0.0.0/8 deny\n",
	    "2: access-control for 10.0.0.0/8 already given on line 1");
	EXPECT_ERROR("access-control: 127.0.0.0/8 allow\naccess-control: ::ffff:127.0.0.0/104 deny\n",
	    "2: access-control for ::ffff:127.0.0.0/104 already given on line 1");
	EXPECT_ERROR("root-hints: /nonexistent/named.root\n",
	    "1: root-hints: cannot read '/nonexistent/named.root': No such file or directory");
	EXPECT_ERROR("trust-anchor: \". IN A 192.0.2.1\"\n",
	    "1: trust-anchor must be a DS or DNSKEY record in zone file form, got '. IN A 192.0.2.1'");
	EXPECT_ERROR("trust-anchor: \". DS\"\n",
	    "1: trust-anchor must be a DS or DNSKEY record in zone file form, got '. DS'");
	/* issue 9: a digest that cannot be of its type is refused here,
	 * with the line, not taken as an unusable DS (insecure) later */
	EXPECT_ERROR("verbosity: 1\ntrust-anchor: \". IN DS 20326 8 1 " ROOT_DS_DIGEST "\"\n",
	    "2: trust-anchor: DS digest type 1 (SHA-1) has 32 bytes, not 20");
	EXPECT_ERROR("trust-anchor: \". IN DS 20326 8 2 E06D\"\n",
	    "1: trust-anchor: DS digest type 2 (SHA-256) has 2 bytes, not 32");
	EXPECT_ERROR("domain-insecure: a..b\n",
	    "1: domain-insecure must be a domain name, got 'a..b'");
	EXPECT_ERROR("domain-insecure: a.b\ndomain-insecure: A.B.\n",
	    "2: domain-insecure 'A.B.' listed twice");

	/* combinations */
	EXPECT_ERROR("do-ip4: no\ndo-ip6: no\n", "2: do-ip4 and do-ip6 are both no");
	EXPECT_ERROR("do-tcp: no\n\ndo-udp: no\n", "3: do-udp and do-tcp are both no");
	EXPECT_ERROR("cache-min-ttl: 100\ncache-max-ttl: 10\n",
	    "2: cache-min-ttl (100) is greater than cache-max-ttl (10)");
	EXPECT_ERROR("do-ip6: no\ninterface: ::1\n",
	    "2: interface ::1#53 is IPv6 but do-ip6 is no");
	EXPECT_ERROR("interface: 127.0.0.1\ninterface: 127.0.0.1@53\n",
	    "2: interface 127.0.0.1#53 listed twice (also on line 1)");

	/* blocks */
	EXPECT_ERROR("forward-zone:\n\tforward-addr: 192.0.2.1\n",
	    "1: forward-zone block has no name");
	EXPECT_ERROR("verbosity: 1\nstub-zone:\n\tname: example.\nverbosity: 2\n",
	    "2: stub-zone 'example.' has no stub-addr");
	EXPECT_ERROR("forward-zone:\n\tname: example.\n",
	    "1: forward-zone 'example.' has no forward-addr");
	EXPECT_ERROR("forward-zone:\n\tname: a.\n\tforward-addr: 192.0.2.1\n"
	    "stub-zone:\n\tname: A\n\tstub-addr: 192.0.2.2\n",
	    "5: duplicate zone 'A.' (first defined on line 1)");
	EXPECT_ERROR("forward-zone:\n\tname: a.\n\tname: b.\n",
	    "3: name already set on line 2");
	EXPECT_ERROR("forward-zone:\n\tname: a..\n",
	    "2: name must be a domain name, got 'a..'");
	EXPECT_ERROR("forward-zone:\n\tname: a.\n\tforward-host: ns.example.\n",
	    "3: forward-host is not supported: give the servers' addresses with forward-addr");
	EXPECT_ERROR("stub-zone:\n\tname: a.\n\tstub-host: ns.example.\n",
	    "3: stub-host is not supported: give the servers' addresses with stub-addr");
	EXPECT_ERROR("forward-zone:\n\tname: a.\n\tstub-addr: 192.0.2.1\n",
	    "3: stub-addr in a forward-zone block (use forward-addr)");
	EXPECT_ERROR("forward-zone:\n\tname: a.\n\tforward-addr: ns1.example\n",
	    "3: forward-addr must be an IP address with optional @port, got 'ns1.example'");
	EXPECT_ERROR("forward-zone:\n\tname: a.\n\tforward-addr: 192.0.2.1\n\tforward-addr: 192.0.2.1@53\n",
	    "4: forward-addr 192.0.2.1#53 listed twice");
	EXPECT_ERROR("name: a.\n",
	    "1: 'name' belongs in a stub-zone: or forward-zone: block");
	/* a server key closes the block: addresses after it are orphans */
	EXPECT_ERROR("forward-zone:\n\tname: a.\n\tforward-addr: 192.0.2.1\n"
	    "verbosity: 2\n\tforward-addr: 192.0.2.2\n",
	    "5: 'forward-addr' belongs in a stub-zone: or forward-zone: block");
	EXPECT_ERROR("forward-zone:\n\tname: a.\n\tforward-first: yes\n",
	    "1: forward-zone 'a.' has no forward-addr");
	EXPECT_ERROR("forward-zone:\n\tname: a.\n\tforward-addr: 192.0.2.1\n\tforward-first: yes\n",
	    "4: unknown key 'forward-first'");
	EXPECT_ERROR("forward-zone: x\n", "1: 'forward-zone:' starts a section and takes no value");
}

static void
test_missing_file(void)
{
	char path[300], want[400];

	snprintf(path, sizeof(path), "%s/no-such.conf", tmpdir);
	CHECK(config_load(path, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	CHECK_STR(err, want);
}

static void
test_acl(void)
{
	struct config *cfg = load("");

	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	CHECK_EQ_INT(acl(cfg, "127.0.0.1"), ACL_ALLOW);
	CHECK_EQ_INT(acl(cfg, "127.255.0.9"), ACL_ALLOW);
	CHECK_EQ_INT(acl(cfg, "::1"), ACL_ALLOW);
	CHECK_EQ_INT(acl(cfg, "::ffff:127.0.0.1"), ACL_ALLOW);
	CHECK_EQ_INT(acl(cfg, "10.1.2.3"), ACL_REFUSE);
	CHECK_EQ_INT(acl(cfg, "::2"), ACL_REFUSE);
	CHECK_EQ_INT(acl(cfg, "2001:db8::1"), ACL_REFUSE);
	CHECK_EQ_INT(acl(cfg, "::ffff:10.1.2.3"), ACL_REFUSE);
	config_free(cfg);

	cfg = load("access-control: 10.0.0.0/8 allow\n"
	    "access-control: 10.1.0.0/16 deny\n"
	    "access-control: 10.1.2.0/24 refuse\n"
	    "access-control: 0.0.0.0/0 deny\n"          /* replaces the default */
	    "access-control: 127.0.0.0/8 refuse\n"
	    "access-control: 2001:db8::/32 allow\n"
	    "access-control: 2001:db8:1::/48 deny\n");
	CHECK(cfg != NULL);
	if (cfg == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	/* 0.0.0.0/0 and 127.0.0.0/8 replaced three built-in entries */
	CHECK_EQ_INT(cfg->nacl, 9);
	CHECK_EQ_INT(acl(cfg, "10.2.3.4"), ACL_ALLOW);
	CHECK_EQ_INT(acl(cfg, "10.1.9.9"), ACL_DENY);
	CHECK_EQ_INT(acl(cfg, "10.1.2.3"), ACL_REFUSE);
	CHECK_EQ_INT(acl(cfg, "192.0.2.1"), ACL_DENY);
	CHECK_EQ_INT(acl(cfg, "127.0.0.1"), ACL_REFUSE);
	CHECK_EQ_INT(acl(cfg, "::1"), ACL_ALLOW);
	CHECK_EQ_INT(acl(cfg, "2001:db8:2::1"), ACL_ALLOW);
	CHECK_EQ_INT(acl(cfg, "2001:db8:1::1"), ACL_DENY);
	CHECK_EQ_INT(acl(cfg, "2001:db9::1"), ACL_REFUSE);
	/* mapped addresses are IPv4 addresses: the built-in
	 * ::ffff:127.0.0.0/104 went with 127.0.0.0/8 */
	CHECK_EQ_INT(acl(cfg, "::ffff:10.2.3.4"), ACL_ALLOW);
	CHECK_EQ_INT(acl(cfg, "::ffff:10.1.9.9"), ACL_DENY);
	CHECK_EQ_INT(acl(cfg, "::ffff:192.0.2.1"), ACL_DENY);
	CHECK_EQ_INT(acl(cfg, "::ffff:127.0.0.1"), ACL_REFUSE);
	config_free(cfg);

	/* ::ffff:10.0.0.0/120 is 10.0.0.0/24: more specific than /8 */
	cfg = load("access-control: ::ffff:10.0.0.0/120 deny\n"
	    "access-control: 10.0.0.0/8 allow\n"
	    "access-control: ::ffff:127.0.0.0/104 deny\n");
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		CHECK_EQ_INT(acl(cfg, "::ffff:10.0.0.1"), ACL_DENY);
		CHECK_EQ_INT(acl(cfg, "10.0.0.1"), ACL_DENY);
		CHECK_EQ_INT(acl(cfg, "::ffff:10.0.1.1"), ACL_ALLOW);
		CHECK_EQ_INT(acl(cfg, "10.0.1.1"), ACL_ALLOW);
		CHECK_EQ_INT(acl(cfg, "127.0.0.1"), ACL_DENY);
		CHECK_EQ_INT(acl(cfg, "::1"), ACL_ALLOW);
		config_free(cfg);
	}
	unlink(conf_path);
}

static void
test_parse_size(void)
{
	size_t n = 0;

	CHECK(config_parse_size("0", &n) == 0 && n == 0);
	CHECK(config_parse_size("4096", &n) == 0 && n == 4096);
	CHECK(config_parse_size("64k", &n) == 0 && n == 65536);
	CHECK(config_parse_size("64K", &n) == 0 && n == 65536);
	CHECK(config_parse_size("64m", &n) == 0 && n == 64u << 20);
	CHECK(config_parse_size("2mb", &n) == 0 && n == 2u << 20);
	CHECK(config_parse_size("1G", &n) == 0 && n == 1u << 30);
	CHECK(config_parse_size("", &n) == -1);
	CHECK(config_parse_size("m", &n) == -1);
	CHECK(config_parse_size("-1", &n) == -1);
	CHECK(config_parse_size("1 m", &n) == -1);
	CHECK(config_parse_size("1t", &n) == -1);
	CHECK(config_parse_size("1mbb", &n) == -1);
	CHECK(config_parse_size("99999999999999999999999", &n) == -1);
	CHECK(config_parse_size("99999999999999g", &n) == -1);
}

/* The engine's view, with the root hints this package ships. */
static void
test_build_iter(void)
{
	const char *srcdir = getenv("srcdir");
	char hints[PATH_MAX], rel[PATH_MAX + 32], text[PATH_MAX + 512];
	struct iter_config *ic;
	struct iter_zone *z;
	struct config *cfg;
	int i;

	snprintf(rel, sizeof(rel), "%s/zones/named.root",
	    srcdir ? srcdir : ABS_TOP_SRCDIR);
	if (realpath(rel, hints) == NULL) {
		fprintf(stderr, "skipping test_build_iter: no %s\n", rel);
		return;
	}
	snprintf(text, sizeof(text),
	    "root-hints: %s\n"
	    "qname-minimisation: no\nharden-glue: no\ndo-ip6: no\n"
	    "do-not-query-localhost: no\ncache-min-ttl: 7\n"
	    "cache-max-ttl: 700\ncache-max-negative-ttl: 70\n"
	    "edns-buffer-size: 1400\noutgoing-interface: 192.0.2.7\n"
	    "forward-zone:\n\tname: example.\n\tforward-addr: 192.0.2.1\n"
	    "stub-zone:\n\tname: corp.\n\tstub-addr: 192.0.2.2\n"
	    "\tstub-addr: 192.0.2.3\n", hints);
	cfg = load(text);
	CHECK(cfg != NULL);
	if (cfg == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	ic = config_build_iter(cfg, err, sizeof(err));
	CHECK(ic != NULL);
	if (ic == NULL) {
		fprintf(stderr, "%s\n", err);
		config_free(cfg);
		return;
	}
	CHECK(!ic->qname_minimisation && !ic->harden_glue);
	CHECK(ic->do_ip4 && !ic->do_ip6 && !ic->do_not_query_localhost);
	CHECK_EQ_INT(ic->cache_min_ttl, 7);
	CHECK_EQ_INT(ic->cache_max_ttl, 700);
	CHECK_EQ_INT(ic->cache_max_negative_ttl, 70);
	CHECK_EQ_INT(ic->edns_buffer_size, 1400);
	CHECK_EQ_INT(ic->noutgoing, 1);
	CHECK(ic->outgoing != cfg->outgoing);
	z = ic->zones;
	CHECK(z != NULL && z->forward && z->naddrs == 1);
	if (z != NULL)
		z = z->next;
	CHECK(z != NULL && !z->forward && z->naddrs == 2 && z->next == NULL);
	/* 13 root servers, each with an IPv4 and an IPv6 address */
	CHECK_EQ_INT(ic->hints.count, 13);
	for (i = 0; i < ic->hints.count; i++)
		CHECK_EQ_INT(ic->hints.servers[i].naddrs, 2);
	/* independent of cfg: it outlives it */
	config_free(cfg);
	iter_config_unref(ic);

	cfg = load("root-hints: /dev/null\n");
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		ic = config_build_iter(cfg, err, sizeof(err));
		CHECK(ic == NULL && err[0] != '\0');
		if (ic != NULL)
			iter_config_unref(ic);
		config_free(cfg);
	}
	unlink(conf_path);
}

static void
same_settings(const struct config *a, const struct config *b)
{
	int i;

	CHECK_EQ_INT(a->verbosity, b->verbosity);
	CHECK_EQ_INT(a->num_threads, b->num_threads);
	CHECK_EQ_INT(a->port, b->port);
	CHECK_EQ_INT(a->ninterfaces, b->ninterfaces);
	for (i = 0; i < a->ninterfaces && i < b->ninterfaces; i++) {
		char buf[128];

		snprintf(buf, sizeof(buf), "%s", addr(&a->interfaces[i]));
		CHECK_STR(buf, addr(&b->interfaces[i]));
	}
	CHECK_EQ_INT(a->do_ip4, b->do_ip4);
	CHECK_EQ_INT(a->do_ip6, b->do_ip6);
	CHECK_EQ_INT(a->do_udp, b->do_udp);
	CHECK_EQ_INT(a->do_tcp, b->do_tcp);
	CHECK_EQ_INT(a->tcp_idle_timeout_ms, b->tcp_idle_timeout_ms);
	CHECK_EQ_INT(a->tcp_max_connections, b->tcp_max_connections);
	CHECK_EQ_INT(a->cache_size, b->cache_size);
	CHECK_EQ_INT(a->cache_min_ttl, b->cache_min_ttl);
	CHECK_EQ_INT(a->cache_max_ttl, b->cache_max_ttl);
	CHECK_EQ_INT(a->cache_max_negative_ttl, b->cache_max_negative_ttl);
	CHECK_EQ_INT(a->harden_glue, b->harden_glue);
	CHECK_EQ_INT(a->qname_minimisation, b->qname_minimisation);
	CHECK_EQ_INT(a->do_not_query_localhost, b->do_not_query_localhost);
	CHECK_EQ_INT(a->edns_buffer_size, b->edns_buffer_size);
	CHECK_EQ_INT(a->max_udp_size, b->max_udp_size);
	CHECK_EQ_INT(a->prefetch, b->prefetch);
	CHECK_EQ_INT(a->serve_expired, b->serve_expired);
	CHECK_EQ_INT(a->serve_expired_ttl, b->serve_expired_ttl);
	CHECK_EQ_INT(a->serve_expired_reply_ttl, b->serve_expired_reply_ttl);
	CHECK_EQ_INT(a->serve_expired_client_timeout, b->serve_expired_client_timeout);
	CHECK_EQ_INT(a->infra_host_ttl, b->infra_host_ttl);
	CHECK_EQ_INT(a->infra_cache_numhosts, b->infra_cache_numhosts);
	CHECK_EQ_INT(a->infra_probe_share, b->infra_probe_share);
	CHECK_STR(a->control_socket, b->control_socket);
}

/* The "# key: value" lines of a commented example file, switched on. Keys
 * naming installed files stay off: they need not exist in a build tree. */
static void
uncomment(const char *from, const char *to)
{
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	char line[1024], *s;
	size_t n;

	if (in == NULL || out == NULL) {
		perror(from);
		exit(2);
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		s = line + strspn(line, " \t");
		if (*s == '#') {
			s += 1 + strspn(s + 1, " \t");
			n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
			if (n > 0 && s[n] == ':' && strchr(" \t\n", s[n + 1]) &&
			    strncmp(s, "root-hints:", 11) != 0 &&
			    strncmp(s, "root-zone-file:", 15) != 0 &&
			    strncmp(s, "trust-anchor-file:", 18) != 0) {
				fputs(s, out);
				continue;
			}
		}
		fputs(line, out);
	}
	fclose(in);
	fclose(out);
}

/* root-zone-file: loaded by config_build_iter; a stale copy is refused
 * with the config line and the reason. */
static void
test_root_zone_file(void)
{
	const char *srcdir = getenv("srcdir");
	char zone[PATH_MAX], rel[PATH_MAX + 32], text[PATH_MAX * 2 + 64], hints[PATH_MAX];
	struct iter_config *ic;
	struct config *cfg;
	struct utimbuf old;

	snprintf(rel, sizeof(rel), "%s/zones/named.root", srcdir ? srcdir : ABS_TOP_SRCDIR);
	if (realpath(rel, hints) == NULL) {
		fprintf(stderr, "skipping test_root_zone_file: no %s\n", rel);
		return;
	}
	snprintf(zone, sizeof(zone), "%s/root.zone", tmpdir);
	write_file(zone,
	    ". 86400 IN SOA a.root.test. admin.test. 1 1800 900 604800 86400\n"
	    ". 518400 IN NS a.root.test.\n"
	    "test. 172800 IN NS ns.test.\n"
	    "ns.test. 172800 IN A 192.0.2.1\n");
	/* unsigned, with validation on: refused, every answer would be bogus */
	snprintf(text, sizeof(text), "root-hints: %s\n\nroot-zone-file: %s\n", hints, zone);
	cfg = load(text);
	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	CHECK_EQ_INT(cfg->root_zone_file_line, 3);
	ic = config_build_iter(cfg, err, sizeof(err));
	CHECK(ic == NULL);
	CHECK(strstr(err, ":3: root-zone-file: ") != NULL && strstr(err, "not signed") != NULL);
	if (ic != NULL)
		iter_config_unref(ic);
	config_free(cfg);
	snprintf(text, sizeof(text), "root-hints: %s\nmodule-config: \"iterator\"\n"
	    "root-zone-file: %s\n", hints, zone);
	cfg = load(text);
	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	ic = config_build_iter(cfg, err, sizeof(err));
	CHECK(ic != NULL && ic->root_zone != NULL);
	if (ic == NULL)
		fprintf(stderr, "%s\n", err);
	iter_config_unref(ic);
	/* written 8 days ago, SOA expire 7 days: stale */
	old.actime = old.modtime = time(NULL) - 8 * 86400;
	CHECK(utime(zone, &old) == 0);
	ic = config_build_iter(cfg, err, sizeof(err));
	CHECK(ic == NULL);
	CHECK(strstr(err, ":3: root-zone-file: ") != NULL);
	CHECK(strstr(err, "stale") != NULL);
	if (ic != NULL)
		iter_config_unref(ic);
	config_free(cfg);
	unlink(zone);
}

static void
test_shipped_conf(void)
{
	const char *srcdir = getenv("srcdir");
	char path[PATH_MAX], on[320];
	struct config *defaults, *shipped, *all;

	snprintf(path, sizeof(path), "%s/etc/resolver.conf",
	    srcdir ? srcdir : ABS_TOP_SRCDIR);
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "skipping test_shipped_conf: no %s\n", path);
		return;
	}
	defaults = load("");
	CHECK(defaults != NULL);
	shipped = config_load(path, err, sizeof(err));
	CHECK(shipped != NULL);
	if (shipped == NULL)
		fprintf(stderr, "%s\n", err);
	snprintf(on, sizeof(on), "%s/all-on.conf", tmpdir);
	uncomment(path, on);
	all = config_load(on, err, sizeof(err));
	CHECK(all != NULL);
	if (all == NULL)
		fprintf(stderr, "%s\n", err);
	if (defaults != NULL && shipped != NULL) {
		same_settings(shipped, defaults);
		CHECK_STR(shipped->root_hints, defaults->root_hints);
		CHECK_EQ_INT(shipped->nacl, defaults->nacl);
		CHECK_EQ_INT(shipped->nzones, 0);
		/* the one setting it adds: the statistics endpoint */
		CHECK_EQ_INT(config_count_listeners(shipped, TRANSPORT_STATS), 1);
		CHECK_EQ_INT(shipped->nlisteners, defaults->nlisteners + 1);
	}
	if (defaults != NULL && all != NULL) {
		same_settings(all, defaults);
		CHECK_EQ_INT(all->nacl, 5);
		CHECK_EQ_INT(acl(all, "192.168.1.1"), ACL_ALLOW);
		CHECK_EQ_INT(acl(all, "10.0.0.1"), ACL_REFUSE);
		CHECK_EQ_INT(all->noutgoing, 1);
		CHECK_EQ_INT(all->ntrust_anchors, 1);
		CHECK_EQ_INT(all->ndomain_insecure, 1);
		CHECK_EQ_INT(all->nzones, 2);
	}
	config_free(defaults);
	config_free(shipped);
	config_free(all);
	unlink(conf_path);
	unlink(on);
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_config.XXXXXX",
	    t ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	RUN(test_defaults);
	RUN(test_values);
	RUN(test_interfaces);
	RUN(test_listeners);
	RUN(test_relative_paths);
	RUN(test_errors);
	RUN(test_missing_file);
	RUN(test_acl);
	RUN(test_parse_size);
	RUN(test_build_iter);
	RUN(test_root_zone_file);
	RUN(test_shipped_conf);
	rmdir(tmpdir);
	return unit_summary();
}
