package io.github.sqsconsumer.worker.semaphore;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.github.sqsconsumer.spi.WorkUnit;
import io.github.sqsconsumer.spi.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Concurrency:
 *   A permit is the right to run one unit. submit() takes a permit (waiting up to its timeout), starts a new
 *   virtual thread for the unit and returns; the thread gives the permit back when the unit ends. So the
 *   number of units between "permit taken" and "permit given back" never exceeds the concurrency, and that
 *   span contains the whole of run(). No lock and no synchronized block anywhere: nothing here can pin a
 *   carrier thread.
 *
 *   The semaphore is non-fair. Its waiters are submitters (normally the core's single dispatch thread), so
 *   there is nobody to be unfair to; a fair semaphore hands each released permit to the queued waiter,
 *   which costs a park/unpark per unit when the worker is saturated, where a non-fair one lets a running
 *   submitter take it at once. Measured roughly (virtual thread per task + Semaphore, 2 cores): non-fair
 *   was 1.0 to 1.6 times as fast at concurrency 4 and up to 3 times with 4 submitters at concurrency 64,
 *   and never clearly slower. shutdown() takes all permits at once, which a non-fair semaphore could
 *   starve only while permits keep being taken - and after `closed` nobody keeps them.
 *
 * Waiting room:
 *   None. A unit is either running (its thread holds a permit) or was never accepted.
 *
 * Shutdown:
 *   shutdown() sets `closed`, then takes all permits at once, waiting up to its timeout: holding all of
 *   them proves nothing runs. A submitter that got its permit just before `closed` was set re-checks the
 *   flag after taking the permit and gives it back, so no unit starts after shutdown() has taken every
 *   permit. If the timeout runs out first, every running thread is interrupted (the executor's
 *   shutdownNow()) and left to finish on its own; a submitter caught between its re-check and the start is
 *   rejected by the executor, gives its permit back and throws, so its unit was never accepted. An interrupt of the caller ends the wait as the timeout does and is passed on (the interrupt
 *   status set again), not thrown: the Worker contract, so that a worker with a waiting room can return
 *   its units.
 *
 *   Either way shutdown() then releases `concurrency` permits, so that submitters still blocked in
 *   submit() wake, see `closed` and throw RejectedExecutionException instead of waiting out their
 *   timeouts. Idle, these are the permits it took. After a timeout it holds none: they are extra, and the
 *   semaphore ends with up to 2 x concurrency permits once the stragglers give theirs back. That does not
 *   loosen [running units <= concurrency]: a unit starts only if its submitter, after taking the permit,
 *   still reads `closed` false; the extra permits are released after `closed` is set, and taking a permit
 *   whose count includes them orders that release (and so the write of `closed`) before the taker's
 *   re-check, which therefore sees `closed` and gives the permit back. So every unit that ever starts took
 *   its permit while there were only `concurrency`, and the extra ones only carry the wake-up from one
 *   blocked submitter to the next. (Before, a timed-out shutdown released nothing, and a submitter blocked
 *   behind units that ignored the interrupt waited out its whole timeout.)
 *   Threads start through a thread-per-task executor, which is their thread container: it tracks them to
 *   interrupt them at shutdown, and the JDK's root container does not track each one a second time, as it
 *   does for Thread.start(). `running` counts units from just before the start to the end of run(), for the
 *   gauges. Measured with no-op units at concurrency 256 (WorkerBenchmark, 3 forks each, 2 cores), against
 *   the plain virtual-thread executor behind a Semaphore at 1.64-1.72 M units/s: numbered thread names and a
 *   set of our own threads on top of the root container's 1.18 M (0.68x); names without a number 1.35 M;
 *   this executor and an AtomicInteger 1.40 M; a LongAdder instead 1.49 M (0.90x).
 */
/** Runs each unit on a new virtual thread once it holds one of {@code concurrency} semaphore permits. */
final class SemaphoreWorker implements Worker {
  private static final Logger log = LoggerFactory.getLogger(SemaphoreWorker.class);

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

  SemaphoreWorker(String consumerName, int concurrency) {
    this.concurrency = concurrency;
    this.permits = new Semaphore(concurrency, false);
    // Every thread is named <consumerName>-semaphore, without a number: building a numbered name per unit
    // cost 15 % of the throughput with no-op units at concurrency 256 (WorkerBenchmark, 3 forks: 1.18 to
    // 1.35 M units/s), and a thread dump tells virtual threads apart by their ids anyway. Handlers should not
    // inherit the dispatch thread's inheritable thread locals (and copying them costs).
    ThreadFactory factory = Thread.ofVirtual()
        .name(consumerName + "-semaphore")
        .inheritInheritableThreadLocals(false)
        .factory();
    this.threads = Executors.newThreadPerTaskExecutor(factory);
  }

  @Override
  public boolean submit(WorkUnit unit, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(timeout, "timeout");
    if (closed.get()) {
      throw rejected();
    }
    if (!permits.tryAcquire(Checks.saturatedNanos(timeout), NANOSECONDS)) {
      return false;
    }
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

  private void run(WorkUnit unit) {
    try {
      unit.run();
    } catch (Throwable e) {
      // WorkUnit.run() catches what the handler throws, so this is a fault of the unit itself. Logged
      // without message bodies; a logger that fails in turn must not end the thread either.
      try {
        log.warn("a work unit of {} message(s) threw; the worker goes on", unit.messages().size(), e);
      } catch (Throwable ignored) {
        // nothing left to tell
      }
    } finally {
      running.decrement();
      permits.release(); // [permit given back only after run() ended]
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
      log.debug("shutdown {}; interrupted {} running unit(s)", interrupted ? "was interrupted" : "timed out",
          running.sum());
    }
    // Wakes the submitters blocked for a permit, so they throw now instead of waiting out their timeouts.
    // Idle, these are the permits shutdown took [all permits held: nothing runs, and nothing can start since
    // closed is set]; otherwise they are extra ones, which only ever meet a closed worker [running units <=
    // concurrency] (see Shutdown above).
    permits.release(concurrency);
    if (interrupted) {
      Thread.currentThread().interrupt(); // the caller's to act on
    }
    return List.of(); // a unit is accepted only when it starts, so none is ever left unstarted
  }

  @Override
  public int active() {
    return running.intValue();
  }

  @Override
  public int waiting() {
    return 0;
  }

  @Override
  public int threads() {
    return running.intValue();
  }

  private static RejectedExecutionException rejected() {
    return new RejectedExecutionException("the semaphore worker is shut down");
  }
}
