package io.github.sqsconsumer.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/*
 * Concurrency:
 *   Handlers (any number of threads) call handled(); it increments `count`, and the one handler whose
 *   increment makes the count equal to the target a waiter set unparks that waiter (each count value goes
 *   to exactly one handler: one unpark per wait, not one per message until the waiter leaves). One waiter
 *   at a time (the benchmark thread or Compare's main thread) sets `target` and `waiter` before it parks
 *   and re-checks the count after, so a wake-up is never lost: [count >= target => waiter is unparked or
 *   sees it on its re-check]; a handler that reached the target before the waiter wrote it is seen by the
 *   waiter's re-check of the count, which comes after that write.
 *   Latencies go to a fixed array of 100 us buckets with atomic increments: no allocation, no lock.
 */
/**
 * Counts handled messages and records their latency from send to handler; lets one thread wait for the
 * count to reach a target without spinning. Thread-safe.
 */
final class Meter {
  /** 100 us per bucket, up to 60 s; longer latencies land in the last bucket. */
  private static final long BUCKET_NANOS = 100_000;
  private static final int BUCKETS = 600_000;

  private final LongSupplier nanoClock;
  private final AtomicLong count = new AtomicLong();
  private final AtomicLongArray latencies = new AtomicLongArray(BUCKETS);
  private volatile long target = Long.MAX_VALUE;
  private volatile Thread waiter;
  // the goal of the last awaitStep; the waiter's own (JMH may run an iteration's setup and its operations on
  // different threads, hence volatile)
  private volatile long stepGoal;

  /** Creates a meter timing latencies with {@link System#nanoTime()}. */
  Meter() {
    this(System::nanoTime);
  }

  /**
   * Creates a meter timing latencies with this clock, a stand-in for {@link System#nanoTime()} (tests fix
   * it, so latencies are exact); waits always use the real time.
   */
  Meter(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /**
   * Records one handled message.
   *
   * @param sentNanos the time on this meter's clock ({@link System#nanoTime()}) at which it was sent, or 0 if
   *     unknown
   */
  void handled(long sentNanos) {
    if (sentNanos != 0) {
      long bucket = Math.max(0, (nanoClock.getAsLong() - sentNanos) / BUCKET_NANOS);
      latencies.incrementAndGet((int) Math.min(BUCKETS - 1, bucket));
    }
    if (count.incrementAndGet() == target) {
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  /** Returns how many messages were handled so far. */
  long count() {
    return count.get();
  }

  /**
   * Starts a sequence of {@link #awaitStep} calls at the current count. A JMH benchmark calls it in its
   * iteration's setup, so the messages handled between two iterations count toward neither.
   */
  void startSteps() {
    stepGoal = count.get();
  }

  /**
   * Waits until {@code step} messages past the previous step's goal were handled (past the count at
   * {@link #startSteps} for the first): consecutive steps count every message exactly once, also those
   * handled while the caller was between two steps. A benchmark whose operation is "wait for the next
   * {@code step} messages" must count this way: the thread wakes some time after its goal is reached, and a
   * goal taken from the count at each call would drop what was handled in that time, the more the faster
   * the candidate (at 100,000 msg/s a wake-up of 0.3 ms is 30 messages).
   *
   * @return the count then
   * @throws TimeoutException if that takes longer than {@code timeoutNanos}: the candidate stalled
   * @throws InterruptedException if interrupted while waiting (JMH interrupts a benchmark past its timeout)
   */
  long awaitStep(long step, long timeoutNanos) throws TimeoutException, InterruptedException {
    long goal = stepGoal + step;
    stepGoal = goal;
    return awaitCount(goal, timeoutNanos);
  }

  /**
   * Waits until the count reaches {@code goal}.
   *
   * @return the count then
   * @throws TimeoutException if that takes longer than {@code timeoutNanos}: the candidate stalled
   * @throws InterruptedException if interrupted while waiting (JMH interrupts a benchmark past its timeout)
   */
  long awaitCount(long goal, long timeoutNanos) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    waiter = Thread.currentThread();
    target = goal;
    try {
      long now;
      while ((now = count.get()) < goal) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("handled " + now + " of " + goal + " messages in "
              + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        }
        LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        if (Thread.interrupted()) { // else parkNanos returns at once, and this loop spins until the deadline
          throw new InterruptedException("interrupted with " + count.get() + " of " + goal + " messages handled");
        }
      }
      return now;
    } finally {
      target = Long.MAX_VALUE;
      waiter = null;
    }
  }

  /** Forgets the latencies recorded so far (the count goes on). */
  void resetLatencies() {
    for (int i = 0; i < BUCKETS; i++) {
      latencies.set(i, 0);
    }
  }

  /** Returns the latency at this quantile (0 to 1) in milliseconds, or NaN if none was recorded. */
  double latencyMillis(double quantile) {
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      total += latencies.get(i);
    }
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(quantile * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += latencies.get(i);
      if (seen >= rank) {
        return (i + 1) * BUCKET_NANOS / 1e6; // upper edge of the bucket
      }
    }
    return BUCKETS * BUCKET_NANOS / 1e6;
  }
}
