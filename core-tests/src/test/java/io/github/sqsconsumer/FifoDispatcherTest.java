package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.CoreParts.ThreadWorker;
import io.github.sqsconsumer.spi.WorkUnit;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The FIFO dispatcher (Engine.dispatchReady) is a long-lived loop: it submits each group's next unit when
 * the previous one finished. Whatever its path throws must not end it while the consumer runs, or every
 * group's followers would wait for good (kept hidden by the heartbeat) while the consumer stays RUNNING.
 */
@Timeout(60)
final class FifoDispatcherTest {
  private static final List<String> GROUPS = List.of("a", "b");
  private static final int PER_GROUP = 5;

  private final InMemoryQueue queue = InMemoryQueue.fifo("orders.fifo", Duration.ofSeconds(30)).trackMessages(true);
  private Consumer consumer;

  @AfterEach
  void close() {
    if (consumer != null) {
      consumer.close();
    }
  }

  /**
   * The worker's submit throws an Error the first time the dispatcher calls it (for a follower): that unit
   * and its group's later messages go back to the queue, the dispatcher goes on, and every message of both
   * groups is then handled, in its group's order, and deleted.
   */
  @Test
  void dispatcher_workerSubmitThrowsAnError_groupsLaterMessagesStillHandled() throws Exception {
    Map<String, List<String>> firstHandlings = new ConcurrentHashMap<>();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    CountDownLatch allHandled = new CountDownLatch(GROUPS.size() * PER_GROUP);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < PER_GROUP; i++) {
      for (String group : GROUPS) {
        sent.add(queue.send(group + i, group));
      }
    }
    FailingOnceWorker worker = new FailingOnceWorker(4);
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders.fifo").concurrency(4)
            .waitTime(Duration.ofMillis(200))
            .handler(m -> {
              if (handled.add(m.id())) {
                firstHandlings.computeIfAbsent(m.groupId().orElseThrow(), g -> new CopyOnWriteArrayList<>()).add(m.body());
                allHandled.countDown();
              }
            }).validate(),
        queue.runner(), CoreParts.workerProvider(concurrency -> worker), CoreParts.sendingHarvesterProvider());
    consumer.start();

    assertThat(allHandled.await(20, TimeUnit.SECONDS)).as("every message handled").isTrue();
    assertThat(worker.failed).as("the dispatcher's submit did fail once").isTrue();
    assertThat(worker.dispatcherSubmits).as("the dispatcher went on after the failure").hasValueGreaterThan(1);
    for (String group : GROUPS) {
      List<String> inOrder = new ArrayList<>();
      for (int i = 0; i < PER_GROUP; i++) {
        inOrder.add(group + i);
      }
      assertThat(firstHandlings.get(group)).as("group %s in order", group).containsExactlyElementsOf(inOrder);
    }
    assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
    consumer.close();
    assertThat(queue.deletedIds()).containsExactlyInAnyOrderElementsOf(sent);
    assertThat(queue.isEmpty()).isTrue();
  }

  /** A {@link ThreadWorker} whose first submit from the FIFO dispatcher throws an Error. */
  private static final class FailingOnceWorker extends ThreadWorker {
    final AtomicInteger dispatcherSubmits = new AtomicInteger();
    volatile boolean failed;
    private final AtomicBoolean failNext = new AtomicBoolean(true);

    FailingOnceWorker(int concurrency) {
      super(concurrency);
    }

    @Override
    void accepting(WorkUnit unit) {
      if (Thread.currentThread().getName().endsWith("-dispatcher")) {
        dispatcherSubmits.incrementAndGet();
        if (failNext.compareAndSet(true, false)) {
          failed = true;
          throw new OutOfMemoryError("unable to create native thread (test)");
        }
      }
    }
  }
}
