package io.github.sqsconsumer.worker.semaphore;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.github.sqsconsumer.spi.WorkUnit;
import io.github.sqsconsumer.spi.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs each unit on a new virtual thread once it holds one of {@code concurrency} semaphore permits. */
final class SemaphoreWorker implements Worker {
  /*
   * Concurrency:
   *   A permit is the right to run one unit. submit() takes a free permit, starts a new virtual thread for the
   *   unit and returns; the thread gives the permit back when the unit ends, or passes it on (below). So the
   *   number of units between "permit taken" and "permit given back" never exceeds the concurrency, and that
   *   span contains the whole of run(). The only lock guards the wait for space in a full waiting room; it is
   *   never held around a wait for anything else, and nothing synchronized can pin a carrier thread.
   *
   *   The semaphore is non-fair. Nobody waits on it (submitters that find no permit go to the waiting room),
   *   and shutdown() takes all permits at once, which a non-fair semaphore could starve only while permits
   *   keep being taken - and after `closed` nobody keeps them.
   *
   * Waiting room:
   *   When every permit is taken, submit() puts the unit in the waiting room and returns at once. A unit
   *   that ends takes the oldest waiting one and starts it on a new thread with its own permit (the permit
   *   passes on: [running units <= concurrency] holds), so a saturated worker costs one thread start per
   *   unit and nothing else: the submitter is not parked and woken per unit, and no timer is armed for its
   *   timeout. The room holds up to `roomSize` (the concurrency) units; beyond that a submitter waits, up to
   *   its timeout, until the room is half empty (one wake-up per roomSize / 2 units). Submitters racing
   *   past the check may each add one more: [waiting units <= roomSize + submitters].
   *   [every waiting unit is taken]: the submitter offers, raises waitingCount, then tries for a free permit
   *   and starts waiting units with it; a holder of a permit looks into the room after its unit ended, and
   *   again after giving its permit back. Either the submitter's try sees a permit given back, or the
   *   holder's second look sees the count the submitter raised (all sequentially consistent atomics).
   *   Each unit keeps a thread of its own: a handler's thread locals never reach the next unit.
   *
   * Shutdown:
   *   shutdown() sets `closed`, then takes all permits at once, waiting up to its timeout: holding all of
   *   them proves nothing runs. A submitter that got its permit just before `closed` was set re-checks the
   *   flag after taking the permit and gives it back, so no unit starts after shutdown() has taken every
   *   permit. If the timeout runs out first, every running thread is interrupted (the executor's
   *   shutdownNow()) and left to finish on its own; a submitter caught between its re-check and the start is
   *   rejected by the executor, gives its permit back and throws, so its unit was never accepted. An
   *   interrupt of the caller ends the wait as the timeout does and is passed on (the interrupt status set
   *   again), not thrown: the Worker contract, so that a worker with a waiting room can return
   *   its units.
   *
   *   Once closed, holders of permits take no waiting unit; after the wait, shutdown() wakes the submitters
   *   waiting for space (they see `closed` and throw RejectedExecutionException instead of waiting out their
   *   timeouts) and returns the units left in the room, never started. A submitter that offered after
   *   shutdown emptied the room sees `closed`, takes its unit back and throws: it was not accepted.
   *   Either way shutdown() then releases `concurrency` permits. Idle, these are the permits it took. After a
   *   timeout they are extra, and the semaphore ends with up to 2 x concurrency permits once the stragglers
   *   give theirs back. That does not loosen [running units <= concurrency]: a unit starts only if whoever
   *   took the permit still reads `closed` false afterwards; the extra permits are released after `closed`
   *   is set, and taking a permit whose count includes them orders that release (and so the write of
   *   `closed`) before the taker's re-check, which therefore sees `closed` and gives the permit back.
   *   Threads start through a thread-per-task executor, which is their thread container: it tracks them to
   *   interrupt them at shutdown, and the JDK's root container does not track each one a second time, as it
   *   does for Thread.start(). `running` counts units from just before the start to the end of run(), for the
   *   gauges; a LongAdder, because every finishing thread writes it and only the gauges read it. The thread
   *   name carries no number: a name built per unit is a cost on every start, and a thread dump tells virtual
   *   threads apart by their ids (bench/RESULTS.md has the figures behind these choices).
   */
  private static final Logger LOG = LoggerFactory.getLogger(SemaphoreWorker.class);

