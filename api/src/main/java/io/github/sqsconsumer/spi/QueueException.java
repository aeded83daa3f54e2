package io.github.sqsconsumer.spi;

import io.github.sqsconsumer.ConsumerException;
import java.util.Objects;

/**
 * A failed queue call, classified so that the core and the harvesters know what to do with it.
 */
public class QueueException extends ConsumerException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure, and so what to do. */
  public enum Kind {
    /** Throttling, a server error, a timeout, a lost connection: retry with backoff. */
    TRANSIENT,
    /** The receipt handle is no longer valid: the message comes back by itself; do not retry. */
    INVALID_RECEIPT,
    /** The queue does not exist, access is denied, the request is malformed: retrying will not help. */
    FATAL
  }

  private final Kind kind;
  private final String code;

  /**
   * Creates the exception.
   *
   * @param kind never null
   * @param code the queue's error code, such as {@code ThrottlingException}; never null (may be empty)
   * @param message what failed; never holds a message body or credentials
   * @param cause the underlying failure, or null
   */
  public QueueException(Kind kind, String code, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.code = Objects.requireNonNull(code, "code");
  }

  /** Returns the kind; never null. */
  public Kind kind() {
    return kind;
  }

  /** Returns the queue's error code, possibly empty; never null. */
  public String code() {
    return code;
  }

  /** Returns true for {@link Kind#TRANSIENT}. */
  public boolean isTransient() {
    return kind == Kind.TRANSIENT;
  }
}
