# libFuzzer targets (tests/fuzz/README.md). They are built with clang
# ($(FUZZ_CC), found by configure) whatever CC is, by a GNU makefile of
# their own (build.mk), from the same sources as the libraries below.
#
# A new target is tests/fuzz/fuzz_NAME.c plus its line here; it is built
# as tests/fuzz/fuzz_NAME and run by tests/fuzz/run.sh.
FUZZ_TARGET_FILES =
FUZZ_TARGET_FILES += tests/fuzz/fuzz_query.c
FUZZ_TARGET_FILES += tests/fuzz/fuzz_response.c
FUZZ_TARGET_FILES += tests/fuzz/fuzz_iter.c
FUZZ_TARGET_FILES += tests/fuzz/fuzz_config.c
FUZZ_TARGET_FILES += tests/fuzz/fuzz_zone.c
FUZZ_TARGET_FILES += tests/fuzz/fuzz_anchor.c

# Every library source; a new module's library goes in this list too.
FUZZ_LIB_FILES = $(src_util_libutil_a_SOURCES) $(src_cache_libcache_a_SOURCES) \
	$(src_dnssec_libdnssec_a_SOURCES) $(src_auth_libauth_a_SOURCES) \
	$(src_iter_libiter_a_SOURCES) $(src_net_libnet_a_SOURCES) \
	$(src_daemon_libdaemon_a_SOURCES) $(src_stats_libstats_a_SOURCES)

FUZZ_MAKE = $(MAKE) -f $(top_srcdir)/tests/fuzz/build.mk \
	top_srcdir='$(top_srcdir)' FUZZ_CC='$(FUZZ_CC)' \
	abs_top_srcdir='$(abs_top_srcdir)' sysconfdir='$(sysconfdir)' pkgdatadir='$(pkgdatadir)' \
	FUZZ_CFLAGS='-std=gnu11 -pthread $(WARN_CFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS) $(LDNS_CFLAGS)' \
	FUZZ_LIBS='$(EXT_LIBS)' FUZZ_TARGET_FILES='$(FUZZ_TARGET_FILES)' \
	FUZZ_LIB_FILES='$(FUZZ_LIB_FILES)'

# `make fuzz` builds them (an error without clang); `make check` builds
# them before the tests when clang is there.
# tests/fuzz/built-with tells tests/fuzz/run.sh they are there.
fuzz:
	@test -n "$(FUZZ_CC)" || { echo "make fuzz: configure found no clang that links -fsanitize=fuzzer (Debian: clang libclang-rt-14-dev)" >&2; exit 1; }
	+@$(FUZZ_MAKE) all
	@echo '$(FUZZ_CC)' >tests/fuzz/built-with
fuzz-if-clang:
	+@if test -n "$(FUZZ_CC)"; then \
		$(FUZZ_MAKE) all && echo '$(FUZZ_CC)' >tests/fuzz/built-with; \
	else \
		rm -f tests/fuzz/built-with; \
	fi
fuzz-clean:
	@$(FUZZ_MAKE) clean
	rm -rf tests/fuzz/built-with tests/fuzz/seeds tests/fuzz/crashes
.PHONY: fuzz fuzz-if-clang fuzz-clean
check_SCRIPTS += fuzz-if-clang
clean-local: fuzz-clean

# Each target runs for FUZZ_SECONDS (20) from its seed corpus; skipped
# (77) without clang or with --disable-fuzz.
TESTS += tests/fuzz/run.sh
EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/build.mk tests/fuzz/seeds.py tests/fuzz/lsan.supp \
	tests/fuzz/README.md tests/fuzz/fuzz_util.h tests/fuzz/fuzz_util.c \
	$(FUZZ_TARGET_FILES) tests/fuzz/regress
