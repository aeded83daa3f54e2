package io.github.sqsconsumer.spring.boot;

import io.github.sqsconsumer.Consumer;
import java.util.Map;
import java.util.Optional;

/**
 * The application's consumers, a bean: built when the context's singletons are ready, started with the
 * context's lifecycle and closed gracefully at its shutdown.
 *
 * <p>Thread-safe. Start and close the consumers through the context, not one by one.
 */
public interface SqsConsumers {

  /**
   * Returns every consumer by name, in the order they were declared.
   *
   * @return an unmodifiable map, never null; empty until the singletons are ready
   */
  Map<String, Consumer> consumers();

  /**
   * Returns the consumer of this name.
   *
   * @param name never null
   * @return the consumer, or empty if there is none of this name
   */
  default Optional<Consumer> consumer(String name) {
    return Optional.ofNullable(consumers().get(name));
  }

  /**
   * Returns why the consumer of this name failed to start, when it may start without its queue
   * ({@code sqs-consumer.consumers.<name>.required=false}).
   *
   * @param name never null
   * @return the failure, or empty if it started or has not tried yet
   */
  Optional<Throwable> startFailure(String name);
}
