package io.github.sqsconsumer;

import java.time.Duration;
import java.time.Instant;

/**
 * What the pollers learn of the queue's reachability, for {@link Consumer#health()}.
 *
 * <pre>
 * Concurrency:
 *   Every poller writes after each receive: received() when the queue answered, failed() when it did not.
 *   failures counts failures since the last answer, over all pollers (an answer resets it); failingSince is
 *   set by the failure that moves it from zero. The writes race (a failure and an answer at once may leave
 *   a count of one after the answer): a snapshot may be off by one receive, and the next receive corrects
 *   it. Once per receive, not per message; no lock.
 * </pre>
 */
final class HealthTracker {
  private final long unhealthyAfterNanos;
  private volatile long lastReceiveMillis; // wall clock, 0 before the first answer
  private volatile int failures;
  private volatile long failingSinceNanos; // System.nanoTime of the first failure after the last answer

  HealthTracker(Duration unhealthyAfter) {
    this.unhealthyAfterNanos = unhealthyAfter.toNanos();
  }

  /** The queue answered a receive, with or without messages. */
  void received() {
    lastReceiveMillis = System.currentTimeMillis();
    if (failures != 0) {
      failures = 0;
    }
  }

  /** A receive failed (the queue did not answer, or answered with an error). */
  void failed() {
    long now = System.nanoTime();
    if (failures++ == 0) { // racy increment: see Concurrency
      failingSinceNanos = now;
    }
  }

  /** The health of a consumer in {@code state}, with these other readings. */
  ConsumerHealth snapshot(Consumer.State state, boolean paused, int inFlight) {
    int failed = failures;
    long failingNanos = failed == 0 ? 0 : Math.max(0, System.nanoTime() - failingSinceNanos);
    long last = lastReceiveMillis;
    boolean healthy = state == Consumer.State.RUNNING && failingNanos <= unhealthyAfterNanos;
    return new ConsumerHealth(state, healthy, paused, last == 0 ? null : Instant.ofEpochMilli(last), failed,
        Duration.ofNanos(failingNanos), inFlight);
  }
}
