package io.github.sqsconsumer;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the pollers learn of the queue's reachability, for {@link Consumer#health()}.
 *
 * <pre>
 * Failing:
 *   Receives fail when the queue answers with an error or a runner's timeout ends them; but a queue cut
 *   off may also leave a long poll unanswered for minutes (a black-holed connection, until the client's
 *   timeouts and retries give up; the core's own deadline is the wait time plus two minutes). So a receive
 *   still unanswered OVERDUE past its wait time counts as failing from then on, as long as no other receive
 *   was answered since: one hung connection beside answering ones is no outage.
 *   Failing since = the earliest of: the first failure after the last answer; the time a receive still
 *   outstanding became overdue, if after the last answer.
 * Concurrency:
 *   Every poller writes after each receive: received() when the queue answered, failed() when it did not;
 *   and around a remote receive, receiving() and done() on its own slot. failures counts failures since the
 *   last answer, over all pollers (an answer resets it); failingSince is set by the failure that moves it
 *   from zero. The writes race (a failure and an answer at once may leave a count of one after the
 *   answer): a snapshot may be off by one receive, and the next receive corrects it. Once per receive, not
 *   per message; no lock.
 * </pre>
 */
final class HealthTracker {
  /**
   * A long poll is answered within its wait time; this on top covers the round trip and a slow server with
   * room to spare, so a receive later than that is not answering.
   */
  static final Duration OVERDUE = Duration.ofSeconds(5);
  private static final long NONE = Long.MAX_VALUE; // a poller's slot with no remote receive outstanding

  private final long unhealthyAfterNanos;
  private volatile long lastReceiveMillis; // wall clock, 0 before the first answer
  private volatile long lastAnswerNanos; // System.nanoTime of the last answer; valid once lastReceiveMillis != 0
  private volatile int failures;
  private volatile long failingSinceNanos; // System.nanoTime of the first failure after the last answer
  private final AtomicLongArray overdueAt = new AtomicLongArray(Polling.MAX_POLLERS); // by poller: NONE or when

  HealthTracker(Duration unhealthyAfter) {
    this.unhealthyAfterNanos = unhealthyAfter.toNanos();
    for (int i = 0; i < overdueAt.length(); i++) {
      overdueAt.set(i, NONE);
    }
  }

  /** Poller {@code poller} waits for a remote receive that is overdue at {@code overdueAtNanos}. */
  void receiving(int poller, long overdueAtNanos) {
    overdueAt.set(poller, overdueAtNanos == NONE ? NONE - 1 : overdueAtNanos);
  }

  /** Poller {@code poller}'s receive ended, however. */
  void done(int poller) {
    overdueAt.set(poller, NONE);
  }

  /** The queue answered a receive, with or without messages. */
  void received() {
    lastAnswerNanos = System.nanoTime();
    lastReceiveMillis = System.currentTimeMillis();
    if (failures != 0) {
      failures = 0;
    }
  }

  /**
   * Poller {@code poller}'s receive failed (the queue did not answer, or answered with an error); called
   * before {@link #done}. A receive that was overdue before it failed (a black-holed connection that the
   * client's timeouts end only after minutes) has been failing since it became overdue, not since now.
   */
  void failed(int poller) {
    long now = System.nanoTime();
    long since = now;
    long at = overdueAt.get(poller);
    if (at != NONE && now - at > 0 && (lastReceiveMillis == 0 || at - lastAnswerNanos > 0)) {
      since = at; // overdue, and nothing answered since
    }
    if (failures++ == 0) { // racy increment: see Concurrency
      failingSinceNanos = since;
    } else if (since - failingSinceNanos < 0) {
      failingSinceNanos = since;
    }
  }

  /** The health of a consumer in {@code state}, with these other readings. */
  ConsumerHealth snapshot(Consumer.State state, boolean paused, int inFlight) {
    long now = System.nanoTime();
    int failed = failures;
    long failingNanos = failed == 0 ? 0 : Math.max(0, now - failingSinceNanos);
    long last = lastReceiveMillis;
    long lastAnswer = lastAnswerNanos;
    for (int i = 0; i < overdueAt.length(); i++) {
      long at = overdueAt.get(i);
      if (at != NONE && now - at > 0 && (last == 0 || at - lastAnswer > 0)) { // overdue, and nothing answered since
        failingNanos = Math.max(failingNanos, now - at);
      }
    }
    boolean healthy = state == Consumer.State.RUNNING && failingNanos <= unhealthyAfterNanos;
    return new ConsumerHealth(state, healthy, paused, last == 0 ? null : Instant.ofEpochMilli(last), failed,
        Duration.ofNanos(failingNanos), inFlight);
  }

  /** The time a receive sent at {@code sentNanos} with {@code waitTime} becomes overdue. */
  static long overdueAt(long sentNanos, Duration waitTime) {
    return sentNanos + waitTime.toNanos() + OVERDUE.toNanos();
  }
}
