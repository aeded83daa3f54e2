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

/** An elastic pool of reused platform threads with a bounded ring-buffer waiting room. */
final class PoolWorker implements Worker {
  /*
   * Concurrency:
   *   One ReentrantLock guards everything that decides: the ring buffer (head, tail), the idle stack, the
   *   counts (workers, wakes, active, idleCount, submittersWaiting), the set of live slots and `closed`.
   *   Decisions are made under the lock; threads are started and idle threads unparked after it is released.
   *   No lock is held while a unit runs.
   *
   *   Every accepted unit goes through the ring, so a unit is in exactly one place - the ring, or a thread
   *   that took it from the ring under the lock - and there is no separate hand-off that could lose it or run
   *   it twice. submit() appends the unit and
   *   then makes sure a thread will come for it. `wakes` counts threads on their way to the ring: unparked
   *   idle threads and starting threads that have not yet taken the lock. If a thread is idle and none is on
   *   its way, submit() pops one to unpark; a thread that takes a unit and leaves more behind passes the
   *   wake-up on the same way — to an idle thread, or, with none idle and room to grow, to a new thread.
   *   So one invariant keeps units from being stranded while the pool could run them:
   *   [units waiting and (idleCount > 0 or workers < max) implies wakes > 0]. The wake-up passes to a new
   *   thread too, not only to idle ones: a thread that is idle may already be on its way with another unit
   *   (contract test submit_throwingUnits_keepFullCapacity). Waking one thread at a time, as
   *   LinkedBlockingQueue signals only on empty -> non-empty and takers cascade, keeps a futex call off most
   *   units and keeps a burst from waking every thread into a convoy on the lock. If no thread is idle and
   *   the waiting units outnumber the threads on their way, submit() counts a new thread to start, up to
   *   the concurrency [workers <= maxWorkers]; otherwise every thread is busy, and the first to finish takes
   *   the unit.
   *
   *   A thread takes units from the ring until it is empty, then goes idle; so units start in first-in
   *   first-out order, and a thread finishing a unit takes the next waiting one before any new work.
   *
   *   Idle threads park on their own slot (LockSupport), not on a shared Condition: a submitter wakes exactly
   *   the thread it chose, after unlocking, through the volatile `slot.woken`.
   *
   * Waiting room:
   *   A ring buffer of a fixed power-of-two capacity: `ring[(int) index & mask]`, with `head` (next to take)
   *   and `tail` (next free) counting up forever; size is `tail - head` [0 <= tail - head <= capacity], never
   *   derived from the array's length. Taken slots are nulled so finished units can be collected. No
   *   allocation per unit. waiting() is the units accepted and not yet started. A submitter finding it full
   *   waits on `notFull`, signalled (all) when a unit leaves the ring, someone waits and the ring has become
   *   half empty: since every unit passes through the ring, that is the only way room appears, and a
   *   saturated pool wakes its submitters once per capacity / 2 units rather than once per unit. The
   *   threads still have half a ring to take from meanwhile, so none idles for want of a submitter.
   *
   * Shrinking:
   *   The idle stack is last-in first-out: the thread that went idle most recently is woken first, so under a
   *   light load the same few threads stay busy and the others reach the idle timeout. A thread whose idle
   *   timeout runs out takes the lock; if it is still on the stack and [workers > minWorkers], it removes
   *   itself and exits; otherwise it waits another idle timeout.
   *
   *   A thread that exits so has left `workers` but is still alive until its platform thread has ended, a
   *   moment after it unlocks. It goes on the `retired` stack, and its place is not free until it has ended:
   *   [workers + retiredCount <= maxWorkers], so [live pool threads <= maxWorkers]. Room to grow is still
   *   [workers < maxWorkers]: if no place is free, the new thread takes over a retired thread's place and
   *   is started only after joining it (a wait of microseconds: that thread only has to return). Retired
   *   threads found ended are dropped (reap()) before a place is taken over and when threads() is read.
   *   The join is what keeps a thread started while another is still ending from making concurrency + 1
   *   live pool threads (contract test threads_neverExceedConcurrencyWhileThreadsChurn).
   *
   * Shutdown:
   *   shutdown() sets `closed` and, in the same lock hold, empties the ring (those units are returned,
   *   unstarted) and the idle stack, marking each slot `stop`; it signals waiting submitters, which then
   *   throw. After unlocking it unparks the idle threads (they exit at once) and waits on `terminated` until
   *   [workers == 0] or the timeout runs out, then interrupts the threads still alive: they are running
   *   units (retired threads run none and are not waited for). Busy and woken threads exit when they next
   *   take the lock, since the ring is empty and `closed` set. An interrupt of the caller ends that wait as
   *   the timeout does, and shutdown still returns the units it took out of the ring, setting the interrupt
   *   status again: once `closed` is set those units exist nowhere else, so throwing InterruptedException
   *   would lose them (a second call returns nothing).
   *
   * Size:
   *   One class because one lock covers all of it: the ring, the idle stack, the counts and the slots are
   *   decided on together, and the thread body (take, run, go idle, retire) is the other half of submit()'s
   *   wake-up invariant. About a fifth of it is this block.
   */
  private static final Logger LOG = LoggerFactory.getLogger(PoolWorker.class);

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
  /** Threads counted as started and not yet exited: running, on their way, or idle. */
  private int workers;
  /** Threads that exited on their idle timeout and may not have ended yet; see Shrinking. */
  private final Thread[] retired;
  private int retiredCount;
  /** Threads unparked or starting that have not yet taken the lock to look at the ring. */
  private int wakes;
  /** Units taken from the ring and not yet finished. */
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
    // Not daemon: the JVM must not exit under a unit in flight before the consumer is closed; with the
    // default minWorkers of 0 the threads still end on their own after the idle timeout.
    this.threadFactory = Thread.ofPlatform()
        .name(consumerName + "-pool-", 1)
        .daemon(false)
        .inheritInheritableThreadLocals(false)
        .factory();
    this.ring = new WorkUnit[queueCapacity];
    this.mask = queueCapacity - 1;
    this.idle = new Slot[maxWorkers];
    this.retired = new Thread[maxWorkers];
  }

  /** One pool thread's parking place. */
  private static final class Slot {
    /** Set by a submitter under the lock after popping this slot from the idle stack; cleared by its thread. */
    volatile boolean woken;
    /** Set by shutdown under the lock after popping this slot from the idle stack. */
    volatile boolean stop;
    /** Set once before the thread starts. */
    Thread thread;
  }

  @Override
  public boolean submit(WorkUnit unit, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(timeout, "timeout");
    Slot wake = null;
    boolean start = false;
    Thread predecessor = null;
    lock.lock();
    try {
      long nanos = 0;
      boolean timed = false;
      for (;;) {
        if (closed) {
          throw new RejectedExecutionException("the pool worker is shut down");
        }
        int size = (int) (tail - head);
        if (size < ring.length) { // [tail - head <= capacity]
          ring[(int) tail & mask] = unit;
          tail++;
          if (idleCount > 0) {
            if (wakes == 0) {
              wake = popIdle(); // [units waiting and (idleCount > 0 or workers < max) implies wakes > 0]
            }
          } else if (workers < maxWorkers && size + 1 > wakes) { // all busy: grow
            predecessor = countNewThread();
            start = true;
          } // else every thread is busy or on its way, and the first to come takes it
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
      startThread(predecessor);
    }
    return true;
  }

  /**
   * Counts a thread to start and on its way; under the lock, with [workers < maxWorkers]. Returns null if a
   * place was free, or else the retired thread whose place it takes over, which must end before the new
   * thread starts: [workers + retiredCount <= maxWorkers].
   */
  private Thread countNewThread() {
    workers++; // [workers <= maxWorkers]
    wakes++;
    if (workers + retiredCount <= maxWorkers) {
      return null;
    }
    reap();
    if (workers + retiredCount <= maxWorkers) {
      return null;
    }
    Thread predecessor = retired[--retiredCount];
    retired[retiredCount] = null;
    return predecessor;
  }

  /** Drops the retired threads that have ended; under the lock. */
  private void reap() {
    int kept = 0;
    for (int i = 0; i < retiredCount; i++) {
      if (retired[i].isAlive()) {
        retired[kept++] = retired[i];
      }
    }
    for (int i = kept; i < retiredCount; i++) {
      retired[i] = null;
    }
    retiredCount = kept;
  }

  /** Starts a thread counted by countNewThread(), once {@code predecessor} (if not null) has ended. */
  private void startThread(Thread predecessor) {
    if (predecessor != null) {
      joinUninterruptibly(predecessor);
    }
    Slot slot = new Slot();
    try {
      slot.thread = threadFactory.newThread(() -> work(slot));
      lock.lock();
      try {
        live.add(slot);
      } finally {
        lock.unlock();
      }
      slot.thread.start();
    } catch (Throwable e) {
      // OutOfMemoryError "unable to create native thread", most likely. The unit stays accepted in the ring:
      // a running thread takes it, or the next submit tries to start a thread again, or shutdown returns it.
      Slot wake = null;
      lock.lock();
      try {
        live.remove(slot);
        workers--;
        wakes--;
        if (tail != head && idleCount > 0 && wakes == 0) {
          wake = popIdle(); // [units waiting and (idleCount > 0 or workers < max) implies wakes > 0]
        }
        if (closed && workers == 0) {
          terminated.signalAll();
        }
      } finally {
        lock.unlock();
      }
      if (wake != null) {
        LockSupport.unpark(wake.thread);
      }
      try {
        LOG.error("could not start a pool thread; {} thread(s) run", threads(), e);
      } catch (Throwable ignored) {
        // nothing left to tell
      }
    }
  }

  /** Waits for a retired thread to end; it only has to return, so an interrupt is kept for later. */
  private static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    for (;;) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Pops the most recently idle thread and counts it as on its way; under the lock. */
  private Slot popIdle() {
    Slot slot = idle[--idleCount];
    idle[idleCount] = null;
    slot.woken = true;
    wakes++;
    return slot;
  }

  /** The body of a pool thread: take units from the ring and run them until told to exit. */
  private void work(Slot slot) {
    boolean arriving = true; // a starting thread is counted in `wakes` until it first takes the lock
    for (;;) {
      WorkUnit unit;
      Slot next = null;
      boolean grow = false;
      Thread predecessor = null;
      lock.lock();
      try {
        if (arriving) {
          wakes--;
        } else {
          active--;
        }
        unit = poll();
        if (unit != null) {
          active++;
          if (tail != head && wakes == 0) {
            // pass the wake-up on: [units waiting and (idleCount > 0 or workers < max) implies wakes > 0]
            if (idleCount > 0) {
              next = popIdle();
            } else if (workers < maxWorkers) {
              predecessor = countNewThread();
              grow = true;
            }
          }
        } else if (closed) {
          exit(slot);
          return;
        } else {
          idle[idleCount++] = slot; // the ring is empty [idleCount <= workers]
        }
      } finally {
        lock.unlock();
      }
      if (next != null) {
        LockSupport.unpark(next.thread);
      } else if (grow) {
        startThread(predecessor);
      }
      if (unit == null) {
        if (!awaitWake(slot)) {
          return;
        }
        arriving = true;
        continue;
      }
      arriving = false;
      Thread.interrupted(); // a unit does not inherit the interrupt status the previous one left behind
      run(unit);
    }
  }

  private static void run(WorkUnit unit) {
    try {
      unit.run();
    } catch (Throwable e) {
      // WorkUnit.run() catches what the handler throws, so this is a fault of the unit itself. Logged
      // without message bodies; a logger that fails in turn must not end the thread either.
      try {
        LOG.warn("a work unit of {} message(s) threw; the pool thread goes on", unit.messages().size(), e);
      } catch (Throwable ignored) {
        // nothing left to tell
      }
    }
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
    if (submittersWaiting > 0 && tail - head == ring.length / 2) {
      notFull.signalAll(); // half empty: the waiting submitters refill it [see Waiting room]
    }
    return unit;
  }

  /**
   * Waits, idle, until a submitter wakes this thread (true) or it must exit (false, already counted out).
   */
  private boolean awaitWake(Slot slot) {
    long deadline = System.nanoTime() + idleNanos;
    for (;;) {
      if (slot.woken) {
        slot.woken = false; // before this thread can be pushed on the idle stack again
        return true;
      }
      if (slot.stop) {
        exitLocked(slot);
        return false;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        lock.lock();
        try {
          if (!slot.woken && !slot.stop) { // so the slot is still on the idle stack
            if (workers > minWorkers) { // [workers >= minWorkers] after exiting
              removeIdle(slot);
              exit(slot);
              retired[retiredCount++] = slot.thread; // [workers + retiredCount <= maxWorkers] unchanged
              return false;
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

  /** Never throws InterruptedException: an interrupt ends the wait and is passed on (see Shutdown above). */
  @Override
  public List<WorkUnit> shutdown(Duration timeout) {
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
    boolean interrupted = false;
    lock.lock();
    try {
      long nanos = Checks.saturatedNanos(timeout);
      while (workers > 0 && nanos > 0) {
        try {
          nanos = terminated.awaitNanos(nanos);
        } catch (InterruptedException e) {
          // `unstarted` is out of the ring and `closed` is set: throwing now would lose those units, and a
          // second call would return nothing. So an interrupt ends the wait like the timeout.
          interrupted = true;
          break;
        }
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
      LOG.debug("shutdown {}; interrupted {} pool thread(s) still running units",
          interrupted ? "was interrupted" : "timed out", stragglers.size());
    }
    if (interrupted) {
      Thread.currentThread().interrupt(); // the caller's to act on, after it has the unstarted units
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

  /** Returns the pool threads started and not yet ended: those counted and the retired ones still alive. */
  @Override
  public int threads() {
    lock.lock();
    try {
      reap();
      return workers + retiredCount;
    } finally {
      lock.unlock();
    }
  }
}
