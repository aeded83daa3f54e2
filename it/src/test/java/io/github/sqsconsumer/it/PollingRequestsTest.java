package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.RunnerProvider;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SQS bills per request: draining a backlog with the batch harvester should cost one receive and one delete
 * batch per ten messages, plus the long polls that find the queue empty at the end. Counts the in-memory
 * queue's requests per message handled.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class PollingRequestsTest {
  /** Enough that the drain's tail (one empty long poll per active poll) stays far below the bound. */
  private static final int MESSAGES = 4_000;

  /**
   * Regression: every receive that came back full asked for one more overlapping poll, even when the polls
   * already in flight only queued at the server (each answered later the more there were) and brought
   * nothing faster. Polls grew to the most there can be (64 at concurrency 100), and every one of them
   * ended the drain with a long poll of an empty queue: up to 0.032 requests per message above 0.200 on
   * 2,000 messages (the README's run of 2026-12-05 on ElasticMQ: 0.220-0.233), 0.016 on the 4,000 here;
   * since the fix 1-9 polls end the drain. The server answers one request at a time, a millisecond each,
   * as a server short of CPU does; receives count as sent to it.
   */
  @ParameterizedTest(name = "{0}, handler {1} ms")
  @CsvSource({"semaphore, 0", "semaphore, 10", "pool, 0", "pool, 10"})
  void drain_serverQueuesRequests_noMorePollsThanItServes(String worker, int handlerMs) throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("requests", Duration.ofMinutes(5));
    for (int i = 0; i < MESSAGES; i++) {
      queue.send("m" + i);
    }
    queue.resetCounters();
    QueueingServer server = new QueueingServer(queue);
    try (server;
        Consumer consumer = new Combination(worker, "batch").onMemory(queue).runner(server.runner())
            .concurrency(100)
            .handler(message -> {
              if (handlerMs > 0) {
                Thread.sleep(handlerMs);
              }
            }).build()) {
      consumer.start();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
          .until(() -> queue.deleted() == MESSAGES);
    }
    // receives as sent to the server (one still queued there at close was sent, and long-polls on a real
    // one); the rest as the queue counted them
    long receives = server.receives.get();
    long others = queue.requests() - queue.receiveRequests();
    double perMessage = (double) (receives + others) / MESSAGES;
    System.out.printf("requests %s, handler %d ms: %d receives sent, %d delete batches, %d others: %.4f per message%n",
        worker, handlerMs, receives, queue.deleteBatchRequests(), others - queue.deleteBatchRequests(), perMessage);
    assertThat(queue.deleted()).isEqualTo(MESSAGES);
    assertThat(perMessage).as("requests per message").isLessThanOrEqualTo(0.205);
  }

  /**
   * The in-memory queue's runner behind a server that answers receives one at a time, a millisecond each:
   * the more receives in flight, the longer each waits.
   */
  private static final class QueueingServer implements AutoCloseable {
    private final InMemoryQueue queue;
    private final ExecutorService server = Executors.newSingleThreadExecutor();
    final AtomicLong receives = new AtomicLong();

    QueueingServer(InMemoryQueue queue) {
      this.queue = queue;
    }

    /** The in-memory queue's runner, each receive going through the server first. */
    RunnerProvider runner() {
      return ForwardingRunner.around("queueing", queue, inner -> new ForwardingRunner(inner) {
        @Override
        public CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime, Duration visibility) {
          receives.incrementAndGet();
          return CompletableFuture.supplyAsync(() -> {
            try {
              Thread.sleep(1); // the server's work on one request
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return null;
          }, server).thenCompose(ignored -> super.receive(maxMessages, waitTime, visibility));
        }
      });
    }

    @Override
    public void close() {
      server.shutdownNow();
    }
  }
}
