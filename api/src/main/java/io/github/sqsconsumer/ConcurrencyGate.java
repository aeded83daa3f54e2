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
   *   The thread that changed the limit passes the newest limit on to the flow control and the prefetch
   *   (`follow`) outside the lock, under `following`, reading the limit there: whatever the interleaving,
   *   the last to follow reads a limit written before it, and a thread that writes one later follows
   *   after it, so they end at the newest limit, never at an older one.
   *   A change is told (DEBUG log, listener) outside the lock too, by one thread at a time, the teller: the
   *   thread whose change finds no teller becomes it [telling => one teller]. A change made while a teller
   *   is telling waits in `pending`, under the lock, merged with any other made meanwhile (from the last
   *   limit told to the newest; dropped if that is no change), and the teller tells it after the one it is
   *   telling. So changes are told in the order they happened, each from the limit told before it, and a
   *   slow listener holds up neither submitters, nor other finishing units, nor the flow control: they
   *   never wait for a teller (a slow start changes the limit on nearly every unit, and a lock held while
   *   telling stalled every handler behind one slow listener). The limit is also kept in a volatile for the
   *   gauges.
   * Overload signal:
   *   The user's test runs on the handler's thread, outside the lock; whatever it throws counts as no
   *   overload and is logged at WARN once.
   */
  private static final Logger LOG = LoggerFactory.getLogger(ConcurrencyGate.class);

  private final String name;
  private final ConsumerConfig.Adaptive config;
  private final ConsumerListener listener;
  private final IntConsumer follow;
  private final ReentrantLock following = new ReentrantLock();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition free = lock.newCondition();
  private final ConcurrencyLimiter limiter; // @GuardedBy("lock")
  private final AtomicBoolean testFailed = new AtomicBoolean();
  private int running; // @GuardedBy("lock")
  /** Whether a thread is telling changes; see Changes. @GuardedBy("lock") */
  private boolean telling;
  /** The change waiting for the teller, from the last limit told to the newest; valid if hasPending. */
  private int pendingBefore; // @GuardedBy("lock")
  private int pendingAfter; // @GuardedBy("lock")
  private boolean hasPending; // @GuardedBy("lock")
  private volatile int limit; // written under lock

  /**
   * A gate between {@code config.min()} and {@code max}; {@code follow} hears the newest limit after each
   * change (before the listener, and one call at a time), for the flow control and the prefetch.
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
    boolean teller = false;
    lock.lock();
    try {
      before = limit;
      after = limiter.sample(nanos, overloaded, running);
      running--;
      if (after != before) {
        limit = after;
        if (telling) { // the teller tells it next, after the change it is telling: see Changes
          if (!hasPending) {
            pendingBefore = before;
          }
          pendingAfter = after;
          hasPending = pendingBefore != after;
        } else {
          telling = true; // [telling => one teller]
          teller = true;
        }
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
    if (after != before) {
      follow();
    }
    if (teller) {
      tellAll(before, after);
    }
  }

  /** Passes the newest limit on; see Changes. */
  private void follow() {
    following.lock();
    try {
      follow.accept(limit);
    } finally {
      following.unlock();
    }
  }

  /** Tells a change, then those that came while it was told, until none is left; see Changes. */
  private void tellAll(int before, int after) {
    boolean done = false;
    try {
      for (;;) {
        tell(before, after);
        lock.lock();
        try {
          if (!hasPending) {
            telling = false;
            done = true;
            return;
          }
          before = pendingBefore;
          after = pendingAfter;
          hasPending = false;
        } finally {
          lock.unlock();
        }
      }
    } finally {
      if (!done) { // tell threw (no memory): the next change finds no teller and tells itself, from the
        lock.lock(); // limit then, so a change waiting now is dropped rather than told after a newer one
        try {
          telling = false;
          hasPending = false;
        } finally {
          lock.unlock();
        }
      }
    }
  }

  private void tell(int before, int after) {
    LOG.debug("{}: concurrency limit {} -> {}", name, before, after);
    listener.onConcurrencyLimitChanged(before, after);
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
