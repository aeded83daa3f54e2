package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.it.RecordingListener.Event;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * close() while the queue stops answering: the harvester's buffer is full of requests that never come back,
 * so nothing makes room in it until the harvester itself is closed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class CloseDuringOutageTest {
  private static final int CONCURRENCY = 16;
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(1);
  /** What Consumer#close documents: the shutdown timeout plus 5 s for the last acknowledgements. */
  private static final Duration CLOSE_BOUND = SHUTDOWN_TIMEOUT.plusSeconds(5);

  /**
   * Regression: the stop phases handed the units the worker never started (the pool's waiting room) to
   * harvester.release on the stopper thread, which waited without a deadline for room in the full buffer;
   * only harvester.close, the next phase on the same thread, frees that room. close() never returned. And
   * a handler's acknowledgement that the closed harvester refused was only logged, never reported.
   */
  @Test
  void close_queueStopsAnsweringWithHarvesterBufferFull_returnsInTimeAndReportsUnsent() {
    Combination.eachAtOnce(CloseDuringOutageTest::closeDuringOutage); // mostly waiting: all four at once
  }

  private static void closeDuringOutage(Combination parts) throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("outage-" + parts.worker() + "-" + parts.harvester(),
        Duration.ofMinutes(5));
    for (int i = 0; i < 60; i++) {
      queue.send("m" + i);
    }
    RecordingListener events = new RecordingListener();
    CountDownLatch outage = new CountDownLatch(1);
    Consumer.Builder builder = parts.onMemory(queue)
        .concurrency(CONCURRENCY)
        .shutdownTimeout(SHUTDOWN_TIMEOUT)
        .listener(events)
        .handler(message -> outage.await());
    int buffer;
    if (parts.harvester().equals("batch")) {
      buffer = 10;
      builder.setting("batch.bufferSize", "10").setting("batch.maxInFlight", "1");
    } else {
      buffer = 4;
      builder.setting("direct.maxInFlight", "4");
    }
    Consumer consumer = builder.build();
    consumer.start();
    try {
      // up to concurrency + the starting prefetch (as much again): all handlers busy, more waiting for one
      await().atMost(Duration.ofSeconds(20)).until(() -> events.count(Event.RECEIVED) >= 30);
      queue.latency(Duration.ofMinutes(10)); // from now on the queue acts but never answers in time
      outage.countDown();
      // handlers fill the harvester's buffer with deletes nobody answers, then all wait in acknowledge
      await().atMost(Duration.ofSeconds(20)).until(() -> consumer.workerActive() == CONCURRENCY
          && events.count(Event.SUCCEEDED) >= buffer + CONCURRENCY);
    } finally {
      outage.countDown();
    }

    long started = System.nanoTime();
    CompletableFuture<Void> closing = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> { // not the common pool: it may have one thread for the four runs
      consumer.close();
      closing.complete(null);
    });
    try {
      closing.get(CLOSE_BOUND.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(parts + ": close() did not return within " + CLOSE_BOUND.plusSeconds(5), e);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(took).as(parts + ": close() time").isLessThanOrEqualTo(CLOSE_BOUND);
    assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
    // every received message was deleted, released, or reported as not sent (left to its visibility timeout)
    long received = events.count(Event.RECEIVED);
    await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(events.count(Event.ACKNOWLEDGED)
        + events.count(Event.RELEASED) + events.count(Event.ACKNOWLEDGEMENT_FAILED))
        .as(parts + ": received " + received + ", settled or reported").isEqualTo(received));
    assertThat(events.count(Event.ACKNOWLEDGEMENT_FAILED)).as(parts + ": reported unsent").isPositive();
  }
}
