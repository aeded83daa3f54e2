package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's port as the harvester and the heartbeat see it: every answer comes within a deadline. An
 * answer not done by then fails with a {@link TimeoutException} (a transient failure: the caller retries or
 * reports it as it does any) and the runner's future is cancelled, so the runner may abort the request; a
 * later answer is ignored. Without it a runner whose future never completes would hold the harvester's room
 * for good (every handler then waits in its acknowledgement) and leave an extension under way for ever.
 *
 * <p>The deadline is set on a copy of the runner's future, so the runner's own is only ever cancelled. An
 * answer done when the call returns (an in-process queue) is passed on as it is: no copy, no timer. What the
 * runner throws or a null it returns passes through too; the callers report both. Stateless beyond its
 * settings, so thread-safe.
 *
 * <p>Receives are bounded in Polling instead: a receive's answer that comes just as its deadline passes
 * carries messages, which must reach the consumer or be released by the runner, so the poller cancels
 * first and reads the answer when the cancel comes too late; for a delete or a visibility change a late
 * answer is only ignored.
 */
final class DeadlinePort implements QueuePort {
  /**
   * The deadline of a delete or a release sent through the harvester: beyond what a runner's own timeouts
   * and retries take (the SQS client's default of three attempts, each bounded by its read timeout, stays
   * under it). Documented in QueuePort.
   */
  static final Duration SEND_DEADLINE = Duration.ofMinutes(2);

  private static final Logger LOG = LoggerFactory.getLogger(DeadlinePort.class);

  private final String name;
  private final QueuePort port;
  private final long deadlineNanos;

  /** {@code name} is the consumer's, for the log. */
  DeadlinePort(String name, QueuePort port, Duration deadline) {
    this.name = name;
    this.port = port;
    this.deadlineNanos = deadline.toNanos();
  }

  @Override
  public CompletableFuture<BatchReply> deleteBatch(List<Message> messages) {
    return bounded(port.deleteBatch(messages), "batch of deletes");
  }

  @Override
  public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
    return bounded(port.changeVisibilityBatch(changes), "batch of visibility changes");
  }

  @Override
  public CompletableFuture<Void> delete(Message message) {
    return bounded(port.delete(message), "delete");
  }

  @Override
  public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
    return bounded(port.changeVisibility(message, visibility), "visibility change");
  }

  /**
   * [the runner's future is cancelled before the caller hears of the timeout]: the caller's future is
   * completed only after the cancel, so a caller that retries or reports on the timeout never finds the
   * runner's call still open. The caller sees what the copy saw: the value, the runner's failure as the
   * copy wraps it, or the TimeoutException.
   */
  private <T> CompletableFuture<T> bounded(CompletableFuture<T> answer, String what) {
    if (answer == null || answer.isDone()) {
      return answer;
    }
    CompletableFuture<T> bounded = new CompletableFuture<>();
    answer.copy().orTimeout(deadlineNanos, TimeUnit.NANOSECONDS).whenComplete((value, failure) -> {
      if (failure instanceof TimeoutException) {
        answer.cancel(true);
        // the caller retries it or reports it as any failure, and logs it as such, so not again here: a
        // queue that stops answering would otherwise add a line per request
        failure = new TimeoutException("the queue did not answer a " + what + " within "
            + TimeUnit.NANOSECONDS.toMillis(deadlineNanos) + " ms");
        LOG.debug("{}: {}; counted as a failed attempt", name, failure.getMessage());
      }
      if (failure != null) {
        bounded.completeExceptionally(failure);
      } else {
        bounded.complete(value);
      }
    });
    return bounded;
  }
}
