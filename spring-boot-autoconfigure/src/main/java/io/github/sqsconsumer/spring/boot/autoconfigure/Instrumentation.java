package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.Consumer;

/**
 * What an optional module adds to every consumer's builder (metrics, tracing, the SQS client bean), and
 * what it does with the consumer once built. Beans of this type are applied in their order, before the
 * application's {@link io.github.sqsconsumer.spring.boot.SqsConsumerCustomizer}s.
 */
@FunctionalInterface
interface Instrumentation {

  /**
   * Installs on the builder of the consumer named {@code name}.
   *
   * @return what to do once the consumer is built, never null
   */
  Built install(String name, Consumer.Builder builder);

  /** The step after {@code build()}, such as binding meters to the registry. */
  @FunctionalInterface
  interface Built {
    Built NOTHING = consumer -> {};

    void built(Consumer consumer);
  }
}
