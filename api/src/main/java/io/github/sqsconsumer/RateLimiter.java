package io.github.sqsconsumer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A token bucket for messages started per second. Pollers take tokens for the messages they ask for
 * before each receive, so when the rate is reached the consumer stops polling instead of holding
 * messages it may not start; tokens a receive did not use are given back.
 *
 * <p>Concurrency: one lock guards the bucket; waiting happens outside it (sleep until the tokens are due).
 * The bucket holds at most one second of tokens, at least one: [starts within any second <= about 2 x rate].
 * A receive starts all it brings at once, so below a whole batch a second receives ask for no more than
 * {@link #batch(double, int)}: with a rate of 1, ten messages received together would start together, ten
 * times the rate for that second.
 */
final class RateLimiter {
  private final ReentrantLock lock = new ReentrantLock();
  private final double perNano;
  private final double capacity;
  private double tokens; // @GuardedBy("lock")
  private long refilledAt; // @GuardedBy("lock")

  /** {@code batch}: the most messages one receive asks for, {@link #batch(double, int)} of the rate. */
  RateLimiter(double perSecond, int batch) {
    this.perNano = perSecond / TimeUnit.SECONDS.toNanos(1);
    this.capacity = Math.max(perSecond, batch);
    this.tokens = Math.min(capacity, batch);
    this.refilledAt = System.nanoTime();
  }

  /**
   * Returns the most messages one receive may ask for under a limit of {@code perSecond}: the whole
   * {@code batch} from 10 a second up, else the rate's whole part, at least one.
   */
  static int batch(double perSecond, int batch) {
    return (int) Math.clamp(Math.floor(perSecond), 1, batch);
  }

  /** Takes {@code permits} tokens, sleeping until they are due. */
  void acquire(int permits) throws InterruptedException {
    long waitNanos;
    lock.lock();
    try {
      refill();
      tokens -= permits; // may go negative: the debt is the wait
      waitNanos = tokens >= 0 ? 0 : (long) (-tokens / perNano);
    } finally {
      lock.unlock();
    }
    if (waitNanos > 0) {
      TimeUnit.NANOSECONDS.sleep(waitNanos);
    }
  }

  /** Gives back tokens for messages a receive did not return. */
  void refund(int permits) {
    if (permits <= 0) {
      return;
    }
    lock.lock();
    try {
      refill();
      tokens = Math.min(capacity, tokens + permits);
    } finally {
      lock.unlock();
    }
  }

  private void refill() {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - refilledAt) * perNano);
    refilledAt = now;
  }
}
