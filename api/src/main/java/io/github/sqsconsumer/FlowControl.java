package io.github.sqsconsumer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The backpressure gate: permits for messages received and not yet finished.
 *
 * <pre>
 * Concurrency:
 *   Pollers acquire permits for the messages they ask for before each receive, and give back those the
 *   receive did not fill. A permit comes back when its message's handler has finished (the outcome is
 *   with the harvester) or when the message was released unstarted. One lock guards limit, held and
 *   closed; waiters are pollers only.
 * Limit:
 *   limit = base + prefetch, base = concurrency x messages per unit. prefetch adapts between a floor and
 *   the configured maximum (see Engine#adapt); lowering it never revokes permits already held, it only
 *   delays new ones.   [held <= limit, except transiently after the limit was lowered]
 * Batches:
 *   A poller waits until it can ask for a whole batch (min(batch, limit)), because SQS bills per request
 *   and a receive of 10 costs what a receive of 1 does. A wake-up is passed on (signal chain) only while
 *   a whole batch is free, so a release of one permit wakes at most one poller.
 * </pre>
 */
final class FlowControl {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition available = lock.newCondition();
  private final int base;
  private final int batch;

  private int limit; // @GuardedBy("lock")
  private int held; // @GuardedBy("lock")
  private boolean closed; // @GuardedBy("lock")

  FlowControl(int base, int prefetch, int batch) {
    this.base = base;
    this.batch = batch;
    this.limit = base + prefetch;
  }

  /**
   * Waits for a whole batch of permits and takes as many as are free, up to {@code batch}.
   *
   * @return the permits taken, at least one; zero once closed or when the timeout elapsed
   */
  int acquire(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lock();
    try {
      while (!closed && limit - held < Math.min(batch, limit)) {
        if (nanos <= 0) {
          return 0;
        }
        nanos = available.awaitNanos(nanos);
      }
      if (closed) {
        return 0;
      }
      int taken = Math.min(batch, limit - held);
      held += taken; // [held <= limit]
      signalIfBatchFree();
      return taken;
    } finally {
      lock.unlock();
    }
  }

  /** Gives back permits. */
  void release(int permits) {
    if (permits <= 0) {
      return;
    }
    lock.lock();
    try {
      held -= permits;
      signalIfBatchFree();
    } finally {
      lock.unlock();
    }
  }

  /** Sets the prefetch part of the limit. */
  void prefetch(int prefetch) {
    lock.lock();
    try {
      limit = base + prefetch;
      signalIfBatchFree();
    } finally {
      lock.unlock();
    }
  }

  private void signalIfBatchFree() {
    if (limit - held >= Math.min(batch, limit)) {
      available.signal();
    }
  }

  /** Wakes every waiting poller; later acquires return zero at once. */
  void close() {
    lock.lock();
    try {
      closed = true;
      available.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Returns the permits held: messages received (or being received) and not finished. */
  int held() {
    lock.lock();
    try {
      return held;
    } finally {
      lock.unlock();
    }
  }

  /** Returns the current limit. */
  int limit() {
    lock.lock();
    try {
      return limit;
    } finally {
      lock.unlock();
    }
  }
}
