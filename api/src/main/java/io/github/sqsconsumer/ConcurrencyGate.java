package io.github.sqsconsumer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adaptive concurrency's gate: lets at most the current limit of units reach the worker, and moves the
 * limit with what each finished unit tells the {@link ConcurrencyLimiter}.
 */
final class ConcurrencyGate {
  /*
   * Concurrency:
   *   One lock guards running and the limiter. Submitters (pollers, the FIFO dispatcher; see GatedWorker)
   *   take a slot before a unit goes to the worker and wait on `free`, with a deadline, while running >=
   *   limit; the worker thread that finishes a unit gives its slot back and feeds its sample in the same
   *   hold of the lock. A unit the worker did not take gives its slot back without a sample.
   *   [running <= limit; after a decrease running drains down to it, nothing is revoked]
   *   Units a worker hands back unstarted at shutdown keep their slots: nothing is submitted any more.
   * Changes:
   *   A change of the limit is told (DEBUG log, listener, flow control and prefetch) outside the lock but
   *   under `telling`, taken before the lock is let go, so changes are told in the order they happened and
   *   a slow listener never holds up submitters. The limit is also kept in a volatile for the gauges.
   * Overload signal:
   *   The user's test runs on the handler's thread, outside the lock; whatever it throws counts as no
   *   overload and is logged at WARN once.
   */
  private static final Logger LOG = LoggerFactory.getLogger(ConcurrencyGate.class);

  private final String name;
  private final ConsumerConfig.Adaptive config;
  private final ConsumerListener listener;
  private final IntConsumer follow;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition free = lock.newCondition();
  private final ReentrantLock telling = new ReentrantLock();
  private final ConcurrencyLimiter limiter; // @GuardedBy("lock")
  private final AtomicBoolean testFailed = new AtomicBoolean();
  private int running; // @GuardedBy("lock")
  private volatile int limit; // written under lock

  /**
   * A gate between {@code config.min()} and {@code max}; {@code follow} hears each new limit (after the
   * listener), for the flow control and the prefetch.
   */
  ConcurrencyGate(String name, ConsumerConfig.Adaptive config, int max, ConsumerListener listener,
      IntConsumer follow) {
    this.name = name;
    this.config = config;
    this.listener = SafeListener.of(listener); // [a listener's throw changes nothing]: see SafeListener
    this.follow = follow;
    this.limiter = new ConcurrencyLimiter(config.min(), max);
    this.limit = limiter.limit();
  }

  /** Returns the current limit. */
  int limit() {
    return limit;
  }

  /** Returns the units that hold a slot: with the worker, or being handed to it. */
  int running() {
    lock.lock();
    try {
      return running;
    } finally {
      lock.unlock();
    }
  }

  /** Takes a slot, waiting up to {@code timeout} for one; returns false if none came free in time. */
  boolean acquire(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lockInterruptibly();
    try {
      while (running >= limit) {
        if (nanos <= 0) {
          return false;
        }
        nanos = free.awaitNanos(nanos);
      }
      running++; // [running <= limit]
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Gives back a slot whose unit the worker did not take. */
  void release() {
    lock.lock();
    try {
      running--;
      free.signal();
    } finally {
      lock.unlock();
    }
  }

  /** A unit finished after {@code nanos} in its handler: gives back its slot and adapts the limit. */
  void finished(long nanos, boolean overloaded) {
    int before;
    int after;
    lock.lock();
    boolean changed = false;
    try {
      before = limit;
      after = limiter.sample(nanos, overloaded, running);
      running--;
      if (after != before) {
        limit = after;
        changed = true;
        telling.lock(); // before the lock is let go: changes are told in order
      }
      int room = after - running;
      if (room > 1) {
        free.signalAll();
      } else if (room == 1) {
        free.signal();
      }
    } finally {
      lock.unlock();
    }
    if (changed) {
      try {
        tell(before, after);
      } finally {
        telling.unlock();
      }
    }
  }

  private void tell(int before, int after) {
    LOG.debug("{}: concurrency limit {} -> {}", name, before, after);
    listener.onConcurrencyLimitChanged(before, after);
    follow.accept(after);
  }

  /** Whether a unit's failure is the user's overload signal. */
  boolean overloaded(Throwable failure) {
    try {
      return config.overloaded(failure);
    } catch (Throwable e) { // user code: an Error too must not stop the unit's settling
      if (testFailed.compareAndSet(false, true)) {
        LOG.warn("{}: the overload test failed; the failure counts as no overload (logged once)", name, e);
      }
      return false;
    }
  }
}
