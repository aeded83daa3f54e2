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
   * @param timeout the longest wait; never null
   * @param condition checked on the calling thread until it returns true; never null
   * @param description says what was awaited, read only for the failure message; never null
   * @throws InterruptedException if the waiting thread is interrupted
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

  /**
   * Returns once {@code thread} waits (parked or in a timed wait), so a call it made is blocked.
   *
   * @param thread the thread to watch; never null
   * @param timeout the longest wait; never null
   * @throws AssertionError if the thread is not waiting after {@code timeout}
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public static void untilBlocked(Thread thread, Duration timeout) throws InterruptedException {
    until(timeout, () -> thread.getState() == Thread.State.WAITING
            || thread.getState() == Thread.State.TIMED_WAITING,
        () -> thread.getName() + " to block, but it is " + thread.getState());
  }
}
