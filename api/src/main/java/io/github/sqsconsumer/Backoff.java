package io.github.sqsconsumer;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter": the n-th delay is uniformly random in
 * {@code [d/2, d]} with {@code d = min(max, base * 2^n)}. Half is fixed so a retry never comes at once
 * (no hot loop), half is random so many clients spread out. Not thread-safe: one per retrying loop.
 */
final class Backoff {
  private final long baseNanos;
  private final long maxNanos;
  private int attempt;

  Backoff(Duration base, Duration max) {
    this.baseNanos = base.toNanos();
    this.maxNanos = max.toNanos();
  }

  /** Returns the next delay and counts the attempt. */
  Duration next() {
    int shift = Math.min(attempt++, 30);
    long ceiling = Math.min(maxNanos, baseNanos << shift);
    long half = ceiling / 2;
    return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(half + 1));
  }

  /** Returns how many delays were handed out since the last reset. */
  int attempts() {
    return attempt;
  }

  /** Starts over after a success. */
  void reset() {
    attempt = 0;
  }
}
