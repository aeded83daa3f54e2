package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.spring.boot.SqsConsumers;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the Actuator health contributor and endpoint ask of a consumer: its health, pause and resume. A
 * small adapter so they do not depend on how the consumer offers these.
 *
 * <p>{@link #of} derives health from {@link Consumer#state()} and its start failure; pausing and resuming
 * need the consumer's own {@code pause()} and {@code resume()}, which {@link #of} does not offer yet.
 *
 * <p>Thread-safe: called by Actuator's threads while the consumer runs.
 */
interface ConsumerOperations {

  /** A consumer's health: whether it is up, and details for the health endpoint (never message contents). */
  record Health(Status status, Map<String, Object> details) {}

  /** The states a consumer's health reports, as Actuator's. */
  enum Status { UP, DOWN, OUT_OF_SERVICE, UNKNOWN }

  /** Returns the consumer's health now; never null. */
  Health health();

  /**
   * Stops taking new messages until {@link #resume()}; running handlers finish.
   *
   * @throws UnsupportedOperationException if the consumer cannot pause
   */
  void pause();

  /**
   * Takes messages again after {@link #pause()}.
   *
   * @throws UnsupportedOperationException if the consumer cannot pause
   */
  void resume();

  /**
   * Returns the operations of the consumer of this name, or empty if there is none: the one place that adapts
   * a consumer.
   */
  static Optional<ConsumerOperations> of(SqsConsumers consumers, String name) {
    return consumers.consumer(name).map(consumer -> of(consumer, () -> consumers.startFailure(name)));
  }

  /** Adapts a consumer: health from its state and start failure; pause and resume unsupported. */
  static ConsumerOperations of(Consumer consumer, Supplier<Optional<Throwable>> startFailure) {
    return new ConsumerOperations() {
      @Override
      public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("queue", consumer.queueName());
        details.put("state", consumer.state().name());
        details.put("inFlight", consumer.inFlight());
        startFailure.get().ifPresent(failure -> details.put("error", String.valueOf(failure.getMessage())));
        Status status = switch (consumer.state()) {
          case RUNNING -> Status.UP;
          case FAILED -> Status.DOWN;
          case STOPPING, TERMINATED -> Status.OUT_OF_SERVICE;
          case NEW, STARTING -> Status.UNKNOWN;
        };
        return new Health(status, details);
      }

      @Override
      public void pause() {
        throw new UnsupportedOperationException("consumer '" + consumer.name() + "' cannot pause: this version "
            + "of sqs-consumer has no Consumer.pause()");
      }

      @Override
      public void resume() {
        throw new UnsupportedOperationException("consumer '" + consumer.name() + "' cannot resume: this version "
            + "of sqs-consumer has no Consumer.resume()");
      }
    };
  }
}
