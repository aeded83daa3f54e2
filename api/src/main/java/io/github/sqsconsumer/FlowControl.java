package io.github.sqsconsumer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The backpressure gate: permits for messages received and not yet finished.
 *
 * <pre>
 * Concurrency:
 *   Pollers acquire permits for the messages they ask for before each receive, and give back those the
 *   receive did not fill. A permit comes back when its message's handler has finished (the outcome is
 *   with the harvester) or when the message was released unstarted. One lock guards taking permits, the
 *   limit and closed; waiters are pollers only. Giving permits back takes the lock only to wake a poller
 *   (see release()): handlers give back one unit's permits each, and most of those wake nobody.
 * Limit:
 *   limit = base + prefetch + followers, base = concurrency x messages per unit (with adaptive concurrency,
 *   its current limit x messages per unit). prefetch adapts between a floor and
 *   the configured maximum (see Prefetch); lowering it never revokes permits already held, it only
 *   delays new ones. followers (FIFO queues only, else 0) are the messages waiting behind their group's
 *   earlier ones, up to a cap: they cannot run before those finish, and without room of their own a
 *   receive of one group's messages (as SQS hands them) filled the permits that other groups' heads need,
 *   so few groups ran at once.   [held <= limit, except transiently after the limit was lowered, or after a
 *   receive that brought more than asked (overdraw)]
 * Batches:
 *   A poller waits up to batchWait for a whole batch (min(batch, limit)), because SQS bills per request
 *   and a receive of 10 costs what a receive of 1 does; after that it takes what is free, at least one, so
 *   a slow message that holds permits cannot leave the other handlers idle. On a busy queue whole batches
 *   free up within batchWait; otherwise partial receives come at most one per batchWait per poller.
 *   Waiters for a whole batch wait on `batchFree`, those past their batchWait on `someFree`. A release
 *   wakes one waiter of `someFree` if any permit is free, else one of `batchFree` if a batch is; the woken
 *   poller passes the wake-up on after taking (signal chain), so a release of one permit wakes at most
 *   one poller.
 * </pre>
 */
final class FlowControl {
  /**
   * How long a poller waits for a whole batch before it receives what is free: longer than handlers of a
   * busy queue take to free ten permits, short beside a slow handler that holds one.
   */
  static final long BATCH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition batchFree = lock.newCondition();
  private final Condition someFree = lock.newCondition();
  private int base; // @GuardedBy("lock")
  private int prefetch; // @GuardedBy("lock")
  private int followers; // @GuardedBy("lock")
  private final int batch;
  private final long batchWaitNanos;

  private volatile int limit; // written under lock
  /** Raised only under the lock, lowered by release() without it. */
  private final AtomicInteger held = new AtomicInteger();
  private volatile int waiters; // written under lock: pollers inside acquire()
  private volatile int partialWaiters; // written under lock: pollers in acquire() past their batch wait
  private boolean closed; // @GuardedBy("lock")

  FlowControl(int base, int prefetch, int batch) {
    this(base, prefetch, batch, BATCH_WAIT_NANOS);
  }

  FlowControl(int base, int prefetch, int batch, long batchWaitNanos) {
    this.base = base;
    this.prefetch = prefetch;
    this.batch = batch;
    this.batchWaitNanos = batchWaitNanos;
    this.limit = base + prefetch;
  }

  /**
   * Waits up to the batch wait for a whole batch of permits, then for any; takes as many as are free, up to
   * {@code batch}.
   *
   * @return the permits taken, at least one; zero once closed or when the timeout elapsed
   */
  int acquire(long timeout, TimeUnit unit) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + unit.toNanos(timeout);
    long batchDeadline = start + batchWaitNanos;
    lock.lock();
    waiters++; // before reading held: see release()
    boolean partial = false; // counted in partialWaiters
    try {
      while (!closed) {
        long now = System.nanoTime();
        boolean batchWaitOver = now - batchDeadline >= 0;
        if (batchWaitOver && !partial) {
          partialWaiters++; // before reading held: see release()
          partial = true;
        }
        int free = limit - held.get();
        if (free >= Math.min(batch, limit) || (free > 0 && batchWaitOver)) {
          int taken = Math.min(batch, free);
          held.addAndGet(taken); // [held <= limit]: only raised under the lock, lowered concurrently
          if (partial) {
            partialWaiters--; // not a waiter any more, before the signal is passed on
            partial = false;
          }
          signalIfFree();
          return taken;
        }
        if (now - deadline >= 0) {
          return 0;
        }
        if (batchWaitOver) {
          someFree.awaitNanos(deadline - now);
        } else {
          batchFree.awaitNanos(Math.min(batchDeadline - now, deadline - now));
        }
      }
      return 0;
    } finally {
      if (partial) {
        partialWaiters--;
      }
      waiters--;
      lock.unlock();
    }
  }

  /**
   * Gives back permits. Without the lock unless a poller is in {@link #acquire} and this release frees what
   * it waits for: a poller raises its waiter counts before it reads {@code held}, a release lowers
   * {@code held} before it reads the counts (all volatile), so either the poller sees the permits or the
   * release sees the poller and signals under the lock, which the poller holds until it waits.
   */
  void release(int permits) {
    if (permits <= 0) {
      return;
    }
    int free = limit - held.addAndGet(-permits);
    if (waiters > 0 && (free >= Math.min(batch, limit) || (free > 0 && partialWaiters > 0))) {
      lock.lock();
      try {
        signalIfFree();
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Takes {@code permits} more without waiting, beyond the limit if need be: for messages a receive brought
   * beyond what was asked (a runner that breaks its contract), which are handled like any and give their
   * permits back as they finish. [held <= limit, except transiently after such a receive]
   */
  void overdraw(int permits) {
    held.addAndGet(permits);
  }

  /** Sets the prefetch part of the limit. */
  void prefetch(int prefetch) {
    lock.lock();
    try {
      this.prefetch = prefetch;
      limitChanged();
    } finally {
      lock.unlock();
    }
  }

  /** Sets the handlers' part of the limit, which follows the adaptive concurrency limit. */
  void base(int base) {
    lock.lock();
    try {
      this.base = base;
      limitChanged();
    } finally {
      lock.unlock();
    }
  }

  /** Sets the FIFO followers' part of the limit: see Limit. */
  void followers(int followers) {
    lock.lock();
    try {
      this.followers = followers;
      limitChanged();
    } finally {
      lock.unlock();
    }
  }

  /** Sums the limit from its parts and wakes a poller if permits came free; with the lock held. */
  private void limitChanged() {
    limit = base + prefetch + followers;
    signalIfFree();
  }

  private void signalIfFree() {
    int free = limit - held.get();
    if (free > 0 && partialWaiters > 0) {
      someFree.signal();
    } else if (free >= Math.min(batch, limit)) {
      batchFree.signal();
    }
  }

  /** Wakes every waiting poller; later acquires return zero at once. */
  void close() {
    lock.lock();
    try {
      closed = true;
      batchFree.signalAll();
      someFree.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Returns the permits held: messages received (or being received) and not finished. */
  int held() {
    return held.get();
  }

  /** Returns the permits free now: limit - held, zero or more. */
  int free() {
    return Math.max(0, limit - held.get());
  }

  /** Returns the current limit. */
  int limit() {
    return limit;
  }
}
