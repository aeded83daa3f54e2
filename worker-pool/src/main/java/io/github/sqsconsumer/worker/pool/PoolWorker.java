package io.github.sqsconsumer.worker.pool;

import io.github.sqsconsumer.spi.WorkUnit;
import io.github.sqsconsumer.spi.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Concurrency:
 *   One ReentrantLock guards everything that decides: the ring buffer (head, tail), the idle stack, the
 *   counts (workers, active, idleCount, submittersWaiting), the set of live slots and `closed`. Decisions
 *   are made under the lock; threads are started and idle threads unparked after it is released. No lock
 *   is held while a unit runs.
 *
 *   submit() places a unit in the first of these that applies, all under one lock hold:
 *     1. an idle thread: pop it from the idle stack and store the unit in its slot (a direct hand-off);
 *     2. fewer threads than the concurrency: count a new thread, started after unlocking with the unit;
 *     3. room in the ring buffer: append the unit;
 *     4. otherwise wait on `notFull` up to the timeout.
 *   The hand-off in (1) cannot race: a slot is on the idle stack only while its thread waits, and it leaves
 *   the stack only under the lock, either popped by a submitter (which then owns `slot.task`) or removed
 *   by its own thread timing out (which then never reads `slot.task`). A unit is in exactly one place at
 *   a time - a slot, the ring, or running - so it can neither be lost nor run twice. Workers count
 *   [workers <= concurrency] is changed only under the lock, in (2) and when a thread exits.
 *
 *   A thread finishing a unit takes the next one from the ring before it goes idle, so waiting units run
 *   in first-in first-out order. Units are appended to the ring only when no thread is idle, and a thread
 *   goes idle only when the ring is empty: [idleCount > 0 implies the ring is empty].
 *
 *   Idle threads wait with LockSupport.parkNanos on their own slot, not on a shared Condition: a submitter
 *   wakes exactly the thread it chose, after unlocking, and that thread reads its unit from the volatile
 *   `slot.task` without taking the lock again.
 *
 * Waiting room:
 *   A ring buffer of a fixed power-of-two capacity: `ring[(int) index & mask]`, with `head` (next to take)
 *   and `tail` (next free) counting up forever; size is `tail - head` [0 <= tail - head <= capacity], never
 *   derived from the array's length. Taken slots are nulled so finished units can be collected. No
 *   allocation per unit. Submitters wait on `notFull`, signalled only when one is waiting, and whenever
 *   room appears: a unit leaves the ring, or a thread goes idle (an idle thread takes a unit directly;
 *   missing that signal once left a submitter waiting out its timeout beside idle threads).
 *
 * Shrinking:
 *   The idle stack is last-in first-out: the thread that went idle most recently gets the next unit, so
 *   under a light load the same few threads stay busy and the others reach the idle timeout. A thread
 *   whose idle timeout runs out takes the lock; if it is still on the stack and [workers > minWorkers], it
 *   removes itself and exits; otherwise it waits another idle timeout.
 *
 * Shutdown:
 *   shutdown() sets `closed` and, in the same lock hold, empties the ring (those units are returned,
 *   unstarted) and empties the idle stack, marking each slot `stop`; it signals waiting submitters, which
 *   then throw. After unlocking it unparks the idle threads (they exit at once) and waits on `terminated`
 *   until [workers == 0] or the timeout runs out, then interrupts the threads still alive: they are
 *   running units. Busy threads exit when they finish their unit, since the ring is empty and `closed` set.
 */
/** An elastic pool of reused platform threads with a bounded ring-buffer waiting room. */
final class PoolWorker implements Worker {
  private static final Logger log = LoggerFactory.getLogger(PoolWorker.class);

  private final int maxWorkers;
  private final int minWorkers;
  private final long idleNanos;
  private final ThreadFactory threadFactory;

  private final ReentrantLock lock = new ReentrantLock();
  /** Submitters wait here for room in the ring. */
  private final Condition notFull = lock.newCondition();
  /** shutdown() waits here for the last thread to exit. */
  private final Condition terminated = lock.newCondition();

  // All fields below: guarded by lock.
  private final WorkUnit[] ring;
  private final int mask;
  private long head;
  private long tail;
  /** Idle threads' slots, most recently idle on top. */
  private final Slot[] idle;
  private int idleCount;
  /** Threads counted as started and not yet exited. */
  private int workers;
  /** Units handed to a thread and not yet finished. */
  private int active;
  private int submittersWaiting;
  private final Set<Slot> live = new HashSet<>();
  private boolean closed;

