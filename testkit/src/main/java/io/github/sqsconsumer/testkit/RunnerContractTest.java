package io.github.sqsconsumer.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link Runner} meets, this library's and a user's own: extend this class and implement
 * {@link #newQueue(Duration)}, and run it with JUnit 5.
 *
 * <pre>{@code
 * final class MyRunnerContractTest extends RunnerContractTest {
 *   @Override
 *   protected QueueUnderTest newQueue(Duration visibilityTimeout) {
 *     String url = myServer.createQueue("contract-" + UUID.randomUUID(), visibilityTimeout);
 *     return new QueueUnderTest() {
 *       public Runner newRunner() { return new MyRunnerProvider().create(contextFor(url)); }
 *       public Runner newRunnerHoldingReplies(CompletableFuture<Void> arrived, CompletableFuture<Void> handOver) {
 *         return new MyRunnerProvider().create(contextFor(url, transportHoldingReplies(arrived, handOver)));
 *       }
 *       public void send(String body) { myServer.send(url, body); }
 *     };
 *   }
 * }
 * }</pre>
 *
 * <p>It checks {@code open} (the queue's facts), {@code receive} (what was sent, with ids, receipt handles
 * and receive counts; hidden for the visibility the receive asks for; a long poll that ends when a message
 * arrives or empty when its wait time runs out; a cancel that ends a waiting receive), the port (delete,
 * batch delete with per-entry failures for invalid receipt handles, visibility changes that make a message
 * visible again) and the release rule of {@link Runner#receive}, the subtlest of the SPI: messages that
 * arrive for a receive whose future was cancelled first must be released at once, not left invisible for
 * their visibility timeout. That rule is checked deterministically through
 * {@link QueueUnderTest#newRunnerHoldingReplies}: the runner's transport holds a reply that already left
 * the queue until the test has cancelled the receive.
 *
 * <p>Receives ask for a visibility of {@link #VISIBILITY}, so nothing comes back by itself during a test;
 * each wait has a deadline of {@link #WAIT}. Runners are closed after each test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class RunnerContractTest {
  /** The visibility the tests' receives ask for: longer than any test, so a message back came back early. */
  protected static final Duration VISIBILITY = Duration.ofMinutes(10);
  /** How long a test waits for what should happen at once; generous for loaded machines. */
  protected static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration SHORT_POLL = Duration.ofSeconds(1);

  private final List<Runner> runners = new ArrayList<>();

  /** For subclasses: one per runner under test, created by JUnit for each test. */
  protected RunnerContractTest() {}

  /**
   * A queue a test runs against, with the means to reach it from outside the runner under test. Called
   * from the test's thread.
   */
  public interface QueueUnderTest {
    /** {@return a new runner on this queue, not yet opened; the test opens and closes it} */
    Runner newRunner();

    /**
     * {@return a new runner on this queue whose transport holds the reply of each receive: once a reply
     * has left the queue (its messages are in flight) and is in the transport's hands, it completes
     * {@code arrived}, then hands the reply to the runner only when {@code handOver} completes, as a
     * request that can no longer be aborted does} Receives on other runners are not held.
     *
     * @param arrived completed by the transport when a reply is held; never null
     * @param handOver the transport passes held replies on once this completes; never null
     */
    Runner newRunnerHoldingReplies(CompletableFuture<Void> arrived, CompletableFuture<Void> handOver);

    /**
     * Sends a message with this body to the queue, and returns once the queue has it.
     *
     * @param body the message body; never null
     */
    void send(String body);
  }

  /**
   * Creates an empty standard queue for one test (called once per test) whose own visibility timeout is
   * {@code visibilityTimeout}, a whole number of seconds between 30 and 60.
   *
   * @param visibilityTimeout the queue's own visibility timeout; never null
   * @return the queue and the means to reach it; never null
   */
  protected abstract QueueUnderTest newQueue(Duration visibilityTimeout);

  @AfterEach
  final void closeRunners() {
    runners.forEach(Runner::close);
  }

  private Runner opened(Runner runner) {
    runners.add(runner);
    runner.open();
    return runner;
  }

  @Test
  void open_reportsTheQueue() {
    QueueUnderTest queue = newQueue(Duration.ofSeconds(45));

    Runner runner = queue.newRunner();
    runners.add(runner);
    QueueInfo info = runner.open();

    assertThat(info.url()).isNotBlank();
    assertThat(info.fifo()).isFalse();
    assertThat(info.visibilityTimeout()).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void receive_returnsWhatWasSent_withIdsReceiptHandlesAndReceiveCounts() throws Exception {
    QueueUnderTest queue = newQueue(Duration.ofSeconds(30));
    Runner runner = opened(queue.newRunner());
    for (String body : List.of("a", "b", "c")) {
      queue.send(body);
    }

    List<Message> got = receive(runner, 3);

    assertThat(got).extracting(Message::body).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(got).extracting(Message::id).doesNotContainNull().doesNotHaveDuplicates();
    assertThat(got).extracting(Message::receiptHandle).doesNotContainNull().doesNotHaveDuplicates();
    assertThat(got).extracting(Message::receiveCount).containsOnly(1);
  }

  @Test
  void receive_hidesWhatItReturnedForTheVisibilityItAskedFor() throws Exception {
    QueueUnderTest queue = newQueue(Duration.ofSeconds(30));
    Runner runner = opened(queue.newRunner());
    queue.send("once");

    assertThat(receive(runner, 1)).extracting(Message::body).containsExactly("once");

    assertThat(get(runner.receive(10, SHORT_POLL, VISIBILITY))).as("hidden for %s", VISIBILITY).isEmpty();
  }

  @Test
  void receive_emptyQueue_completesEmptyWhenTheWaitTimeRunsOut() throws Exception {
    Runner runner = opened(newQueue(Duration.ofSeconds(30)).newRunner());

    assertThat(get(runner.receive(10, SHORT_POLL, VISIBILITY))).isEmpty();
  }

  @Test
  void receive_longPoll_completesWhenAMessageArrives() throws Exception {
    QueueUnderTest queue = newQueue(Duration.ofSeconds(30));
    Runner runner = opened(queue.newRunner());
    CompletableFuture<List<Message>> poll = runner.receive(10, Duration.ofSeconds(20), VISIBILITY);

    queue.send("awaited");

    // WAIT is half the poll's wait time: a poll that ignored the arrival would end empty, and later
    assertThat(get(poll)).extracting(Message::body).containsExactly("awaited");
  }

  @Test
  void receive_cancelledWhileWaiting_endsCancelled() throws Exception {
    Runner runner = opened(newQueue(Duration.ofSeconds(30)).newRunner());
    CompletableFuture<List<Message>> poll = runner.receive(10, Duration.ofSeconds(20), VISIBILITY);

    assertThat(poll.cancel(true)).isTrue();

    assertThat(poll).isCancelled();
    assertThatThrownBy(() -> poll.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(CancellationException.class);
  }

  /**
   * The release rule of {@link Runner#receive}: the reply left the queue before the cancel (its message is
   * in flight for {@link #VISIBILITY}) and reaches the runner after it. The runner cannot hand it to the
   * consumer, which gave up on it, so it must make the message visible again at once.
   */
  @Test
  void receive_cancelledAfterTheReplyLeftTheQueue_releasesItsMessagesAtOnce() throws Exception {
    QueueUnderTest queue = newQueue(Duration.ofSeconds(30));
    CompletableFuture<Void> arrived = new CompletableFuture<>();
    CompletableFuture<Void> handOver = new CompletableFuture<>();
    Runner holding = opened(queue.newRunnerHoldingReplies(arrived, handOver));
    Runner other = opened(queue.newRunner());
    queue.send("late");

    CompletableFuture<List<Message>> poll = holding.receive(10, SHORT_POLL, VISIBILITY);
    get(arrived);
    assertThat(poll.cancel(true)).as("the consumer gives up before the reply reached the runner").isTrue();
    handOver.complete(null);

    assertThat(receive(other, 1)).as("released at once, not after %s", VISIBILITY)
        .extracting(Message::body).containsExactly("late");
  }

  @Test
  void delete_andDeleteBatch_removeMessagesForGood() throws Exception {
    QueueUnderTest queue = newQueue(Duration.ofSeconds(30));
    Runner runner = opened(queue.newRunner());
    for (String body : List.of("a", "b", "c")) {
      queue.send(body);
    }
    List<Message> got = receive(runner, 3, Duration.ofSeconds(1));

    get(runner.delete(got.get(0)));
    BatchReply reply = get(runner.deleteBatch(List.of(got.get(1), got.get(2))));

    assertThat(reply.allSucceeded()).isTrue();
    // they were received for one second: had any survived, it would be visible again by now
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() - deadline < 0) {
      assertThat(get(runner.receive(10, SHORT_POLL, VISIBILITY))).as("deleted").isEmpty();
    }
  }

  @Test
  void deleteBatch_invalidReceiptHandle_failsThatEntryOnly() throws Exception {
    QueueUnderTest queue = newQueue(Duration.ofSeconds(30));
    Runner runner = opened(queue.newRunner());
    queue.send("real");
    Message real = receive(runner, 1).get(0);
    Message forged = real.toBuilder().receiptHandle("forged-receipt-handle").build();

    BatchReply reply = get(runner.deleteBatch(List.of(real, forged)));

    assertThat(reply.failures()).containsOnlyKeys(1);
    assertThat(reply.failures().get(1).kind()).isEqualTo(QueueException.Kind.INVALID_RECEIPT);
  }

  @Test
  void changeVisibility_andBatch_toZero_makeMessagesVisibleAgainAtOnce() throws Exception {
    QueueUnderTest queue = newQueue(Duration.ofSeconds(30));
    Runner runner = opened(queue.newRunner());
    for (String body : List.of("a", "b", "c")) {
      queue.send(body);
    }
    List<Message> got = receive(runner, 3);

    get(runner.changeVisibility(got.get(0), Duration.ZERO));
    BatchReply reply = get(runner.changeVisibilityBatch(List.of(
        new VisibilityChange(got.get(1), Duration.ZERO), new VisibilityChange(got.get(2), Duration.ZERO))));

    assertThat(reply.allSucceeded()).isTrue();
    List<Message> again = receive(runner, 3);
    assertThat(again).extracting(Message::body).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(again).extracting(Message::receiveCount).containsOnly(2);
  }

  /** Receives until {@code count} messages came, each hidden for {@link #VISIBILITY}. */
  private static List<Message> receive(Runner runner, int count) throws Exception {
    return receive(runner, count, VISIBILITY);
  }

  private static List<Message> receive(Runner runner, int count, Duration visibility) throws Exception {
    List<Message> got = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (got.size() < count) {
      assertThat(System.nanoTime() - deadline).as("%d of %d messages within %s: %s", got.size(), count, WAIT, got)
          .isNegative();
      got.addAll(get(runner.receive(10, SHORT_POLL, visibility)));
    }
    assertThat(got).as("no more than sent").hasSize(count);
    return got;
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
