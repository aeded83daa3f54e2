package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.ReceiveAttributes;
import io.github.sqsconsumer.spi.Runner;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link InMemoryQueue} as the queue of a {@link RunnerContractTest}: the fixture of the {@code memory}
 * runner's own contract test, ready for a test of one's own that runs the contract against the in-memory
 * queue (on the module path too).
 *
 * <pre>{@code
 * final class MemoryRunnerContractTest extends RunnerContractTest {
 *   protected QueueUnderTest newQueue(Duration visibilityTimeout) {
 *     return new InMemoryQueueUnderTest(InMemoryQueue.standard("contract", visibilityTimeout));
 *   }
 * }
 * }</pre>
 *
 * <p>Held replies are the queue's own latency: a held receive's messages leave the queue at once (they are
 * in flight), and its reply travels until {@code handOver} completes and lifts the latency.
 *
 * <p>Thread-safe as the queue is; the contract test calls it from its own thread.
 */
public final class InMemoryQueueUnderTest implements RunnerContractTest.QueueUnderTest {
  /** Longer than any test: a held reply is handed over only when the test says so. */
  private static final Duration HELD = Duration.ofHours(1);

  private final InMemoryQueue queue;

  /**
   * Runs the contract against {@code queue}, a standard queue the test owns.
   *
   * @param queue never null
   */
  public InMemoryQueueUnderTest(InMemoryQueue queue) {
    this.queue = Objects.requireNonNull(queue, "queue");
  }

  @Override
  public Runner newRunner() {
    return new InMemoryRunner(queue, queue.name(), ReceiveAttributes.EVERYTHING);
  }

  @Override
  public Runner newRunnerHoldingReplies(CompletableFuture<Void> arrived, CompletableFuture<Void> handOver) {
    Objects.requireNonNull(arrived, "arrived");
    Objects.requireNonNull(handOver, "handOver");
    return new InMemoryRunner(queue, queue.name(), ReceiveAttributes.EVERYTHING) {
      @Override
      public CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime, Duration visibility) {
        queue.latency(HELD);
        handOver.whenComplete((ok, failure) -> queue.latency(Duration.ZERO));
        CompletableFuture<List<Message>> reply = super.receive(maxMessages, waitTime, visibility);
        if (queue.inFlightCount() > 0) { // taken at once: the reply is on its way
          arrived.complete(null);
        }
        return reply;
      }
    };
  }

  @Override
  public void send(String body) {
    queue.send(body);
  }
}
