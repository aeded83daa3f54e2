package io.github.sqsconsumer.jackson;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.PermanentFailureException;
import java.lang.reflect.Type;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.exc.InvalidDefinitionException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Reads a message's body, or the payload of its SNS envelope, as {@code T}, and sorts what goes wrong
 * into the body's fault and the code's.
 *
 * <p>Whose fault: a failure Jackson finds in the input (malformed JSON, a mismatched shape, an invalid
 * value such as a date that is no date, JSON {@code null}) is the body's: it fails again on every retry, so it becomes an
 * {@link UnparsableBodyException} settled by the {@link UnparsableBody} policy. A failure of code is
 * thrown as the handler's failure with its own meaning: an exception thrown by the user's code inside
 * Jackson (a custom deserializer, a constructor; Jackson wraps it, this unwraps it), so it is retried
 * unless it is a {@link PermanentFailureException}; and an {@link InvalidDefinitionException} (the type
 * cannot be read from any body), so a wrong type definition sends messages to the dead-letter queue
 * rather than discarding them all.
 *
 * <p>Thread-safe: immutable, and Jackson's readers are.
 */
final class BodyReader<T> {
  private static final Logger LOG = LoggerFactory.getLogger(BodyReader.class);

  private final ObjectMapper mapper;
  private final ObjectReader reader;
  private final Type type;
  private final boolean unwrapSns;
  private final UnparsableBody onUnparsable;

  BodyReader(ObjectMapper mapper, Type type, boolean unwrapSns, UnparsableBody onUnparsable) {
    this.mapper = mapper;
    this.reader = mapper.readerFor(mapper.constructType(type));
    this.type = type;
    this.unwrapSns = unwrapSns;
    this.onUnparsable = onUnparsable;
  }

  /**
   * Reads the message.
   *
   * @throws UnparsableBodyException if the body does not read as {@code T}
   * @throws Exception a failure of code (see the class comment)
   */
  JsonMessage<T> read(Message message) throws Exception {
    String json = message.body();
    SnsNotification sns = null;
    if (unwrapSns) {
      JsonNode root = read(message, json, "", true);
      if (SnsEnvelope.isSnsMessage(root)) {
        sns = SnsEnvelope.notification(root, reason -> unparsable(message, reason));
        json = SnsEnvelope.payload(root);
      }
      // not an SNS message: the body is the payload, so one queue takes raw and enveloped deliveries
    }
    T payload = read(message, json, sns != null ? " in the SNS Message" : "", false);
    if (payload == null) {
      throw unparsable(message, sns != null ? "the SNS Message is JSON null" : "it is JSON null");
    }
    return new JsonMessage<>(payload, message, sns);
  }

  @SuppressWarnings("unchecked")
  private <R> R read(Message message, String json, String where, boolean tree) throws Exception {
    try {
      return tree ? (R) mapper.readTree(json) : reader.readValue(json);
    } catch (InvalidDefinitionException e) {
      throw e;
    } catch (MismatchedInputException e) {
      // the input does not fit the type, whatever Jackson's own deserializer found underneath: a java.time
      // value or a URI fails with the JDK parser's exception as the cause, and is no less the body's fault
      throw unparsable(message, describe(e) + where);
    } catch (JacksonException e) {
      Throwable own = userCause(e);
      if (own == null) {
        throw unparsable(message, describe(e) + where);
      }
      if (own instanceof Exception exception) {
        throw exception;
      }
      throw (Error) own;
    }
  }

  /** Returns the first cause that is not Jackson's: an exception of the user's code, or null. */
  private static Throwable userCause(JacksonException e) {
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (!(t instanceof JacksonException)) {
        return t;
      }
    }
    return null;
  }

  /**
   * Where reading failed, quoting nothing of the body: Jackson's exception kind, line and column, and the
   * path of property names and indexes (a map's key is data, so it shows as {@code [*]}).
   */
  private static String describe(JacksonException e) {
    StringBuilder sb = new StringBuilder(e.getClass().getSimpleName());
    TokenStreamLocation location = e.getLocation();
    if (location != null && location.getLineNr() > 0) {
      sb.append(" at line ").append(location.getLineNr()).append(", column ").append(location.getColumnNr());
    }
    if (!e.getPath().isEmpty()) {
      sb.append(", path $");
      for (JacksonException.Reference reference : e.getPath()) {
        Object from = reference.from();
        boolean map = from instanceof Map<?, ?> || from instanceof Class<?> c && Map.class.isAssignableFrom(c);
        if (reference.getPropertyName() != null) {
          sb.append(map ? "[*]" : "." + reference.getPropertyName());
        } else if (reference.getIndex() >= 0) {
          sb.append('[').append(reference.getIndex()).append(']');
        } else {
          sb.append("[?]");
        }
      }
    }
    return sb.toString();
  }

  private UnparsableBodyException unparsable(Message message, String reason) {
    return new UnparsableBodyException(message.id(), type, reason);
  }

  /**
   * Logs an unparsable body and returns what the handler throws for it under the policy: a
   * {@link PermanentFailureException} (the message is discarded) or the exception itself (retried).
   */
  RuntimeException settle(UnparsableBodyException e, Message message) {
    switch (onUnparsable) {
      case DISCARD -> {
        LOG.warn("{}; discarded", e.getMessage());
        return new PermanentFailureException(e.getMessage(), e);
      }
      case RETRY -> {
        LOG.warn("{}; retried (received {} times)", e.getMessage(), message.receiveCount());
        return e;
      }
      default -> throw new AssertionError(onUnparsable);
    }
  }
}
