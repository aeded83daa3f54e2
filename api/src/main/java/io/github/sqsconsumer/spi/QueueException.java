package io.github.sqsconsumer.spi;

import io.github.sqsconsumer.ConsumerException;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A failed queue call, classified so that the core and the harvesters know what to do with it.
 *
 * <p>{@link #kindOf(Throwable)} is the one rule for failures that are not classified: the core, the
 * heartbeat and the harvesters all read a failure through it.
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

  /** What to do about the failure; serialized with the exception. */
  private final Kind kind;
  /** The queue's error code, possibly empty; serialized with the exception. */
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

  /** {@return the kind; never null} */
  public Kind kind() {
    return kind;
  }

  /** {@return the queue's error code, possibly empty; never null} */
  public String code() {
    return code;
  }

  /**
   * Returns what kind of failure {@code failure} is: its own kind if it is a {@code QueueException} (once
   * unwrapped from the {@link CompletionException} or {@link ExecutionException} of a future), and
   * {@link Kind#TRANSIENT} for anything else. An unclassified failure is a port's bug or an unexpected
   * fault, not the queue's verdict: retrying it a bounded number of times loses nothing, while treating it
   * as fatal would lose an acknowledgement. Callable from any thread.
   *
   * @param failure never null
   * @return the kind; never null
   */
  public static Kind kindOf(Throwable failure) {
    Throwable cause = Objects.requireNonNull(failure, "failure");
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof QueueException e ? e.kind : Kind.TRANSIENT;
  }

  /** {@return true for {@link Kind#TRANSIENT}} */
  public boolean isTransient() {
    return kind == Kind.TRANSIENT;
  }
}
