/*
 * unit.h -- a minimal unit-test harness. Each test program defines test
 * functions, lists them in main with RUN(fn), and ends with
 * `return unit_summary();`, which prints "N passed, N failed" and returns
 * non-zero if anything failed.
 */
#ifndef RESOLVERD_TESTS_UNIT_H
#define RESOLVERD_TESTS_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed_checks, unit_passed, unit_failed, unit_cur_failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		unit_failed_checks++; unit_cur_failed = 1; \
	} } while (0)

#define CHECK_EQ_INT(a, b) do { \
	long long unit_a_ = (long long)(a), unit_b_ = (long long)(b); \
	if (unit_a_ != unit_b_) { \
		fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, unit_a_, #b, unit_b_); \
		unit_failed_checks++; unit_cur_failed = 1; \
	} } while (0)

#define CHECK_STR(a, b) do { \
	const char *unit_a_ = (a), *unit_b_ = (b); \
	if (!unit_a_ || !unit_b_ || strcmp(unit_a_, unit_b_) != 0) { \
		fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, unit_a_ ? unit_a_ : "(null)", unit_b_ ? unit_b_ : "(null)"); \
		unit_failed_checks++; unit_cur_failed = 1; \
	} } while (0)

#define RUN(fn) do { \
	unit_cur_failed = 0; fn(); \
	if (unit_cur_failed) { unit_failed++; fprintf(stderr, "FAIL %s\n", #fn); } \
	else { unit_passed++; fprintf(stderr, "ok   %s\n", #fn); } \
	} while (0)

static inline int unit_summary(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
