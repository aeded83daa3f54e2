package io.github.sqsconsumer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A token bucket for messages started per second. Pollers take tokens for the messages they ask for
 * before each receive, so when the rate is reached the consumer stops polling instead of holding
 * messages it may not start; tokens a receive did not use are given back.
 *
 * <p>Concurrency: one lock guards the bucket; waiting happens outside it (sleep until the tokens are due).
 * The bucket holds at most one second of tokens (burst = rate, at least one batch).
 */
final class RateLimiter {
  private final ReentrantLock lock = new ReentrantLock();
  private final double perNano;
  private final double capacity;
  private double tokens; // @GuardedBy("lock")
  private long refilledAt; // @GuardedBy("lock")

  RateLimiter(double perSecond, int batch) {
    this.perNano = perSecond / TimeUnit.SECONDS.toNanos(1);
    this.capacity = Math.max(perSecond, batch);
    this.tokens = Math.min(capacity, batch);
    this.refilledAt = System.nanoTime();
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
