package io.github.sqsconsumer.jackson;

import io.github.sqsconsumer.BatchHandler;
import io.github.sqsconsumer.MessageHandler;
import java.lang.reflect.Type;
import java.util.Objects;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Typed handlers: reads each message body as JSON into the user's type {@code T} and hands the value to a
 * handler of that type.
 *
 * <pre>{@code
 * Consumer.builder().queue(url).handler(Json.handler(Order.class, order -> orders.place(order)))
 *
 * Consumer.builder().queue(url).handler(Json.of(Order.class)
 *     .unwrapSns()                            // an SNS subscription without raw delivery
 *     .onUnparsable(UnparsableBody.RETRY)     // to the dead-letter queue rather than discarded
 *     .messageHandler(m -> orders.place(m.payload(), m.attributes().get("tenant"))))
 * }</pre>
 *
 * <p>A {@code Json} is an immutable configuration: the type, the {@link ObjectMapper}, whether SNS
 * envelopes are unwrapped, and what becomes of a body that does not read ({@link UnparsableBody#DISCARD}
 * by default). Each {@code with}-style method returns a new configuration; the handler methods make
 * adapters to the api's {@link MessageHandler} and {@link BatchHandler}.
 *
 * <p><b>Failures.</b> A body that Jackson cannot read as {@code T} is the body's fault and is settled by
 * the {@link UnparsableBody} policy, logged at WARN with the message id and where reading failed, never the
 * body; the handler does not see it. An exception that the user's code throws while Jackson reads (a custom
 * deserializer, a validating constructor) is the handler's failure with its own meaning: retried, or
 * discarded if it is a {@link io.github.sqsconsumer.PermanentFailureException}. So is a type that Jackson
 * cannot read at all (no usable constructor): a code defect, retried rather than discarding every message.
 *
 * <p><b>SNS.</b> With {@link #unwrapSns()}, a body that is an SNS message (an object with string
 * {@code Type} and {@code TopicArn}) is unwrapped: its {@code Message} text is read as {@code T}, and the
 * notification with its message attributes is at {@link JsonMessage#sns()} and
 * {@link JsonMessage#attributes()}. A body that is not an SNS message is read as {@code T} itself, so a
 * queue may take raw and enveloped deliveries alike and raw delivery can be switched on without a change
 * of code. An SNS message that is not a {@code Notification} (such as a cross-account
 * {@code SubscriptionConfirmation}) or a malformed envelope does not read.
 *
 * <p><b>Modules.</b> Jackson reads {@code T} by reflection: a named module whose types are payloads opens
 * their package to {@code tools.jackson.databind}.
 *
 * <p>Thread-safe: immutable. The adapters are thread-safe as far as the user's handler is, and are called
 * concurrently by the consumer's worker.
 *
 * @param <T> the payload type
 */
public final class Json<T> {
  private final Type type;
  private final ObjectMapper mapper;
  private final boolean unwrapSns;
  private final UnparsableBody onUnparsable;

  private Json(Type type, ObjectMapper mapper, boolean unwrapSns, UnparsableBody onUnparsable) {
    this.type = type;
    this.mapper = mapper;
    this.unwrapSns = unwrapSns;
    this.onUnparsable = onUnparsable;
  }

  /**
   * Returns the default configuration for a type: Jackson 3's default {@link JsonMapper} (it ignores
   * unknown properties, so a producer may add fields, and fails on trailing content), no SNS unwrapping,
   * and {@link UnparsableBody#DISCARD}.
   *
   * @param <T> the payload's type
   * @param type the payload's class, never null
   * @return the configuration, never null
   */
  public static <T> Json<T> of(Class<T> type) {
    return new Json<>(Objects.requireNonNull(type, "type"), DefaultMapper.INSTANCE, false, UnparsableBody.DISCARD);
  }

  /**
   * Returns the default configuration for a generic type, such as
   * {@code Json.of(new TypeReference<List<Order>>() {})}; see {@link #of(Class)}.
   *
   * @param <T> the payload's type
   * @param type the payload's type, never null
   * @return the configuration, never null
   */
  public static <T> Json<T> of(TypeReference<T> type) {
    return new Json<>(Objects.requireNonNull(type, "type").getType(), DefaultMapper.INSTANCE, false,
        UnparsableBody.DISCARD);
  }

  /**
   * Returns a handler that reads each body as {@code type} with the defaults of {@link #of(Class)}.
   *
   * @param <T> the payload's type
   * @param type the payload's class, never null
   * @param handler the payload handler, never null
   * @return the adapter to hand to {@code Consumer.Builder.handler}, never null
   */
  public static <T> MessageHandler handler(Class<T> type, PayloadHandler<? super T> handler) {
    return of(type).handler(handler);
  }

  /**
   * Returns a handler that reads each body as a generic {@code type} with the defaults of {@link #of(Class)}.
   *
   * @param <T> the payload's type
   * @param type the payload's type, never null
   * @param handler the payload handler, never null
   * @return the adapter to hand to {@code Consumer.Builder.handler}, never null
   */
  public static <T> MessageHandler handler(TypeReference<T> type, PayloadHandler<? super T> handler) {
    return of(type).handler(handler);
  }

  /**
   * Returns a batch handler that reads each body as {@code type} with the defaults of {@link #of(Class)}.
   *
   * @param <T> the payload's type
   * @param type the payload's class, never null
   * @param handler the batch handler, never null
   * @return the adapter to hand to {@code Consumer.Builder.batchHandler}, never null
   */
  public static <T> BatchHandler batchHandler(Class<T> type, JsonBatchHandler<T> handler) {
    return of(type).batchHandler(handler);
  }

  /**
   * Returns this configuration reading with the given mapper: the user's modules, naming strategy or
   * feature settings. Jackson 3 mappers are immutable, so one may be shared with the rest of the
   * application.
   *
   * @param mapper the mapper, never null
   * @return a new configuration, never null
   */
  public Json<T> mapper(ObjectMapper mapper) {
    return new Json<>(type, Objects.requireNonNull(mapper, "mapper"), unwrapSns, onUnparsable);
  }

  /**
   * Returns this configuration unwrapping SNS envelopes: see the class comment.
   *
   * @return a new configuration, never null
   */
  public Json<T> unwrapSns() {
    return new Json<>(type, mapper, true, onUnparsable);
  }

  /**
   * Returns this configuration settling bodies that do not read by the given policy.
   *
   * @param policy {@link UnparsableBody#DISCARD} (the default) or {@link UnparsableBody#RETRY}; never null
   * @return a new configuration, never null
   */
  public Json<T> onUnparsable(UnparsableBody policy) {
    return new Json<>(type, mapper, unwrapSns, Objects.requireNonNull(policy, "policy"));
  }

  /**
   * Returns a handler that reads each body and hands the payload to {@code handler}.
   *
   * @param handler the payload handler, never null
   * @return the adapter to hand to {@code Consumer.Builder.handler}, never null
   */
  public MessageHandler handler(PayloadHandler<? super T> handler) {
    Objects.requireNonNull(handler, "handler");
    return messageHandler(m -> handler.handle(m.payload()));
  }

  /**
   * Returns a handler that reads each body and hands the payload, with its message and SNS notification, to
   * {@code handler}.
   *
   * @param handler the handler, never null
   * @return the adapter to hand to {@code Consumer.Builder.handler}, never null
   */
  public MessageHandler messageHandler(JsonMessageHandler<T> handler) {
    return new TypedHandler<>(reader(), Objects.requireNonNull(handler, "handler"));
  }

  /**
   * Returns a batch handler that reads each body, settles those that do not read on their own, and hands the
   * rest to {@code handler}: one bad body fails only its own message.
   *
   * @param handler the batch handler, never null
   * @return the adapter to hand to {@code Consumer.Builder.batchHandler}, never null
   */
  public BatchHandler batchHandler(JsonBatchHandler<T> handler) {
    return new TypedBatchHandler<>(reader(), Objects.requireNonNull(handler, "handler"));
  }

  private BodyReader<T> reader() {
    return new BodyReader<>(mapper, type, unwrapSns, onUnparsable);
  }

  @Override
  public String toString() {
    return "Json[" + type.getTypeName() + (unwrapSns ? ", unwrapSns" : "") + ", onUnparsable=" + onUnparsable + "]";
  }

  /** Jackson 3's defaults, built on first use. */
  private static final class DefaultMapper {
    static final ObjectMapper INSTANCE = JsonMapper.builder().build();
  }
}
