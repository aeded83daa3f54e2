package io.github.sqsconsumer.bench;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The in-memory baselines: the dispatch-and-acknowledge work of the consumer written by hand on the same
 * {@link InMemoryQueue} — two receive loops of 10 handing each message to the plain-JDK counterpart of a
 * worker (a fixed {@code ThreadPoolExecutor} of {@code concurrency} threads whose bounded queue blocks the
 * loop when full, or a virtual thread per message behind a {@code Semaphore(concurrency)} the loop waits
 * on), deletes in batches of up to 10. The executor's backpressure bounds the messages received ahead, as
 * the library's prefetch does; no permit is held through the delete, so the baseline is not slowed by a
 * limit the library does not have.
 */
final class PlainMemoryConsumer {
  /** The in-memory queue answers at once, so two loops keep ahead of any handler; more only contend. */
  private static final int POLLERS = 2;

  private PlainMemoryConsumer() {}

  static HandRolledConsumer<Message> start(Baseline kind, InMemoryQueue queue, int concurrency,
      Consumer<Message> handler) {
    HandRolledConsumer.Dispatch dispatch = switch (kind) {
      case PLAIN_THREAD_POOL -> PlainExecutors.dispatch(PlainExecutors.blockingThreadPool("plain-pool", concurrency));
      case PLAIN_VIRTUAL_THREADS -> PlainExecutors.dispatch(new PlainExecutors.SemaphoreVirtualThreads(concurrency));
      default -> throw new IllegalArgumentException("not an in-memory baseline: " + kind);
    };
    HandRolledConsumer.Transport<Message> transport = new HandRolledConsumer.Transport<>() {
      @Override
      public CompletableFuture<List<Message>> receive(int max) {
        return queue.receive(max, Duration.ofSeconds(1));
      }

      @Override
      public CompletableFuture<?> delete(List<Message> messages) {
        return queue.deleteBatch(messages);
      }
    };
    return new HandRolledConsumer<>("plain", transport, POLLERS, 0, dispatch, handler);
  }
}
