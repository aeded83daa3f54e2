package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A consumer with a batching window, on the test parts: concurrency counts batches; close loses nothing. */
@Timeout(60)
final class BatchWindowConsumerTest {
  private final TestParts.ListRunner runner = new TestParts.ListRunner();
  private final TestParts.ThreadWorker[] worker = new TestParts.ThreadWorker[1];
  private Consumer consumer;

  @AfterEach
  void close() {
    if (consumer != null) {
      consumer.close();
    }
  }

  private Consumer create(Consumer.Builder builder) {
    consumer = DefaultConsumer.create(builder.queue("orders").waitTime(Duration.ofSeconds(1)).validate(),
        TestParts.runner(runner), TestParts.worker(worker), TestParts.harvester());
    return consumer;
  }

  private void fill(int count) {
    for (int i = 0; i < count; i++) {
      runner.queue.add(TestParts.message(i));
    }
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    assertThat(latch.await(20, TimeUnit.SECONDS)).as("latch released in time").isTrue();
  }

  /**
   * Under load: never more batch handler calls at once than the concurrency, never a batch above its size,
   * every message handled exactly once and deleted.
   */
  @RepeatedTest(3)
  void batches_underLoad_concurrencyCountsBatchesAndEveryMessageOnce() throws Exception {
    int messages = 2_000;
    fill(messages);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostRunning = new AtomicInteger();
    AtomicInteger largest = new AtomicInteger();
    Map<String, Integer> handled = new ConcurrentHashMap<>();
    CountDownLatch all = new CountDownLatch(messages);
    create(Consumer.builder().concurrency(3).batchSize(64).batchWindow(Duration.ofMillis(20)).batchHandler(batch -> {
      mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max); // [running <= concurrency]
      largest.accumulateAndGet(batch.size(), Math::max);
      try {
        Thread.sleep(1); // long enough for batches to overlap
        batch.forEach(message -> handled.merge(message.id(), 1, Integer::sum));
        return BatchResult.success();
      } finally {
        running.decrementAndGet();
        batch.forEach(message -> all.countDown());
      }
    }));
    consumer.start();
    await(all);
    consumer.close();

    assertThat(mostRunning.get()).isBetween(1, 3);
    assertThat(largest.get()).isBetween(1, 64);
    assertThat(handled).hasSize(messages).allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
    assertThat(runner.deleted).hasSize(messages);
    assertThat(runner.released).isEmpty();
    assertThat(consumer.inFlight()).isZero();
  }

  /**
   * Close while one batch runs, one waits for the (full) worker and the next gathers: the running one
   * finishes and is deleted, the others are released, none is lost and none both deleted and released.
   */
  @Test
  void close_batchWaitingForAHandlerAndOneGathering_releasedNothingLost() throws Exception {
    fill(200);
    CountDownLatch entered = new CountDownLatch(2);
    CountDownLatch finish = new CountDownLatch(1);
    Set<String> handled = ConcurrentHashMap.newKeySet();
    create(Consumer.builder().concurrency(2).batchSize(20).batchWindow(Duration.ofMillis(20))
        .prefetch(30).shutdownTimeout(Duration.ofSeconds(10)).batchHandler(batch -> {
          entered.countDown();
          finish.await(20, TimeUnit.SECONDS);
          batch.forEach(message -> handled.add(message.id()));
          return BatchResult.success();
        }));
    consumer.start();
    await(entered);
    // two batches of 20 running, and 30 ahead (the prefetch): a batch of 20 waiting for the worker, 10 gathering
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (consumer.inFlight() < 70) {
      assertThat(System.nanoTime()).as("70 received in time").isLessThan(deadline);
      Thread.sleep(5);
    }
    Thread closer = Thread.ofVirtual().start(consumer::close);
    while (consumer.state() != Consumer.State.STOPPING) {
      assertThat(System.nanoTime()).as("stopping in time").isLessThan(deadline);
      Thread.sleep(1);
    }
    finish.countDown();
    closer.join(Duration.ofSeconds(30));

    assertThat(closer.isAlive()).isFalse();
    assertThat(consumer.inFlight()).isZero();
    // the batch waiting for the worker may still have been taken as the running one finished; then it ran
    assertThat(handled.size()).isIn(40, 60);
    assertThat(runner.deleted).isEqualTo(handled);
    Set<String> both = new HashSet<>(runner.deleted);
    both.retainAll(runner.released.keySet());
    assertThat(both).as("deleted and released").isEmpty();
    int received = 200 - runner.queue.size();
    assertThat(received).isGreaterThanOrEqualTo(70);
    assertThat(runner.deleted.size() + runner.released.size()).as("every received message settled")
        .isEqualTo(received);
    assertThat(runner.released.values()).allMatch(Duration.ZERO::equals);
  }

  /** Messages gathering within the window are kept hidden by the heartbeat, as those waiting for a worker are. */
  @Test
  void heartbeat_messagesGatheringInTheWindow_keptAlive() throws Exception {
    fill(5);
    Set<String> extended = ConcurrentHashMap.newKeySet();
    Set<String> extendedBeforeHandler = ConcurrentHashMap.newKeySet();
    CountDownLatch handled = new CountDownLatch(1);
    // a 1 s visibility against a 3 s window: without extensions the messages would show again while gathering
    create(Consumer.builder().concurrency(1).batchSize(1_000).batchWindow(Duration.ofSeconds(3))
        .visibilityTimeout(Duration.ofSeconds(1)).listener(new ConsumerListener() {
          @Override
          public void onVisibilityExtended(Message message, Duration visibility) {
            extended.add(message.id());
          }
        }).batchHandler(batch -> {
          extendedBeforeHandler.addAll(extended);
          handled.countDown();
          return BatchResult.success();
        }));
    consumer.start();
    await(handled);

    assertThat(extendedBeforeHandler).containsExactlyInAnyOrder("m0", "m1", "m2", "m3", "m4");
  }

  /**
   * A FIFO queue whose name does not say so (build() rejects a window on a name ending in .fifo): the engine
   * keeps batches per receive and group, in order, instead of gathering them across receives. (The list
   * runner hands one group to parallel receives, which SQS never does, so only the order within a receive
   * is checked.)
   */
  @Test
  void fifoQueue_batchWindowNotUsed_batchesStayPerReceiveInOrder() throws Exception {
    for (int i = 0; i < 30; i++) {
      runner.queue.add(Message.builder().id("m" + i).body("body " + i).receiptHandle("r" + i)
          .attribute(Message.MESSAGE_GROUP_ID, "g").build());
    }
    List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    AtomicInteger largest = new AtomicInteger();
    CountDownLatch all = new CountDownLatch(30);
    runner.fifo = true;
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders").waitTime(Duration.ofSeconds(1))
            .concurrency(2).batchSize(100).batchWindow(Duration.ofMinutes(5)).batchHandler(batch -> {
              largest.accumulateAndGet(batch.size(), Math::max);
              batches.add(batch.stream().map(message -> Integer.parseInt(message.id().substring(1))).toList());
              batch.forEach(message -> all.countDown());
              return BatchResult.success();
            }).validate(),
        TestParts.runner(runner), TestParts.worker(worker), TestParts.harvester());
    consumer.start();
    await(all); // long before the 5-minute window

    assertThat(largest.get()).isBetween(1, 10);
    assertThat(batches).allSatisfy(batch -> assertThat(batch).isSorted());
    assertThat(batches.stream().flatMap(List::stream).sorted().toList())
        .isEqualTo(IntStream.range(0, 30).boxed().toList());
  }
}
