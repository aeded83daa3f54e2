package io.github.sqsconsumer.harvester.direct;

import io.github.sqsconsumer.spi.QueueException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to retry a failed request: exponential backoff with "equal jitter" (half fixed, half random, so
 * retries of many messages spread out yet never fire at once), a bounded number of attempts.
 */
final class Backoff {
  /** First delay; SQS answers in tens of milliseconds, so this already lets a throttling burst pass. */
  static final long BASE_MILLIS = 50;
  /** Longest delay; keeps the total well under any visibility timeout. */
  static final long CAP_MILLIS = 2_000;

  private final int maxAttempts;

  Backoff(int maxAttempts) {
    this.maxAttempts = maxAttempts;
  }

  int maxAttempts() {
    return maxAttempts;
  }

  /** Returns true if a request that failed with {@code cause} after {@code attempts} sends is sent again. */
  boolean shouldRetry(Throwable cause, int attempts) {
    return attempts < maxAttempts && QueueException.kindOf(cause) == QueueException.Kind.TRANSIENT;
  }

  /** Returns the delay before the send after {@code attempts} failed ones, in milliseconds. */
  long delayMillis(int attempts) {
    long ceiling = Math.min(CAP_MILLIS, BASE_MILLIS << Math.min(attempts - 1, 20));
    long half = ceiling / 2;
    return half + ThreadLocalRandom.current().nextLong(half + 1);
  }
}
