# unit tests for cache
check_PROGRAMS += tests/unit/test_cache
TESTS += tests/unit/test_cache
tests_unit_test_cache_SOURCES = tests/unit/test_cache.c tests/unit/unit.h
tests_unit_test_cache_LDADD = $(CACHE_LIBS)

check_PROGRAMS += tests/unit/test_denial
TESTS += tests/unit/test_denial
tests_unit_test_denial_SOURCES = tests/unit/test_denial.c tests/unit/unit.h
tests_unit_test_denial_LDADD = $(CACHE_LIBS)

# Built by "make check", run by hand: bench/cache_bench [threads [names]]
check_PROGRAMS += bench/cache_bench
bench_cache_bench_SOURCES = bench/cache_bench.c
bench_cache_bench_LDADD = $(CACHE_LIBS)
