package io.github.sqsconsumer.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with equal jitter, the one retry schedule of the library: the pause after the n-th
 * failed attempt is uniformly random in {@code [step/2, step]}, with {@code step = min(cap, base * 2^(n-1))}.
 * The core's poll and connect retries, the harvesters' resends and {@code RetryPolicy.exponential} all use
 * it; the heartbeat uses its {@link #step} alone (see there).
 *
 * <p>Equal jitter rather than full jitter ({@code [0, step]}): half of each step is fixed, so a retry never
 * comes at once, however fast the failure came back (a refused connection answers in microseconds; a
 * failed message redelivered at once would spend a receive of its redrive count for nothing), and the
 * retry rate stays bounded by the schedule; the random half still spreads out many clients, or many
 * entries, that failed together. Full jitter spreads them a little wider, but may draw a pause near zero
 * on every attempt.
 *
 * <p>Immutable and thread-safe: one instance serves every retrying caller; each counts its own attempts,
 * or uses a {@link Sequence}.
 */
public final class Backoff {
  private final long baseNanos;
  private final long capNanos;

  private Backoff(long baseNanos, long capNanos) {
    this.baseNanos = baseNanos;
    this.capNanos = capNanos;
  }

  /**
   * Returns the schedule starting at {@code base} and doubling up to {@code cap}.
   *
   * @param base the step of the first attempt, positive
   * @param cap the largest step, at least {@code base}
   * @return the schedule; never null
   * @throws IllegalArgumentException if {@code base} is not positive or {@code cap} is less than it
   */
  public static Backoff of(Duration base, Duration cap) {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(cap, "cap");
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("base must be positive but was " + base);
    }
    if (cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("cap must be at least base (" + base + ") but was " + cap);
    }
    return new Backoff(base.toNanos(), cap.toNanos());
  }

  /**
   * Returns the step after the {@code attempt}-th failure without jitter: {@code min(cap, base *
   * 2^(attempt-1))}; an attempt below 1 counts as the first. Never overflows, whatever the attempt.
   *
   * @return between base and cap; never null
   * @param attempt how many attempts failed so far, counting this one; 1 for the first failure
   */
  public Duration step(int attempt) {
    return Duration.ofNanos(stepNanos(attempt));
  }

  /**
   * Returns the pause after the {@code attempt}-th failure: uniformly random in {@code [step/2, step]} of
   * {@link #step}; an attempt below 1 counts as the first.
   *
   * @return between half the base and the cap; never null
   * @param attempt how many attempts failed so far, counting this one; 1 for the first failure
   */
  public Duration delay(int attempt) {
    long step = stepNanos(attempt);
    long half = step / 2;
    return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(step - half + 1));
  }

  private long stepNanos(int attempt) {
    int doublings = Math.max(attempt, 1) - 1;
    // [step <= cap]: stop doubling before the shift can overflow
    return doublings >= Long.numberOfLeadingZeros(baseNanos) - 1
        ? capNanos : Math.min(capNanos, baseNanos << doublings);
  }

  /** {@return a new sequence of delays on this schedule, for one retrying loop} */
  public Sequence sequence() {
    return new Sequence(this);
  }

  /**
   * The delays of one retrying loop: counts its attempts and starts over after a success. Not thread-safe:
   * one per loop.
   */
  public static final class Sequence {
    private final Backoff backoff;
    private int attempts;

    private Sequence(Backoff backoff) {
      this.backoff = backoff;
    }

    /**
     * Counts a failed attempt and returns the pause before the next one.
     *
     * @return the {@linkplain Backoff#delay delay} after this many failures in a row; never null
     */
    public Duration next() {
      if (attempts < Integer.MAX_VALUE) {
        attempts++;
      }
      return backoff.delay(attempts);
    }

    /** {@return how many failed attempts were counted since the start or the last {@link #reset}} */
    public int attempts() {
      return attempts;
    }

    /** Starts over, after a success. */
    public void reset() {
      attempts = 0;
    }
  }
}
