package io.github.sqsconsumer.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes; for worker tests. Stateless. */
public final class WorkerAwait {
  private WorkerAwait() {}

  /**
   * Returns once {@code condition} holds, checking every millisecond.
   *
   * @throws AssertionError with {@code description} if it still does not hold after {@code timeout}
   */
  public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> description)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + timeout + ": " + description.get());
      }
      Thread.sleep(1);
    }
  }

  /** Returns once {@code thread} waits (parked or in a timed wait), so a call it made is blocked. */
  public static void untilBlocked(Thread thread, Duration timeout) throws InterruptedException {
    until(timeout, () -> thread.getState() == Thread.State.WAITING
            || thread.getState() == Thread.State.TIMED_WAITING,
        () -> thread.getName() + " to block, but it is " + thread.getState());
  }
}
