// decide_retry against the SDK's policy (openai-node src/client.ts), one rule per test.
#include <gtest/gtest.h>

#include "oaimg/core/client.h"

namespace {

using oaimg::decide_retry;
using oaimg::RetryDecision;

constexpr int64_t kNow = 1795000000;  // 2026-11-18, any fixed instant works

// No headers, no jitter: the plain status-code rule.
RetryDecision plain(int attempt, int status, double random01 = 0.0) {
  return decide_retry(attempt, 2, status, "", "", "", random01, kNow);
}

TEST(RetryPolicy, RetriesConnectionErrorsAndRetryableStatuses) {
  for (int status : {0, 408, 409, 429, 500, 502, 503, 504, 599}) {
    EXPECT_TRUE(plain(0, status).retry) << status;
  }
}

TEST(RetryPolicy, DoesNotRetryOtherStatuses) {
  for (int status : {200, 400, 401, 403, 404, 405, 413, 422}) {
    EXPECT_FALSE(plain(0, status).retry) << status;
  }
}

TEST(RetryPolicy, StopsAfterMaxRetries) {
  EXPECT_TRUE(decide_retry(0, 2, 500, "", "", "", 0, kNow).retry);
  EXPECT_TRUE(decide_retry(1, 2, 500, "", "", "", 0, kNow).retry);
  EXPECT_FALSE(decide_retry(2, 2, 500, "", "", "", 0, kNow).retry);
  EXPECT_FALSE(decide_retry(0, 0, 500, "", "", "", 0, kNow).retry);
  // Even the server's "true" cannot exceed the budget.
  EXPECT_FALSE(decide_retry(2, 2, 500, "true", "", "", 0, kNow).retry);
}

TEST(RetryPolicy, ShouldRetryHeaderOverridesStatus) {
  EXPECT_FALSE(decide_retry(0, 2, 500, "false", "", "", 0, kNow).retry);
  EXPECT_FALSE(decide_retry(0, 2, 429, "false", "", "", 0, kNow).retry);
  EXPECT_TRUE(decide_retry(0, 2, 400, "true", "", "", 0, kNow).retry);
  // Only the exact strings count, as in the SDK.
  EXPECT_TRUE(decide_retry(0, 2, 500, "no", "", "", 0, kNow).retry);
  EXPECT_FALSE(decide_retry(0, 2, 400, "yes", "", "", 0, kNow).retry);
}

TEST(RetryPolicy, DefaultBackoffDoublesAndCaps) {
  EXPECT_EQ(decide_retry(0, 10, 500, "", "", "", 0, kNow).delay_ms, 500);
  EXPECT_EQ(decide_retry(1, 10, 500, "", "", "", 0, kNow).delay_ms, 1000);
  EXPECT_EQ(decide_retry(2, 10, 500, "", "", "", 0, kNow).delay_ms, 2000);
  EXPECT_EQ(decide_retry(3, 10, 500, "", "", "", 0, kNow).delay_ms, 4000);
  EXPECT_EQ(decide_retry(4, 10, 500, "", "", "", 0, kNow).delay_ms, 8000);
  EXPECT_EQ(decide_retry(7, 10, 500, "", "", "", 0, kNow).delay_ms, 8000);
}

TEST(RetryPolicy, JitterShortensByUpToAQuarter) {
  EXPECT_EQ(plain(0, 500, 0.5).delay_ms, 438);   // 500 * (1 - 0.125), rounded
  EXPECT_EQ(plain(1, 500, 0.999).delay_ms, 750);  // 1000 * (1 - 0.24975)
  EXPECT_EQ(plain(1, 500, 0.0).delay_ms, 1000);
}

TEST(RetryPolicy, RetryAfterMsWins) {
  RetryDecision d = decide_retry(0, 2, 429, "", "1500", "30", 0, kNow);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.delay_ms, 1500);
  EXPECT_EQ(decide_retry(0, 2, 429, "", "12.6", "", 0, kNow).delay_ms, 13);
  EXPECT_EQ(decide_retry(0, 2, 429, "", "0", "", 0, kNow).delay_ms, 0);
}

TEST(RetryPolicy, RetryAfterSeconds) {
  EXPECT_EQ(decide_retry(0, 2, 429, "", "", "1", 0, kNow).delay_ms, 1000);
  EXPECT_EQ(decide_retry(0, 2, 429, "", "", "0.25", 0, kNow).delay_ms, 250);
  EXPECT_EQ(decide_retry(0, 2, 429, "", "", "60", 0, kNow).delay_ms, 60000);
  // A zero wait is honoured (the SDK since it stopped treating 0 as absent).
  EXPECT_EQ(decide_retry(1, 2, 429, "", "", "0", 0, kNow).delay_ms, 0);
}

TEST(RetryPolicy, UnparsableRetryAfterMsFallsThroughToRetryAfter) {
  EXPECT_EQ(decide_retry(0, 2, 429, "", "soon", "2", 0, kNow).delay_ms, 2000);
}

TEST(RetryPolicy, RetryAfterHttpDateIsRelativeToNow) {
  // kNow + 5 s, written as an IMF-fixdate.
  time_t t = static_cast<time_t>(kNow + 5);
  char buf[64];
  struct tm tm_utc;
  gmtime_r(&t, &tm_utc);
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm_utc);
  EXPECT_EQ(decide_retry(0, 2, 503, "", "", buf, 0, kNow).delay_ms, 5000);
  // A date in the past is out of range: default backoff.
  EXPECT_EQ(decide_retry(0, 2, 503, "", "", buf, 0, kNow + 10).delay_ms, 500);
}

TEST(RetryPolicy, OutOfRangeServerWaitFallsBackToBackoff) {
  EXPECT_EQ(decide_retry(0, 2, 429, "", "", "61", 0, kNow).delay_ms, 500);
  EXPECT_EQ(decide_retry(1, 2, 429, "", "", "-1", 0, kNow).delay_ms, 1000);
  EXPECT_EQ(decide_retry(0, 2, 429, "", "60001", "", 0, kNow).delay_ms, 500);
  EXPECT_EQ(decide_retry(0, 2, 429, "", "", "not a date", 0, kNow).delay_ms, 500);
}

TEST(RetryPolicy, RetryAfterIsIgnoredWhenNotRetrying) {
  RetryDecision d = decide_retry(0, 2, 400, "", "", "1", 0, kNow);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.delay_ms, 0);
}

}  // namespace
