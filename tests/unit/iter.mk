check_PROGRAMS += tests/unit/test_iter
TESTS += tests/unit/test_iter
tests_unit_test_iter_SOURCES = tests/unit/test_iter.c tests/unit/unit.h
tests_unit_test_iter_LDADD = $(ITER_LIBS)

# White-box tests of infra.c (the engine's internal header).
check_PROGRAMS += tests/unit/test_infra
TESTS += tests/unit/test_infra
tests_unit_test_infra_SOURCES = tests/unit/test_infra.c tests/unit/unit.h
tests_unit_test_infra_LDADD = $(ITER_LIBS)
