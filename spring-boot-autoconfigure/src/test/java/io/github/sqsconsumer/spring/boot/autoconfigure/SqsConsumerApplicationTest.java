package io.github.sqsconsumer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.spring.boot.SqsConsumer;
import io.github.sqsconsumer.spring.boot.SqsConsumers;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A whole Boot application against an embedded ElasticMQ: the annotated method handles typed messages, health
 * is UP, the meters count them, and stopping the context (what a rolling deploy does) drains with nothing lost:
 * every message sent was either handled (and deleted) or is visible in the queue again.
 */
@SpringBootTest(classes = SqsConsumerApplicationTest.App.class, properties = {
    "sqs-consumer.defaults.sqs.region=us-east-1",
    "sqs-consumer.defaults.wait-time=1s",
    "sqs-consumer.consumers.orders.concurrency=8"})
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class SqsConsumerApplicationTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final int SENT = 300;
  private static final ElasticMqServer SQS = new ElasticMqServer().start();
  /**
   * A short visibility timeout: a long poll that the stop cancels is aborted on the wire, and what the
   * server had already taken for it never reaches the runner (the Runner#receive contract): those messages
   * come back after this timeout instead of at once.
   */
  private static final Duration VISIBILITY = Duration.ofSeconds(3);
  private static final String QUEUE_URL = SQS.createQueue("orders",
      Map.of("VisibilityTimeout", String.valueOf(VISIBILITY.toSeconds())));

  @Autowired
  ConfigurableApplicationContext context;
  @Autowired
  Orders orders;
  @Autowired
  MeterRegistry registry;
  @Autowired
  SqsConsumers consumers;

  @DynamicPropertySource
  static void sqs(DynamicPropertyRegistry properties) {
    properties.add("sqs-consumer.defaults.sqs.endpoint", () -> SQS.endpoint().toString());
  }

  @AfterAll
  static void stopSqs() {
    SQS.close();
  }

  @Test
  @DirtiesContext(methodMode = DirtiesContext.MethodMode.AFTER_METHOD)
  void application_handlesCountsAndDrainsOnStop() throws Exception {
    for (int i = 0; i < SENT; i++) {
      SQS.sendMessage(QUEUE_URL, "{\"id\":\"o-" + i + "\",\"quantity\":" + i + "}");
    }
    await(() -> orders.handled.size() >= SENT / 5);

    CompositeHealthContributor health = context.getBean("sqsConsumersHealthContributor",
        CompositeHealthContributor.class);
    assertThat(((HealthIndicator) health.getContributor("orders")).health().getStatus()).isEqualTo(Status.UP);
    assertThat(registry.get("sqs.consumer.messages.received").tag("consumer", "orders").counter().count())
        .isPositive();

    // what closing the context does first (a rolling deploy's SIGTERM): the lifecycle stop by phases, which
    // stops polling, lets handlers finish, acknowledges and releases. stop() rather than close(): the test
    // framework holds on to this context, and closes it after the method (@DirtiesContext)
    Consumer consumer = consumers.consumer("orders").orElseThrow();
    context.stop();

    assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
    Set<String> handled = new HashSet<>(orders.handled.keySet());
    assertThat(orders.duplicates.get()).as("messages handled twice").isZero();
    assertThat(registry.get("sqs.consumer.messages.succeeded").tag("consumer", "orders").counter().count())
        .isEqualTo(handled.size());
    // released at stop: visible at once; taken by a receive the stop aborted: visible after VISIBILITY
    int invisibleAtStop = invisible();
    await(() -> invisible() == 0);
    System.out.printf("after stop: %d handled, %d came back only after the visibility timeout%n", handled.size(),
        invisibleAtStop);
    int visible = Integer.parseInt(SQS.queueAttributes(QUEUE_URL).get("ApproximateNumberOfMessages"));
    assertThat(handled.size() + visible).as("handled + still in the queue").isEqualTo(SENT);
  }

  private static int invisible() {
    return Integer.parseInt(SQS.queueAttributes(QUEUE_URL).get("ApproximateNumberOfMessagesNotVisible"));
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition met within %s", DEADLINE).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  record Order(String id, int quantity) {}

  /** The handler: takes a little while, as real work does, so the close finds messages in every stage. */
  static class Orders {
    final Map<String, Order> handled = new ConcurrentHashMap<>();
    final AtomicInteger duplicates = new AtomicInteger();

    @SqsConsumer(queue = "orders")
    void on(Order order) throws InterruptedException {
      Thread.sleep(5);
      if (handled.putIfAbsent(order.id(), order) != null) {
        duplicates.incrementAndGet();
      }
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {
    @Bean
    Orders orders() {
      return new Orders();
    }
  }
}
