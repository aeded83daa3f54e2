package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.HarvesterCallback;
import io.github.sqsconsumer.spi.HarvesterContext;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.ReceiveAttributes;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.Settings;
import io.github.sqsconsumer.spi.WorkerContext;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The one context every part of a consumer is created with; immutable. {@code configuredVisibility} is the
 * builder's visibilityTimeout, or null; {@code receiveAttributes} what every receive asks for (ReceiveNeeds).
 */
record PartContextImpl(String consumerName, Settings settings, Map<Class<?>, Object> components, String queue,
    int concurrency, Duration configuredVisibility, ReceiveAttributes receiveAttributes, QueuePort port,
    HarvesterCallback callback)
    implements RunnerContext, WorkerContext, HarvesterContext {

  PartContextImpl {
    components = Map.copyOf(components);
  }

  /**
   * The harvester's context: {@code outcomes} is its concurrency hint, the outcomes that arrive per handler
   * time at full speed (the concurrency times the messages of a unit: a batch handler's batch size).
   */
  PartContextImpl withPort(QueuePort port, HarvesterCallback callback, int outcomes) {
    return new PartContextImpl(consumerName, settings, components, queue, outcomes, configuredVisibility,
        receiveAttributes, port, callback);
  }

  @Override
  public Optional<Duration> visibilityTimeout() {
    return Optional.ofNullable(configuredVisibility);
  }

  @Override
  public <T> Optional<T> component(Class<T> type) {
    return Optional.ofNullable(components.get(type)).map(type::cast);
  }
}
