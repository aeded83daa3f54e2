package io.github.sqsconsumer.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.PermanentFailureException;
import io.github.sqsconsumer.RetryPolicy;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The binder's figures, exactly, for a known mix of outcomes on the in-memory queue (semaphore worker,
 * direct harvester, so every outcome reaches the queue at once).
 */
@Timeout(60)
final class ConsumerMetricsTest {
  private static final Tags TAGS = Tags.of("queue", "orders", "consumer", "billing");

  private static Consumer.Builder builder(InMemoryQueue queue) {
    return Consumer.builder().name("billing").runner(queue.runner()).worker("semaphore").harvester("direct")
        .queue(queue.name()).concurrency(4)
        .waitTime(Duration.ofMillis(200)).retryPolicy(RetryPolicy.fixed(Duration.ofMinutes(10)));
  }

  private static double count(MeterRegistry registry, String name, Tags tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  private static void awaitSettled(InMemoryQueue queue, MeterRegistry registry, int messages)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (count(registry, "sqs.consumer.messages.acknowledged", TAGS)
        + count(registry, "sqs.consumer.messages.released", TAGS) < messages) {
      assertThat(System.nanoTime()).as("all messages settled in time").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  void bindTo_mixedOutcomes_countsEachExactly() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofMinutes(5)).failNext(2);
    for (int i = 0; i < 10; i++) {
      queue.send(String.valueOf(i));
    }
    Consumer.Builder builder = builder(queue).handler(message -> {
      int n = Integer.parseInt(message.body());
      if (n == 5 || n == 6) {
        throw new IllegalStateException("transient");
      } else if (n == 7) {
        throw new TimeoutException("too slow");
      } else if (n >= 8) {
        throw new PermanentFailureException("poison");
      }
    });
    ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    try (Consumer consumer = builder.build()) {
      metrics.bindTo(registry);
      consumer.start();
      awaitSettled(queue, registry, 10);

      assertThat(count(registry, "sqs.consumer.messages.received", TAGS)).isEqualTo(10);
      assertThat(count(registry, "sqs.consumer.messages.succeeded", TAGS)).isEqualTo(5);
      assertThat(count(registry, "sqs.consumer.messages.failed", TAGS.and("kind", "transient"))).isEqualTo(2);
      assertThat(count(registry, "sqs.consumer.messages.failed", TAGS.and("kind", "timeout"))).isEqualTo(1);
      assertThat(count(registry, "sqs.consumer.messages.failed", TAGS.and("kind", "permanent"))).isEqualTo(2);
      assertThat(count(registry, "sqs.consumer.messages.acknowledged", TAGS)).isEqualTo(7);
      assertThat(count(registry, "sqs.consumer.messages.released", TAGS)).isEqualTo(3);
      assertThat(count(registry, "sqs.consumer.acknowledgement.failures", TAGS)).isZero();
      assertThat(count(registry, "sqs.consumer.poll.errors", TAGS)).isEqualTo(2); // failNext(2): two receives
      assertThat(registry.get("sqs.consumer.handler.duration").tags(TAGS).timer().count()).isEqualTo(10);
      assertThat(registry.get("sqs.consumer.time.in.queue").tags(TAGS).timer().count()).isEqualTo(10);
      assertThat(registry.get("sqs.consumer.receive.to.delete").tags(TAGS).timer().count()).isEqualTo(7);
      assertThat(registry.get("sqs.consumer.receive.to.delete").tags(TAGS).timer()
          .totalTime(TimeUnit.NANOSECONDS)).isPositive();
      assertThat(queue.deleted()).isEqualTo(7);
    }
    // closed: the gauges read the consumer's own, zero once terminated
    for (String gauge : new String[] {"messages.in.flight", "worker.active", "worker.waiting", "worker.threads",
        "prefetch", "concurrency.limit"}) {
      assertThat(registry.get("sqs.consumer." + gauge).tags(TAGS).gauge().value()).as(gauge).isZero();
    }
  }

