# unit tests for util
check_PROGRAMS += tests/unit/test_dname tests/unit/test_wire \
	tests/unit/test_msgbuild tests/unit/test_netaddr tests/unit/test_util_misc
TESTS += tests/unit/test_dname tests/unit/test_wire \
	tests/unit/test_msgbuild tests/unit/test_netaddr tests/unit/test_util_misc

tests_unit_test_dname_SOURCES = tests/unit/test_dname.c tests/unit/unit.h
tests_unit_test_dname_LDADD = $(UTIL_LIBS)
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c tests/unit/unit.h
tests_unit_test_wire_LDADD = $(UTIL_LIBS)
tests_unit_test_msgbuild_SOURCES = tests/unit/test_msgbuild.c tests/unit/unit.h
tests_unit_test_msgbuild_LDADD = $(UTIL_LIBS)
tests_unit_test_netaddr_SOURCES = tests/unit/test_netaddr.c tests/unit/unit.h
tests_unit_test_netaddr_LDADD = $(UTIL_LIBS)
tests_unit_test_util_misc_SOURCES = tests/unit/test_util_misc.c tests/unit/unit.h
tests_unit_test_util_misc_LDADD = $(UTIL_LIBS)
