/*
** check.h: the few macros the C unit tests use. Each check prints one line,
** "ok - what" or "not ok - what (why)", which tests/run.py counts; main()
** returns the number of failures.
*/
#ifndef TM_CHECK_H
#define TM_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

/* Check a condition. */
#define CHECK(cond, what)                                                   \
  do {                                                                      \
    if (cond) printf("ok - %s\n", what);                                    \
    else {                                                                  \
      printf("not ok - %s (%s:%d: %s)\n", what, __FILE__, __LINE__, #cond); \
      check_failures++;                                                     \
    }                                                                       \
  } while (0)

/* Check two integers for equality, printing both when they differ. */
#define CHECK_INT(got, want, what)                                                       \
  do {                                                                                   \
    long long g_ = (long long)(got), w_ = (long long)(want);                             \
    if (g_ == w_) printf("ok - %s\n", what);                                             \
    else {                                                                               \
      printf("not ok - %s (%s:%d: got %lld, want %lld)\n", what, __FILE__, __LINE__, g_, \
             w_);                                                                        \
      check_failures++;                                                                  \
    }                                                                                    \
  } while (0)

/* Check two NUL-terminated strings for equality. */
#define CHECK_STR(got, want, what)                                                   \
  do {                                                                               \
    const char *g_ = (got), *w_ = (want);                                            \
    if (g_ && strcmp(g_, w_) == 0) printf("ok - %s\n", what);                        \
    else {                                                                           \
      printf("not ok - %s (%s:%d: got '%s', want '%s')\n", what, __FILE__, __LINE__, \
             g_ ? g_ : "(null)", w_);                                                \
      check_failures++;                                                              \
    }                                                                                \
  } while (0)

#endif
