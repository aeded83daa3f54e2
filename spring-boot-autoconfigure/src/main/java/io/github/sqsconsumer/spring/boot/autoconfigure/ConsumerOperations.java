package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.ConsumerHealth;
import io.github.sqsconsumer.spring.boot.SqsConsumers;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the Actuator health contributor and endpoint ask of a consumer: its health, pause and resume. A
 * small adapter so they do not depend on how the consumer offers these.
 *
 * <p>{@link #of} maps {@link Consumer#health()} onto Actuator's statuses and passes pause and resume on to
 * the consumer.
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
   * Stops taking new messages until {@link #resume()}; running handlers finish. Idempotent.
   */
  void pause();

  /**
   * Takes messages again after {@link #pause()}. Idempotent.
   */
  void resume();

  /**
   * Returns the operations of the consumer of this name, or empty if there is none: the one place that adapts
   * a consumer.
   */
  static Optional<ConsumerOperations> of(SqsConsumers consumers, String name) {
    return consumers.consumer(name).map(consumer -> of(consumer, () -> consumers.startFailure(name)));
  }

  /**
   * Adapts a consumer: health from {@link Consumer#health()} (DOWN when it failed to start, or while it is
   * running and its receives have been failing for longer than its threshold), pause and resume are the
   * consumer's own.
   */
  static ConsumerOperations of(Consumer consumer, Supplier<Optional<Throwable>> startFailure) {
    return new ConsumerOperations() {
      @Override
      public Health health() {
        ConsumerHealth health = consumer.health();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("queue", consumer.queueName());
        details.put("state", health.state().name());
        details.put("paused", health.paused());
        details.put("inFlight", health.inFlight());
        if (health.lastReceive() != null) {
          details.put("lastReceive", health.lastReceive().toString());
        }
        if (health.pollFailures() > 0) {
          details.put("pollFailures", health.pollFailures());
          details.put("failingFor", health.failingFor().toString());
        }
        startFailure.get().ifPresent(failure -> details.put("error", String.valueOf(failure.getMessage())));
        Status status = switch (health.state()) {
          case RUNNING -> health.healthy() ? Status.UP : Status.DOWN;
          case FAILED -> Status.DOWN;
          case STOPPING, TERMINATED -> Status.OUT_OF_SERVICE;
          case NEW, STARTING -> Status.UNKNOWN;
        };
        return new Health(status, details);
      }

      @Override
      public void pause() {
        consumer.pause();
      }

      @Override
      public void resume() {
        consumer.resume();
      }
    };
  }
}
