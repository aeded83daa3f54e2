package io.github.sqsconsumer.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.BatchResult;
import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.MessageAttribute;
import io.github.sqsconsumer.RetryPolicy;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The consumer spans on the in-memory queue: parents from W3C attributes or X-Ray, failures, batches. */
@Timeout(60)
final class ConsumerTracingTest {
  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String PARENT = "b7ad6b7169203331";

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
      .build();
  private final InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofMinutes(5));

  @AfterEach
  void close() {
    otel.close();
  }

  private Consumer.Builder builder() {
    return Consumer.builder().name("billing").runner(queue.runner()).worker("semaphore").harvester("batch")
        .queue(queue.name()).concurrency(1)
        .waitTime(Duration.ofMillis(200)).retryPolicy(RetryPolicy.fixed(Duration.ofMinutes(10)));
  }

  /** Runs the consumer until {@code spans} spans ended; returns them in the order they ended. */
  private List<SpanData> consume(Consumer.Builder builder, int spans) throws InterruptedException {
    ConsumerTracing.installOn(builder, otel);
    try (Consumer consumer = builder.build()) {
      consumer.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (exporter.getFinishedSpanItems().size() < spans) {
        assertThat(System.nanoTime()).as("spans ended in time").isLessThan(deadline);
        Thread.sleep(5);
      }
    }
    return exporter.getFinishedSpanItems();
  }

  private static Map<String, MessageAttribute> traceparent(String trace, String parent) {
    return Map.of("traceparent", MessageAttribute.ofString("String", "00-" + trace + "-" + parent + "-01"),
        "tracestate", MessageAttribute.ofString("String", "vendor=value"));
  }

  @Test
  void span_w3cAttributes_childOfTheSender_currentInTheHandler() throws Exception {
    String id = queue.send("hello", Map.of(), traceparent(TRACE, PARENT));
    Queue<SpanContext> inHandler = new ConcurrentLinkedQueue<>();

    List<SpanData> spans = consume(builder().handler(m -> inHandler.add(Span.current().getSpanContext())), 1);

    SpanData span = spans.get(0);
    assertThat(span.getName()).isEqualTo("process orders");
    assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(span.getTraceId()).isEqualTo(TRACE);
    assertThat(span.getParentSpanId()).isEqualTo(PARENT);
    assertThat(span.getParentSpanContext().isRemote()).isTrue();
    assertThat(span.getSpanContext().getTraceState().get("vendor")).isEqualTo("value");
    assertThat(span.getAttributes().get(ConsumerTracing.SYSTEM)).isEqualTo("aws_sqs");
    assertThat(span.getAttributes().get(ConsumerTracing.OPERATION_NAME)).isEqualTo("process");
    assertThat(span.getAttributes().get(ConsumerTracing.OPERATION_TYPE)).isEqualTo("process");
    assertThat(span.getAttributes().get(ConsumerTracing.DESTINATION)).isEqualTo("orders");
    assertThat(span.getAttributes().get(ConsumerTracing.MESSAGE_ID)).isEqualTo(id);
    assertThat(span.getAttributes().get(ConsumerTracing.BATCH_COUNT)).isNull();
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(inHandler).containsExactly(span.getSpanContext());
  }

  @Test
  void span_awsTraceHeader_childOfTheXRayParent() throws Exception {
    queue.send("hello", Map.of(ConsumerTracing.AWS_TRACE_HEADER,
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"), Map.of());

    SpanData span = consume(builder().handler(m -> {}), 1).get(0);

    assertThat(span.getTraceId()).isEqualTo("5759e988bd862e3fe1be46a994272793");
    assertThat(span.getParentSpanId()).isEqualTo("53995c3f42cd8ad8");
    assertThat(span.getSpanContext().isSampled()).isTrue();
  }

  @Test
  void span_bothPresent_w3cWins() throws Exception {
    queue.send("hello", Map.of(ConsumerTracing.AWS_TRACE_HEADER,
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"), traceparent(TRACE, PARENT));

    SpanData span = consume(builder().handler(m -> {}), 1).get(0);

    assertThat(span.getTraceId()).isEqualTo(TRACE);
    assertThat(span.getParentSpanId()).isEqualTo(PARENT);
  }

  @Test
  void span_noContext_newTrace() throws Exception {
    queue.send("hello");

    SpanData span = consume(builder().handler(m -> {}), 1).get(0);

    assertThat(span.getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void span_handlerThrows_failureRecorded() throws Exception {
    queue.send("hello", Map.of(), traceparent(TRACE, PARENT));

    SpanData span = consume(builder().handler(m -> {
      throw new IllegalStateException("boom");
    }), 1).get(0);

    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(ConsumerTracing.ERROR_TYPE))
        .isEqualTo(IllegalStateException.class.getName());
    assertThat(span.getEvents()).singleElement()
        .satisfies(event -> assertThat(event.getName()).isEqualTo("exception"));
  }

  @Test
  void span_batch_linksEachMessagesContext() throws Exception {
    String second = "1bf7651916cd43dd8448eb211c80319c";
    queue.send("a", Map.of(), traceparent(TRACE, PARENT));
    queue.send("b", Map.of(), traceparent(second, "c7ad6b7169203331"));
    queue.send("c");

    SpanData span = consume(builder().batchSize(3).batchHandler(batch -> batch.size() == 3
        ? BatchResult.builder().failed(batch.get(0), new IllegalArgumentException("bad")).build()
        : BatchResult.success()), 1).get(0);

    assertThat(span.getAttributes().get(ConsumerTracing.BATCH_COUNT)).isEqualTo(3);
    assertThat(span.getAttributes().get(ConsumerTracing.MESSAGE_ID)).isNull();
    assertThat(span.getParentSpanContext().isValid()).isFalse();
    assertThat(span.getLinks()).extracting(LinkData::getSpanContext)
        .extracting(SpanContext::getTraceId, SpanContext::getSpanId)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(TRACE, PARENT),
            org.assertj.core.groups.Tuple.tuple(second, "c7ad6b7169203331"));
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getStatus().getDescription()).isEqualTo("1 of 3 messages failed");
  }

  /** A batch gathered within a window links at most MAX_LINKS senders, even where the SDK would keep more. */
  @Test
  void span_bigBatch_linksAtMostMaxLinks() throws Exception {
    int messages = 300;
    for (int i = 1; i <= messages; i++) {
      queue.send("m" + i, Map.of(), traceparent(String.format("%032x", i), String.format("%016x", i)));
    }
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    SpanData span;
    try (OpenTelemetrySdk generous = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans))
            .setSpanLimits(SpanLimits.builder().setMaxNumberOfLinks(10_000).build()).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build()) {
      Consumer.Builder builder = builder().batchSize(messages).batchWindow(Duration.ofSeconds(30))
          .batchHandler(batch -> BatchResult.success());
      ConsumerTracing.installOn(builder, generous);
      try (Consumer consumer = builder.build()) {
        consumer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (spans.getFinishedSpanItems().size() < 1) {
          assertThat(System.nanoTime()).as("span ended in time").isLessThan(deadline);
          Thread.sleep(5);
        }
      }
      span = spans.getFinishedSpanItems().get(0); // before the SDK's close clears the exporter
    }

    assertThat(span.getAttributes().get(ConsumerTracing.BATCH_COUNT)).isEqualTo(messages);
    assertThat(span.getLinks()).hasSize(ConsumerTracing.MAX_LINKS);
  }

  @Test
  void xRayHeader_malformedOrWithoutParent_noParent() {
    assertThat(XRayTraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")).isNull();
    assertThat(XRayTraceHeader.parse("Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8"))
        .isNull();
    assertThat(XRayTraceHeader.parse("Root=1-5759e988bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8"))
        .isNull();
    assertThat(XRayTraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=xyz")).isNull();
    assertThat(XRayTraceHeader.parse("garbage")).isNull();
    SpanContext parsed = XRayTraceHeader.parse(
        " Parent=53995c3f42cd8ad8 ; Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=a:1;Sampled=0");
    assertThat(parsed.getTraceId()).isEqualTo("5759e988bd862e3fe1be46a994272793");
    assertThat(parsed.isSampled()).isFalse();
    assertThat(parsed.isRemote()).isTrue();
  }

  @Test
  void senderContext_binaryTraceparent_ignored() {
    ConsumerTracing tracing = ConsumerTracing.installOn(builder(), otel);
    Message message = Message.builder().id("1").body("").receiptHandle("r")
        .messageAttribute("traceparent", MessageAttribute.ofBinary("Binary", new byte[] {1})).build();

    assertThat(Span.fromContext(tracing.senderContext(message)).getSpanContext().isValid()).isFalse();
  }
}
