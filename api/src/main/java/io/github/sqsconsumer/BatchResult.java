package io.github.sqsconsumer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link BatchHandler} reports: the messages that failed, each with its cause. Messages it does not
 * name succeeded. A cause that is a {@link PermanentFailureException} discards its message. A failure
 * names one delivery of a message, as the consumer keys them: its id and its receipt handle
 * ({@link Message#equals}), so a batch holding two deliveries of one message (a redelivery) fails only
 * the one named. Name the {@link Message} objects the handler was given: a failure naming another
 * (rebuilt with another receipt handle) is matched to the batch's deliveries of its message id (each of
 * them, should the batch hold two), with a
 * warning; one naming no message of the batch fails the whole batch, so that nothing meant to fail is
 * deleted.
 *
 * <p>Immutable and thread-safe.
 */
public final class BatchResult {
  private static final BatchResult SUCCESS = new BatchResult(Map.of());

  private final Map<Message, Throwable> failures;

  private BatchResult(Map<Message, Throwable> failures) {
    this.failures = failures;
  }

  /** {@return the result of a batch whose every message succeeded; never null, one shared instance} */
  public static BatchResult success() {
    return SUCCESS;
  }

  /** {@return a builder for a result with failures} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the failures by delivery (message id and receipt handle); never null, unmodifiable} */
  public Map<Message, Throwable> failures() {
    return failures;
  }

  /**
   * {@return the cause of this delivery's failure, or empty if it succeeded; never null}
   *
   * @param message a message of the batch; never null
   */
  public Optional<Throwable> failureOf(Message message) {
    return Optional.ofNullable(failures.get(Objects.requireNonNull(message, "message")));
  }

  @Override
  public String toString() {
    return "BatchResult[failures=" + failures.keySet().stream().map(Message::id).toList() + "]";
  }

  /** Collects failures; not thread-safe. */
  public static final class Builder {
    private final Map<Message, Throwable> failures = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The message failed and is retried after the retry policy's delay.
     *
     * @param message a message of the batch; never null, replaces an earlier outcome for the same delivery
     * @param cause why it failed, handed to the retry policy and the listeners; never null
     * @return this builder
     */
    public Builder failed(Message message, Throwable cause) {
      failures.put(Objects.requireNonNull(message, "message"), Objects.requireNonNull(cause, "cause"));
      return this;
    }

    /**
     * The message failed for good: it is acknowledged and reported as discarded.
     *
     * @param message a message of the batch; never null, replaces an earlier outcome for the same delivery
     * @param reason why it can never succeed, the message of its {@link PermanentFailureException}; never null
     * @return this builder
     */
    public Builder discarded(Message message, String reason) {
      Objects.requireNonNull(message, "message");
      failures.put(message, new PermanentFailureException(Objects.requireNonNull(reason, "reason")));
      return this;
    }

    /** {@return the result} */
    public BatchResult build() {
      return failures.isEmpty() ? SUCCESS : new BatchResult(Map.copyOf(failures));
    }
  }
}
