check_PROGRAMS += tests/unit/test_iter
TESTS += tests/unit/test_iter
tests_unit_test_iter_SOURCES = tests/unit/test_iter.c tests/unit/unit.h
tests_unit_test_iter_LDADD = $(ITER_LIBS)
