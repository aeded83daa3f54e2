package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.CoreParts.ThreadWorker;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A FIFO queue with a backlog in each group, as SQS hands it out: each receive brings one group's next
 * messages, of which one can run and the rest wait behind it. Those followers have room of their own in
 * the flow control, so the receives of other groups still come and every handler has a group to run.
 */
@Timeout(60)
final class FifoFollowersTest {
  private static final int CONCURRENCY = 10;
  private static final int GROUPS = 10;
  private static final int PER_GROUP = 30;

  private final InMemoryQueue queue = InMemoryQueue.fifo("orders.fifo", Duration.ofSeconds(30));
  private Consumer consumer;

  @AfterEach
  void close() {
    if (consumer != null) {
      consumer.close();
    }
  }

  // Regression: followers held the permits the heads of other groups needed: at concurrency 10 with the
  // default prefetch about (10 + prefetch) / 10 groups ran at once, 30-60 % of the handlers (an audit: 0.4x
  // a hand-written loop of 10 threads, each handling its receive in order).
  @Test
  void backlogInEveryGroup_everyHandlerRunsAGroup_inOrder() throws Exception {
    for (int group = 0; group < GROUPS; group++) { // one group after another: a receive brings one group
      for (int i = 0; i < PER_GROUP; i++) {
        queue.send("g" + group + "-" + i, "g" + group);
      }
    }
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostRunning = new AtomicInteger();
    List<String> handled = new CopyOnWriteArrayList<>();
    CountDownLatch all = new CountDownLatch(GROUPS * PER_GROUP);
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders.fifo").concurrency(CONCURRENCY)
            .waitTime(Duration.ofMillis(200))
            .handler(m -> {
              mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
              try {
                Thread.sleep(5);
                handled.add(m.body());
              } finally {
                running.decrementAndGet();
              }
              all.countDown();
            }).validate(),
        queue.runner(), CoreParts.workerProvider(ThreadWorker::new), CoreParts.sendingHarvesterProvider());
    consumer.start();

    assertThat(all.await(30, TimeUnit.SECONDS)).as("every message handled").isTrue();
    assertThat(mostRunning.get()).as("groups running at once").isGreaterThanOrEqualTo(CONCURRENCY - 1);
    for (int group = 0; group < GROUPS; group++) {
      String prefix = "g" + group + "-";
      List<String> ofGroup = handled.stream().filter(body -> body.startsWith(prefix)).toList();
      assertThat(ofGroup).as("group %d in order", group)
          .containsExactlyElementsOf(java.util.stream.IntStream.range(0, PER_GROUP).mapToObj(i -> prefix + i)
              .toList());
    }
    consumer.close();
    assertThat(queue.deleted()).isEqualTo(GROUPS * PER_GROUP);
  }
}
