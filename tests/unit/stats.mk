# unit tests for the statistics (src/stats) and the engine's per-server
# table (src/iter/upstats.c, white-box)
check_PROGRAMS += tests/unit/test_stats
TESTS += tests/unit/test_stats
tests_unit_test_stats_SOURCES = tests/unit/test_stats.c tests/unit/unit.h
tests_unit_test_stats_LDADD = $(ITER_LIBS)
