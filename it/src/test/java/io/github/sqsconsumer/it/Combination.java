package io.github.sqsconsumer.it;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.util.stream.Stream;
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

  /** A builder consuming the in-memory queue through the {@code memory} runner. */
  Consumer.Builder onMemory(InMemoryQueue queue) {
    return parts(Consumer.builder().runner("memory").queue(queue.name()).component(InMemoryQueue.class, queue));
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
