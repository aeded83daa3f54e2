package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerProvider;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Overlapping polls hide a round trip. A queue that answers on the poller's own thread at once has none:
 * there each more poller only contends with the handlers for the queue and the cores, so at most two poll.
 * A queue that answers later, or blocks the poller for a round trip, still gets as many overlapping polls
 * as its round trip needs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class InlinePollingTest {
  private static final int MESSAGES = 20_000;
  /** Receives not watched: 1,000 messages of the 2,000 the shortest drain below has. */
  private static final int WARM_UP = 100;

  /**
   * Regression: every full receive of a backlog asked for one more overlapping poll, so against the
   * in-memory queue all 64 pollers polled, and the consumer spent more CPU per message than with two
   * (bench/RESULTS.md, 2026-12-06 21:37).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"semaphore", "pool"})
  void drain_answersOnThePollersThread_atMostTwoPoll(String worker) throws Exception {
    Set<Thread> polling = drain(worker, Duration.ZERO, Duration.ZERO);

    assertThat(polling).as("threads that called receive").hasSizeBetween(1, 2);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"semaphore", "pool"})
  void drain_answersAfterARoundTrip_pollsOverlap(String worker) throws Exception {
    Set<Thread> polling = drain(worker, Duration.ofMillis(5), Duration.ZERO);

    assertThat(polling).as("threads that called receive").hasSizeGreaterThan(2);
  }

  /** A runner that blocks its caller for the round trip, then answers: its polls overlap as any others. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"semaphore", "pool"})
  void drain_blocksThePollerForARoundTrip_pollsOverlap(String worker) throws Exception {
    Set<Thread> polling = drain(worker, Duration.ZERO, Duration.ofMillis(5));

    assertThat(polling).as("threads that called receive").hasSizeGreaterThan(2);
  }

  /**
   * Drains a backlog at concurrency 256 with no-op handlers, the queue answering after {@code latency} and
   * each receive blocking its caller for {@code blocking} first; returns the threads that received.
   */
  private static Set<Thread> drain(String worker, Duration latency, Duration blocking) throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("inline", Duration.ofMinutes(5)).trackMessages(false)
        .latency(latency);
    int messages = blocking.isZero() ? MESSAGES : MESSAGES / 10; // at 10 per receive, 5 ms each
    for (int i = 0; i < messages; i++) {
      queue.send("m" + i);
    }
    Set<Thread> polling = ConcurrentHashMap.newKeySet();
    try (Consumer consumer = new Combination(worker, "batch").onMemory(queue)
        .runner(recording(queue, blocking, polling)).concurrency(256).handler(message -> { }).build()) {
      consumer.start();
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10))
          .until(() -> queue.deleted() == messages);
    }
    assertThat(queue.deleted()).isEqualTo(messages);
    return polling;
  }

  /**
   * The in-memory queue's runner, noting in {@code polling} each thread that receives after the first
   * WARM_UP receives (a cold JVM's first receives may take milliseconds, like a round trip), and blocking it
   * first for {@code blocking}.
   */
  private static RunnerProvider recording(InMemoryQueue queue, Duration blocking, Set<Thread> polling) {
    AtomicInteger receives = new AtomicInteger();
    return ForwardingRunner.around("recording", queue, inner -> new ForwardingRunner(inner) {
      @Override
      public CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime, Duration visibility) {
        if (receives.incrementAndGet() > WARM_UP) {
          polling.add(Thread.currentThread());
        }
        if (!blocking.isZero()) {
          try {
            Thread.sleep(blocking);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e); // stopping: the poller gives its permits back
          }
        }
        return super.receive(maxMessages, waitTime, visibility);
      }
    });
  }
}
