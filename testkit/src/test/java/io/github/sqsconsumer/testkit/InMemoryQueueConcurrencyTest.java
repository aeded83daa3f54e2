package io.github.sqsconsumer.testkit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.BatchReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Races: receives cancelled while sends arrive, several producers and consumers. The visibility timeout is
 * far longer than each test, so nothing expires and every message must be delivered exactly once.
 */
final class InMemoryQueueConcurrencyTest {
  private static final Duration NO_EXPIRY = Duration.ofMinutes(10);
  private static final int PRODUCERS = 2;
  private static final int CONSUMERS = 3;

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stopThreads() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(10, SECONDS)).isTrue();
  }

  /**
   * Consumers long-poll and cancel at random moments while producers send: a cancelled receive that won
   * must have taken nothing, one that lost must have delivered its messages. Nothing is lost, nothing is
   * delivered twice. With latency, cancellations also land while the reply travels.
   */
  @ParameterizedTest(name = "latency {0} ms")
  @ValueSource(ints = {0, 1})
  void cancel_racingSends_losesNothing(int latencyMillis) throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", NO_EXPIRY).latency(Duration.ofMillis(latencyMillis));
    int total = 3_000;
    Map<String, Integer> received = new ConcurrentHashMap<>();
    AtomicInteger deleted = new AtomicInteger();
    AtomicInteger cancelsWon = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(CONSUMERS);
    List<Future<?>> tasks = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      tasks.add(threads.submit(() -> {
        for (int i = 0; i < total / PRODUCERS; i++) {
          queue.send("m");
          if (i % 16 == 0) {
            Thread.yield(); // let the queue run dry now and then, so receives wait
          }
        }
      }));
    }
    for (int c = 0; c < CONSUMERS; c++) {
      tasks.add(threads.submit(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
          while (deleted.get() < total) {
            CompletableFuture<List<Message>> poll =
                queue.receive(random.nextInt(1, 11), Duration.ofMillis(random.nextInt(0, 5)));
            if (random.nextBoolean()) {
              for (int spin = random.nextInt(200); spin > 0; spin--) {
                Thread.onSpinWait();
              }
              if (poll.cancel(true)) {
                cancelsWon.incrementAndGet();
                continue; // [cancel won => nothing taken], checked by the exactly-once counts below
              }
            }
            List<Message> messages = poll.get(10, SECONDS);
            for (Message m : messages) {
              received.merge(m.id(), 1, Integer::sum);
            }
            for (int from = 0; from < messages.size(); from += 10) {
              BatchReply reply = queue.deleteBatch(messages.subList(from, Math.min(messages.size(), from + 10)))
                  .get(10, SECONDS);
              assertThat(reply.allSucceeded()).isTrue();
            }
            deleted.addAndGet(messages.size());
          }
          return null;
        } finally {
          done.countDown();
        }
      }));
    }

    assertThat(done.await(60, SECONDS)).as("consumers finished").isTrue();
    for (Future<?> task : tasks) {
      task.get(10, SECONDS); // rethrows a failed assertion of a worker thread
    }
    assertThat(received).hasSize(total);
    assertThat(received.values()).containsOnly(1);
    assertThat(queue.delivered()).isEqualTo(total);
    assertThat(queue.deleted()).isEqualTo(total);
    assertThat(queue.deliveriesById().values()).containsOnly(1);
    assertThat(queue.isEmpty()).isTrue();
    assertThat(cancelsWon.get()).as("some cancellations won the race").isPositive();
  }

  @Test
  void producersAndConsumers_standard_noMessageLostOrDuplicated() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", NO_EXPIRY);
    int perProducer = 5_000;
    int total = perProducer * PRODUCERS;
    Set<String> sent = ConcurrentHashMap.newKeySet();
    Map<String, Integer> received = new ConcurrentHashMap<>();
    AtomicInteger handled = new AtomicInteger();
    List<Future<?>> tasks = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      tasks.add(threads.submit(() -> {
        for (int i = 0; i < perProducer; i++) {
          sent.add(queue.send("m"));
        }
      }));
    }
    for (int c = 0; c < CONSUMERS; c++) {
      tasks.add(threads.submit(() -> {
        while (handled.get() < total) {
          List<Message> messages = queue.receive(10, Duration.ofMillis(20)).get(10, SECONDS);
          for (Message m : messages) {
            received.merge(m.id(), 1, Integer::sum);
          }
          if (!messages.isEmpty()) {
            assertThat(queue.deleteBatch(messages).get(10, SECONDS).allSucceeded()).isTrue();
            handled.addAndGet(messages.size());
          }
        }
        return null;
      }));
    }
    for (Future<?> task : tasks) {
      task.get(60, SECONDS);
    }

    assertThat(sent).hasSize(total);
    assertThat(received.keySet()).isEqualTo(sent);
    assertThat(received.values()).containsOnly(1);
    assertThat(queue.deletedIds()).hasSize(total);
    assertThat(queue.isEmpty()).isTrue();
  }

  /**
   * FIFO under load: consumers take batches, release some messages (and the rest of their group in that
   * batch, as the core does) and delete the others. Per group, the handled order must be the send order.
   */
  @Test
  void producersAndConsumers_fifo_groupOrderKept() throws Exception {
    InMemoryQueue queue = InMemoryQueue.fifo("q.fifo", NO_EXPIRY);
    int groupsPerProducer = 8;
    int perGroup = 150;
    int total = PRODUCERS * groupsPerProducer * perGroup;
    Map<String, List<Integer>> handledByGroup = new ConcurrentHashMap<>();
    AtomicInteger handled = new AtomicInteger();
    AtomicInteger inFlightOfGroupViolations = new AtomicInteger();
    Set<String> busyGroups = ConcurrentHashMap.newKeySet();
    List<Future<?>> tasks = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int producer = p;
      tasks.add(threads.submit(() -> {
        for (int i = 0; i < perGroup; i++) {
          for (int g = 0; g < groupsPerProducer; g++) {
            queue.send(Integer.toString(i), "p" + producer + "g" + g); // each group has one producer
          }
        }
      }));
    }
    for (int c = 0; c < CONSUMERS; c++) {
      tasks.add(threads.submit(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (handled.get() < total) {
          List<Message> messages = queue.receive(10, Duration.ofMillis(20)).get(10, SECONDS);
          Map<String, Message> lastOfGroup = new HashMap<>();
          for (Message m : messages) {
            lastOfGroup.put(m.groupId().orElseThrow(), m);
          }
          for (String group : lastOfGroup.keySet()) {
            if (!busyGroups.add(group)) {
              inFlightOfGroupViolations.incrementAndGet(); // another consumer holds this group
            }
          }
          Set<String> released = new HashSet<>();
          for (Message m : messages) {
            String group = m.groupId().orElseThrow();
            if (lastOfGroup.get(group) == m) {
              busyGroups.remove(group); // the call below unlocks the group: another consumer may take it
            }
            if (released.contains(group) || random.nextInt(5) == 0) {
              released.add(group); // a failure holds back the rest of its group
              queue.changeVisibility(m, Duration.ZERO).get(10, SECONDS);
            } else {
              handledByGroup.computeIfAbsent(group, k -> new ArrayList<>()).add(Integer.parseInt(m.body()));
              handled.incrementAndGet();
              queue.delete(m).get(10, SECONDS);
            }
          }
        }
        return null;
      }));
    }
    for (Future<?> task : tasks) {
      task.get(60, SECONDS);
    }

    assertThat(inFlightOfGroupViolations.get()).as("a group was delivered to two consumers at once").isZero();
    assertThat(handledByGroup).hasSize(PRODUCERS * groupsPerProducer);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < perGroup; i++) {
      expected.add(i);
    }
    handledByGroup.forEach((group, order) -> assertThat(order).as(group).isEqualTo(expected));
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void waiters_cancelledOrTimedOut_leaveNothingScheduled() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", NO_EXPIRY);
    queue.send("a");
    receiveNow(queue); // one message in flight: while receives wait, an expiry timer is armed for it
    int before = InMemoryQueue.timerTasks();
    List<CompletableFuture<List<Message>>> polls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      polls.add(queue.receive(10, Duration.ofSeconds(20)));
    }
    assertThat(InMemoryQueue.timerTasks()).isGreaterThanOrEqualTo(100); // tasks of earlier tests may fire meanwhile

    polls.forEach(poll -> poll.cancel(true));
    assertThat(InMemoryQueue.timerTasks()).isLessThanOrEqualTo(before);

    assertThat(queue.receive(10, Duration.ofMillis(20)).get(5, SECONDS)).isEmpty();
    assertThat(InMemoryQueue.timerTasks()).isLessThanOrEqualTo(before);
  }

  @Test
  void idleQueue_schedulesNothing() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", Duration.ofMillis(10));
    int before = InMemoryQueue.timerTasks();
    queue.send("a");
    receiveNow(queue); // in flight with a short timeout, but nobody waits: no timer, expiry is lazy
    assertThat(InMemoryQueue.timerTasks()).isLessThanOrEqualTo(before);
    TimeUnit.MILLISECONDS.sleep(30); // let it expire unobserved
    assertThat(queue.visibleCount()).isEqualTo(1);
    assertThat(InMemoryQueue.timerTasks()).isLessThanOrEqualTo(before);
  }

  private static List<Message> receiveNow(InMemoryQueue queue) {
    return queue.receive(10, Duration.ZERO).join();
  }
}
