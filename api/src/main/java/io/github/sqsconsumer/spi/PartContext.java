package io.github.sqsconsumer.spi;

import java.util.Optional;

/**
 * What every part is given when it is created. Thread-safe; valid for the consumer's life.
 */
public interface PartContext {

  /** Returns the consumer's name, for thread names and logs; never null. */
  String consumerName();

  /** Returns the part-specific settings; never null. */
  Settings settings();

  /**
   * Returns the component of this type the user handed to the builder, for example the runner's SDK
   * client. Never null.
   */
  <T> Optional<T> component(Class<T> type);
}
