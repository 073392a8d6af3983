/* The plug-in unit tests' check: report a failed condition and go on; main() exits non-zero
 * when any failed. */
#ifndef OAIMG_TEST_EXPECT_H
#define OAIMG_TEST_EXPECT_H

#include <stdio.h>

static int failures;

#define EXPECT(condition)                                                           \
  do {                                                                              \
      if (!(condition))                                                             \
        {                                                                           \
          printf ("FAIL %s:%d: %s\n", __FILE__, __LINE__, #condition);              \
          failures++;                                                               \
        }                                                                           \
  } while (0)

#endif
