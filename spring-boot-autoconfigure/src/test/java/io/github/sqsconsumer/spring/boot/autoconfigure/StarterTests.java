package io.github.sqsconsumer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** What the starter's tests against ElasticMQ share: a context runner, fresh queues, waiting. */
final class StarterTests {
  static final Duration DEADLINE = Duration.ofSeconds(30);

  private StarterTests() {}

  /** A runner of these auto-configurations whose consumers reach {@code sqs}, with one-second long polls. */
  static ApplicationContextRunner runner(ElasticMqServer sqs, Class<?>... autoConfigurations) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(autoConfigurations))
        .withPropertyValues("sqs-consumer.defaults.sqs.endpoint=" + sqs.endpoint(),
            "sqs-consumer.defaults.sqs.region=us-east-1", "sqs-consumer.defaults.wait-time=1s");
  }

  /** Creates a queue of a new name; returns the name. */
  static String newQueue(ElasticMqServer sqs) {
    String name = "q-" + UUID.randomUUID().toString().substring(0, 8);
    sqs.createQueue(name);
    return name;
  }

  static String url(ElasticMqServer sqs, String queue) {
    return sqs.endpoint() + "/000000000000/" + queue;
  }

  /** Waits until {@code condition} holds, failing after {@link #DEADLINE}. */
  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition met within %s", DEADLINE).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
