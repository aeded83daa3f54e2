package io.github.sqsconsumer.runner.sqs;

import io.github.sqsconsumer.spi.ReceiveAttributes;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A runner context for tests: settings from a map, components from a map, a configured visibility or null,
 * the attributes to receive (everything unless set).
 */
record RunnerTestContext(String queue, Map<String, String> values, Map<Class<?>, Object> components,
    Duration configuredVisibility, ReceiveAttributes receiveAttributes) implements RunnerContext {

  RunnerTestContext {
    values = Map.copyOf(values);
    components = Map.copyOf(components);
  }

  static RunnerTestContext of(String queue, Map<String, String> settings) {
    return new RunnerTestContext(queue, settings, Map.of(), null, ReceiveAttributes.EVERYTHING);
  }

  <T> RunnerTestContext with(Class<T> type, T component) {
    Map<Class<?>, Object> all = new HashMap<>(components);
    all.put(type, component);
    return new RunnerTestContext(queue, values, all, configuredVisibility, receiveAttributes);
  }

  /** This context with the consumer's visibilityTimeout set, as the builder's would be. */
  RunnerTestContext withVisibilityTimeout(Duration visibility) {
    return new RunnerTestContext(queue, values, components, visibility, receiveAttributes);
  }

  /** This context with the attributes to receive set, as the consumer's would be. */
  RunnerTestContext withReceiveAttributes(ReceiveAttributes attributes) {
    return new RunnerTestContext(queue, values, components, configuredVisibility, attributes);
  }

  @Override
  public Optional<Duration> visibilityTimeout() {
    return Optional.ofNullable(configuredVisibility);
  }

  @Override
  public String consumerName() {
    return "test";
  }

  @Override
  public Settings settings() {
    return Settings.of(values); // the consumer's own parsing and wording
  }

  @Override
  public <T> Optional<T> component(Class<T> type) {
    return Optional.ofNullable(components.get(type)).map(type::cast);
  }
}
