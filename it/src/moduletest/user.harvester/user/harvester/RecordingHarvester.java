package user.harvester;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterCallback;
import io.github.sqsconsumer.spi.QueuePort;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deletes and releases one message at a time through the port, counts what it did and prints the counts
 * when closed. At most 16 requests in flight; acknowledge and release wait beyond that.
 */
final class RecordingHarvester implements Harvester {
  private final QueuePort port;
  private final HarvesterCallback callback;
  private final Semaphore inFlight = new Semaphore(16);
  private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();
  private final AtomicInteger deleted = new AtomicInteger();
  private final AtomicInteger released = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private volatile boolean closed;

  RecordingHarvester(QueuePort port, HarvesterCallback callback) {
    this.port = port;
    this.callback = callback;
  }

  @Override
  public void acknowledge(Message message) {
    send(message, port.delete(message), () -> {
      deleted.incrementAndGet();
      callback.acknowledged(message);
    });
  }

  @Override
  public void release(Message message, Duration visibility) {
    send(message, port.changeVisibility(message, visibility), () -> {
      released.incrementAndGet();
      callback.released(message, visibility);
    });
  }

  private void send(Message message, CompletableFuture<Void> call, Runnable onSuccess) {
    if (closed) {
      throw new IllegalStateException("the recording harvester is closed");
    }
    inFlight.acquireUninterruptibly();
    CompletableFuture<Void> done = call.handle((v, e) -> {
      if (e == null) {
        onSuccess.run();
      } else {
        failed.incrementAndGet();
        callback.failed(message, e);
      }
      inFlight.release();
      return null;
    });
    pending.add(done);
    done.whenComplete((v, e) -> pending.remove(done));
  }

  @Override
  public void close(Duration timeout) throws InterruptedException {
    closed = true;
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // what is unanswered comes back after its visibility timeout
    }
    System.out.println("RECORDING deleted " + deleted.get() + ", released " + released.get() + ", failed "
        + failed.get());
  }
}
