package io.github.sqsconsumer.testkit;

import static io.github.sqsconsumer.testkit.InMemoryQueueTest.receiveNow;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** FIFO semantics of {@link InMemoryQueue}: group locks, order within a group, redrive. */
final class InMemoryQueueFifoTest {
  private static final Duration LONG = Duration.ofMinutes(5);

  @Test
  void receive_setsGroupAndSequenceNumber() {
    InMemoryQueue queue = InMemoryQueue.fifo("q.fifo", LONG);
    queue.send("a1", Map.of(Message.MESSAGE_GROUP_ID, "a", Message.MESSAGE_DEDUPLICATION_ID, "d1"), Map.of());
    queue.send("a2", "a");

    List<Message> got = receiveNow(queue, 10);

    assertThat(got).extracting(Message::body).containsExactly("a1", "a2");
    assertThat(got.get(0).groupId()).hasValue("a");
    assertThat(got.get(0).attributes()).containsEntry(Message.MESSAGE_DEDUPLICATION_ID, "d1");
    long first = Long.parseLong(got.get(0).attributes().get(Message.SEQUENCE_NUMBER));
    long second = Long.parseLong(got.get(1).attributes().get(Message.SEQUENCE_NUMBER));
    assertThat(second).isGreaterThan(first);
  }

  @Test
  void receive_groupWithMessageInFlight_isSkipped() throws Exception {
    InMemoryQueue queue = InMemoryQueue.fifo("q.fifo", LONG);
    queue.send("a1", "a");
    queue.send("a2", "a");
    queue.send("b1", "b");

    Message a1 = receiveNow(queue, 1).get(0);
    List<Message> next = receiveNow(queue, 10);

    assertThat(a1.body()).isEqualTo("a1");
    assertThat(next).extracting(Message::body).containsExactly("b1"); // a is locked by a1
    assertThat(receiveNow(queue, 10)).isEmpty();
    assertThat(queue.visibleCount()).isEqualTo(1); // a2 waits behind the lock

    queue.delete(a1).get(5, SECONDS);

    assertThat(receiveNow(queue, 10)).extracting(Message::body).containsExactly("a2");
  }

  @Test
  void receive_oneReceive_takesConsecutiveMessagesOfSeveralGroups() {
    InMemoryQueue queue = InMemoryQueue.fifo("q.fifo", LONG);
    queue.send("a1", "a");
    queue.send("b1", "b");
    queue.send("a2", "a");
    queue.send("c1", "c");
    queue.send("b2", "b");

    List<Message> got = receiveNow(queue, 10);

    // groups by their oldest message; within a group in order
    assertThat(got).extracting(Message::body).containsExactly("a1", "a2", "b1", "b2", "c1");
  }

  @Test
  void receive_maxReachedInsideGroup_restStaysLocked() {
    InMemoryQueue queue = InMemoryQueue.fifo("q.fifo", LONG);
    queue.send("a1", "a");
    queue.send("a2", "a");
    queue.send("a3", "a");
    queue.send("b1", "b");

    assertThat(receiveNow(queue, 2)).extracting(Message::body).containsExactly("a1", "a2");
    assertThat(receiveNow(queue, 10)).extracting(Message::body).containsExactly("b1");
  }

  @Test
  void release_keepsOrderWithinGroups() throws Exception {
    InMemoryQueue queue = InMemoryQueue.fifo("q.fifo", LONG);
    for (int i = 1; i <= 3; i++) {
      queue.send("a" + i, "a");
      queue.send("b" + i, "b");
    }
    List<Message> first = receiveNow(queue, 10);
    assertThat(first).extracting(Message::body).containsExactly("a1", "a2", "a3", "b1", "b2", "b3");

    // a1 succeeds; a2 fails (released) and a3 with it; b1 and b2 succeed, b3 fails
    queue.delete(first.get(0)).get(5, SECONDS);
    queue.changeVisibility(first.get(2), Duration.ZERO).get(5, SECONDS);
    queue.changeVisibility(first.get(1), Duration.ZERO).get(5, SECONDS);
    queue.delete(first.get(3)).get(5, SECONDS);
    queue.delete(first.get(4)).get(5, SECONDS);
    queue.changeVisibility(first.get(5), Duration.ZERO).get(5, SECONDS);

    List<Message> second = receiveNow(queue, 10);

    assertThat(second).extracting(Message::body).containsExactly("a2", "a3", "b3");
    assertThat(second).extracting(Message::receiveCount).containsExactly(2, 2, 2);
  }

