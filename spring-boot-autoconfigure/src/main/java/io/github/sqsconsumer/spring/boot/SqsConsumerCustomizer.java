package io.github.sqsconsumer.spring.boot;

import io.github.sqsconsumer.Consumer;

/**
 * A bean that adjusts each consumer's builder before it is built: a retry policy, listeners, hooks, or
 * anything the properties do not say. Applied after the properties, in {@link org.springframework.core.Ordered
 * order}; what it sets is checked by {@code build()} like every other setting.
 *
 * <p>Called once per consumer, on the thread that refreshes the application context.
 */
@FunctionalInterface
public interface SqsConsumerCustomizer {

  /**
   * Adjusts the builder of one consumer.
   *
   * @param name the consumer's name, never null
   * @param builder its builder, with the properties applied; never null
   */
  void customize(String name, Consumer.Builder builder);
}