  PoolWorker(String consumerName, int maxWorkers, int minWorkers, Duration idleTimeout, int queueCapacity) {
    if (Integer.bitCount(queueCapacity) != 1) {
      throw new IllegalArgumentException("queue capacity must be a power of two but was " + queueCapacity);
    }
    this.maxWorkers = maxWorkers;
    this.minWorkers = minWorkers;
    this.idleNanos = idleTimeout.toNanos();
    this.threadFactory = Thread.ofPlatform()
        .name(consumerName + "-pool-", 1)
        .daemon(false)
        .inheritInheritableThreadLocals(false)
        .factory();
    this.ring = new WorkUnit[queueCapacity];
    this.mask = queueCapacity - 1;
    this.idle = new Slot[maxWorkers];
  }

  /** One pool thread's mailbox: the unit handed to it while idle, or the order to stop. */
  private static final class Slot {
    /** Written by a submitter under the lock after popping this slot; read and cleared by its thread. */
    volatile WorkUnit task;
    /** Written by shutdown under the lock after popping this slot. */
    volatile boolean stop;
    /** Set once before the thread starts; read under the lock. */
    Thread thread;
  }

  @Override
  public boolean submit(WorkUnit unit, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(timeout, "timeout");
    Slot wake = null;
    boolean start = false;
    lock.lock();
    try {
      long nanos = 0;
      boolean timed = false;
      for (;;) {
        if (closed) {
          throw new RejectedExecutionException("the pool worker is shut down");
        }
        if (idleCount > 0) { // [idleCount > 0 implies the ring is empty], so this keeps FIFO order
          wake = idle[--idleCount];
          idle[idleCount] = null;
          wake.task = unit;
          active++;
          break;
        }
        if (workers < maxWorkers) {
          workers++; // [workers <= maxWorkers]
          active++;
          start = true;
          break;
        }
        if (tail - head < ring.length) { // [tail - head <= capacity]
          ring[(int) tail & mask] = unit;
          tail++;
          break;
        }
        if (!timed) {
          nanos = Checks.saturatedNanos(timeout);
          timed = true;
        }
        if (nanos <= 0) {
          return false;
        }
        submittersWaiting++;
        try {
          nanos = notFull.awaitNanos(nanos);
        } finally {
          submittersWaiting--;
        }
      }
    } finally {
      lock.unlock();
    }
    if (wake != null) {
      LockSupport.unpark(wake.thread);
    } else if (start) {
      startThread(unit);
    }
    return true;
  }

  private void startThread(WorkUnit first) {
    Slot slot = new Slot();
    try {
      slot.thread = threadFactory.newThread(() -> work(slot, first));
      lock.lock();
      try {
        live.add(slot);
      } finally {
        lock.unlock();
      }
      slot.thread.start();
    } catch (Throwable e) { // OutOfMemoryError: unable to create a thread; the unit is not accepted
      lock.lock();
      try {
        live.remove(slot);
        workers--;
        active--;
        if (closed && workers == 0) {
          terminated.signalAll();
        }
        if (submittersWaiting > 0) {
          notFull.signal();
        }
      } finally {
        lock.unlock();
      }
      throw e;
    }
  }

  /** The body of a pool thread: run units until told to exit. */
  private void work(Slot slot, WorkUnit first) {
    WorkUnit unit = first;
    while (unit != null) {
      Thread.interrupted(); // a unit does not inherit the interrupt status the previous one left behind
      run(unit);
      unit = next(slot);
    }
  }

  private static void run(WorkUnit unit) {
    try {
      unit.run();
    } catch (Throwable e) {
      // WorkUnit.run() catches what the handler throws, so this is a fault of the unit itself.
      log.warn("a work unit of {} message(s) threw; the pool thread goes on", unit.messages().size(), e);
    }
  }

  /** Called after a unit finished: returns the next unit to run, or null when this thread must exit. */
  private WorkUnit next(Slot slot) {
    lock.lock();
    try {
      active--;
      WorkUnit unit = poll();
      if (unit != null) {
        active++;
        return unit;
      }
      if (closed) {
        exit(slot);
        return null;
      }
      idle[idleCount++] = slot; // [idleCount <= workers]
      if (submittersWaiting > 0) {
        notFull.signal(); // an idle thread is room too: without this a submitter could wait beside it
      }
    } finally {
      lock.unlock();
    }
    return awaitTask(slot);
  }

