check_PROGRAMS += tests/unit/test_iter
TESTS += tests/unit/test_iter
tests_unit_test_iter_SOURCES = tests/unit/test_iter.c tests/unit/iter_world.c \
	tests/unit/iter_world.h tests/unit/unit.h
tests_unit_test_iter_LDADD = $(ITER_LIBS)

# What the engine answers and keeps (same world).
check_PROGRAMS += tests/unit/test_iter_answer
TESTS += tests/unit/test_iter_answer
tests_unit_test_iter_answer_SOURCES = tests/unit/test_iter_answer.c tests/unit/iter_world.c \
	tests/unit/iter_world.h tests/unit/unit.h
tests_unit_test_iter_answer_LDADD = $(ITER_LIBS)

# Aggressive NSEC through the engine, with a zone signed by ldns.
check_PROGRAMS += tests/unit/test_iter_nsec
TESTS += tests/unit/test_iter_nsec
tests_unit_test_iter_nsec_SOURCES = tests/unit/test_iter_nsec.c tests/unit/iter_world.c \
	tests/unit/iter_world.h tests/unit/dnssec_util.c tests/unit/dnssec_util.h tests/unit/unit.h
tests_unit_test_iter_nsec_LDADD = $(ITER_LIBS)

# White-box tests of infra.c (the engine's internal header).
check_PROGRAMS += tests/unit/test_infra
TESTS += tests/unit/test_infra
tests_unit_test_infra_SOURCES = tests/unit/test_infra.c tests/unit/unit.h
tests_unit_test_infra_LDADD = $(ITER_LIBS)
