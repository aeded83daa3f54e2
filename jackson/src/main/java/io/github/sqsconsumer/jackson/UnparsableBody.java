package io.github.sqsconsumer.jackson;

/**
 * What becomes of a message whose body does not read as the handler's type: malformed JSON, JSON of
 * another shape, JSON {@code null}, or (when unwrapping SNS envelopes) a malformed envelope or an SNS
 * message that is not a notification. The user's handler never sees such a message.
 *
 * <p>Either way the adapter logs one WARN line naming the message id and where reading failed, never the
 * body, and the failure reaches the consumer's listener as an {@link UnparsableBodyException} (the cause of
 * a {@link io.github.sqsconsumer.PermanentFailureException} when discarded).
 */
public enum UnparsableBody {
  /**
   * Acknowledge and discard the message, as for a {@link io.github.sqsconsumer.PermanentFailureException}:
   * the same body will never read on a retry. The default.
   */
  DISCARD,

  /**
   * Fail the message like any handler failure, so it is retried after the retry policy's delay and, with a
   * redrive policy on the queue, ends in the dead-letter queue where it can be inspected.
   */
  RETRY
}
