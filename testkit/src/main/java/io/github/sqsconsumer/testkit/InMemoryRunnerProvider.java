package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.RunnerProvider;

/**
 * Provides the {@code memory} runner: a consumer reads from an {@link InMemoryQueue} instead of SQS, for
 * tests and benchmarks.
 *
 * <pre>{@code
 * InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofSeconds(30));
 * Consumer consumer = Consumer.builder()
 *     .queue("orders")                                  // or "memory://orders"
 *     .runner("memory")
 *     .component(InMemoryQueue.class, queue)
 *     .handler(message -> ...)
 *     .build();
 * }</pre>
 *
 * A queue name other than the queue's makes {@code start()} fail as for a missing queue. Found with
 * {@link java.util.ServiceLoader} through {@code META-INF/services}. Thread-safe and stateless.
 */
public final class InMemoryRunnerProvider implements RunnerProvider {

  /** Creates the provider; does nothing. */
  public InMemoryRunnerProvider() {}

  /** Returns {@code memory}. */
  @Override
  public String name() {
    return "memory";
  }

  /**
   * Checks that the user handed an {@link InMemoryQueue} to the builder.
   *
   * @throws IllegalArgumentException if no {@link InMemoryQueue} component was given
   */
  @Override
  public void validate(RunnerContext context) {
    queueOf(context);
  }

  /**
   * Creates a runner over the {@link InMemoryQueue} the user handed to the builder.
   *
   * @throws IllegalArgumentException if no {@link InMemoryQueue} component was given
   */
  @Override
  public Runner create(RunnerContext context) {
    return new InMemoryRunner(queueOf(context), context.queue());
  }

  private static InMemoryQueue queueOf(RunnerContext context) {
    return context.component(InMemoryQueue.class).orElseThrow(() -> new IllegalArgumentException(
        "the memory runner needs an InMemoryQueue but none was given; pass it with "
            + "Consumer.builder().component(InMemoryQueue.class, queue)"));
  }
}
