package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.WorkUnit;
import io.github.sqsconsumer.spi.Worker;
import java.time.Duration;
import java.util.List;

/**
 * The worker as dispatch sees it with adaptive concurrency: a unit goes to the worker only with a slot of the
 * {@link ConcurrencyGate}, and the slot comes back when the unit finishes ({@link Handling#run}) or was not
 * taken. Everything else passes through.
 */
final class GatedWorker implements Worker {
  private final Worker worker;
  private final ConcurrencyGate gate;

  GatedWorker(Worker worker, ConcurrencyGate gate) {
    this.worker = worker;
    this.gate = gate;
  }

  /** Waits up to {@code timeout} in all for a slot and the worker's room. */
  @Override
  public boolean submit(WorkUnit unit, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!gate.acquire(timeout)) {
      return false;
    }
    boolean taken = false;
    try {
      taken = worker.submit(unit, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      return taken;
    } finally {
      if (!taken) {
        gate.release(); // [a slot comes back whatever the worker did]
      }
    }
  }

  @Override
  public List<WorkUnit> shutdown(Duration timeout) {
    return worker.shutdown(timeout);
  }

  @Override
  public int active() {
    return worker.active();
  }

  @Override
  public int waiting() {
    return worker.waiting();
  }

  @Override
  public int threads() {
    return worker.threads();
  }
}
