# unit tests for src/auth. Zone files are written by the test into a
# temporary directory; the signed-zone tests sign them with ldns-keygen
# and ldns-signzone (ldnsutils) and are skipped without them.
check_PROGRAMS += tests/unit/test_authzone
TESTS += tests/unit/test_authzone
tests_unit_test_authzone_SOURCES = tests/unit/test_authzone.c tests/unit/unit.h
tests_unit_test_authzone_LDADD = $(AUTH_LIBS)
