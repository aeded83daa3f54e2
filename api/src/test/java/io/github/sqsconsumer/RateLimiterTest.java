package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class RateLimiterTest {

  @Test
  void batch_isTheRatesWholePartBelowABatch_andAtLeastOne() {
    assertThat(RateLimiter.batch(0.2, 10)).isEqualTo(1);
    assertThat(RateLimiter.batch(1, 10)).isEqualTo(1);
    assertThat(RateLimiter.batch(2.9, 10)).isEqualTo(2);
    assertThat(RateLimiter.batch(10, 10)).isEqualTo(10);
    assertThat(RateLimiter.batch(1_000_000, 10)).isEqualTo(10);
  }

  @Test
  void acquire_takesAtOnceWhatTheBucketHolds_thenWaits() throws InterruptedException {
    RateLimiter limiter = new RateLimiter(1_000, 10); // a millisecond per token after the first ten
    long start = System.nanoTime();
    limiter.acquire(10);
    limiter.acquire(50); // in debt by 50: about 50 ms
    long took = System.nanoTime() - start;
    assertThat(took).isGreaterThanOrEqualTo(40_000_000L);
  }
}