  @Test
  void release_releasedWhileLaterInFlight_groupStaysLocked() throws Exception {
    InMemoryQueue queue = InMemoryQueue.fifo("q.fifo", LONG);
    queue.send("a1", "a");
    queue.send("a2", "a");
    List<Message> got = receiveNow(queue, 10);

    queue.changeVisibility(got.get(0), Duration.ZERO).get(5, SECONDS);

    assertThat(receiveNow(queue, 10)).isEmpty(); // a2 is still in flight: a stays locked
    queue.changeVisibility(got.get(1), Duration.ZERO).get(5, SECONDS);
    assertThat(receiveNow(queue, 10)).extracting(Message::body).containsExactly("a1", "a2");
  }

  @Test
  void expiry_unlocksGroup_andKeepsOrder() throws Exception {
    InMemoryQueue queue = InMemoryQueue.fifo("q.fifo", Duration.ofMillis(300));
    queue.send("a1", "a");
    queue.send("a2", "a");
    queue.send("b1", "b");
    Message a1 = receiveNow(queue, 1).get(0);
    Message b1 = receiveNow(queue, 1).get(0);
    queue.delete(b1).get(5, SECONDS);

    // nothing is receivable until a1 expires; the long poll wakes then
    List<Message> again = queue.receive(10, Duration.ofSeconds(10)).get(10, SECONDS);

    assertThat(a1.body()).isEqualTo("a1");
    assertThat(again).extracting(Message::body).containsExactly("a1", "a2");
    assertThat(again.get(0).receiveCount()).isEqualTo(2);
  }

  @Test
  void delete_unlockingGroup_servesWaitingReceive() throws Exception {
    InMemoryQueue queue = InMemoryQueue.fifo("q.fifo", LONG);
    queue.send("a1", "a");
    Message a1 = receiveNow(queue, 1).get(0);
    queue.send("a2", "a");
    CompletableFuture<List<Message>> poll = queue.receive(10, Duration.ofSeconds(20));
    assertThat(poll).isNotDone();

    queue.delete(a1).get(5, SECONDS);

    assertThat(poll.get(5, SECONDS)).extracting(Message::body).containsExactly("a2");
  }

  @Test
  void deadLetterQueue_movesHeadAndDeliversRestOfGroup() throws Exception {
    InMemoryQueue dlq = InMemoryQueue.fifo("dlq.fifo", LONG);
    InMemoryQueue queue = InMemoryQueue.fifo("q.fifo", LONG).withDeadLetterQueue(dlq, 1);
    queue.send("a1", "a");
    Message a1 = receiveNow(queue, 1).get(0);
    queue.send("a2", "a");
    queue.changeVisibility(a1, Duration.ZERO).get(5, SECONDS);

    List<Message> got = receiveNow(queue, 10);

    assertThat(got).extracting(Message::body).containsExactly("a2");
    List<Message> moved = receiveNow(dlq, 10);
    assertThat(moved).extracting(Message::body).containsExactly("a1");
    assertThat(moved.get(0).groupId()).hasValue("a");
    assertThat(moved.get(0).id()).isEqualTo(a1.id());
  }

  @Test
  void send_invalid_rejectedWithClearMessages() {
    InMemoryQueue queue = InMemoryQueue.fifo("q.fifo", LONG);
    assertThatThrownBy(() -> queue.send("x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a fifo queue needs a message group id for every message (queue q.fifo);"
            + " use send(body, groupId)");
    assertThatThrownBy(() -> queue.send("x", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a message group id must not be blank (queue q.fifo)");
    assertThatThrownBy(() -> queue.send("x", Map.of(Message.MESSAGE_GROUP_ID, "g"), Map.of(), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a fifo queue takes no per-message delay but got PT1S (queue q.fifo)");
  }

  @Test
  void manyGroups_eachDeliveredInOrder_oneAtATime() throws Exception {
    InMemoryQueue queue = InMemoryQueue.fifo("q.fifo", LONG);
    int groups = 20;
    int perGroup = 30;
    for (int i = 0; i < perGroup; i++) {
      for (int g = 0; g < groups; g++) {
        queue.send(g + ":" + i, "g" + g);
      }
    }
    int[] next = new int[groups];
    int handled = 0;
    while (handled < groups * perGroup) {
      // receive one at a time, fail every third message once: the group must retry it before moving on
      List<Message> got = receiveNow(queue, 1);
      assertThat(got).hasSize(1);
      Message m = got.get(0);
      String[] parts = m.body().split(":");
      int g = Integer.parseInt(parts[0]);
      assertThat(Integer.parseInt(parts[1])).as("group %d", g).isEqualTo(next[g]);
      if (next[g] % 3 == 0 && m.receiveCount() == 1) {
        queue.changeVisibility(m, Duration.ZERO).get(5, SECONDS);
      } else {
        queue.delete(m).get(5, SECONDS);
        next[g]++;
        handled++;
      }
    }
    assertThat(queue.isEmpty()).isTrue();
    List<Integer> counts = new ArrayList<>();
    for (int n : next) {
      counts.add(n);
    }
    assertThat(counts).containsOnly(perGroup);
  }
}
