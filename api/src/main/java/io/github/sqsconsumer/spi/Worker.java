package io.github.sqsconsumer.spi;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs {@link WorkUnit}s with a hard concurrency limit.
 *
 * <p>Contract, which {@code WorkerContractTest} checks for every implementation:
 * <ul>
 *   <li>never more than {@link WorkerContext#concurrency()} units run at once;</li>
 *   <li>every accepted unit is run exactly once, or returned unstarted by {@link #shutdown}, even when
 *       the thread calling it is interrupted;</li>
 *   <li>a unit that throws does not kill the worker or stop other units;</li>
 *   <li>when full, {@link #submit} waits (backpressure) instead of queueing without bound.</li>
 * </ul>
 *
 * <p>Thread-safe: {@link #submit} is called by the core's dispatch thread and may be called from several
 * threads; {@link #shutdown} once, by the thread closing the consumer. The gauges may be read from any
 * thread at any time.
 */
public interface Worker {

  /**
   * Hands a unit to the worker, waiting up to {@code timeout} for room.
   *
   * @param unit never null
   * @param timeout how long to wait for room; zero does not wait
   * @return true if the unit was accepted (it will run, or come back from {@link #shutdown}); false if
   *     there was no room in time
   * @throws InterruptedException if interrupted while waiting; the unit was not accepted
   * @throws RejectedExecutionException if the worker is shut down
   */
  boolean submit(WorkUnit unit, Duration timeout) throws InterruptedException;

  /**
   * Stops accepting units, hands back those that have not started, and waits up to {@code timeout} for
   * those running. Units still running when the timeout runs out are interrupted and left to finish on
   * their own. Calling it again returns an empty list.
   *
   * <p>An interrupt cuts the wait short but loses nothing: if the calling thread is interrupted while
   * waiting (or already was), shutdown acts as if the timeout had run out at once - it interrupts the units
   * still running - and returns every accepted unit that never started, with the caller's interrupt status
   * set again. It does not throw {@link InterruptedException} once it has stopped accepting units, since
   * the units it took out of the worker would then be lost to the caller (their messages never released).
   *
   * @param timeout how long to wait for running units
   * @return the accepted units that never started; never null
   */
  List<WorkUnit> shutdown(Duration timeout);

  /** {@return how many units are running now} */
  int active();

  /** {@return how many accepted units wait to start (the waiting room); zero for a worker without one} */
  int waiting();

  /** {@return how many threads the worker holds now (live platform threads, or running virtual ones)} */
  int threads();
}
