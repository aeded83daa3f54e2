package io.github.sqsconsumer.jackson;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.MessageAttribute;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A received message with its payload read from JSON: the payload, the message as received, and the SNS
 * notification that carried the payload when the body was an SNS envelope.
 *
 * <p>Immutable, and thread-safe as far as the payload is. {@link #toString()} shows neither the payload
 * nor the body.
 *
 * @param <T> the payload type
 */
public final class JsonMessage<T> {
  private final T payload;
  private final Message message;
  private final SnsNotification sns;

  JsonMessage(T payload, Message message, SnsNotification sns) {
    this.payload = Objects.requireNonNull(payload, "payload");
    this.message = Objects.requireNonNull(message, "message");
    this.sns = sns;
  }

  /** {@return the payload: the body, or the SNS notification's message, read as {@code T}; never null} */
  public T payload() {
    return payload;
  }

  /** {@return the message as received, its body unchanged; never null} Name it in a batch's result. */
  public Message message() {
    return message;
  }

  /** {@return the SNS notification the payload came in, or empty when the body was the payload itself} */
  public Optional<SnsNotification> sns() {
    return Optional.ofNullable(sns);
  }

  /**
   * {@return the attributes the producer set: the SNS notification's message attributes when the body was an
   * SNS envelope, otherwise the message's own} So a handler reads them the same way whether the SNS
   * subscription delivers raw (SNS attributes become message attributes) or in an envelope. Never null,
   * unmodifiable.
   */
  public Map<String, MessageAttribute> attributes() {
    return sns != null ? sns.messageAttributes() : message.messageAttributes();
  }

  @Override
  public String toString() {
    return "JsonMessage[" + message + (sns != null ? ", " + sns : "") + "]";
  }
}
