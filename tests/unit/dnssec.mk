# unit tests for src/dnssec. Keys are generated and records signed with
# ldns at test time; tests/unit/data/dnssec holds public data only.
check_PROGRAMS += tests/unit/test_dnssec tests/unit/test_dnssec_nsec tests/unit/test_dnssec_anchor
TESTS += tests/unit/test_dnssec tests/unit/test_dnssec_nsec tests/unit/test_dnssec_anchor
DNSSEC_TEST_CPPFLAGS = $(AM_CPPFLAGS) -DDNSSEC_TEST_DATA='"$(abs_top_srcdir)/tests/unit/data/dnssec"'
tests_unit_test_dnssec_SOURCES = tests/unit/test_dnssec.c \
	tests/unit/dnssec_util.c tests/unit/dnssec_util.h tests/unit/unit.h
tests_unit_test_dnssec_CPPFLAGS = $(DNSSEC_TEST_CPPFLAGS)
tests_unit_test_dnssec_LDADD = $(DNSSEC_LIBS)
tests_unit_test_dnssec_nsec_SOURCES = tests/unit/test_dnssec_nsec.c \
	tests/unit/dnssec_util.c tests/unit/dnssec_util.h tests/unit/unit.h
tests_unit_test_dnssec_nsec_CPPFLAGS = $(DNSSEC_TEST_CPPFLAGS)
tests_unit_test_dnssec_nsec_LDADD = $(DNSSEC_LIBS)
tests_unit_test_dnssec_anchor_SOURCES = tests/unit/test_dnssec_anchor.c \
	tests/unit/dnssec_util.c tests/unit/dnssec_util.h tests/unit/unit.h
tests_unit_test_dnssec_anchor_CPPFLAGS = $(DNSSEC_TEST_CPPFLAGS)
tests_unit_test_dnssec_anchor_LDADD = $(DNSSEC_LIBS)
EXTRA_DIST += tests/unit/data/dnssec/root.key
