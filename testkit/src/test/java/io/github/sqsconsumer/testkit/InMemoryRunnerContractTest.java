package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.Settings;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The runner contract for the {@code memory} runner. Its held replies are the queue's own latency: a
 * receive's messages leave the queue at once and its reply travels until the latency is lifted.
 */
final class InMemoryRunnerContractTest extends RunnerContractTest {
  /** Longer than any test: a held reply is handed over only when the test says so. */
  private static final Duration HELD = Duration.ofHours(1);

  @Override
  protected QueueUnderTest newQueue(Duration visibilityTimeout) {
    InMemoryQueue queue = InMemoryQueue.standard("contract", visibilityTimeout);
    return new QueueUnderTest() {
      @Override
      public Runner newRunner() {
        return queue.runner().create(context(queue.name()));
      }

      @Override
      public Runner newRunnerHoldingReplies(CompletableFuture<Void> arrived, CompletableFuture<Void> handOver) {
        Runner runner = newRunner();
        return new Runner() {
          @Override
          public QueueInfo open() {
            return runner.open();
          }

          @Override
          public CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime, Duration visibility) {
            queue.latency(HELD);
            handOver.whenComplete((ok, failure) -> queue.latency(Duration.ZERO));
            CompletableFuture<List<Message>> reply = runner.receive(maxMessages, waitTime, visibility);
            if (queue.inFlightCount() > 0) { // taken at once: the reply is on its way
              arrived.complete(null);
            }
            return reply;
          }

          @Override
          public CompletableFuture<BatchReply> deleteBatch(List<Message> messages) {
            return runner.deleteBatch(messages);
          }

          @Override
          public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
            return runner.changeVisibilityBatch(changes);
          }

          @Override
          public CompletableFuture<Void> delete(Message message) {
            return runner.delete(message);
          }

          @Override
          public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
            return runner.changeVisibility(message, visibility);
          }

          @Override
          public void close() {
            runner.close();
          }
        };
      }

      @Override
      public void send(String body) {
        queue.send(body);
      }
    };
  }

  private static RunnerContext context(String queue) {
    return new RunnerContext() {
      @Override
      public String queue() {
        return queue;
      }

      @Override
      public String consumerName() {
        return "contract";
      }

      @Override
      public Settings settings() {
        return Settings.of(Map.of());
      }

      @Override
      public <T> Optional<T> component(Class<T> type) {
        return Optional.empty();
      }
    };
  }
}
