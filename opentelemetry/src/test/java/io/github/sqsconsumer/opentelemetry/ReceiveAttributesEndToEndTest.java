package io.github.sqsconsumer.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.micrometer.ConsumerMetrics;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
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
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Receives ask SQS (ElasticMQ over HTTP) only for the attributes someone reads: a consumer whose user asks
 * for none gets the trace context because its tracing hook asks for it, and the send time because its
 * metrics ask for it; the same consumer without hooks gets only what the core reads.
 */
@Timeout(120)
final class ReceiveAttributesEndToEndTest {
  private static final int MESSAGES = 5;

  private static ElasticMqServer sqs;
  private static SqsAsyncClient client;

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
      .build();

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

  @AfterEach
  void closeOtel() {
    otel.close();
  }

  /** Sends the messages inside a producer span, with its context and an attribute nobody reads. */
  private Span send(String url) {
    Span producer = otel.getTracer("test-producer").spanBuilder("send").setSpanKind(SpanKind.PRODUCER).startSpan();
    try (Scope ignored = producer.makeCurrent()) {
      Map<String, String> carrier = new HashMap<>();
      otel.getPropagators().getTextMapPropagator().inject(Context.current(), carrier, Map::put);
      Map<String, MessageAttributeValue> attributes = new HashMap<>();
      carrier.forEach((key, value) -> attributes.put(key,
          MessageAttributeValue.builder().dataType("String").stringValue(value).build()));
      attributes.put("unread", MessageAttributeValue.builder().dataType("String").stringValue("x").build());
      for (int i = 0; i < MESSAGES; i++) {
        String body = "m" + i;
        client.sendMessage(b -> b.queueUrl(url).messageBody(body).messageAttributes(attributes)).join();
      }
    } finally {
      producer.end();
    }
    return producer;
  }

  /** A consumer asking for no attribute of its own, recording what each handled message carried. */
  private static Consumer.Builder builder(String url, Queue<Message> handled) {
    return Consumer.builder().name("narrow").runner("sqs").worker("semaphore").harvester("batch").queue(url)
        .component(SqsAsyncClient.class, client).concurrency(2).waitTime(Duration.ofSeconds(1)).mdc(false)
        .systemAttributeNames().messageAttributeNames()
        .handler(handled::add);
  }

  private static void consume(Consumer.Builder builder, Queue<Message> handled) throws InterruptedException {
    try (Consumer consumer = builder.build()) {
      consumer.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (handled.size() < MESSAGES) {
        assertThat(System.nanoTime()).as("all messages handled in time").isLessThan(deadline);
        Thread.sleep(10);
      }
    }
  }

  @Test
  void hooks_askForWhatTheyRead_theUserForNothing() throws Exception {
    String url = sqs.createQueue("narrow-hooked", Map.of("VisibilityTimeout", "30"));
    Span producer = send(url);
    Queue<Message> handled = new ConcurrentLinkedQueue<>();
    Consumer.Builder builder = builder(url, handled);
    ConsumerTracing.installOn(builder, otel);
    ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    try (Consumer consumer = builder.build()) {
      metrics.bindTo(registry);
      consumer.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (handled.size() < MESSAGES) {
        assertThat(System.nanoTime()).as("all messages handled in time").isLessThan(deadline);
        Thread.sleep(10);
      }
    }

    assertThat(handled).hasSize(MESSAGES).allSatisfy(message -> {
      assertThat(message.messageAttributes().keySet()).as("the propagator's fields only")
          .isSubsetOf(Set.of("traceparent", "tracestate")).contains("traceparent");
      assertThat(message.attributes().keySet()).as("the core's, the tracing's and the metrics' only")
          .isSubsetOf(Set.of(Message.APPROXIMATE_RECEIVE_COUNT, Message.MESSAGE_GROUP_ID, "AWSTraceHeader",
              Message.SENT_TIMESTAMP))
          .contains(Message.APPROXIMATE_RECEIVE_COUNT, Message.SENT_TIMESTAMP);
    });
    List<SpanData> spans = exporter.getFinishedSpanItems().stream()
        .filter(span -> span.getKind() == SpanKind.CONSUMER).toList();
    assertThat(spans).hasSize(MESSAGES).allSatisfy(span -> {
      assertThat(span.getTraceId()).isEqualTo(producer.getSpanContext().getTraceId());
      assertThat(span.getParentSpanId()).isEqualTo(producer.getSpanContext().getSpanId());
    });
    assertThat(registry.get("sqs.consumer.time.in.queue").timer().count()).isEqualTo(MESSAGES);
  }

  @Test
  void noHooks_onlyTheCoresAttributes() throws Exception {
    String url = sqs.createQueue("narrow-plain", Map.of("VisibilityTimeout", "30"));
    send(url);
    Queue<Message> handled = new ConcurrentLinkedQueue<>();

    consume(builder(url, handled), handled);

    assertThat(handled).hasSize(MESSAGES).allSatisfy(message -> {
      assertThat(message.messageAttributes()).isEmpty();
      assertThat(message.attributes()).containsOnlyKeys(Message.APPROXIMATE_RECEIVE_COUNT);
      assertThat(message.receiveCount()).isEqualTo(1);
    });
  }
}
