package io.github.sqsconsumer.spi;

import io.github.sqsconsumer.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The queue side of a consumer: receives messages and, as a {@link QueuePort}, deletes them and changes
 * their visibility.
 *
 * <p>The consumer core calls {@link #open()} once, then {@link #receive} from several poll threads at once,
 * and the port methods from any thread; {@link #close()} once, last. Implementations must be thread-safe.
 * A runner classifies its failures as {@link QueueException}s: the core retries
 * {@link QueueException.Kind#TRANSIENT} ones with backoff and fails {@code start()} on
 * {@link QueueException.Kind#FATAL} ones.
 */
public interface Runner extends QueuePort, AutoCloseable {

  /**
   * Connects: resolves the queue and reads what the core needs to know of it. Blocks.
   *
   * @return the queue's facts, never null
   * @throws QueueException of kind {@link QueueException.Kind#FATAL} with a clear message if the queue does
   *     not exist or access is denied; of kind {@link QueueException.Kind#TRANSIENT} if it may work later
   */
  QueueInfo open();

  /**
   * Receives up to {@code maxMessages} messages, waiting up to {@code waitTime} for the first (long
   * polling), and hides them for {@code visibilityTimeout} from the receive (SQS's {@code VisibilityTimeout}
   * of ReceiveMessage): the core's heartbeat and its record of when each message's visibility runs out
   * count on that timeout, not the queue's. Does not block the caller.
   *
   * <p>Cancelling the returned future ({@code cancel(true)}) must free the caller at once; the core does
   * so at shutdown. The request itself need not end there: a long poll whose connection is cut still takes
   * messages on the server (SQS and ElasticMQ hand them to it until its wait time ends), and those would
   * stay invisible for their visibility timeout with a receive counted, so a runner should let it run to
   * its answer rather than abort it. The core never sees the messages of a cancelled receive, so they are
   * the runner's: messages that arrive for a receive whose future was cancelled first must be released at
   * once, their visibility changed to zero, never dropped. So a runner checks whether completing the
   * future took, and releases what it could not hand over.
   *
   * <p>The returned future must complete: a runner bounds its requests with timeouts of its own. A receive
   * still unanswered two minutes after its {@code waitTime} is cancelled by the core, as at shutdown, and
   * counted as a failed receive (logged at WARN, retried with backoff).
   *
   * @param maxMessages between 1 and {@link #MAX_BATCH_SIZE}
   * @param waitTime between zero and 20 seconds
   * @param visibilityTimeout between 1 second and 12 hours: the consumer's configured timeout, or the
   *     queue's own ({@link QueueInfo#visibilityTimeout()}) when none is configured
   * @return the messages (possibly none), with the system and message attributes the runner's context asks
   *     for ({@link RunnerContext#receiveAttributes()}); completes exceptionally with a {@link QueueException}
   */
  CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime, Duration visibilityTimeout);

  /**
   * Releases what the runner holds (its client, if it made it). Called once, after all other calls. May
   * wait for cancelled receives ({@link #receive}) to end and their releases to be answered, for a bounded
   * time that the runner documents: {@code Consumer.close()} returns that much later at most.
   */
  @Override
  void close();
}
