package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One slow message among quick ones at a small concurrency. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class SlowMessageTest {
  private static final int QUICK = 39;

  /**
   * Regression: a poller received only once min(10, limit) permits were free, so at concurrency 4 one slow
   * message kept the permits the quick ones gave back unused: 3 of 4 handlers stayed idle while it ran.
   */
  @Test
  void slowMessage_smallConcurrency_othersHandledMeanwhile() {
    Combination.eachAtOnce(parts -> {
      othersHandledWhileSlowRuns(parts, null);
      othersHandledWhileSlowRuns(parts, 0);
    });
  }

  private static void othersHandledWhileSlowRuns(Combination parts, Integer prefetch) throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("slow-" + parts.worker() + "-" + parts.harvester() + "-"
        + prefetch, Duration.ofMinutes(5));
    queue.send("slow");
    for (int i = 0; i < QUICK; i++) {
      queue.send("quick " + i);
    }
    CountDownLatch quickHandled = new CountDownLatch(QUICK);
    CountDownLatch slowDone = new CountDownLatch(1);
    AtomicBoolean othersDuringSlow = new AtomicBoolean();
    Consumer.Builder builder = parts.onMemory(queue)
        .concurrency(4)
        .handler(message -> {
          if (message.body().equals("slow")) {
            // the slow message runs until the others are done, or 5 s at most
            othersDuringSlow.set(quickHandled.await(5, TimeUnit.SECONDS));
            slowDone.countDown();
          } else {
            quickHandled.countDown();
          }
        });
    if (prefetch != null) {
      builder.prefetch(prefetch);
    }
    try (Consumer consumer = builder.build()) {
      consumer.start();
      assertThat(slowDone.await(20, TimeUnit.SECONDS)).as(parts + " prefetch " + prefetch + ": slow done").isTrue();
      assertThat(othersDuringSlow.get()).as(parts + " prefetch " + prefetch + ": " + (QUICK - quickHandled.getCount())
          + " of " + QUICK + " quick messages handled while the slow one ran").isTrue();
      assertThat(quickHandled.await(20, TimeUnit.SECONDS)).isTrue();
    }
  }
}
