package io.github.sqsconsumer;

/**
 * Thrown by a handler for a message that can never succeed (malformed, no longer relevant): the message is
 * acknowledged, as if it had succeeded, and reported to {@link ConsumerListener#onDiscarded} instead of
 * being retried until the queue's redrive policy moves it.
 */
public class PermanentFailureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * With a message saying why the message is discarded.
   *
   * @param message why the message is discarded, reported with it; never holds its body
   */
  public PermanentFailureException(String message) {
    super(message);
  }

  /**
   * With a message and the cause.
   *
   * @param message why the message is discarded, reported with it; never holds its body
   * @param cause the underlying failure, or null if there is none
   */
  public PermanentFailureException(String message, Throwable cause) {
    super(message, cause);
  }
}
