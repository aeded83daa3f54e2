package io.github.sqsconsumer.harvester.batch;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Whether and when an entry is sent again: transient failures only, a bounded number of sends, exponential
 * backoff with "equal jitter" (at least half the step, so retries never bunch up at zero, the rest random,
 * so retries of one failed batch spread out).
 */
final class Retries {
  /** First step: SQS answers in tens of milliseconds, so a throttling burst has usually passed. */
  private static final long BASE_NANOS = 50_000_000L;
  /** Largest step, keeping all attempts together well under any visibility timeout. */
  private static final long CAP_NANOS = 2_000_000_000L;

  private Retries() {}

  /** Returns the pause after the {@code attempts}-th failed send, in nanoseconds. */
  static long backoffNanos(int attempts) {
    long step = Math.min(CAP_NANOS, BASE_NANOS << Math.min(Math.max(attempts - 1, 0), 20));
    return step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
  }
}
