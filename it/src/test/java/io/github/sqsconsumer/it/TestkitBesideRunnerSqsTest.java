package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension;
import io.github.sqsconsumer.testkit.elasticmq.SqsQueue;
import io.github.sqsconsumer.testkit.elasticmq.TestQueue;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * Regression: testkit registered its in-memory runner as a service, so with testkit and runner-sqs on one
 * path every consumer that named no runner failed at build() with "several runners found". This module
 * has both; a consumer naming no runner gets the SQS one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class TestkitBesideRunnerSqsTest {
  @RegisterExtension
  static final ElasticMqExtension SQS = ElasticMqExtension.shared();

  @Test
  void build_namingNoRunner_withTestkitOnThePath_consumesThroughSqs(SqsAsyncClient client,
      @SqsQueue(name = "no-runner-named") TestQueue queue) {
    assertThat(InMemoryQueue.class).as("testkit is on the path").isNotNull();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    try (Consumer consumer = Consumer.builder().queue(queue.url()).worker("semaphore").harvester("batch")
        .component(SqsAsyncClient.class, client).waitTime(Duration.ofSeconds(1))
        .handler(message -> handled.add(message.body())).build()) {
      consumer.start();
      List<String> sent = queue.sendMessages(5);
      queue.awaitEmpty();
      assertThat(handled).containsExactlyInAnyOrderElementsOf(sent);
    }
  }
}
