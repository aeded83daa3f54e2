package io.github.sqsconsumer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link BatchHandler} reports: the messages that failed, each with its cause. Messages it does not
 * name succeeded. A cause that is a {@link PermanentFailureException} discards its message.
 *
 * <p>Immutable and thread-safe.
 */
public final class BatchResult {
  private static final BatchResult SUCCESS = new BatchResult(Map.of());

  private final Map<String, Throwable> failures;

  private BatchResult(Map<String, Throwable> failures) {
    this.failures = failures;
  }

  /** Every message of the batch succeeded. */
  public static BatchResult success() {
    return SUCCESS;
  }

  /** Returns a builder for a result with failures. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the failures by message id; never null, unmodifiable. */
  public Map<String, Throwable> failures() {
    return failures;
  }

  /** Returns the cause of this message's failure, or null if it succeeded. */
  public Throwable failureOf(Message message) {
    return failures.get(message.id());
  }

  @Override
  public String toString() {
    return "BatchResult[failures=" + failures.keySet() + "]";
  }

  /** Collects failures; not thread-safe. */
  public static final class Builder {
    private final Map<String, Throwable> failures = new LinkedHashMap<>();

    private Builder() {}

    /** The message failed and is retried after the retry policy's delay. */
    public Builder failed(Message message, Throwable cause) {
      failures.put(message.id(), Objects.requireNonNull(cause, "cause"));
      return this;
    }

    /** The message failed for good: it is acknowledged and reported as discarded. */
    public Builder discarded(Message message, String reason) {
      failures.put(message.id(), new PermanentFailureException(reason));
      return this;
    }

    /** Returns the result. */
    public BatchResult build() {
      return failures.isEmpty() ? SUCCESS : new BatchResult(Map.copyOf(failures));
    }
  }
}
