# unit tests for config
check_PROGRAMS += tests/unit/test_config
TESTS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c tests/unit/unit.h
tests_unit_test_config_LDADD = $(DAEMON_LIBS)

check_PROGRAMS += tests/unit/test_localzone
TESTS += tests/unit/test_localzone
tests_unit_test_localzone_SOURCES = tests/unit/test_localzone.c tests/unit/unit.h
tests_unit_test_localzone_LDADD = $(DAEMON_LIBS)
