package user.harvester;

import io.github.sqsconsumer.spi.AbstractHarvester;
import io.github.sqsconsumer.spi.HarvesterContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deletes and releases one message at a time through the port, counts what it did and prints the counts
 * when closed. Its sending logic alone: AbstractHarvester holds at most 16 messages (acknowledge and
 * release wait beyond that), retries transient failures, reports each message once and closes.
 */
final class RecordingHarvester extends AbstractHarvester {
  private final AtomicInteger deleted = new AtomicInteger();
  private final AtomicInteger released = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();

  RecordingHarvester(HarvesterContext context) {
    super(context, 16, 3);
  }

  @Override
  protected void sendNow(Entry entry) {
    CompletableFuture<Void> answer = entry.isDelete()
        ? call(() -> port().delete(entry.message()))
        : call(() -> port().changeVisibility(entry.message(), entry.visibility()));
    answer.whenComplete((ignored, failure) -> {
      (failure != null ? failed : entry.isDelete() ? deleted : released).incrementAndGet();
      answered(entry, failure);
    });
  }

  @Override
  protected boolean retryLater(Entry entry) {
    CompletableFuture.delayedExecutor(entry.dueNanos() - System.nanoTime(), TimeUnit.NANOSECONDS)
        .execute(() -> {
          if (isUnsettled(entry)) { // not reported by a close meanwhile
            sendNow(entry);
          }
        });
    return true;
  }

  @Override
  protected void closed() {
    System.out.println("RECORDING deleted " + deleted.get() + ", released " + released.get() + ", failed "
        + failed.get());
  }
}
