package io.github.sqsconsumer.testkit;

import static io.github.sqsconsumer.testkit.InMemoryQueueTest.failure;
import static io.github.sqsconsumer.testkit.InMemoryQueueTest.receiveNow;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Latency and failure injection, and batch requests with per-entry failures. */
final class InMemoryQueueFaultTest {
  private static final Duration LONG = Duration.ofMinutes(5);
  private static final Duration LATENCY = Duration.ofMillis(60);

  @Test
  void latency_delaysReplies_effectIsImmediate() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG).latency(LATENCY);
    queue.send("a");
    long start = System.nanoTime();

    CompletableFuture<List<Message>> receive = queue.receive(10, Duration.ZERO);
    assertThat(queue.inFlightCount()).isEqualTo(1); // taken at once, answered later
    List<Message> got = receive.get(5, SECONDS);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(LATENCY.toNanos());

    long deleteStart = System.nanoTime();
    CompletableFuture<Void> delete = queue.delete(got.get(0));
    assertThat(queue.isEmpty()).isTrue();
    delete.get(5, SECONDS);
    assertThat(System.nanoTime() - deleteStart).isGreaterThanOrEqualTo(LATENCY.toNanos());

    long failStart = System.nanoTime();
    assertThat(failure(queue.delete(got.get(0))).kind()).isEqualTo(QueueException.Kind.INVALID_RECEIPT);
    assertThat(System.nanoTime() - failStart).isGreaterThanOrEqualTo(LATENCY.toNanos());
  }

  @Test
  void latency_cancelBeforeReply_putsMessagesBack() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG).latency(Duration.ofMillis(200));
    String id = queue.send("a");
    CompletableFuture<List<Message>> receive = queue.receive(10, Duration.ZERO);
    assertThat(queue.inFlightCount()).isEqualTo(1);

    assertThat(receive.cancel(true)).isTrue();

    assertThat(queue.inFlightCount()).isZero(); // put back at once, not when the reply would have arrived
    queue.latency(Duration.ZERO);
    List<Message> again = receiveNow(queue, 10);
    assertThat(again).extracting(Message::id).containsExactly(id);
    assertThat(again.get(0).receiveCount()).isEqualTo(1); // as if the cancelled receive never happened
    assertThat(queue.deliveries(id)).isEqualTo(1);
  }

  @Test
  void latency_cancelServedWaiterBeforeReply_putsMessagesBack() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG).latency(Duration.ofSeconds(5));
    CompletableFuture<List<Message>> poll = queue.receive(10, Duration.ofSeconds(20));
    String id = queue.send("a"); // serves the waiting receive; its reply is 5 s away
    assertThat(queue.inFlightCount()).isEqualTo(1);

    assertThat(poll.cancel(true)).isTrue();

    assertThat(queue.inFlightCount()).isZero();
    assertThat(queue.visibleCount()).isEqualTo(1);
    assertThat(queue.deliveries(id)).isZero();
    assertThat(queue.delivered()).isZero();
  }

  @Test
  void latency_zero_answersOnCallingThread() {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG).latency(Duration.ofMillis(10)).latency(Duration.ZERO);
    queue.send("a");
    assertThat(queue.receive(10, Duration.ZERO)).isDone();
    assertThatThrownBy(() -> queue.latency(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("latency must not be negative but was PT-0.001S");
  }

  @Test
  void failNext_failsThatManyCalls_withoutEffect() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    queue.send("a");
    queue.failNext(2);

    QueueException first = failure(queue.receive(10, Duration.ZERO));
    assertThat(first.kind()).isEqualTo(QueueException.Kind.TRANSIENT);
    assertThat(first.code()).isEqualTo("InjectedFailure");
    assertThat(first.getMessage()).isEqualTo("ReceiveMessage on queue q failed: injected failure");
    assertThat(failure(queue.receive(10, Duration.ofSeconds(20))).isTransient()).isTrue();
    assertThat(queue.visibleCount()).isEqualTo(1); // nothing taken

    Message m = receiveNow(queue, 10).get(0);
    queue.failNext(3);
    assertThat(failure(queue.delete(m)).isTransient()).isTrue();
    assertThat(failure(queue.deleteBatch(List.of(m))).isTransient()).isTrue();
    assertThat(failure(queue.changeVisibilityBatch(List.of(new VisibilityChange(m, Duration.ZERO)))).isTransient())
        .isTrue();
    assertThat(queue.inFlightCount()).isEqualTo(1); // still in flight, untouched

    queue.delete(m).get(5, SECONDS);
    assertThat(queue.receiveRequests()).isEqualTo(3);
    assertThat(queue.deleteRequests()).isEqualTo(2);
    assertThat(queue.deleteBatchRequests()).isEqualTo(1);
    assertThat(queue.changeVisibilityBatchRequests()).isEqualTo(1);
  }

  @Test
  void failRate_one_failsAll_zero_failsNone() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    queue.send("a");
    queue.failRate(1);
    for (int i = 0; i < 20; i++) {
      assertThat(failure(queue.receive(1, Duration.ZERO)).isTransient()).isTrue();
    }
    queue.failRate(0);
    assertThat(queue.receive(1, Duration.ZERO).get(5, SECONDS)).hasSize(1);
    assertThatThrownBy(() -> queue.failRate(1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("failure rate must be between 0 and 1 but was 1.5");
  }

  @Test
  void failRate_half_failsSomeButNotAll() {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG).failRate(0.5);
    int failed = 0;
    for (int i = 0; i < 400; i++) {
      if (queue.receive(1, Duration.ZERO).isCompletedExceptionally()) {
        failed++;
      }
    }
    assertThat(failed).isBetween(100, 300); // binomial(400, 0.5): far outside 10 standard deviations
  }

  @Test
  void deleteBatch_staleEntry_failsByPosition_othersSucceed() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    for (int i = 0; i < 4; i++) {
      queue.send("m" + i);
    }
    List<Message> got = receiveNow(queue, 10);
    queue.delete(got.get(1)).get(5, SECONDS); // its receipt is now stale

    BatchReply reply = queue.deleteBatch(List.of(got.get(0), got.get(1), got.get(2), got.get(0), got.get(3)))
        .get(5, SECONDS);

    assertThat(reply.failures()).containsOnlyKeys(1);
    assertThat(reply.failures().get(1).kind()).isEqualTo(QueueException.Kind.INVALID_RECEIPT);
    assertThat(queue.isEmpty()).isTrue();
    assertThat(queue.deleteBatchRequests()).isEqualTo(1);
    assertThat(queue.deleted()).isEqualTo(4); // the duplicate deleted nothing more
  }

  @Test
  void deleteBatch_duplicateOfValidReceipt_bothSucceed_laterRequestFails() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    queue.send("a");
    Message m = receiveNow(queue, 1).get(0);

    assertThat(queue.deleteBatch(List.of(m, m)).get(5, SECONDS).allSucceeded()).isTrue();
    assertThat(queue.deleteBatch(List.of(m)).get(5, SECONDS).failures()).containsOnlyKeys(0);
  }

  @Test
  void changeVisibilityBatch_mixedEntries_failByPosition() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    queue.send("a");
    queue.send("b");
    queue.send("c");
    List<Message> got = receiveNow(queue, 10);
    queue.delete(got.get(2)).get(5, SECONDS);

    BatchReply reply = queue.changeVisibilityBatch(List.of(
        new VisibilityChange(got.get(0), Duration.ZERO),
        new VisibilityChange(got.get(1), Duration.ofHours(13)),
        new VisibilityChange(got.get(2), Duration.ZERO),
        new VisibilityChange(got.get(0), Duration.ofSeconds(30)))) // the first entry already released it
        .get(5, SECONDS);

    assertThat(reply.failures()).containsOnlyKeys(1, 2);
    assertThat(reply.failures().get(1).kind()).isEqualTo(QueueException.Kind.FATAL);
    assertThat(reply.failures().get(2).kind()).isEqualTo(QueueException.Kind.INVALID_RECEIPT);
    assertThat(queue.visibleCount()).isEqualTo(1);
    assertThat(queue.inFlightCount()).isEqualTo(1);
    assertThat(queue.changeVisibilityBatchRequests()).isEqualTo(1);
  }

  @Test
  void batch_sizeOutOfRange_rejected() {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    queue.send("a");
    Message m = receiveNow(queue, 1).get(0);
    assertThatThrownBy(() -> queue.deleteBatch(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a batch must have between 1 and 10 entries but had 0");
    assertThatThrownBy(() -> queue.deleteBatch(Collections.nCopies(11, m)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a batch must have between 1 and 10 entries but had 11");
    assertThatThrownBy(() -> queue.changeVisibilityBatch(
        Collections.nCopies(11, new VisibilityChange(m, Duration.ZERO))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a batch must have between 1 and 10 entries but had 11");
    assertThat(queue.deleteBatchRequests()).isZero();
    assertThat(queue.inFlightCount()).isEqualTo(1);
  }
}
