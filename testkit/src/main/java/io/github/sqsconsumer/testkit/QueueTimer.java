package io.github.sqsconsumer.testkit;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one daemon timer thread that all {@link InMemoryQueue}s share for deadlines, expiries and latency,
 * created on first use. Cancelled tasks leave it at once, so nothing outlives a test.
 */
final class QueueTimer {
  static final ScheduledThreadPoolExecutor INSTANCE = create();

  private QueueTimer() {}

  private static ScheduledThreadPoolExecutor create() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "sqs-consumer-in-memory-queue-timer");
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true); // a cancelled deadline leaves nothing behind
    return timer;
  }
}
