package io.github.sqsconsumer;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler timeout ({@link Consumer.Builder#handlerTimeout}): one timer thread for all running units.
 *
 * <pre>
 * Deadlines:
 *   Every unit gets the same timeout, and start() reads the clock under the lock as it appends the unit's
 *   Watch to a doubly linked list, so the list is in deadline order: the head is always the next to expire,
 *   appending is O(1), and a unit that ends unlinks itself in O(1). The list holds only running units
 *   [size <= concurrency], so memory does not grow with the rate. The timer thread sleeps until the head's
 *   deadline (a start into an empty list wakes it); nothing is allocated per unit without a timeout, since
 *   the engine then has no HandlerTimeouts at all.
 * Concurrency:
 *   A Watch's state decides who settles the unit: the handler's thread moves RUNNING -> DONE when the
 *   handler returned (the engine settles as usual), the timer RUNNING -> EXPIRING at the deadline (the
 *   timeouts settle it, as failed with a HandlerTimeoutException, on a settling thread of their own, so a
 *   settle that waits for room in the harvester never delays the next deadline). Exactly one of the two CASes
 *   wins. The timer interrupts the handler's thread only after winning, then sets EXPIRED; the handler's
 *   thread, finding its CAS lost, waits for EXPIRED and then clears its interrupt status before it goes on,
 *   so [an interrupt meant for a timed-out unit never reaches the next unit on that thread] (a pool thread
 *   runs many). The unit's worker slot and permits stay taken until its handler really returns: the engine
 *   gives them back only then [units running <= concurrency, stuck ones included].
 * Settling:
 *   An expired unit's outcomes are reported at once (listeners, metrics), but its messages go to the
 *   harvester (released for their retry, or acknowledged) only once the handler has returned: until then
 *   they stay in flight, extended by the heartbeat, so a handler that ignores its interrupt is never
 *   handled again beside itself, nor its FIFO group's next message. The settling thread sets the
 *   harvester's part in Watch#afterReturn by CAS from null; the handler's thread, once it returned, swaps
 *   in RETURNED; whoever comes second runs it [the harvester's part runs once, after the handler returned].
 * Timer:
 *   A platform thread, not a virtual one: handlers that compute on virtual threads can hold every carrier,
 *   and a virtual timer would then wait for the work to end before it could interrupt it. For the same
 *   reason it never queues for the lock: a virtual thread queued first, woken but given no carrier, would
 *   keep every later waiter out until the work ended. The timer takes the lock by tryLock (which goes
 *   ahead of the queue; the lock is only ever held for a few writes) and sleeps with parkNanos outside
 *   it; a start into an empty list unparks it (a permit given before it parks is not lost). The settling
 *   threads are virtual: a unit that expired waits for a carrier like any other.
 * Shutdown:
 *   stop() ends the timer and waits, within the deadline it gets, for the settling threads still at work.
 *   Units that expire during the drain are settled before: the engine stops the timeouts after the worker.
 * </pre>
 */
final class HandlerTimeouts {
  private static final Logger LOG = LoggerFactory.getLogger(HandlerTimeouts.class);
  /** How long the timer sleeps with nothing running before it looks whether it was stopped. */
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How long the timer pauses between tries for a lock that a thread holds: a few writes' time. */
  private static final long TRY_LOCK_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

  private static final int RUNNING = 0;
  private static final int DONE = 1;
  private static final int EXPIRING = 2;
  private static final int EXPIRED = 3;
  /** Watch#afterReturn once the handler of an expired unit returned. */
  private static final Runnable RETURNED = () -> {};
  private static final VarHandle AFTER_RETURN;

  static {
    try {
      AFTER_RETURN = MethodHandles.lookup().findVarHandle(Watch.class, "afterReturn", Runnable.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String name;
  private final Duration timeout;
  private final long timeoutNanos;
  /**
   * Settles a unit that expired, as failed with the given cause: reports its outcomes and returns the
   * harvester's part, which runs once the handler has returned (and may wait for the harvester).
   */
  private final BiFunction<Unit, HandlerTimeoutException, Runnable> settle;

  private final ReentrantLock lock = new ReentrantLock();
  private Watch head; // @GuardedBy("lock"), the earliest deadline
  private Watch tail; // @GuardedBy("lock")
  private final Set<Thread> settling = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;
  private volatile Thread timer; // read by watch() to wake it

  /** One running unit under a deadline. */
  static final class Watch {
    final Unit unit;
    final Thread thread;
    final AtomicInteger state = new AtomicInteger(RUNNING);
    long deadline; // @GuardedBy("lock"), written once at start
    Watch previous; // @GuardedBy("lock")
    Watch next; // @GuardedBy("lock")
    boolean listed; // @GuardedBy("lock")
    volatile HandlerTimeoutException failure; // written before EXPIRED
    /**
     * The harvester's part of an expired unit's settling, set by the settling thread, or RETURNED, set by
     * the handler's thread once the handler returned; whoever comes second runs it (see Settling above).
     */
    volatile Runnable afterReturn;

    Watch(Unit unit, Thread thread) {
      this.unit = unit;
      this.thread = thread;
    }
  }

  HandlerTimeouts(String name, Duration timeout, BiFunction<Unit, HandlerTimeoutException, Runnable> settle) {
    this.name = name;
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
    this.settle = settle;
  }

  void start() {
    // a platform thread: handlers that compute on virtual threads may hold every carrier, and the timeout
    // must still come; a daemon, so that a consumer never closed does not keep the JVM alive for it
    Thread thread = Thread.ofPlatform().daemon().name(name + "-timeouts").unstarted(this::expireDue);
    timer = thread; // before it runs: a start into the empty list must find it to wake
    thread.start();
  }

  /** Puts the unit running on this thread under its deadline; the caller must {@link #end} it. */
  Watch watch(Unit unit) {
    Watch watch = new Watch(unit, Thread.currentThread());
    lock.lock();
    try {
      watch.deadline = System.nanoTime() + timeoutNanos; // under the lock: the list stays in deadline order
      watch.listed = true;
      watch.previous = tail;
      if (tail == null) {
        head = watch;
        Thread sleeping = timer;
        if (sleeping != null) {
          LockSupport.unpark(sleeping); // it sleeps without a deadline
        }
      } else {
        tail.next = watch;
      }
      tail = watch;
    } finally {
      lock.unlock();
    }
    return watch;
  }

  /**
   * Ends the watch when the handler returned, on the handler's thread. Returns null if it returned in time:
   * the caller settles the unit. Returns the timeout's failure if the deadline came first: the timeouts
   * settled the unit (or are settling it), so the caller must not; the interrupt meant for the handler has
   * been cleared.
   */
  HandlerTimeoutException end(Watch watch) {
    // the deadline was written by this thread in watch(); the timer may have stopped (the consumer closing)
    // before it came: the unit expires here, as the timer would have made it
    if (stopped && System.nanoTime() - watch.deadline > 0 && watch.state.compareAndSet(RUNNING, EXPIRING)) {
      return expireAfterStop(watch);
    }
    if (watch.state.compareAndSet(RUNNING, DONE)) {
      lock.lock();
      try {
        unlink(watch);
      } finally {
        lock.unlock();
      }
      return null;
    }
    while (watch.state.get() != EXPIRED) { // the timer is between its CAS and its interrupt: a moment
      Thread.yield();
    }
    Thread.interrupted(); // [an interrupt meant for a timed-out unit never reaches the next unit]
    Runnable settled = (Runnable) AFTER_RETURN.getAndSet(watch, RETURNED);
    if (settled != null) {
      settled.run(); // the settling thread was first: the harvester gets the outcome now the handler is done
    }
    LOG.warn("{}: a handler of {} message(s) returned after its timeout of {} had run out; its outcome is "
        + "ignored (the unit was settled as failed)", name, watch.unit.messages().size(), timeout);
    return watch.failure;
  }

  /** A handler that returned past its deadline after the timer stopped: settled as failed, on its own thread. */
  private HandlerTimeoutException expireAfterStop(Watch watch) {
    HandlerTimeoutException failure = new HandlerTimeoutException(timeout);
    watch.failure = failure;
    watch.state.set(EXPIRED);
    lock.lock();
    try {
      unlink(watch);
    } finally {
      lock.unlock();
    }
    LOG.warn("{}: a handler of {} message(s) returned after its timeout of {} had run out, while the consumer "
        + "closed; it is settled as failed", name, watch.unit.messages().size(), timeout);
    AFTER_RETURN.set(watch, RETURNED);
    settle.apply(watch.unit, failure).run(); // the handler has returned: the harvester's part goes now
    return failure;
  }

  private void unlink(Watch watch) {
    if (!watch.listed) {
      return;
    }
    watch.listed = false;
    if (watch.previous == null) {
      head = watch.next;
    } else {
      watch.previous.next = watch.next;
    }
    if (watch.next == null) {
      tail = watch.previous;
    } else {
      watch.next.previous = watch.previous;
    }
    watch.previous = null;
    watch.next = null;
  }

  /** The timer: sleeps until the earliest deadline, expires what is due. [the timer never ends until stop()] */
  private void expireDue() {
    while (!stopped) {
      try {
        Watch due = null;
        long wait;
        lockWithoutQueueing();
        try {
          Watch first = head;
          wait = first == null ? IDLE_NANOS : first.deadline - System.nanoTime();
          if (wait <= 0) {
            unlink(first);
            due = first;
          }
        } finally {
          lock.unlock();
        }
        if (due != null) {
          expire(due);
        } else {
          LockSupport.parkNanos(this, wait); // until the deadline, a start into an empty list, or stop()
          Thread.interrupted(); // stop() sets `stopped` first; any other interrupt is no reason to stop
        }
      } catch (Throwable t) {
        try {
          LOG.error("{}: the handler timeout timer hit an unexpected failure; it goes on", name, t);
          Thread.sleep(100); // a lasting failure is no hot loop
        } catch (Throwable again) {
          // stopping, or even logging failed: go on
        }
      }
    }
  }

  /** The timer's way to the lock: tryLock, which never waits behind queued threads (see Timer above). */
  private void lockWithoutQueueing() {
    while (!lock.tryLock()) {
      LockSupport.parkNanos(TRY_LOCK_PAUSE_NANOS);
    }
  }

  private void expire(Watch watch) {
    if (!watch.state.compareAndSet(RUNNING, EXPIRING)) {
      return; // the handler returned meanwhile: the engine settles it
    }
    try {
      HandlerTimeoutException failure = new HandlerTimeoutException(timeout);
      try {
        failure.setStackTrace(watch.thread.getStackTrace()); // where the handler is stuck
      } catch (RuntimeException e) {
        // the thread ended meanwhile, or its stack cannot be read: the trace is only a help
      }
      watch.failure = failure;
      watch.thread.interrupt();
    } finally {
      watch.state.set(EXPIRED); // also if the above threw: the handler's thread must not wait forever
    }
    LOG.debug("{}: a handler of {} message(s) ran out of its timeout of {}; interrupted", name,
        watch.unit.messages().size(), timeout);
    Thread thread = null;
    try {
      thread = Thread.ofVirtual().name(name + "-timeout").unstarted(() -> {
        try {
          settleExpired(watch);
        } finally {
          settling.remove(Thread.currentThread());
        }
      });
      settling.add(thread);
      thread.start();
    } catch (RuntimeException | Error e) {
      if (thread != null) {
        settling.remove(thread);
      }
      // no thread to be had (no memory for one): the timer settles it itself, since the handler's thread
      // leaves the unit to the timeouts once it finds EXPIRED
      settleExpired(watch);
    }
  }

  /** Reports an expired unit's outcome; hands the rest to the handler's thread, unless it returned already. */
  private void settleExpired(Watch watch) {
    Runnable afterReturn = settle.apply(watch.unit, watch.failure);
    if (!AFTER_RETURN.compareAndSet(watch, null, afterReturn)) {
      afterReturn.run(); // the handler returned meanwhile (RETURNED)
    }
  }

  /** Ends the timer and waits for the units it is settling until {@code deadline} (System.nanoTime). */
  void stop(long deadline) throws InterruptedException {
    stopped = true;
    if (timer == null) {
      return;
    }
    timer.interrupt();
    timer.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    for (Thread thread : settling) {
      thread.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
  }
}