  /** Takes the oldest unit from the ring, or returns null; under the lock. */
  private WorkUnit poll() {
    if (tail == head) {
      return null;
    }
    int index = (int) head & mask;
    WorkUnit unit = ring[index];
    ring[index] = null;
    head++;
    if (submittersWaiting > 0) {
      notFull.signal(); // one slot freed, one submitter can use it
    }
    return unit;
  }

  /** Waits, idle, for a unit handed to this slot; returns null when the thread must exit. */
  private WorkUnit awaitTask(Slot slot) {
    long deadline = System.nanoTime() + idleNanos;
    for (;;) {
      WorkUnit unit = slot.task;
      if (unit != null) {
        slot.task = null; // only this thread clears it, and nobody writes it until the slot is idle again
        return unit;
      }
      if (slot.stop) {
        exitLocked(slot);
        return null;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        lock.lock();
        try {
          if (slot.task == null && !slot.stop) { // so the slot is still on the idle stack
            if (workers > minWorkers) { // [workers >= minWorkers] after exiting
              removeIdle(slot);
              exit(slot);
              return null;
            }
            deadline = System.nanoTime() + idleNanos;
          }
        } finally {
          lock.unlock();
        }
        continue;
      }
      LockSupport.parkNanos(this, remaining);
      Thread.interrupted(); // an interrupt means nothing to an idle thread, and would make parkNanos spin
    }
  }

  private void removeIdle(Slot slot) {
    // The longest idle slot is at the bottom, and it is the one that times out first: usually i == 0.
    for (int i = 0; i < idleCount; i++) {
      if (idle[i] == slot) {
        System.arraycopy(idle, i + 1, idle, i, idleCount - i - 1);
        idle[--idleCount] = null;
        return;
      }
    }
    throw new IllegalStateException("an idle pool thread was not on the idle stack");
  }

  private void exitLocked(Slot slot) {
    lock.lock();
    try {
      exit(slot);
    } finally {
      lock.unlock();
    }
  }

  /** Counts this thread out; under the lock. */
  private void exit(Slot slot) {
    live.remove(slot);
    workers--;
    if (closed && workers == 0) {
      terminated.signalAll();
    }
  }

  @Override
  public List<WorkUnit> shutdown(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    List<WorkUnit> unstarted;
    Slot[] stopped;
    lock.lock();
    try {
      if (closed) {
        return List.of();
      }
      closed = true;
      unstarted = new ArrayList<>((int) (tail - head));
      for (WorkUnit unit; (unit = poll()) != null; ) {
        unstarted.add(unit);
      }
      stopped = new Slot[idleCount];
      for (int i = 0; i < stopped.length; i++) {
        stopped[i] = idle[i];
        stopped[i].stop = true;
        idle[i] = null;
      }
      idleCount = 0;
      notFull.signalAll(); // blocked submitters see closed and throw
    } finally {
      lock.unlock();
    }
    for (Slot slot : stopped) {
      LockSupport.unpark(slot.thread);
    }

    List<Thread> stragglers = List.of();
    lock.lock();
    try {
      long nanos = Checks.saturatedNanos(timeout);
      while (workers > 0 && nanos > 0) {
        nanos = terminated.awaitNanos(nanos);
      }
      if (workers > 0) {
        stragglers = new ArrayList<>(live.size());
        for (Slot slot : live) {
          stragglers.add(slot.thread);
        }
      }
    } finally {
      lock.unlock();
    }
    for (Thread thread : stragglers) {
      thread.interrupt();
    }
    if (!stragglers.isEmpty()) {
      log.debug("shutdown timed out; interrupted {} pool thread(s) still running units", stragglers.size());
    }
    return unstarted;
  }

  /** Returns the units handed to a thread and not yet finished. */
  @Override
  public int active() {
    lock.lock();
    try {
      return active;
    } finally {
      lock.unlock();
    }
  }

  /** Returns the units in the waiting room. */
  @Override
  public int waiting() {
    lock.lock();
    try {
      return (int) (tail - head);
    } finally {
      lock.unlock();
    }
  }

  /** Returns the pool threads started and not yet exited. */
  @Override
  public int threads() {
    lock.lock();
    try {
      return workers;
    } finally {
      lock.unlock();
    }
  }
}
