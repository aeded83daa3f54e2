package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.RetryPolicy;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * FIFO order end to end on an ElasticMQ FIFO queue: 50 groups, 5,000 messages, concurrency 20, a seventh of
 * them failing once. Within a group, the order in which messages are first handled successfully is the send
 * order, and no two handlers of one group run at once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class FifoElasticMqTest {
  private static final int GROUPS = 50;
  private static final int MESSAGES = 5_000;

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

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sqsconsumer.it.Combination#all")
  void fifo_someFailures_firstSuccessesInSendOrder(Combination parts) throws Exception {
    String queueUrl = sqs.fifoQueue("fifo", Duration.ofSeconds(30));
    // message k is number k / GROUPS of group k % GROUPS: every batch of ten mixes groups
    sqs.sendFifo(queueUrl, IntStream.range(0, MESSAGES)
        .mapToObj(k -> Map.entry((k % GROUPS) + ":" + (k / GROUPS), "group-" + (k % GROUPS))).toList());
    Map<String, List<Integer>> firstSuccesses = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> activeInGroup = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger succeeded = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Probe probe = new Probe();

    long start = System.nanoTime();
    try (SqsAsyncClient client = sqs.client(null);
        Consumer consumer = parts.onSqs(client, queueUrl).concurrency(20)
            .retryPolicy(RetryPolicy.fixed(Duration.ZERO)).waitTime(Duration.ofSeconds(1))
            .handler(message -> {
              String group = message.groupId().orElseThrow();
              AtomicInteger active = activeInGroup.computeIfAbsent(group, k -> new AtomicInteger());
              if (active.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
              }
              try {
                probe.attempt(message);
                int seq = Integer.parseInt(message.body().substring(message.body().indexOf(':') + 1));
                if (seq % 7 == 3 && message.receiveCount() == 1) { // a seventh fail on their first receive
                  failed.incrementAndGet();
                  throw new IllegalStateException("passing fault");
                }
                if (probe.succeeded().add(message.body())) {
                  firstSuccesses.computeIfAbsent(group, k -> Collections.synchronizedList(new ArrayList<>())).add(seq);
                  succeeded.incrementAndGet();
                }
              } finally {
                active.decrementAndGet();
              }
            }).build()) {
      consumer.start();
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
          .until(() -> succeeded.get() == MESSAGES);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    List<Integer> sendOrder = IntStream.range(0, MESSAGES / GROUPS).boxed().toList();
    Map<String, List<Integer>> outOfOrder = firstSuccesses.entrySet().stream()
        .filter(e -> !e.getValue().equals(sendOrder))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    System.out.printf("fifo ElasticMQ %-16s %d msgs in %d ms = %.0f msg/s, %d failures, %d handlings, "
            + "%d groups out of order%n", parts, MESSAGES, elapsed.toMillis(), MESSAGES / (elapsed.toNanos() / 1e9),
        failed.get(), probe.handled(), outOfOrder.size());
    assertThat(firstSuccesses).hasSize(GROUPS);
    assertThat(outOfOrder).as("groups whose first successes are not in send order").isEmpty();
    assertThat(overlaps.get()).as("handlers of one group running at once").isZero();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> sqs.remaining(queueUrl) == 0);
  }
}
