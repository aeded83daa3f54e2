package io.github.sqsconsumer;

/**
 * The consumer could not start or run: for example the queue does not exist, access was denied, or no
 * provider was found for a part. The message says what and how to fix it.
 */
public class ConsumerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a message. */
  public ConsumerException(String message) {
    super(message);
  }

  /** With a message and the cause. */
  public ConsumerException(String message, Throwable cause) {
    super(message, cause);
  }
}
