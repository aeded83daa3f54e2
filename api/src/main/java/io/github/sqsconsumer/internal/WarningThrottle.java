package io.github.sqsconsumer.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a recurring warning through at most once per interval and counts what it holds back in between, so
 * that a fault repeated per message (an outage) is one line per interval with a count, not one per
 * message. Lock-free and thread-safe. In a package the module does not export: the core and the SPI's
 * {@code AbstractHarvester} share it.
 */
public final class WarningThrottle {
  private final long intervalNanos;
  /** When the next warning may pass (System.nanoTime). */
  private final AtomicLong nextNanos = new AtomicLong(System.nanoTime());
  /** The weight held back since the last warning that passed. */
  private final AtomicInteger heldBack = new AtomicInteger();

  /**
   * Creates a throttle whose first warning passes at once.
   *
   * @param interval the least time between two warnings that pass
   */
  public WarningThrottle(Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  /**
   * Asks to warn of {@code weight} occurrences (messages, entries).
   *
   * @param weight what this warning is about, counted if it is held back
   * @return the weight held back since the last warning that passed, zero or more, if this one passes (the
   *     caller warns at WARN); -1 if it is held back and counted (the caller may log it at DEBUG)
   */
  public int pass(int weight) {
    long now = System.nanoTime();
    long next = nextNanos.get();
    if (now - next >= 0 && nextNanos.compareAndSet(next, now + intervalNanos)) {
      return heldBack.getAndSet(0);
    }
    heldBack.addAndGet(weight);
    return -1;
  }

  /**
   * Takes what was held back since the last warning that passed, for a last summary (at close).
   *
   * @return the weight held back, zero or more; the count starts again from zero
   */
  public int drain() {
    return heldBack.getAndSet(0);
  }
}
