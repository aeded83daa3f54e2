package io.github.sqsconsumer.opentelemetry;

import io.github.sqsconsumer.BatchResult;
import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.HandlerHook;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.MessageAttribute;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * OpenTelemetry tracing for one consumer: a {@link SpanKind#CONSUMER} span around every handler call, named
 * {@code process <queue>} after the OpenTelemetry messaging semantic conventions, current while the handler
 * runs, so the handler's own calls join the trace.
 *
 * <pre>{@code
 * Consumer.Builder builder = Consumer.builder().queue(url).handler(handler);
 * ConsumerTracing.installOn(builder, openTelemetry);
 * Consumer consumer = builder.build();
 * }</pre>
 *
 * <p>The span of a single message has the sender's context as its parent: read from the message attributes
 * with the OpenTelemetry instance's text-map propagator (W3C {@code traceparent} and {@code tracestate}
 * with the usual configuration), or else from the {@code AWSTraceHeader} system attribute (AWS X-Ray's
 * format, which SQS fills in for senders traced by X-Ray). The span of a batch has the thread's current
 * context as its parent and a link to each message's context instead, up to 128 links (the SDK's default
 * limit per span) for the batches of up to 10,000 that a batching window gathers. The hook asks the consumer's
 * receives for what it reads: the propagator's fields as message attributes ({@link
 * TextMapPropagator#fields()}) and the {@code AWSTraceHeader} system attribute, whatever the user narrowed
 * with {@link Consumer.Builder#messageAttributeNames} and {@link Consumer.Builder#systemAttributeNames}; so
 * nothing needs configuring for them to arrive, and a consumer without tracing does not receive them.
 *
 * <p>Attributes: {@code messaging.system} = {@code aws_sqs}, {@code messaging.operation.name} and
 * {@code messaging.operation.type} = {@code process}, {@code messaging.destination.name} (the
 * {@linkplain Consumer#queueName() queue's name}), {@code messaging.message.id} for a single message, and
 * {@code messaging.batch.message_count} for a batch. A failure (the handler threw, or a batch reported
 * failed messages) sets the status to error and {@code error.type} to the exception's class name, and a
 * thrown exception is recorded as an event.
 *
 * <p>One instance serves one consumer. Thread-safe.
 */
public final class ConsumerTracing {
  /** The instrumentation scope's name. */
  public static final String INSTRUMENTATION_NAME = "io.github.sqsconsumer.opentelemetry";
  /** The system attribute SQS carries an AWS X-Ray trace header in. */
  public static final String AWS_TRACE_HEADER = "AWSTraceHeader";

  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
  static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  /**
   * The most links a batch's span carries: the OpenTelemetry SDK's default limit per span, which drops the
   * rest anyway; reading the contexts of a 10,000-message batch beyond it would be work for nothing.
   */
  static final int MAX_LINKS = 128;
  static final AttributeKey<Long> BATCH_COUNT = AttributeKey.longKey("messaging.batch.message_count");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  /** Reads propagation fields from a message's string attributes. */
  private static final TextMapGetter<Message> ATTRIBUTES = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Message message) {
      return message.messageAttributes().keySet();
    }

    @Override
    public String get(Message message, String key) {
      if (message == null) {
        return null;
      }
      MessageAttribute attribute = message.messageAttributes().get(key);
      return attribute == null || attribute.isBinary() ? null : attribute.stringValue();
    }
  };

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final Set<String> fields; // the message attributes the propagator reads
  private volatile String queue; // set once, by the builder's build() (Hook#attached)

  private ConsumerTracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    this.fields = Set.copyOf(propagator.fields());
  }

  /**
   * Installs tracing on the builder; the consumer it builds next is traced.
   *
   * @param builder never null
   * @param openTelemetry where spans go and how contexts are read from messages; never null
   * @return the tracing, never null
   */
  public static ConsumerTracing installOn(Consumer.Builder builder, OpenTelemetry openTelemetry) {
    ConsumerTracing tracing = new ConsumerTracing(Objects.requireNonNull(openTelemetry, "openTelemetry"));
    Objects.requireNonNull(builder, "builder").hook(tracing.new Hook());
    return tracing;
  }

  /** Returns the context the sender of {@code message} propagated, or the root context if none. */
  Context senderContext(Message message) {
    Context context = propagator.extract(Context.root(), message, ATTRIBUTES);
    if (Span.fromContext(context).getSpanContext().isValid()) {
      return context;
    }
    String header = message.attributes().get(AWS_TRACE_HEADER);
    SpanContext xray = header == null ? null : XRayTraceHeader.parse(header);
    return xray == null ? context : context.with(Span.wrap(xray));
  }

  /** A span and the scope that makes it current, from before() to after(). */
  private record Traced(Span span, Scope scope) {}

  /** Starts, makes current and ends the spans. */
  private final class Hook implements HandlerHook {
    @Override
    public void attached(Consumer consumer) {
      synchronized (ConsumerTracing.this) {
        if (queue != null) {
          throw new IllegalStateException("this tracing traces a consumer already: a builder's hooks serve "
              + "every consumer it builds; install a new ConsumerTracing on a fresh builder for each consumer, "
              + "such as a copy() of a template builder");
        }
        queue = consumer.queueName();
      }
    }

    /** Asks for the X-Ray header. */
    @Override
    public Set<String> systemAttributeNames() {
      return Set.of(AWS_TRACE_HEADER);
    }

    /** Asks for the propagator's fields (with the W3C propagators: traceparent, tracestate, baggage). */
    @Override
    public Set<String> messageAttributeNames() {
      return fields;
    }

    @Override
    public Object before(List<Message> messages) {
      String destination = queue;
      SpanBuilder builder = tracer.spanBuilder("process " + destination)
          .setSpanKind(SpanKind.CONSUMER)
          .setAttribute(SYSTEM, "aws_sqs")
          .setAttribute(OPERATION_NAME, "process")
          .setAttribute(OPERATION_TYPE, "process")
          .setAttribute(DESTINATION, destination);
      Context parent;
      if (messages.size() == 1) {
        Message message = messages.get(0);
        parent = senderContext(message);
        builder.setAttribute(MESSAGE_ID, message.id());
      } else {
        parent = Context.current();
        builder.setAttribute(BATCH_COUNT, (long) messages.size());
        int links = 0;
        for (int i = 0; i < messages.size() && links < MAX_LINKS; i++) { // [links <= MAX_LINKS]
          SpanContext sender = Span.fromContext(senderContext(messages.get(i))).getSpanContext();
          if (sender.isValid()) {
            builder.addLink(sender);
            links++;
          }
        }
      }
      Span span = builder.setParent(parent).startSpan();
      return new Traced(span, parent.with(span).makeCurrent());
    }

    @Override
    public void after(List<Message> messages, Object state, Throwable failure, BatchResult result) {
      if (!(state instanceof Traced traced)) {
        return;
      }
      Span span = traced.span();
      try {
        traced.scope().close();
        if (failure != null) {
          span.recordException(failure);
          span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
          span.setAttribute(ERROR_TYPE, failure.getClass().getName());
        } else if (result != null && !result.failures().isEmpty()) {
          Throwable first = result.failures().values().iterator().next();
          span.setStatus(StatusCode.ERROR, result.failures().size() + " of " + messages.size()
              + " messages failed");
          span.setAttribute(ERROR_TYPE, first.getClass().getName());
        }
      } finally {
        span.end();
      }
    }
  }
}
