package user.tests;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.Settings;
import io.github.sqsconsumer.spi.VisibilityChange;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import io.github.sqsconsumer.testkit.RunnerContractTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The testkit's runner contract, extended in a user's module and run on the module path. */
final class MemoryRunnerContractTest extends RunnerContractTest {
  @Override
  protected QueueUnderTest newQueue(Duration visibilityTimeout) {
    InMemoryQueue queue = InMemoryQueue.standard("contract", visibilityTimeout);
    return new QueueUnderTest() {
      @Override
      public Runner newRunner() {
        return queue.runner().create(new RunnerContext() {
          @Override
          public String queue() {
            return "contract";
          }

          @Override
          public String consumerName() {
            return "user-tests";
          }

          @Override
          public Settings settings() {
            return Settings.of(Map.of());
          }

          @Override
          public <T> Optional<T> component(Class<T> type) {
            return Optional.empty();
          }
        });
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
          public CompletableFuture<List<Message>> receive(int max, Duration waitTime, Duration visibility) {
            queue.latency(Duration.ofHours(1)); // the reply travels until the test hands it over
            handOver.whenComplete((ok, failure) -> queue.latency(Duration.ZERO));
            CompletableFuture<List<Message>> reply = runner.receive(max, waitTime, visibility);
            if (queue.inFlightCount() > 0) {
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
}
