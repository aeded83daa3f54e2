package io.github.sqsconsumer.testkit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.MessageAttribute;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.ReceiveAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Semantics of a standard {@link InMemoryQueue}: delivery, visibility, receipts, long polling, redrive. */
final class InMemoryQueueTest {
  private static final Duration LONG = Duration.ofMinutes(5);

  @Test
  void receive_setsSystemAttributesAndKeepsOrder() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    long before = System.currentTimeMillis();
    String first = queue.send("one");
    String second = queue.send("two", Map.of("AWSTraceHeader", "Root=1"),
        Map.of("kind", MessageAttribute.ofString("String", "order")));

    List<Message> messages = queue.receive(10, Duration.ZERO).get(5, SECONDS);

    assertThat(messages).extracting(Message::id).containsExactly(first, second);
    assertThat(messages).extracting(Message::body).containsExactly("one", "two");
    Message m = messages.get(1);
    assertThat(m.receiveCount()).isEqualTo(1);
    assertThat(Long.parseLong(m.attributes().get(Message.SENT_TIMESTAMP))).isGreaterThanOrEqualTo(before);
    assertThat(m.attributes()).containsKey(Message.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP)
        .containsEntry("AWSTraceHeader", "Root=1")
        .doesNotContainKey(Message.MESSAGE_GROUP_ID);
    assertThat(m.messageAttributes()).containsEntry("kind", MessageAttribute.ofString("String", "order"));
    assertThat(messages.get(0).receiptHandle()).isNotEqualTo(m.receiptHandle());
    assertThat(queue.visibleCount()).isZero();
    assertThat(queue.inFlightCount()).isEqualTo(2);
    assertThat(queue.size()).isEqualTo(2);
  }

  /** Like SQS, a receive gets only the attributes it names, so a consumer that forgets one sees it missing. */
  @Test
  void receive_withAttributes_deliversOnlyThoseAsked() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    MessageAttribute value = MessageAttribute.ofString("String", "v");
    queue.send("one", Map.of("AWSTraceHeader", "Root=1", "SenderId", "me"),
        Map.of("traceparent", value, "orders.id", value, "other", value));
    ReceiveAttributes asked = ReceiveAttributes.of(List.of(Message.APPROXIMATE_RECEIVE_COUNT, "AWSTraceHeader"),
        List.of("traceparent", "orders.*"));

    Message first = queue.receive(1, Duration.ZERO, LONG, asked).get(5, SECONDS).get(0);
    // a receive that waits keeps what it asked for until a send serves it
    CompletableFuture<List<Message>> waiting = queue.receive(1, Duration.ofSeconds(10), LONG, ReceiveAttributes.NONE);
    queue.send("two", Map.of("AWSTraceHeader", "Root=2"), Map.of("traceparent", value));
    Message second = waiting.get(5, SECONDS).get(0);

    assertThat(first.attributes()).containsOnlyKeys(Message.APPROXIMATE_RECEIVE_COUNT, "AWSTraceHeader");
    assertThat(first.messageAttributes()).containsOnlyKeys("traceparent", "orders.id");
    assertThat(second.body()).isEqualTo("two");
    assertThat(second.attributes()).isEmpty();
    assertThat(second.messageAttributes()).isEmpty();
  }

  /** A receive that names a visibility timeout hides its messages that long, not for the queue's own. */
  @Test
  void receive_withVisibilityTimeout_hidesForThatLong() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", Duration.ofMillis(100));
    String shortly = queue.send("the queue's timeout");
    queue.send("the receive's timeout");
    assertThat(queue.receive(1, Duration.ZERO).get(5, SECONDS)).singleElement()
        .satisfies(m -> assertThat(m.id()).isEqualTo(shortly));
    assertThat(queue.receive(1, Duration.ZERO, LONG).get(5, SECONDS)).hasSize(1);

    // the long poll is woken by the first one's expiry; the second stays hidden for LONG
    List<Message> again = queue.receive(10, Duration.ofSeconds(10)).get(10, SECONDS);

    assertThat(again).extracting(Message::id).containsExactly(shortly);
    assertThat(queue.inFlightCount()).isEqualTo(2);
    assertThatThrownBy(() -> queue.receive(1, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("visibilityTimeout must be positive and at most PT12H but was PT0S");
  }

  @Test
  void receive_afterVisibilityTimeout_redeliversWithHigherReceiveCount() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", Duration.ofMillis(100));
    String id = queue.send("body");
    long receivedAt = System.nanoTime(); // before the receive: the queue starts the timeout inside it
    Message first = receiveNow(queue, 1).get(0);

    // the long poll is woken by the expiry itself: no sleep
    List<Message> again = queue.receive(10, Duration.ofSeconds(10)).get(10, SECONDS);

    assertThat(System.nanoTime() - receivedAt).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(again).singleElement().satisfies(m -> {
      assertThat(m.id()).isEqualTo(id);
      assertThat(m.receiveCount()).isEqualTo(2);
      assertThat(m.receiptHandle()).isNotEqualTo(first.receiptHandle());
      assertThat(m.attributes().get(Message.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP))
          .isEqualTo(first.attributes().get(Message.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP));
    });
    assertThat(queue.deliveries(id)).isEqualTo(2);
  }

  @Test
  void delete_staleReceipt_isInvalidReceipt() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    queue.send("body");
    Message first = receiveNow(queue, 1).get(0);
    queue.changeVisibility(first, Duration.ZERO).get(5, SECONDS);
    Message second = receiveNow(queue, 1).get(0); // a redelivery: first's receipt is stale now

    assertThat(failure(queue.delete(first))).satisfies(e -> {
      assertThat(e.kind()).isEqualTo(QueueException.Kind.INVALID_RECEIPT);
      assertThat(e.getMessage()).contains("queue q", "not that of a message in flight");
    });
    assertThat(failure(queue.changeVisibility(first, Duration.ZERO)).kind())
        .isEqualTo(QueueException.Kind.INVALID_RECEIPT);
    queue.delete(second).get(5, SECONDS);
    assertThat(failure(queue.delete(second)).kind()).isEqualTo(QueueException.Kind.INVALID_RECEIPT);
    assertThat(failure(queue.delete("q999-unknown")).kind()).isEqualTo(QueueException.Kind.INVALID_RECEIPT);
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void delete_receiptOfAnotherQueue_isInvalidReceipt() {
    InMemoryQueue a = InMemoryQueue.standard("a", LONG);
    InMemoryQueue b = InMemoryQueue.standard("b", LONG);
    a.send("x");
    b.send("y");
    Message fromA = receiveNow(a, 1).get(0);
    receiveNow(b, 1);

    assertThat(failure(b.delete(fromA)).kind()).isEqualTo(QueueException.Kind.INVALID_RECEIPT);
    assertThat(b.inFlightCount()).isEqualTo(1);
  }

  @Test
  void receive_longPoll_completesOnSend() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    CompletableFuture<List<Message>> poll = queue.receive(10, Duration.ofSeconds(20));
    assertThat(poll).isNotDone();

    String id = queue.send("late");

    assertThat(poll.get(5, SECONDS)).extracting(Message::id).containsExactly(id);
    assertThat(queue.inFlightCount()).isEqualTo(1);
  }

  @Test
  void receive_longPoll_timesOutEmpty() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    long start = System.nanoTime();

    List<Message> messages = queue.receive(10, Duration.ofMillis(50)).get(5, SECONDS);

    assertThat(messages).isEmpty();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
    queue.send("after");
    assertThat(queue.visibleCount()).isEqualTo(1); // the timed-out poll took nothing
  }

  @Test
  void receive_zeroWait_answersAtOnce() {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    CompletableFuture<List<Message>> poll = queue.receive(10, Duration.ZERO);
    assertThat(poll).isCompletedWithValue(List.of());
  }

  @Test
  void receive_waitersServedOldestFirst_eachUpToItsMax() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    CompletableFuture<List<Message>> first = queue.receive(2, Duration.ofSeconds(20));
    CompletableFuture<List<Message>> second = queue.receive(10, Duration.ofSeconds(20));

    queue.send("a");
    assertThat(first.get(5, SECONDS)).extracting(Message::body).containsExactly("a");
    assertThat(second).isNotDone();
    queue.send("b");
    assertThat(second.get(5, SECONDS)).extracting(Message::body).containsExactly("b");
  }

  @Test
  void cancel_waitingReceive_takesNothing() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    CompletableFuture<List<Message>> poll = queue.receive(10, Duration.ofSeconds(20));

    assertThat(poll.cancel(true)).isTrue();
    String id = queue.send("kept");

    assertThat(queue.visibleCount()).isEqualTo(1);
    assertThat(queue.deliveries(id)).isZero();
    assertThat(receiveNow(queue, 10)).extracting(Message::id).containsExactly(id);
  }

  @Test
  void changeVisibility_zero_makesVisibleAtOnceAndServesWaiter() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    queue.send("a");
    Message m = receiveNow(queue, 1).get(0);
    CompletableFuture<List<Message>> poll = queue.receive(10, Duration.ofSeconds(20));

    queue.changeVisibility(m, Duration.ZERO).get(5, SECONDS);

    assertThat(poll.get(5, SECONDS)).singleElement().satisfies(again -> {
      assertThat(again.id()).isEqualTo(m.id());
      assertThat(again.receiveCount()).isEqualTo(2);
    });
  }

  @Test
  void changeVisibility_extends_noRedeliveryBeforeNewDeadline() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", Duration.ofMillis(500));
    queue.send("a");
    Message m = receiveNow(queue, 1).get(0);
    queue.changeVisibility(m, LONG).get(5, SECONDS);

    // a poll longer than the queue's timeout finds nothing: the change moved the deadline
    assertThat(queue.receive(10, Duration.ofMillis(600)).get(5, SECONDS)).isEmpty();
    assertThat(queue.inFlightCount()).isEqualTo(1);
    queue.delete(m).get(5, SECONDS);
  }

  @Test
  void changeVisibility_outOfRange_isFatal() {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    queue.send("a");
    Message m = receiveNow(queue, 1).get(0);

    QueueException e = failure(queue.changeVisibility(m, Duration.ofHours(13)));

    assertThat(e.kind()).isEqualTo(QueueException.Kind.FATAL);
    assertThat(e.getMessage()).contains("visibility must be between zero and PT12H but was PT13H");
    assertThat(queue.inFlightCount()).isEqualTo(1);
  }

  /**
   * SQS keeps a delivery hidden at most 12 hours after the receive request: a change whose new timeout
   * would end later is rejected (InvalidParameterValue), not shortened, and changes nothing. Any time at all
   * since the receive makes 12 hours from now too long.
   */
  @Test
  void changeVisibility_beyond12HoursSinceTheReceive_isRejected() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    queue.send("a");
    queue.send("b");
    List<Message> received = receiveNow(queue, 2);
    Message m = received.get(0);

    QueueException single = failure(queue.changeVisibility(m, Duration.ofHours(12)));
    var batch = queue.changeVisibilityBatch(List.of(
        new io.github.sqsconsumer.spi.VisibilityChange(received.get(1), Duration.ofHours(12)),
        new io.github.sqsconsumer.spi.VisibilityChange(m, Duration.ofHours(11)))).get(5, SECONDS);

    assertThat(single.kind()).isEqualTo(QueueException.Kind.FATAL);
    assertThat(single.code()).isEqualTo("InvalidParameterValue");
    assertThat(single.getMessage()).contains("value 43200 for parameter VisibilityTimeout is invalid: total "
        + "VisibilityTimeout for the message is beyond the limit [43200 seconds]");
    assertThat(batch.failures()).containsOnlyKeys(0);
    assertThat(batch.failures().get(0).code()).isEqualTo("InvalidParameterValue");
    // rejected changes changed nothing: both are still in flight for the queue's timeout, and a release works
    assertThat(queue.inFlightCount()).isEqualTo(2);
    queue.changeVisibility(received.get(1), Duration.ZERO).get(5, SECONDS);
    assertThat(queue.visibleCount()).isEqualTo(1);
  }

  @Test
  void send_withDelay_visibleOnlyAfterIt() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    long start = System.nanoTime();
    String id = queue.send("later", Map.of(), Map.of(), Duration.ofMillis(100));
    assertThat(queue.delayedCount()).isEqualTo(1);
    assertThat(queue.size()).isEqualTo(1);
    assertThat(receiveNow(queue, 10)).isEmpty();

    List<Message> messages = queue.receive(10, Duration.ofSeconds(10)).get(10, SECONDS);

    assertThat(messages).extracting(Message::id).containsExactly(id);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
  }

  @Test
  void redelivered_goesBackToItsPlace() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    queue.send("1");
    queue.send("2");
    queue.send("3");
    List<Message> firstTwo = receiveNow(queue, 2);
    queue.changeVisibility(firstTwo.get(1), Duration.ZERO).get(5, SECONDS);
    queue.changeVisibility(firstTwo.get(0), Duration.ZERO).get(5, SECONDS);

    assertThat(receiveNow(queue, 10)).extracting(Message::body).containsExactly("1", "2", "3");
  }

  @Test
  void deadLetterQueue_afterMaxReceiveCount_movesMessage() throws Exception {
    InMemoryQueue dlq = InMemoryQueue.standard("dlq", LONG);
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG).withDeadLetterQueue(dlq, 2);
    String id = queue.send("poison", Map.of(), Map.of("k", MessageAttribute.ofString("String", "v")));

    for (int attempt = 1; attempt <= 2; attempt++) {
      Message got = receiveNow(queue, 10).get(0);
      assertThat(got.receiveCount()).isEqualTo(attempt);
      queue.changeVisibility(got, Duration.ZERO).get(5, SECONDS);
    }
    queue.send("good");
    List<Message> third = receiveNow(queue, 10);

    assertThat(third).extracting(Message::body).containsExactly("good");
    assertThat(queue.movedToDeadLetterQueue()).isEqualTo(1);
    assertThat(dlq.size()).isEqualTo(1);
    Message moved = receiveNow(dlq, 10).get(0);
    assertThat(moved.id()).isEqualTo(id);
    assertThat(moved.body()).isEqualTo("poison");
    assertThat(moved.receiveCount()).isEqualTo(1);
    assertThat(moved.messageAttributes()).containsKey("k");
  }

  @Test
  void deadLetterQueue_longPoll_doesNotReturnMovedMessage() throws Exception {
    InMemoryQueue dlq = InMemoryQueue.standard("dlq", LONG);
    InMemoryQueue queue = InMemoryQueue.standard("q", Duration.ofMillis(30)).withDeadLetterQueue(dlq, 1);
    queue.send("poison");
    receiveNow(queue, 1);
    CompletableFuture<List<Message>> dlqPoll = dlq.receive(10, Duration.ofSeconds(10));

    // after the expiry the message is due for redelivery, but its count is at the limit: it moves instead
    assertThat(queue.receive(10, Duration.ofMillis(300)).get(5, SECONDS)).isEmpty();
    assertThat(dlqPoll.get(5, SECONDS)).extracting(Message::body).containsExactly("poison");
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void withDeadLetterQueue_invalid_rejected() {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    assertThatThrownBy(() -> queue.withDeadLetterQueue(queue, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("its own dead-letter queue");
    assertThatThrownBy(() -> queue.withDeadLetterQueue(InMemoryQueue.fifo("f", LONG), 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the dead-letter queue of a standard queue must be standard too but f is not");
    assertThatThrownBy(() -> queue.withDeadLetterQueue(InMemoryQueue.standard("d", LONG), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxReceiveCount must be between 1 and 1000 but was 0");
  }

  @Test
  void send_invalid_rejectedWithClearMessages() {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    assertThatThrownBy(() -> queue.send("x", "g1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a standard queue takes no message group id but got 'g1'");
    assertThatThrownBy(() -> queue.send("x", Map.of(Message.SENT_TIMESTAMP, "1"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attribute SentTimestamp is set by the queue, not by the sender");
    assertThatThrownBy(() -> queue.send("x", Map.of(), Map.of(), Duration.ofMinutes(16)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be between zero and PT15M but was PT16M");
    assertThatThrownBy(() -> InMemoryQueue.standard("q", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("visibilityTimeout must be positive and at most PT12H but was PT0S");
    assertThatThrownBy(() -> InMemoryQueue.standard(" ", LONG))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("queue name must not be blank");
  }

  @Test
  void receive_invalidArguments_rejected() {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    assertThatThrownBy(() -> queue.receive(0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxMessages must be between 1 and 10 but was 0");
    assertThatThrownBy(() -> queue.receive(11, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxMessages must be between 1 and 10 but was 11");
    assertThatThrownBy(() -> queue.receive(1, Duration.ofSeconds(21)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("waitTime must be between zero and PT20S but was PT21S");
    assertThat(queue.receiveRequests()).isZero(); // a rejected call is no request
  }

  @Test
  void counters_countRequestsAndMessages_andReset() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    String a = queue.send("a");
    String b = queue.send("b");
    String c = queue.send("c");
    List<Message> got = receiveNow(queue, 10);
    receiveNow(queue, 10); // empty: still a request
    queue.delete(got.get(0)).get(5, SECONDS);
    queue.deleteBatch(List.of(got.get(1))).get(5, SECONDS);
    queue.changeVisibility(got.get(2), Duration.ZERO).get(5, SECONDS);
    Message again = receiveNow(queue, 10).get(0);
    queue.changeVisibilityBatch(List.of(new io.github.sqsconsumer.spi.VisibilityChange(again, LONG)))
        .get(5, SECONDS);

    assertThat(queue.receiveRequests()).isEqualTo(3);
    assertThat(queue.deleteRequests()).isEqualTo(1);
    assertThat(queue.deleteBatchRequests()).isEqualTo(1);
    assertThat(queue.changeVisibilityRequests()).isEqualTo(1);
    assertThat(queue.changeVisibilityBatchRequests()).isEqualTo(1);
    assertThat(queue.requests()).isEqualTo(7);
    assertThat(queue.sent()).isEqualTo(3);
    assertThat(queue.delivered()).isEqualTo(4);
    assertThat(queue.deleted()).isEqualTo(2);
    assertThat(queue.deliveries(a)).isEqualTo(1);
    assertThat(queue.deliveries(c)).isEqualTo(2);
    assertThat(queue.deliveries("unknown")).isZero();
    assertThat(queue.deletedIds()).containsExactly(a, b);
    assertThat(queue.isDeleted(a)).isTrue();
    assertThat(queue.isDeleted(c)).isFalse();
    assertThat(queue.deliveriesById()).containsExactly(Map.entry(a, 1), Map.entry(b, 1), Map.entry(c, 2));

    queue.resetCounters();

    assertThat(queue.requests()).isZero();
    assertThat(queue.sent()).isZero();
    assertThat(queue.delivered()).isZero();
    assertThat(queue.deleted()).isZero();
    assertThat(queue.deletedIds()).isEmpty();
    assertThat(queue.deliveriesById()).containsExactly(Map.entry(c, 0)); // still in the queue
    assertThat(queue.inFlightCount()).isEqualTo(1); // messages stay
  }

  @Test
  void trackMessages_off_perMessageQueriesThrow() {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG).trackMessages(false);
    String id = queue.send("a");
    receiveNow(queue, 1);

    assertThat(queue.delivered()).isEqualTo(1); // counters still work
    assertThatThrownBy(() -> queue.deliveries(id))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("message tracking is off for queue q; turn it on with trackMessages(true) before sending");
    assertThatThrownBy(queue::deletedIds).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void purge_removesEverything_receiptsBecomeInvalid() {
    InMemoryQueue queue = InMemoryQueue.standard("q", LONG);
    queue.send("a");
    queue.send("b");
    queue.send("c", Map.of(), Map.of(), Duration.ofMinutes(1));
    Message inFlight = receiveNow(queue, 1).get(0);

    queue.purge();

    assertThat(queue.isEmpty()).isTrue();
    assertThat(failure(queue.delete(inFlight)).kind()).isEqualTo(QueueException.Kind.INVALID_RECEIPT);
    assertThat(queue.toString()).isEqualTo("InMemoryQueue[q, standard, visible=0, inFlight=0, delayed=0]");
  }

  static List<Message> receiveNow(InMemoryQueue queue, int max) {
    return queue.receive(max, Duration.ZERO).join();
  }

  static QueueException failure(CompletableFuture<?> future) {
    try {
      future.orTimeout(5, SECONDS).join();
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(QueueException.class);
      return (QueueException) e.getCause();
    }
    throw new AssertionError("expected the call to fail but it succeeded");
  }
}
