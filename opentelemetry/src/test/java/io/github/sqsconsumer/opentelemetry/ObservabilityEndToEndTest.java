package io.github.sqsconsumer.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.ConsumerListener;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.micrometer.ConsumerMetrics;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.MDC;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * One consumer with both modules and the log context, on ElasticMQ over HTTP, per worker (virtual threads,
 * reused platform threads): messages sent inside a producer span with its W3C context in their attributes.
 * The registry counts exactly the messages handled, every consumer span is a child of the producer span,
 * the MDC carried each message's id inside its handler and is empty on the same thread after it.
 */
@Timeout(120)
final class ObservabilityEndToEndTest {
  private static final int MESSAGES = 20;

  private static ElasticMqServer sqs;
  private static SqsAsyncClient client;

  @BeforeAll
  static void startServer() {
    sqs = new ElasticMqServer().start();
    client = SqsAsyncClient.builder().endpointOverride(sqs.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x"))).build();
  }

  @AfterAll
  static void stopServer() {
    client.close();
    sqs.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"semaphore", "pool"})
  void consumer_withMetricsTracingAndMdc_seesEveryMessageInItsTrace(String worker) throws Exception {
    String url = sqs.createQueue("observed-" + worker, Map.of("VisibilityTimeout", "30"));
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build()) {
      // the producer: one span, its context injected into every message's attributes
      Span producer = otel.getTracer("test-producer").spanBuilder("send observed").setSpanKind(SpanKind.PRODUCER)
          .startSpan();
      try (Scope ignored = producer.makeCurrent()) {
        Map<String, String> carrier = new HashMap<>();
        otel.getPropagators().getTextMapPropagator().inject(io.opentelemetry.context.Context.current(), carrier,
            Map::put);
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        carrier.forEach((key, value) -> attributes.put(key,
            MessageAttributeValue.builder().dataType("String").stringValue(value).build()));
        for (int i = 0; i < MESSAGES; i++) {
          String body = "m" + i;
          client.sendMessage(b -> b.queueUrl(url).messageBody(body).messageAttributes(attributes)).join();
        }
      } finally {
        producer.end();
      }

      Queue<String> mdcInside = new ConcurrentLinkedQueue<>();
      Queue<String> mdcAfter = new ConcurrentLinkedQueue<>();
      Consumer.Builder builder = Consumer.builder().name("observed").runner("sqs").worker(worker)
          .harvester("batch").queue(url).component(SqsAsyncClient.class, client).concurrency(4)
          .waitTime(Duration.ofSeconds(1))
          .listener(new ConsumerListener() {
            @Override
            public void onSucceeded(Message message, Duration handlerTime) { // the handler's thread, after it
              mdcAfter.add(String.valueOf(MDC.getCopyOfContextMap()));
            }
          })
          .handler(message -> mdcInside.add(message.id() + "=" + MDC.get(Consumer.MDC_MESSAGE_ID) + " "
              + MDC.get(Consumer.MDC_QUEUE) + " " + MDC.get(Consumer.MDC_CONSUMER)));
      ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);
      ConsumerTracing.installOn(builder, otel);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      Tags tags = Tags.of("queue", "observed-" + worker, "consumer", "observed");

      try (Consumer consumer = builder.build()) {
        metrics.bindTo(registry);
        consumer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (registry.get("sqs.consumer.messages.acknowledged").tags(tags).counter().count() < MESSAGES) {
          assertThat(System.nanoTime()).as("all messages deleted in time").isLessThan(deadline);
          Thread.sleep(10);
        }
      }

      assertThat(registry.get("sqs.consumer.messages.received").tags(tags).counter().count()).isEqualTo(MESSAGES);
      assertThat(registry.get("sqs.consumer.messages.succeeded").tags(tags).counter().count())
          .isEqualTo(MESSAGES);
      assertThat(registry.get("sqs.consumer.messages.acknowledged").tags(tags).counter().count())
          .isEqualTo(MESSAGES);
      assertThat(registry.get("sqs.consumer.handler.duration").tags(tags).timer().count()).isEqualTo(MESSAGES);
      assertThat(registry.get("sqs.consumer.time.in.queue").tags(tags).timer().count()).isEqualTo(MESSAGES);
      assertThat(sqs.approximateMessages(url)).isZero();

      List<SpanData> consumerSpans = exporter.getFinishedSpanItems().stream()
          .filter(span -> span.getKind() == SpanKind.CONSUMER).toList();
      assertThat(consumerSpans).hasSize(MESSAGES).allSatisfy(span -> {
        assertThat(span.getName()).isEqualTo("process observed-" + worker);
        assertThat(span.getTraceId()).isEqualTo(producer.getSpanContext().getTraceId());
        assertThat(span.getParentSpanId()).isEqualTo(producer.getSpanContext().getSpanId());
      });
      assertThat(consumerSpans).extracting(span -> span.getAttributes().get(ConsumerTracing.MESSAGE_ID))
          .doesNotHaveDuplicates();

      assertThat(mdcInside).hasSize(MESSAGES).allSatisfy(seen -> {
        String id = seen.substring(0, seen.indexOf('='));
        assertThat(seen).isEqualTo(id + "=" + id + " observed-" + worker + " observed");
      });
      assertThat(mdcAfter).hasSize(MESSAGES).allMatch(map -> map.equals("null") || map.equals("{}"));
    }
  }
}
