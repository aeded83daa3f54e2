package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.BatchResult;
import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * Batches past ten gathered within a batching window, through the real SQS runner and the AWS SDK against an
 * embedded ElasticMQ: by size, by the window, by the byte budget; partial failure; stop while gathering.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class BatchWindowElasticMqTest {
  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(50);

  @RegisterExtension
  static final ElasticMqExtension SQS = ElasticMqExtension.shared();

  private static SqsFixture sqs;

  @BeforeAll
  static void server(ElasticMqServer server) {
    sqs = SqsFixture.on(server);
  }

  @AfterAll
  static void closeFixture() {
    sqs.close();
  }

  /** What the handler saw: the size of every batch and how often each body was handed over. */
  private static final class Seen {
    final List<Integer> batches = new CopyOnWriteArrayList<>();
    final Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    final AtomicInteger messages = new AtomicInteger();

    void saw(List<Message> batch) {
      batches.add(batch.size());
      messages.addAndGet(batch.size());
      batch.forEach(message -> deliveries.merge(message.body(), 1, Integer::sum));
    }
  }

  private static Consumer.Builder consumer(SqsAsyncClient client, String queue) {
    return new Combination("pool", "batch").onSqs(client, queue).concurrency(2).waitTime(Duration.ofSeconds(1));
  }

  @Test
  void batchWindow_thousandMessages_oneBatchOfAThousand() throws Exception {
    String queue = sqs.standardQueue("batch-thousand", Duration.ofSeconds(30));
    sqs.send(queue, 1_000, i -> "message " + i);
    Seen seen = new Seen();
    try (SqsAsyncClient client = sqs.client(null);
        Consumer consumer = consumer(client, queue).concurrency(1).batchSize(1_000)
            .batchWindow(Duration.ofMinutes(2)).batchHandler(batch -> {
              seen.saw(batch);
              return BatchResult.success();
            }).build()) {
      consumer.start();

      await().atMost(AWAIT).pollInterval(POLL).until(() -> seen.messages.get() >= 1_000);
      await().atMost(AWAIT).pollInterval(POLL).until(() -> consumer.inFlight() == 0 && sqs.remaining(queue) == 0);
    }
    // the window (2 minutes) never ran out: only the size closed the batch
    assertThat(seen.batches).containsExactly(1_000);
    assertThat(seen.deliveries).hasSize(1_000).allSatisfy((body, count) -> assertThat(count).isEqualTo(1));
  }

  @Test
  void batchWindow_trickle_windowHandsOverPartlyFilledBatches() throws Exception {
    String queue = sqs.standardQueue("batch-trickle", Duration.ofSeconds(30));
    Seen seen = new Seen();
    try (SqsAsyncClient client = sqs.client(null);
        Consumer consumer = consumer(client, queue).batchSize(100).batchWindow(Duration.ofMillis(500))
            .batchHandler(batch -> {
              seen.saw(batch);
              return BatchResult.success();
            }).build()) {
      consumer.start();
      for (int round = 0; round < 3; round++) {
        int from = round * 3;
        sqs.send(queue, 3, i -> "trickle " + (from + i));
        int expected = from + 3;
        await().atMost(AWAIT).pollInterval(POLL).until(() -> seen.messages.get() == expected);
      }
      await().atMost(AWAIT).pollInterval(POLL).until(() -> consumer.inFlight() == 0 && sqs.remaining(queue) == 0);
    }
    // nine messages in rounds of three, each round handed over by the window long before a batch of 100
    assertThat(seen.batches).allSatisfy(size -> assertThat(size).isBetween(1, 3));
    assertThat(seen.deliveries).hasSize(9);
  }

  @Test
  void batchMaxBytes_nextMessageWouldExceed_closesTheBatchEarly() throws Exception {
    String queue = sqs.standardQueue("batch-bytes", Duration.ofSeconds(30));
    // 3,000-byte bodies against a 10 KiB budget: three fit (9,000 bytes), a fourth would not
    sqs.send(queue, 20, i -> String.format("%04d", i) + "x".repeat(2_996));
    Seen seen = new Seen();
    try (SqsAsyncClient client = sqs.client(null);
        Consumer consumer = consumer(client, queue).batchSize(1_000).batchWindow(Duration.ofSeconds(5))
            .batchMaxBytes(10 * 1024).batchHandler(batch -> {
              seen.saw(batch);
              return BatchResult.success();
            }).build()) {
      consumer.start();

      await().atMost(AWAIT).pollInterval(POLL).until(() -> seen.messages.get() >= 20);
      await().atMost(AWAIT).pollInterval(POLL).until(() -> consumer.inFlight() == 0 && sqs.remaining(queue) == 0);
    }
    assertThat(seen.batches).allSatisfy(size -> assertThat(size).isBetween(1, 3)).contains(3);
    assertThat(seen.deliveries).hasSize(20).allSatisfy((body, count) -> assertThat(count).isEqualTo(1));
  }

  @Test
  void batchResult_partialFailureInABigBatch_failedRetriedSucceededDeletedOnce() throws Exception {
    String queue = sqs.standardQueue("batch-partial", Duration.ofSeconds(30));
    sqs.send(queue, 500, i -> "message " + i);
    Seen seen = new Seen();
    try (SqsAsyncClient client = sqs.client(null);
        Consumer consumer = consumer(client, queue).batchSize(500).batchWindow(Duration.ofSeconds(2))
            .retryPolicy((message, failure) -> Optional.of(Duration.ZERO)).batchHandler(batch -> {
              seen.saw(batch);
              BatchResult.Builder result = BatchResult.builder();
              for (Message message : batch) {
                int index = Integer.parseInt(message.body().substring("message ".length()));
                if (index % 10 == 0 && seen.deliveries.get(message.body()) == 1) { // every tenth fails once
                  result.failed(message, new IllegalStateException("downstream said no (test)"));
                }
              }
              return result.build();
            }).build()) {
      consumer.start();

      await().atMost(AWAIT).pollInterval(POLL).until(() -> seen.messages.get() >= 550);
      await().atMost(AWAIT).pollInterval(POLL).until(() -> consumer.inFlight() == 0 && sqs.remaining(queue) == 0);
    }
    assertThat(seen.batches.stream().mapToInt(Integer::intValue).max().orElse(0)).as("a big batch").isGreaterThan(10);
    assertThat(seen.deliveries).hasSize(500).allSatisfy((body, count) -> {
      int index = Integer.parseInt(body.substring("message ".length()));
      assertThat(count).as(body).isEqualTo(index % 10 == 0 ? 2 : 1);
    });
  }

  /**
   * The messages of a batch that never started are released at close, none deleted, and a second consumer
   * gets every one. (Some may stay hidden for the queue's visibility timeout: a long poll the closing
   * consumer cancelled goes on at the server, which may hand it released messages that nobody reads.)
   */
  @Test
  void close_halfAssembledBatch_releasedNothingLost() throws Exception {
    String queue = sqs.standardQueue("batch-stop", Duration.ofSeconds(5));
    sqs.send(queue, 50, i -> "message " + i);
    AtomicInteger handled = new AtomicInteger();
    try (SqsAsyncClient client = sqs.client(null)) {
      Consumer consumer = consumer(client, queue).batchSize(1_000).batchWindow(Duration.ofMinutes(5))
          .shutdownTimeout(Duration.ofSeconds(5)).batchHandler(batch -> {
            handled.addAndGet(batch.size());
            return BatchResult.success();
          }).build();
      try (consumer) {
        consumer.start();
        // all fifty gather in the open batch: neither its size (1,000) nor its window (5 minutes) is reached;
        // the heartbeat keeps them hidden past the queue's 5 s meanwhile
        await().atMost(AWAIT).pollInterval(POLL).until(() -> consumer.inFlight() == 50);
      }
      assertThat(consumer.inFlight()).isZero();
      assertThat(handled).hasValue(0);
      assertThat(sqs.remaining(queue)).as("none deleted").isEqualTo(50);

      Seen seen = new Seen();
      try (Consumer second = consumer(client, queue).name("second").handler(message -> seen.saw(List.of(message)))
          .build()) {
        second.start();
        await().atMost(AWAIT).pollInterval(POLL).until(() -> seen.deliveries.size() == 50);
        await().atMost(AWAIT).pollInterval(POLL).until(() -> second.inFlight() == 0 && sqs.remaining(queue) == 0);
      }
      assertThat(seen.deliveries).allSatisfy((body, count) -> assertThat(count).isEqualTo(1));
    }
  }
}
