package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.spring.boot.SqsConsumers;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The consumers' health, one indicator per consumer under {@code sqsConsumers}: UP while it runs, DOWN when it
 * could not start, OUT_OF_SERVICE while it stops and after. Reads the consumers at each call, so it sees them
 * once they are built.
 *
 * <p>Thread-safe: called by Actuator's threads.
 */
final class SqsConsumersHealthContributor implements CompositeHealthContributor {
  private final SqsConsumers consumers;

  SqsConsumersHealthContributor(SqsConsumers consumers) {
    this.consumers = consumers;
  }

  @Override
  public HealthContributor getContributor(String name) {
    return ConsumerOperations.of(consumers, name).<HealthContributor>map(SqsConsumersHealthContributor::indicator)
        .orElse(null);
  }

  @Override
  public Stream<HealthContributors.Entry> stream() {
    return consumers.consumers().keySet().stream()
        .map(name -> new HealthContributors.Entry(name, getContributor(name)));
  }

  private static HealthIndicator indicator(ConsumerOperations operations) {
    return () -> {
      ConsumerOperations.Health health = operations.health();
      return Health.status(status(health.status())).withDetails(health.details()).build();
    };
  }

  private static Status status(ConsumerOperations.Status status) {
    return switch (status) {
      case UP -> Status.UP;
      case DOWN -> Status.DOWN;
      case OUT_OF_SERVICE -> Status.OUT_OF_SERVICE;
      case UNKNOWN -> Status.UNKNOWN;
    };
  }
}
