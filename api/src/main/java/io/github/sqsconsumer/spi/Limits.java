package io.github.sqsconsumer.spi;

import java.time.Duration;

/**
 * The limits every part keeps, declared once: those of Amazon SQS, and the consumer's ceilings (concurrency,
 * batch size, batching window). The public constants of the user API ({@code Consumer.Builder.MAX_CONCURRENCY},
 * {@code Consumer.Builder.MAX_WAIT_TIME}, {@code Consumer.Builder.MAX_BATCH_SIZE},
 * {@code Consumer.Builder.MAX_BATCH_WINDOW}, {@code RetryPolicy.MAX_DELAY}) and {@link QueuePort#MAX_BATCH_SIZE}
 * are these values under the names their callers look for.
 *
 * <p>Constants only; not instantiable.
 */
public final class Limits {
  /**
   * The longest visibility timeout SQS accepts, for a receive or a change; also how long SQS keeps a message
   * hidden at most after the receive that brought it.
   */
  public static final Duration MAX_VISIBILITY = Duration.ofHours(12);

  /** The longest long poll SQS accepts: a receive waits at most this long for its first message. */
  public static final Duration MAX_WAIT_TIME = Duration.ofSeconds(20);

  /** The most messages one receive returns and one batch request (delete, change visibility) carries. */
  public static final int MAX_BATCH_SIZE = 10;

  /**
   * The most handlers a consumer runs at once. A ceiling of the library, not of SQS: far above what one
   * process keeps busy, yet low enough that sizes derived from it (buffers, pools) stay small.
   */
  public static final int MAX_CONCURRENCY = 10_000;

  /**
   * The most messages one batch handler call receives, assembled from several receives: a ceiling of the
   * library, as Lambda's for its SQS event source, so that one batch stays a unit a handler can work through.
   */
  public static final int MAX_HANDLER_BATCH_SIZE = 10_000;

  /**
   * The longest batching window: how long a batch may gather messages from its first one on (Lambda's
   * limit), short beside the visibility the heartbeat keeps up meanwhile.
   */
  public static final Duration MAX_BATCH_WINDOW = Duration.ofMinutes(5);

  /** The largest message SQS accepts, body and attributes: 256 KiB. */
  public static final int MAX_MESSAGE_BYTES = 256 * 1024;

  private Limits() {}
}