  private final int concurrency;
  private final Semaphore permits;
  /** Starts each unit's thread; tracks the threads, and interrupts them at a shutdown that timed out. */
  private final ExecutorService threads;
  /**
   * Units started and not yet ended; for the gauges. A LongAdder: the submitter and every finishing thread
   * write it, and only the gauges read it.
   */
  private final LongAdder running = new LongAdder();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Units accepted while every permit was taken, oldest first. [waiting units <= roomSize + submitters] */
  private final ConcurrentLinkedQueue<WorkUnit> waitingRoom = new ConcurrentLinkedQueue<>();
  /** Units in the waiting room; raised after the offer, lowered after the poll. */
  private final AtomicInteger waitingCount = new AtomicInteger();
  private final int roomSize;
  /** Guards only the wait for space in a full room; never taken while the room has space. */
  private final ReentrantLock roomLock = new ReentrantLock();
  private final Condition spaceFreed = roomLock.newCondition();
  private volatile int spaceWaiters; // written under roomLock

  SemaphoreWorker(String consumerName, int concurrency) {
    // Every thread is named <consumerName>-semaphore, without a number (see the design block). Handlers
    // should not inherit the dispatch thread's inheritable thread locals (and copying them costs).
    this(concurrency, Thread.ofVirtual()
        .name(consumerName + "-semaphore")
        .inheritInheritableThreadLocals(false)
        .factory());
  }

  /** With the given thread factory: tests hand one that refuses threads, as a JVM out of memory does. */
  SemaphoreWorker(int concurrency, ThreadFactory factory) {
    this.concurrency = concurrency;
    this.roomSize = concurrency; // as many waiting as running: a full batch of receives for each slot
    this.permits = new Semaphore(concurrency, false);
    this.threads = Executors.newThreadPerTaskExecutor(factory);
  }

  @Override
  public boolean submit(WorkUnit unit, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(timeout, "timeout");
    if (closed.get()) {
      throw rejected();
    }
    if (permits.tryAcquire()) {
      // [this unit holds a permit: running units <= concurrency]
      if (closed.get()) {
        permits.release();
        throw rejected();
      }
      running.increment(); // before the start, so the thread's own decrement always comes after
      try {
        threads.execute(() -> run(unit));
      } catch (Throwable e) { // rejected by a shutdown that timed out meanwhile, OutOfMemoryError and the like
        running.decrement();
        permits.release();
        throw e; // the unit was not accepted
      }
      return true;
    }
    return enterWaitingRoom(unit, Checks.saturatedNanos(timeout));
  }

  /** Every permit is taken: puts the unit in the waiting room, waiting up to the timeout for space there. */
  private boolean enterWaitingRoom(WorkUnit unit, long timeoutNanos) throws InterruptedException {
    if (waitingCount.get() >= roomSize && !awaitSpace(timeoutNanos)) {
      return false;
    }
    waitingRoom.offer(unit);
    waitingCount.incrementAndGet(); // after the offer: a count above zero means a unit was there
    // [every waiting unit is taken]: if every permit was held just now, its holder takes a waiting unit when
    // it ends (it looks after giving its permit back); if one is free, this thread starts a waiting unit
    WorkUnit refused = startWaiting();
    if (refused != null) {
      run(refused); // accepted, and no thread for it: it runs here, with the permit taken for it
    }
    if (closed.get() && waitingRoom.remove(unit)) { // shutdown may have emptied the room before the offer
      waitingCount.decrementAndGet();
      throw rejected(); // not accepted
    }
    return true; // started, waiting, or handed back by shutdown
  }

