# unit tests for the front end's DNS logic (src/daemon/respond.c)
check_PROGRAMS += tests/unit/test_respond
TESTS += tests/unit/test_respond
tests_unit_test_respond_SOURCES = tests/unit/test_respond.c tests/unit/unit.h
tests_unit_test_respond_LDADD = $(DAEMON_LIBS)

# the transport, on the loopback interface only
check_PROGRAMS += tests/unit/test_net
TESTS += tests/unit/test_net
tests_unit_test_net_SOURCES = tests/unit/test_net.c tests/unit/unit.h
tests_unit_test_net_LDADD = $(NET_LIBS)
