package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.spring.boot.SqsConsumers;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The Actuator endpoint {@code sqsconsumers}: lists the consumers ({@code GET /actuator/sqsconsumers}), shows
 * one ({@code GET /actuator/sqsconsumers/{name}}), and pauses or resumes one
 * ({@code POST /actuator/sqsconsumers/{name}/pause} or {@code .../resume}). Expose it as any endpoint
 * ({@code management.endpoints.web.exposure.include=sqsconsumers}).
 *
 * <p>Thread-safe: called by Actuator's threads.
 */
@Endpoint(id = "sqsconsumers")
public final class SqsConsumersEndpoint {
  private final SqsConsumers consumers;

  /**
   * Creates the endpoint; the auto-configuration does.
   *
   * @param consumers the application's consumers, never null
   */
  public SqsConsumersEndpoint(SqsConsumers consumers) {
    this.consumers = Objects.requireNonNull(consumers, "consumers");
  }

  /**
   * Describes every consumer.
   *
   * @return the descriptions by consumer name, never null
   */
  @ReadOperation
  public Map<String, ConsumerDescription> consumers() {
    Map<String, ConsumerDescription> all = new LinkedHashMap<>();
    consumers.consumers().keySet().forEach(name -> all.put(name, consumer(name)));
    return all;
  }

  /**
   * Describes one consumer.
   *
   * @param name the consumer's name
   * @return its description, or null (404) if there is none of this name
   */
  @ReadOperation
  public ConsumerDescription consumer(@Selector String name) {
    return consumers.consumer(name).map(consumer -> describe(name, consumer)).orElse(null);
  }

  /**
   * Pauses or resumes one consumer.
   *
   * @param name the consumer's name
   * @param action {@code pause} or {@code resume}
   * @return its description afterwards, or null (404) if there is none of this name
   * @throws IllegalArgumentException if the action is neither
   */
  @WriteOperation
  public ConsumerDescription change(@Selector String name, @Selector String action) {
    ConsumerOperations operations = ConsumerOperations.of(consumers, name).orElse(null);
    if (operations == null) {
      return null;
    }
    switch (action) {
      case "pause" -> operations.pause();
      case "resume" -> operations.resume();
      default -> throw new IllegalArgumentException("the action must be pause or resume but was " + action);
    }
    return consumer(name);
  }

  private ConsumerDescription describe(String name, Consumer consumer) {
    ConsumerOperations.Health health = ConsumerOperations.of(consumer, () -> consumers.startFailure(name)).health();
    return new ConsumerDescription(consumer.queueName(), consumer.state().name(), health.status().name(),
        consumer.health().paused(), consumer.inFlight());
  }

  /**
   * What the endpoint shows of a consumer.
   *
   * @param queue the queue's name
   * @param state the consumer's {@link Consumer.State}
   * @param health its health: UP, DOWN, OUT_OF_SERVICE or UNKNOWN
   * @param paused whether its receiving is paused (a paused consumer is UP: it chose not to receive)
   * @param inFlight the messages received and not yet settled
   */
  public record ConsumerDescription(String queue, String state, String health, boolean paused, int inFlight) {}
}