  @Test
  void bindTo_whileRunning_gaugesReadTheConsumer() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofMinutes(5));
    for (int i = 0; i < 6; i++) {
      queue.send(String.valueOf(i));
    }
    java.util.concurrent.CountDownLatch proceed = new java.util.concurrent.CountDownLatch(1);
    Consumer.Builder builder = builder(queue).prefetch(2)
        .handler(message -> proceed.await(30, TimeUnit.SECONDS));
    ConsumerMetrics metrics = ConsumerMetrics.installOn(builder, Tags.of("team", "payments"));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Tags tags = TAGS.and("team", "payments");

    try (Consumer consumer = builder.build()) {
      metrics.bindTo(registry);
      consumer.start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (registry.get("sqs.consumer.worker.active").tags(tags).gauge().value() < 4
            || registry.get("sqs.consumer.messages.in.flight").tags(tags).gauge().value() < 6
            // the two received beyond the four handlers wait in the semaphore worker's waiting room
            || registry.get("sqs.consumer.worker.waiting").tags(tags).gauge().value() < 2) {
          assertThat(System.nanoTime()).as("4 handlers running, 2 waiting, 6 in flight, in time")
              .isLessThan(deadline);
          Thread.sleep(5);
        }
        assertThat(registry.get("sqs.consumer.worker.threads").tags(tags).gauge().value()).isEqualTo(4);
        assertThat(registry.get("sqs.consumer.prefetch").tags(tags).gauge().value()).isEqualTo(2);
        assertThat(registry.get("sqs.consumer.concurrency.limit").tags(tags).gauge().value()).as("fixed")
            .isEqualTo(4);
      } finally {
        proceed.countDown();
      }
    }
  }

  /**
   * The paused and healthy gauges follow the consumer; a handler that outlives the handler timeout counts as
   * failed with kind timeout.
   */
  @Test
  void bindTo_pauseAndHandlerTimeout_gaugesFollowAndTimeoutCounted() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofMinutes(5));
    queue.send("slow");
    Consumer.Builder builder = builder(queue).handlerTimeout(Duration.ofMillis(50))
        .handler(message -> Thread.sleep(30_000)); // interrupted by the timeout
    ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    try (Consumer consumer = builder.build()) {
      metrics.bindTo(registry);
      assertThat(registry.get("sqs.consumer.healthy").tags(TAGS).gauge().value()).as("not started").isZero();
      consumer.start();
      awaitSettled(queue, registry, 1);
      assertThat(count(registry, "sqs.consumer.messages.failed", TAGS.and("kind", "timeout"))).isEqualTo(1);
      assertThat(count(registry, "sqs.consumer.messages.failed", TAGS.and("kind", "transient"))).isZero();
      assertThat(registry.get("sqs.consumer.healthy").tags(TAGS).gauge().value()).isEqualTo(1);
      assertThat(registry.get("sqs.consumer.paused").tags(TAGS).gauge().value()).isZero();

      consumer.pause();
      assertThat(registry.get("sqs.consumer.paused").tags(TAGS).gauge().value()).isEqualTo(1);
      assertThat(registry.get("sqs.consumer.healthy").tags(TAGS).gauge().value()).as("paused is healthy")
          .isEqualTo(1);
      consumer.resume();
      assertThat(registry.get("sqs.consumer.paused").tags(TAGS).gauge().value()).isZero();
    }
    assertThat(registry.get("sqs.consumer.healthy").tags(TAGS).gauge().value()).as("closed").isZero();
  }

  /**
   * Regression: a consumer of the same name and queue bound to the same registry after the first closed (an
   * application context stopped and started) left the gauges reading the closed one: Micrometer ignored the
   * second registration of each gauge. The counters are shared and go on counting.
   */
  @Test
  void bindTo_againAfterTheFirstConsumerClosed_gaugesReadTheNewOne() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofMinutes(5));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    for (int round = 1; round <= 2; round++) { // the same name and queue, one consumer after the other
      Consumer.Builder builder = builder(queue).handler(message -> {});
      ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);
      try (Consumer consumer = builder.build()) {
        metrics.bindTo(registry);
        consumer.start();
        queue.send("message " + round);
        awaitSettled(queue, registry, round); // the counter goes on from the first consumer's
        assertThat(registry.get("sqs.consumer.healthy").tags(TAGS).gauges()).as("round %d", round)
            .singleElement().extracting(Gauge::value).as("the running consumer's").isEqualTo(1.0);
      }
      assertThat(registry.get("sqs.consumer.healthy").tags(TAGS).gauge().value()).as("closed").isZero();
    }
  }

  /**
   * With adaptive concurrency the limit gauge reads the adapted limit: it starts at the minimum (2 of 8), and
   * no more handlers than that run; once a round of calls ends well it grows, and the gauge with it.
   */
  @Test
  void bindTo_adaptiveConcurrency_limitGaugeFollowsTheLimit() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofMinutes(5));
    for (int i = 0; i < 200; i++) {
      queue.send(String.valueOf(i));
    }
    java.util.concurrent.CountDownLatch proceed = new java.util.concurrent.CountDownLatch(1);
    Consumer.Builder builder = builder(queue).concurrency(8).adaptiveConcurrency(2)
        .handler(message -> {
          proceed.await(30, TimeUnit.SECONDS);
          Thread.sleep(2); // a downstream call: the limit is used, so it grows
        });
    ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    try (Consumer consumer = builder.build()) {
      metrics.bindTo(registry);
      consumer.start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (registry.get("sqs.consumer.worker.active").tags(TAGS).gauge().value() < 2) {
          assertThat(System.nanoTime()).as("2 handlers running in time").isLessThan(deadline);
          Thread.sleep(5);
        }
        assertThat(registry.get("sqs.consumer.concurrency.limit").tags(TAGS).gauge().value()).isEqualTo(2);
        assertThat(registry.get("sqs.consumer.worker.active").tags(TAGS).gauge().value()).isEqualTo(2);
      } finally {
        proceed.countDown();
      }
      awaitSettled(queue, registry, 200);
      assertThat(registry.get("sqs.consumer.concurrency.limit").tags(TAGS).gauge().value())
          .isEqualTo(consumer.concurrencyLimit()).isGreaterThan(2);
    }
  }

  @Test
  void meters_boundedTags_noPerMessageValues() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofMinutes(5));
    for (int i = 0; i < 20; i++) {
      queue.send(String.valueOf(i));
    }
    Consumer.Builder builder = builder(queue).handler(message -> {});
    ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Consumer consumer = builder.build()) {
      metrics.bindTo(registry);
      consumer.start();
      awaitSettled(queue, registry, 20);
    }

    // 7 counters (failed x 3 kinds: 9 series), 3 timers, 8 gauges, whatever the number of messages
    assertThat(registry.getMeters()).hasSize(20);
    assertThat(registry.getMeters()).allSatisfy(meter -> assertThat(meter.getId().getTags())
        .allSatisfy(tag -> assertThat(tag.getKey()).isIn("queue", "consumer", "kind")));
    assertThat(registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName))
        .allMatch(name -> name.matches("sqs\\.consumer(\\.[a-z]+)+"));
  }

  /**
   * Closing the metrics after the consumer removes every meter they registered, and only theirs (the other
   * consumer's stay and go on counting), and releases the gauges' hold on the closed consumer; closed
   * metrics record nothing and cannot be bound again.
   */
  @Test
  void close_afterTheConsumer_removesItsMetersOnly() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofMinutes(5));
    InMemoryQueue other = InMemoryQueue.standard("invoices", Duration.ofMinutes(5));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Consumer.Builder otherBuilder = Consumer.builder().name("ledger").runner(other.runner()).worker("semaphore")
        .harvester("direct").queue(other.name()).waitTime(Duration.ofMillis(200)).handler(message -> {});
    ConsumerMetrics otherMetrics = ConsumerMetrics.installOn(otherBuilder);
    Tags otherTags = Tags.of("queue", "invoices", "consumer", "ledger");
    try (Consumer otherConsumer = otherBuilder.build()) {
      otherMetrics.bindTo(registry);
      otherConsumer.start();

      Consumer.Builder builder = builder(queue).handler(message -> {});
      ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);
      try (Consumer consumer = builder.build()) {
        metrics.bindTo(registry);
        consumer.start();
        queue.send("one");
        awaitSettled(queue, registry, 1);
      }
      assertThat(registry.find("sqs.consumer.messages.acknowledged").tags(TAGS).counter()).as("after close()")
          .isNotNull();
      metrics.close();
      metrics.close(); // idempotent

      assertThat(registry.getMeters()).as("only the other consumer's").hasSize(20)
          .allSatisfy(meter -> assertThat(meter.getId().getTag("consumer")).isEqualTo("ledger"));
      other.send("two");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (count(registry, "sqs.consumer.messages.acknowledged", otherTags) < 1) {
        assertThat(System.nanoTime()).as("the other consumer still counted").isLessThan(deadline);
        Thread.sleep(5);
      }
      assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class)
          .hasMessage("the metrics of consumer 'billing' are closed");
      assertThat(registry.getMeters()).hasSize(20);
    }
  }

  /** Metrics closed late, after a successor of the same name and queue bound its own, leave its gauges. */
  @Test
  void close_afterASuccessorBound_leavesItsGauges() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofMinutes(5));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Consumer.Builder firstBuilder = builder(queue).handler(message -> {});
    ConsumerMetrics first = ConsumerMetrics.installOn(firstBuilder);
    try (Consumer consumer = firstBuilder.build()) {
      first.bindTo(registry);
    }
    Consumer.Builder secondBuilder = builder(queue).handler(message -> {});
    ConsumerMetrics second = ConsumerMetrics.installOn(secondBuilder);
    try (Consumer consumer = secondBuilder.build()) {
      second.bindTo(registry);
      consumer.start();

      first.close();

      assertThat(registry.find("sqs.consumer.healthy").tags(TAGS).gauges()).singleElement()
          .extracting(Gauge::value).as("the successor's gauge, reading it").isEqualTo(1.0);
      assertThat(registry.find("sqs.consumer.prefetch").tags(TAGS).gauges()).hasSize(1);
    }
  }

  @Test
  void bindTo_beforeBuild_orTwice_refused() {
    InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofMinutes(5));
    Consumer.Builder builder = builder(queue).handler(message -> {});
    ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class)
        .hasMessage("build the consumer before binding its metrics");
    try (Consumer consumer = builder.build()) {
      metrics.bindTo(registry);
      assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class)
          .hasMessage("the metrics of consumer 'billing' are bound already");
      assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("install a new ConsumerMetrics on a fresh builder for each consumer, such as a "
              + "copy() of a template builder");
    }
  }

  /** A template builder serves several consumers, each with metrics of its own, through copy(). */
  @Test
  void installOn_copiesOfATemplate_eachConsumerMeasured() throws Exception {
    InMemoryQueue orders = InMemoryQueue.standard("orders", Duration.ofMinutes(5));
    InMemoryQueue invoices = InMemoryQueue.standard("invoices", Duration.ofMinutes(5));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Consumer.Builder template = Consumer.builder().worker("semaphore").harvester("direct")
        .waitTime(Duration.ofMillis(200)).handler(message -> {});
    java.util.List<Consumer> consumers = new java.util.ArrayList<>();
    try {
      for (InMemoryQueue queue : java.util.List.of(orders, invoices)) {
        Consumer.Builder builder = template.copy().name(queue.name()).queue(queue.name()).runner(queue.runner());
        ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);
        Consumer consumer = builder.build();
        consumers.add(consumer);
        metrics.bindTo(registry);
        consumer.start();
        queue.send("one");
      }
      for (String name : java.util.List.of("orders", "invoices")) {
        Tags tags = Tags.of("queue", name, "consumer", name);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (count(registry, "sqs.consumer.messages.acknowledged", tags) < 1) {
          assertThat(System.nanoTime()).as("%s counted", name).isLessThan(deadline);
          Thread.sleep(5);
        }
        assertThat(count(registry, "sqs.consumer.messages.received", tags)).isEqualTo(1);
      }
    } finally {
      consumers.forEach(Consumer::close);
    }
  }

  @Test
  void epochMillis_digitsOnly() {
    assertThat(ConsumerMetrics.epochMillis("1733400000123")).isEqualTo(1_733_400_000_123L);
    assertThat(ConsumerMetrics.epochMillis("0")).isZero();
    assertThat(ConsumerMetrics.epochMillis(null)).isEqualTo(-1);
    assertThat(ConsumerMetrics.epochMillis("")).isEqualTo(-1);
    assertThat(ConsumerMetrics.epochMillis("-5")).isEqualTo(-1);
    assertThat(ConsumerMetrics.epochMillis("12a")).isEqualTo(-1);
    assertThat(ConsumerMetrics.epochMillis("1234567890123456789")).as("too long to be a time").isEqualTo(-1);
  }
}
