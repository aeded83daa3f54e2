package io.github.sqsconsumer.spi;

import java.util.Optional;

/**
 * What every part is given when it is created. Thread-safe; valid for the consumer's life.
 */
public interface PartContext {

  /** {@return the consumer's name, for thread names and logs; never null} */
  String consumerName();

  /** {@return the part-specific settings; never null} */
  Settings settings();

  /**
   * {@return the component of this type the user handed to the builder, for example the runner's SDK
   * client, or empty if the user handed none; never null}
   *
   * @param <T> the component's type
   * @param type the exact type the user handed the component by; never null
   */
  <T> Optional<T> component(Class<T> type);
}
