package io.github.sqsconsumer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.MessageHandler;
import io.github.sqsconsumer.micrometer.ConsumerMetrics;
import io.github.sqsconsumer.spring.boot.SqsConsumer;
import io.github.sqsconsumer.spring.boot.SqsConsumers;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * Each condition of the auto-configuration, in an {@link ApplicationContextRunner} against an embedded
 * ElasticMQ: what is created with and without a handler, a client bean, Micrometer, OpenTelemetry and
 * Actuator; properties over defaults; bad properties failing startup with the setting's name.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class SqsConsumerAutoConfigurationTest {
  private static ElasticMqServer sqs;

  private final ApplicationContextRunner runner = StarterTests.runner(sqs, SqsConsumerAutoConfiguration.class,
      SqsConsumerMetricsAutoConfiguration.class, SqsConsumerTracingAutoConfiguration.class,
      SqsConsumerHealthAutoConfiguration.class, SqsConsumerEndpointAutoConfiguration.class);

  @BeforeAll
  static void startSqs() {
    sqs = new ElasticMqServer().start();
  }

  @AfterAll
  static void stopSqs() {
    sqs.close();
  }

  @Test
  void noHandler_createsNoConsumer() {
    runner.withUserConfiguration(Registry.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(SqsConsumers.class).consumers()).isEmpty();
      assertThat(context.getBean(MeterRegistry.class).find("sqs.consumer.messages.received").meters()).isEmpty();
    });
  }

  @Test
  void annotatedMethod_handlesMessagesFromThePlaceholdersQueue() {
    String queue = newQueue();
    runner.withUserConfiguration(MessageListener.class).withPropertyValues("test.queue=" + queue).run(context -> {
      assertThat(context).hasNotFailed();
      Consumer consumer = context.getBean(SqsConsumers.class).consumer(queue).orElseThrow();
      assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
      sqs.sendMessage(url(queue), "hello");
      MessageListener listener = context.getBean(MessageListener.class);
      await(() -> listener.bodies.size() == 1);
      assertThat(listener.bodies).containsExactly("hello");
    });
  }

  @Test
  void typedMethods_readJsonAndBatches() {
    String single = newQueue();
    String batch = newQueue();
    runner.withUserConfiguration(TypedListener.class)
        .withPropertyValues("test.single=" + single, "test.batch=" + batch).run(context -> {
          assertThat(context).hasNotFailed();
          sqs.sendMessage(url(single), "{\"id\":\"o-1\",\"quantity\":2}");
          sqs.sendMessage(url(batch), "{\"id\":\"o-2\",\"quantity\":3}");
          TypedListener listener = context.getBean(TypedListener.class);
          await(() -> listener.orders.size() == 2);
          assertThat(listener.orders).containsExactlyInAnyOrder(new Order("o-1", 2), List.of(new Order("o-2", 3)));
        });
  }

  @Test
  void propertiesConsumer_boundToHandlerBeanByName() {
    String queue = newQueue();
    runner.withUserConfiguration(HandlerBean.class)
        .withPropertyValues("sqs-consumer.consumers.audit.queue=" + url(queue),
            "sqs-consumer.consumers.audit.handler=auditHandler")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(SqsConsumers.class).consumers()).containsOnlyKeys("audit");
          sqs.sendMessage(url(queue), "audited");
          HandlerBean handler = context.getBean(HandlerBean.class);
          await(() -> handler.bodies.size() == 1);
          assertThat(handler.bodies).containsExactly("audited");
        });
  }

  @Test
  void attributeNameProperties_narrowWhatReceivesAskFor() {
    String queue = newQueue();
    runner.withUserConfiguration(MessageBean.class)
        .withPropertyValues("sqs-consumer.consumers.audit.queue=" + url(queue),
            "sqs-consumer.consumers.audit.handler=messageHandler",
            "sqs-consumer.defaults.system-attribute-names=SenderId",
            "sqs-consumer.consumers.audit.system-attribute-names=",
            "sqs-consumer.consumers.audit.message-attribute-names=")
        .run(context -> {
          assertThat(context).hasNotFailed();
          sqs.sendMessage(url(queue), "audited");
          MessageBean handler = context.getBean(MessageBean.class);
          await(() -> handler.messages.size() == 1);
          // only the core's: the default would also bring ApproximateFirstReceiveTimestamp
          assertThat(handler.messages.get(0).attributes()).containsKey(Message.APPROXIMATE_RECEIVE_COUNT)
              .doesNotContainKeys(Message.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP, "SenderId");
        });
  }

  @Test
  void consumerProperties_overrideDefaults() {
    String queue = newQueue();
    // defaults that the builder would reject, overridden by the consumer's own valid values: it builds
    runner.withUserConfiguration(MessageListener.class)
        .withPropertyValues("test.queue=" + queue, "sqs-consumer.defaults.concurrency=0",
            "sqs-consumer.defaults.batch.max-wait=11s", "sqs-consumer.consumers." + queue + ".concurrency=4",
            "sqs-consumer.consumers." + queue + ".batch.max-wait=20ms")
        .run(context -> assertThat(context).hasNotFailed());
    // and the other way round: the consumer's own bad value wins over a good default
    runner.withUserConfiguration(MessageListener.class)
        .withPropertyValues("test.queue=" + queue, "sqs-consumer.defaults.concurrency=4",
            "sqs-consumer.consumers." + queue + ".concurrency=0")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("concurrency must be between 1 and 10000 but was 0"));
  }

  @Test
  void batchWindowProperties_reachTheBuilder() {
    String single = newQueue();
    String batch = newQueue();
    String prefix = "sqs-consumer.consumers.batch.";
    runner.withUserConfiguration(TypedListener.class)
        .withPropertyValues("test.single=" + single, "test.batch=" + batch, prefix + "batch-size=500")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("batchSize above 10 needs a batchWindow"));
    runner.withUserConfiguration(TypedListener.class)
        .withPropertyValues("test.single=" + single, "test.batch=" + batch, prefix + "batch-size=500",
            prefix + "batch-window=200ms", prefix + "batch-max-bytes=512B")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("batchMaxBytes must be between 1024 and 268435456 but was 512"));
    runner.withUserConfiguration(TypedListener.class)
        .withPropertyValues("test.single=" + single, "test.batch=" + batch, prefix + "batch-size=500",
            prefix + "batch-window=200ms", prefix + "batch-max-bytes=1MB")
        .run(context -> {
          assertThat(context).hasNotFailed();
          for (int i = 0; i < 3; i++) {
            sqs.sendMessage(url(batch), "{\"id\":\"o-" + i + "\",\"quantity\":1}");
          }
          TypedListener listener = context.getBean(TypedListener.class);
          await(() -> listener.orders.stream().mapToInt(batchOf -> ((List<?>) batchOf).size()).sum() == 3);
        });
  }

  @Test
  void badProperty_failsStartupNamingTheSetting() {
    String queue = newQueue();
    String own = "sqs-consumer.consumers." + queue;
    assertThat(startupFailure("test.queue=" + queue, own + ".concurrency=0"))
        .hasMessageContaining("consumer '" + queue + "'")
        .hasMessageContaining(own)
        .hasMessageContaining("concurrency must be between 1 and 10000 but was 0");
    assertThat(startupFailure("test.queue=" + queue, "sqs-consumer.defaults.batch.max-wait=11s"))
        .hasMessageContaining("batch.maxWait");
    assertThat(startupFailure("test.queue=" + queue, "sqs-consumer.defaults.concurrency=many"))
        .hasStackTraceContaining("Failed to bind properties under 'sqs-consumer.defaults.concurrency'");
    assertThat(startupFailure("test.queue=" + queue, "sqs-consumer.defaults.shutdown-timeout=25s",
        "spring.lifecycle.timeout-per-shutdown-phase=30s"))
        .hasMessageContaining("sqs-consumer.defaults.shutdown-timeout")
        .hasMessageContaining("spring.lifecycle.timeout-per-shutdown-phase");
    // regression: a misspelled property, or a dotted consumer name without brackets, was silently ignored
    assertThat(startupFailure("test.queue=" + queue, own + ".concurency=4")).hasStackTraceContaining("concurency");
    assertThat(startupFailure("test.queue=" + queue, "sqs-consumer.consumers.orders.fifo.concurrency=4"))
        .hasStackTraceContaining("sqs-consumer.consumers.orders.fifo");
    // regression: these two had no property, so Spring dropped them as unknown and their values never counted
    assertThat(startupFailure("test.queue=" + queue, own + ".handler-timeout=13h"))
        .hasMessageContaining("handlerTimeout");
    assertThat(startupFailure("test.queue=" + queue, "sqs-consumer.defaults.unhealthy-after=0s"))
        .hasMessageContaining("unhealthyAfter");
    // regression: the retry policy's own words (base, max) named no property, and any class was taken for an
    // overload exception
    assertThat(startupFailure("test.queue=" + queue, own + ".retry.delay=-1s"))
        .hasMessageContaining(own + ".retry.* (policy, delay, max-delay): base must be positive but was PT-1S");
    assertThat(startupFailure("test.queue=" + queue, "sqs-consumer.defaults.retry.delay=10s",
        "sqs-consumer.defaults.retry.max-delay=1s"))
        .hasMessageContaining("sqs-consumer.defaults.retry.* (policy, delay, max-delay): max must be between");
    assertThat(startupFailure("test.queue=" + queue, own + ".adaptive-concurrency.min=2",
        own + ".adaptive-concurrency.overload-on=java.lang.String"))
        .hasMessageContaining(own + ".adaptive-concurrency.overload-on must name exception types but names "
            + "java.lang.String");
  }

  /** Starts a context with a message listener and these properties; returns why it failed to start. */
  private Throwable startupFailure(String... properties) {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    runner.withUserConfiguration(MessageListener.class).withPropertyValues(properties).run(context -> {
      assertThat(context).hasFailed();
      failure.set(context.getStartupFailure());
    });
    return failure.get();
  }

  @Test
  void handlerTimeoutProperty_failsASlowHandler() {
    String queue = newQueue();
    runner.withUserConfiguration(SlowListener.class)
        .withPropertyValues("test.queue=" + queue, "sqs-consumer.consumers." + queue + ".handler-timeout=200ms")
        .run(context -> {
          assertThat(context).hasNotFailed();
          sqs.sendMessage(url(queue), "slow");
          SlowListener listener = context.getBean(SlowListener.class);
          await(() -> listener.interrupted.get() == 1);
        });
  }

  @Test
  void adaptiveConcurrency_properties_reachTheConsumer() {
    String queue = newQueue();
    runner.withUserConfiguration(MessageListener.class)
        .withPropertyValues("test.queue=" + queue, "sqs-consumer.defaults.concurrency=40",
            "sqs-consumer.defaults.adaptive-concurrency.min=3",
            "sqs-consumer.consumers." + queue
                + ".adaptive-concurrency.overload-on=java.util.concurrent.TimeoutException")
        .run(context -> {
          assertThat(context).hasNotFailed();
          Consumer consumer = context.getBean(SqsConsumers.class).consumer(queue).orElseThrow();
          assertThat(consumer.concurrencyLimit()).as("adaptive, starting at its minimum").isEqualTo(3);
        });
    runner.withUserConfiguration(MessageListener.class)
        .withPropertyValues("test.queue=" + queue, "sqs-consumer.consumers." + queue + ".adaptive-concurrency.min=0")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasMessageContaining("sqs-consumer.consumers." + queue)
            .hasMessageContaining(
                "adaptiveConcurrency minimum must be between 1 and the concurrency (10) but was 0"));
    runner.withUserConfiguration(MessageListener.class)
        .withPropertyValues("test.queue=" + queue,
            "sqs-consumer.defaults.adaptive-concurrency.overload-on=java.util.concurrent.TimeoutException")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasMessageContaining("overloadOn and overloadWhen need adaptiveConcurrency(min)"));
  }

  @Test
  void propertiesConsumer_withoutHandler_failsStartup() {
    runner.withUserConfiguration(Registry.class)
        .withPropertyValues("sqs-consumer.consumers.audit.queue=audit")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasMessageContaining("sqs-consumer.consumers.audit names no handler"));
    runner.withUserConfiguration(Registry.class)
        .withPropertyValues("sqs-consumer.consumers.audit.queue=audit",
            "sqs-consumer.consumers.audit.handler=nothingOfThisName")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasMessageContaining("sqs-consumer.consumers.audit.handler names the bean 'nothingOfThisName'"));
  }

  @Test
  void clientBean_isHandedToTheConsumers() {
    String queue = newQueue();
    // no sqs.* settings: the consumer can only reach ElasticMQ through the application's client
    clientBeanRunner(queue)
        .run(context -> {
          assertThat(context).hasNotFailed().hasBean("sqsConsumerClient");
          sqs.sendMessage(url(queue), "through the bean");
          MessageListener listener = context.getBean(MessageListener.class);
          await(() -> listener.bodies.size() == 1);
        });
    // with the bean, the runner's own client settings would be ignored: the runner's check fails the build
    runner.withUserConfiguration(MessageListener.class, ClientBean.class).withPropertyValues("test.queue=" + queue)
        .run(context -> assertThat(context).hasFailed().getFailure().hasMessageContaining("sqs.endpoint"));
  }

  // Regression: with two client beans and neither @Primary, neither was used and the runner built a client of
  // its own from the AWS default chains, failing for want of a region (or, with one set, silently running).
  @Test
  void twoClientBeans_noneIsPrimary_failsStartupNamingThem() {
    String queue = newQueue();
    clientBeanRunner(queue)
        .withBean("otherSqsClient", SqsAsyncClient.class, () -> new ClientBean().sqsAsyncClient())
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasStackTraceContaining("the application has 2 SqsAsyncClient beans")
            .hasStackTraceContaining("otherSqsClient").hasStackTraceContaining("none is @Primary"));
  }

  /** The auto-configuration alone (no sqs.* settings) with a listener of {@code queue} and a client bean. */
  private static ApplicationContextRunner clientBeanRunner(String queue) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SqsConsumerAutoConfiguration.class))
        .withUserConfiguration(MessageListener.class, ClientBean.class)
        .withPropertyValues("test.queue=" + queue, "sqs-consumer.defaults.wait-time=1s");
  }

  @Test
  void clientBeanAbsent_runnerBuildsItsOwn() {
    String queue = newQueue();
    runner.withUserConfiguration(MessageListener.class).withPropertyValues("test.queue=" + queue).run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(SqsAsyncClient.class).doesNotHaveBean("sqsConsumerClient");
      assertThat(context.getBean(SqsConsumers.class).consumer(queue).orElseThrow().state())
          .isEqualTo(Consumer.State.RUNNING);
    });
  }

  @Test
  void missingQueue_failsStartupWithTheRunnersMessage() {
    runner.withUserConfiguration(MessageListener.class).withPropertyValues("test.queue=no-such-queue")
        .run(context -> assertThat(context).hasFailed().getFailure().cause()
            .hasMessageContaining("consumer 'no-such-queue' could not start")
            .hasMessageContaining("queue 'no-such-queue' does not exist")
            .hasMessageContaining("sqs-consumer.consumers.no-such-queue.required=false"));
  }

  // Regression: for a name with a dot (every FIFO queue's) the messages named sqs-consumer.consumers.x.fifo.*,
  // which Spring binds as consumer "x"; only the bracket form reaches consumer "x.fifo"
  @Test
  void missingFifoQueue_namesTheBracketFormThatBinds() {
    runner.withUserConfiguration(MessageListener.class).withPropertyValues("test.queue=no-such.fifo")
        .run(context -> assertThat(context).hasFailed().getFailure().cause()
            .hasMessageContaining("sqs-consumer.consumers[no-such.fifo].required=false"));
    runner.withUserConfiguration(MessageListener.class)
        .withPropertyValues("test.queue=no-such.fifo", "sqs-consumer.consumers[no-such.fifo].required=false")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void missingQueue_notRequired_startsAndReportsDown() {
    runner.withUserConfiguration(MessageListener.class)
        .withPropertyValues("test.queue=no-such-queue", "sqs-consumer.consumers.no-such-queue.required=false")
        .run(context -> {
          assertThat(context).hasNotFailed();
          SqsConsumers consumers = context.getBean(SqsConsumers.class);
          assertThat(consumers.consumer("no-such-queue").orElseThrow().state()).isEqualTo(Consumer.State.FAILED);
          assertThat(consumers.startFailure("no-such-queue")).isPresent();
          HealthContributor contributor = context.getBean("sqsConsumersHealthContributor", HealthContributor.class);
          HealthIndicator indicator = (HealthIndicator) ((CompositeHealthContributor) contributor)
              .getContributor("no-such-queue");
          assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
        });
  }

  @Test
  void micrometer_presentWithRegistry_countsMessages() {
    String queue = newQueue();
    runner.withUserConfiguration(MessageListener.class, Registry.class).withPropertyValues("test.queue=" + queue)
        .run(context -> {
          assertThat(context).hasNotFailed().hasBean("sqsConsumerMetrics");
          sqs.sendMessage(url(queue), "counted");
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          await(() -> registry.find("sqs.consumer.messages.succeeded").tag("consumer", queue).counters().stream()
              .mapToDouble(c -> c.count()).sum() == 1);
        });
  }

  @Test
  void micrometer_absent_consumesWithoutMetrics() {
    String queue = newQueue();
    runner.withUserConfiguration(MessageListener.class, Registry.class).withPropertyValues("test.queue=" + queue)
        .withClassLoader(new FilteredClassLoader(ConsumerMetrics.class))
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean("sqsConsumerMetrics");
          sqs.sendMessage(url(queue), "uncounted");
          await(() -> context.getBean(MessageListener.class).bodies.size() == 1);
          assertThat(context.getBean(MeterRegistry.class).find("sqs.consumer.messages.succeeded").meters()).isEmpty();
        });
    runner.withUserConfiguration(MessageListener.class).withPropertyValues("test.queue=" + queue)
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("sqsConsumerMetrics"));
  }

  @Test
  void openTelemetry_wiredOnlyWithItsBean() {
    String queue = newQueue();
    runner.withUserConfiguration(MessageListener.class, Tracing.class).withPropertyValues("test.queue=" + queue)
        .run(context -> assertThat(context).hasNotFailed().hasBean("sqsConsumerTracing"));
    runner.withUserConfiguration(MessageListener.class).withPropertyValues("test.queue=" + queue)
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("sqsConsumerTracing"));
  }

  @Test
  void actuator_presentOrAbsent() {
    String queue = newQueue();
    runner.withUserConfiguration(MessageListener.class)
        .withPropertyValues("test.queue=" + queue, "management.endpoints.web.exposure.include=sqsconsumers")
        .run(context -> {
          assertThat(context).hasNotFailed().hasBean("sqsConsumersHealthContributor")
              .hasSingleBean(SqsConsumersEndpoint.class);
          CompositeHealthContributor health = context.getBean("sqsConsumersHealthContributor",
              CompositeHealthContributor.class);
          assertThat(((HealthIndicator) health.getContributor(queue)).health().getStatus()).isEqualTo(Status.UP);
          SqsConsumersEndpoint endpoint = context.getBean(SqsConsumersEndpoint.class);
          assertThat(endpoint.consumers()).containsOnlyKeys(queue);
          assertThat(endpoint.consumer(queue).state()).isEqualTo("RUNNING");
        });
    runner.withUserConfiguration(MessageListener.class)
        .withPropertyValues("test.queue=" + queue, "management.endpoints.web.exposure.include=sqsconsumers")
        .withClassLoader(new FilteredClassLoader(HealthContributor.class, Endpoint.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("sqsConsumersHealthContributor")
            .doesNotHaveBean(SqsConsumersEndpoint.class));
    runner.withUserConfiguration(MessageListener.class)
        .withPropertyValues("test.queue=" + queue, "management.health.sqsconsumers.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("sqsConsumersHealthContributor")
            .doesNotHaveBean(SqsConsumersEndpoint.class));
  }

  @Test
  void actuatorEndpoint_pauseAndResume_reachTheConsumer() {
    String queue = newQueue();
    runner.withUserConfiguration(MessageListener.class)
        .withPropertyValues("test.queue=" + queue, "management.endpoints.web.exposure.include=sqsconsumers")
        .run(context -> {
          assertThat(context).hasNotFailed();
          Consumer consumer = context.getBean(SqsConsumers.class).consumer(queue).orElseThrow();
          SqsConsumersEndpoint endpoint = context.getBean(SqsConsumersEndpoint.class);
          HealthIndicator indicator = (HealthIndicator) context.getBean("sqsConsumersHealthContributor",
              CompositeHealthContributor.class).getContributor(queue);

          assertThat(endpoint.change(queue, "pause").paused()).as("the endpoint tells it").isTrue();
          assertThat(consumer.health().paused()).isTrue();
          assertThat(indicator.health().getStatus()).as("paused is a choice, not a fault").isEqualTo(Status.UP);
          assertThat(indicator.health().getDetails()).containsEntry("paused", true);

          assertThat(endpoint.change(queue, "resume").paused()).isFalse();
          assertThat(consumer.health().paused()).isFalse();
          sqs.sendMessage(url(queue), "after resume");
          MessageListener listener = context.getBean(MessageListener.class);
          await(() -> listener.bodies.contains("after resume"));
          assertThatThrownBy(() -> endpoint.change(queue, "stop")).hasMessageContaining("pause or resume");
        });
  }

  @Test
  void stopThenStart_consumesWithNewConsumers() {
    // a long poll cancelled at stop may go on inside ElasticMQ and take the message sent after the restart:
    // a short visibility timeout brings it back (see ElasticMqServer)
    String queue = "q-" + UUID.randomUUID().toString().substring(0, 8);
    sqs.createQueue(queue, Map.of("VisibilityTimeout", "2"));
    runner.withUserConfiguration(MessageListener.class).withPropertyValues("test.queue=" + queue).run(context -> {
      SqsConsumers consumers = context.getBean(SqsConsumers.class);
      Consumer first = consumers.consumer(queue).orElseThrow();
      context.stop(); // as the test framework pauses a cached context
      assertThat(first.state()).isEqualTo(Consumer.State.TERMINATED);
      context.start();
      Consumer second = consumers.consumer(queue).orElseThrow();
      assertThat(second).isNotSameAs(first);
      assertThat(second.state()).isEqualTo(Consumer.State.RUNNING);
      sqs.sendMessage(url(queue), "after the restart");
      await(() -> context.getBean(MessageListener.class).bodies.size() == 1);
    });
  }

  @Test
  void autoStartupOff_buildsButDoesNotStart() {
    String queue = newQueue();
    runner.withUserConfiguration(MessageListener.class)
        .withPropertyValues("test.queue=" + queue, "sqs-consumer.auto-startup=false")
        .run(context -> assertThat(context.getBean(SqsConsumers.class).consumer(queue).orElseThrow().state())
            .isEqualTo(Consumer.State.NEW));
  }

  private static String newQueue() {
    return StarterTests.newQueue(sqs);
  }

  private static String url(String queue) {
    return StarterTests.url(sqs, queue);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    StarterTests.await(condition);
  }

  record Order(String id, int quantity) {}

  @Configuration(proxyBeanMethods = false)
  static class MessageListener {
    final List<String> bodies = new CopyOnWriteArrayList<>();

    @SqsConsumer("${test.queue}")
    void on(Message message) {
      bodies.add(message.body());
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class TypedListener {
    final List<Object> orders = new CopyOnWriteArrayList<>();

    @SqsConsumer("${test.single}")
    void on(Order order) {
      orders.add(order);
    }

    @SqsConsumer(queue = "${test.batch}", name = "batch")
    void onBatch(List<Order> batch) {
      orders.add(List.copyOf(batch));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class HandlerBean {
    final List<String> bodies = new CopyOnWriteArrayList<>();

    @Bean
    MessageHandler auditHandler() {
      return message -> bodies.add(message.body());
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class MessageBean {
    final List<Message> messages = new CopyOnWriteArrayList<>();

    @Bean
    MessageHandler messageHandler() {
      return messages::add;
    }
  }

  /** A handler that waits for its interrupt (the handler timeout's) for up to a minute. */
  @Configuration(proxyBeanMethods = false)
  static class SlowListener {
    final AtomicInteger interrupted = new AtomicInteger();

    @SqsConsumer("${test.queue}")
    void on(Message message) {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        interrupted.incrementAndGet();
      }
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class ClientBean {
    @Bean(destroyMethod = "close")
    SqsAsyncClient sqsAsyncClient() {
      return SqsAsyncClient.builder().endpointOverride(sqs.endpoint()).region(Region.US_EAST_1)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x"))).build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Tracing {
    @Bean
    OpenTelemetry openTelemetry() {
      return OpenTelemetry.noop();
    }
  }

}