  /** Waits while the room is full; true once there is space, false when the timeout elapsed. */
  private boolean awaitSpace(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    roomLock.lock();
    try {
      spaceWaiters++;
      try {
        // woken when the room is half empty: one wake-up per roomSize / 2 units, not one per unit
        boolean full = waitingCount.get() >= roomSize;
        while (full && waitingCount.get() > roomSize / 2) {
          if (closed.get()) {
            throw rejected();
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          spaceFreed.awaitNanos(left);
        }
      } finally {
        spaceWaiters--;
      }
      if (closed.get()) {
        throw rejected();
      }
      return true;
    } finally {
      roomLock.unlock();
    }
  }

  /**
   * Takes free permits and starts waiting units with them while both are there.
   *
   * @return a unit taken with its permit whose thread the executor refused, for the caller to run, or null
   */
  private WorkUnit startWaiting() {
    while (waitingCount.get() > 0 && permits.tryAcquire()) {
      WorkUnit next = closed.get() ? null : takeWaiting();
      if (next == null) { // taken meanwhile by a holder of a permit, or left for shutdown to hand back
        permits.release();
        return null;
      }
      if (!start(next)) {
        return next;
      }
    }
    return null;
  }

  /** Removes the oldest waiting unit, or null; wakes waiting submitters when the room is half empty. */
  private WorkUnit takeWaiting() {
    WorkUnit next = waitingRoom.poll();
    if (next != null && waitingCount.decrementAndGet() == roomSize / 2 && spaceWaiters > 0) {
      roomLock.lock();
      try {
        spaceFreed.signalAll();
      } finally {
        roomLock.unlock();
      }
    }
    return next;
  }

  /**
   * Starts a unit taken from the waiting room on a thread of its own, with the permit the caller holds.
   *
   * @return false if the executor refused (a shutdown that timed out, no memory for a thread): the unit was
   *     accepted and nobody else would run or return it, so the caller runs it, still counted as running
   */
  private boolean start(WorkUnit unit) {
    running.increment();
    try {
      threads.execute(() -> run(unit));
      return true;
    } catch (Throwable e) {
      return false;
    }
  }

  /**
   * Runs a unit with its permit, then passes the permit on to the oldest waiting unit or gives it back. A
   * waiting unit whose thread the executor refuses runs here next, in this loop rather than in a nested
   * call, so a full waiting room of refused starts cannot overflow the stack.
   */
  private void run(WorkUnit first) {
    WorkUnit unit = first;
    while (unit != null) {
      runUnit(unit);
      // [permit given back only after run() ended]: passed on to the next waiting unit, or given back
      WorkUnit next = closed.get() ? null : takeWaiting();
      if (next != null) {
        unit = start(next) ? null : next;
      } else {
        permits.release();
        unit = startWaiting(); // a unit that came while this thread held its permit and had looked already
      }
    }
  }

  private void runUnit(WorkUnit unit) {
    try {
      unit.run();
    } catch (Throwable e) {
      // WorkUnit.run() catches what the handler throws, so this is a fault of the unit itself. Logged
      // without message bodies; a logger that fails in turn must not end the thread either.
      try {
        LOG.warn("a work unit of {} message(s) threw; the worker goes on", unit.messages().size(), e);
      } catch (Throwable ignored) {
        // nothing left to tell
      }
    } finally {
      running.decrement();
    }
  }

  /** Never throws InterruptedException: an interrupt ends the wait and is passed on (see Shutdown above). */
  @Override
  public List<WorkUnit> shutdown(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (!closed.compareAndSet(false, true)) {
      return List.of();
    }
    boolean idle;
    boolean interrupted = false;
    try {
      idle = permits.tryAcquire(concurrency, Checks.saturatedNanos(timeout), NANOSECONDS);
    } catch (InterruptedException e) {
      idle = false; // ends the wait as the timeout does
      interrupted = true;
    }
    if (idle) {
      threads.shutdown(); // nothing runs, and nothing can start any more
    } else {
      threads.shutdownNow(); // interrupts every running unit's thread
      LOG.debug("shutdown {}; interrupted {} running unit(s)", interrupted ? "was interrupted" : "timed out",
          running.sum());
    }
    // Wakes the submitters blocked for a permit, so they throw now instead of waiting out their timeouts.
    // Idle, these are the permits shutdown took [all permits held: nothing runs, and nothing can start since
    // closed is set]; otherwise they are extra ones, which only ever meet a closed worker [running units <=
    // concurrency] (see Shutdown above).
    permits.release(concurrency);
    roomLock.lock();
    try {
      spaceFreed.signalAll(); // submitters waiting for space throw now
    } finally {
      roomLock.unlock();
    }
    // units still waiting never started (holders of permits take none once closed is set): they go back
    List<WorkUnit> unstarted = new ArrayList<>();
    for (WorkUnit unit; (unit = waitingRoom.poll()) != null; ) {
      waitingCount.decrementAndGet();
      unstarted.add(unit);
    }
    if (interrupted) {
      Thread.currentThread().interrupt(); // the caller's to act on
    }
    return unstarted;
  }

  @Override
  public int active() {
    return running.intValue();
  }

  @Override
  public int waiting() {
    return Math.max(0, waitingCount.get());
  }

  @Override
  public int threads() {
    return running.intValue();
  }

  private static RejectedExecutionException rejected() {
    return new RejectedExecutionException("the semaphore worker is shut down");
  }
}
