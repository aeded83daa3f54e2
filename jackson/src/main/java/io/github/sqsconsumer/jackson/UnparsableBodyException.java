package io.github.sqsconsumer.jackson;

import java.lang.reflect.Type;
import java.util.Objects;

/**
 * A message body did not read as the handler's type. Its message names the message id, the type and where
 * reading failed (Jackson's exception kind, line and column, and the path of property names), never any
 * part of the body; for the same reason Jackson's own exception, whose message quotes the body, is not
 * its cause.
 *
 * <p>Thrown by the adapters of {@link Json} under {@link UnparsableBody#RETRY}, and the cause of the
 * {@link io.github.sqsconsumer.PermanentFailureException} they throw under {@link UnparsableBody#DISCARD}; a
 * {@link io.github.sqsconsumer.ConsumerListener} sees it there. Immutable.
 */
public final class UnparsableBodyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The id of the message whose body did not read; serialized with the exception. */
  private final String messageId;
  private final transient Type payloadType;

  UnparsableBodyException(String messageId, Type payloadType, String reason) {
    super("message " + messageId + ": the body is not a valid " + payloadType.getTypeName() + ": " + reason);
    this.messageId = Objects.requireNonNull(messageId, "messageId");
    this.payloadType = payloadType;
  }

  /** {@return the id of the message whose body did not read; never null} */
  public String messageId() {
    return messageId;
  }

  /** {@return the type the body was read as; never null (except after deserialization of this exception)} */
  public Type payloadType() {
    return payloadType;
  }
}
