package io.github.sqsconsumer.harvester.direct;

import io.github.sqsconsumer.spi.AbstractHarvester;
import io.github.sqsconsumer.spi.HarvesterContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** One request per outcome, a bounded number in flight. */
final class DirectHarvester extends AbstractHarvester {
  /*
   * Concurrency:
   *   Worker threads call acknowledge/release and send their entry's request at once (sendNow); answers
   *   complete on the port's threads (SDK threads, or the caller's own thread if the port answers at once);
   *   retries are sent from one scheduler thread. AbstractHarvester bounds what is held to maxInFlight
   *   [requests sent or waiting to retry <= held() <= maxInFlight], so a full harvester makes callers wait
   *   (backpressure), reports each entry once, and closes.
   *
   * Shutdown:
   *   When close ends, the scheduler stops; a retry it rejects is reported failed (retryLater returns false),
   *   one it dropped finds its entry reported by close.
   */
  private final int maxInFlight;
  private final ScheduledThreadPoolExecutor scheduler;

  DirectHarvester(HarvesterContext context, int maxInFlight, int maxAttempts) {
    super(context, maxInFlight, maxAttempts);
    this.maxInFlight = maxInFlight;
    String threadName = context.consumerName() + "-harvester-direct";
    this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    scheduler.setRemoveOnCancelPolicy(true);
  }

  /** Returns how many more messages it takes before callers wait; for tests of the bound. */
  int availablePermits() {
    lock.lock();
    try {
      return maxInFlight - held();
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected void sendNow(Entry entry) {
    // call(): a port that throws gives a failed answer all the same, or the entry would stay held until close
    CompletableFuture<Void> answer = entry.isDelete()
        ? call(() -> port().delete(entry.message()))
        : call(() -> port().changeVisibility(entry.message(), entry.visibility()));
    answer.whenComplete((ignored, failure) -> answered(entry, failure));
  }

  @Override
  protected boolean retryLater(Entry entry) {
    try {
      scheduler.schedule(() -> {
        if (isUnsettled(entry)) { // not reported by a close that timed out meanwhile
          sendNow(entry);
        }
      }, entry.dueNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException closing) {
      return false;
    }
  }

  @Override
  protected void closed() {
    scheduler.shutdownNow();
  }
}
