package io.github.sqsconsumer.it;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * One choice of worker and harvester, the two parts a user picks by name. Tests are parameterised over
 * {@link #all()} with {@code @MethodSource("io.github.sqsconsumer.it.Combination#all")}.
 *
 * <p>Both runners are on the class path here, so every builder names its runner too.
 *
 * @param worker {@code semaphore} or {@code pool}
 * @param harvester {@code batch} or {@code direct}
 */
record Combination(String worker, String harvester) {

  /** The four combinations of the parts this repository ships. */
  static Stream<Combination> all() {
    return Stream.of(
        new Combination("semaphore", "batch"),
        new Combination("semaphore", "direct"),
        new Combination("pool", "batch"),
        new Combination("pool", "direct"));
  }

  /**
   * Runs the check for every combination at once, each on its own thread, and reports every combination's
   * failure under its name. For checks that mostly wait (heartbeats, rate limits, timeouts): the four run
   * in the time of one.
   */
  static void eachAtOnce(Check check) {
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Map.Entry<Combination, Future<?>>> runs = all()
          .<Map.Entry<Combination, Future<?>>>map(parts -> Map.entry(parts, executor.submit(() -> {
            check.accept(parts);
            return null;
          })))
          .toList();
      Assertions.assertAll(runs.stream().map(run -> () -> {
        try {
          run.getValue().get();
        } catch (ExecutionException e) {
          throw new AssertionError(run.getKey() + ": " + e.getCause(), e.getCause());
        }
      }));
    }
  }

  /** A check of one combination. */
  @FunctionalInterface
  interface Check {
    void accept(Combination parts) throws Exception;
  }

  /** A builder consuming the in-memory queue through the {@code memory} runner. */
  Consumer.Builder onMemory(InMemoryQueue queue) {
    return parts(Consumer.builder().runner(queue.runner()).queue(queue.name()));
  }

  /** A builder consuming {@code queueUrl} through the {@code sqs} runner with the user's client. */
  Consumer.Builder onSqs(SqsAsyncClient client, String queueUrl) {
    return parts(Consumer.builder().runner("sqs").queue(queueUrl).component(SqsAsyncClient.class, client));
  }

  private Consumer.Builder parts(Consumer.Builder builder) {
    return builder.name("it-" + worker + "-" + harvester).worker(worker).harvester(harvester);
  }

  @Override
  public String toString() {
    return worker + "+" + harvester;
  }
}
