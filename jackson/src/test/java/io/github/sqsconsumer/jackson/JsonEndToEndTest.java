package io.github.sqsconsumer.jackson;

import static io.github.sqsconsumer.jackson.Messages.order;
import static io.github.sqsconsumer.jackson.Messages.snsEnvelope;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.BatchResult;
import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.ConsumerListener;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.PermanentFailureException;
import io.github.sqsconsumer.RetryPolicy;
import io.github.sqsconsumer.jackson.Messages.Order;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Typed handlers in the whole consumer — SQS runner, semaphore worker, batch harvester — against an
 * embedded ElasticMQ over HTTP: JSON bodies and an SNS envelope reach the handler as objects, and an
 * unparsable body ends as configured (discarded, or retried into the dead-letter queue).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class JsonEndToEndTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final String ATTRIBUTES = """
      {"tenant":{"Type":"String","Value":"acme"},"sig":{"Type":"Binary","Value":"AAEC/w=="}}""";

  private static ElasticMqServer sqs;

  @BeforeAll
  static void startServer() {
    sqs = new ElasticMqServer().start();
  }

  @AfterAll
  static void stopServer() {
    if (sqs != null) {
      sqs.close();
    }
  }

  private static Consumer.Builder consumer(String queueUrl) {
    // long polls of a second: the runner's client closes once the last ones answered (SQS runner, Closing)
    return Consumer.builder().name("json-e2e").queue(queueUrl).waitTime(Duration.ofSeconds(1))
        .runner("sqs").worker("semaphore").harvester("batch")
        .setting("sqs.endpoint", sqs.endpoint().toString())
        .setting("sqs.region", "us-east-1")
        .concurrency(4);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + DEADLINE + " waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void consume_jsonBodiesAndSnsEnvelope_unparsableDiscarded() throws Exception {
    String url = sqs.createQueue("typed");
    for (int i = 0; i < 3; i++) {
      sqs.sendMessage(url, order("raw-" + i, i + 1));
    }
    sqs.sendMessage(url, snsEnvelope(order("sns-1", 9), ATTRIBUTES));
    String badId = sqs.sendMessage(url, "{\"id\": unquoted}");
    Map<String, JsonMessage<Order>> handled = new ConcurrentHashMap<>();
    List<Throwable> discarded = new CopyOnWriteArrayList<>();
    AtomicInteger failed = new AtomicInteger();

    try (Consumer consumer = consumer(url)
        .handler(Json.of(Order.class).unwrapSns().messageHandler(m -> handled.put(m.payload().id(), m)))
        .listener(new ConsumerListener() {
          @Override
          public void onDiscarded(Message message, Throwable cause) {
            discarded.add(cause);
          }

          @Override
          public void onFailed(Message message, Throwable cause, Duration retryDelay) {
            failed.incrementAndGet();
          }
        }).build()) {
      consumer.start();
      await("4 orders are handled and 1 discarded", () -> handled.size() == 4 && discarded.size() == 1);
      await("the queue is empty", () -> sqs.approximateMessages(url) == 0);
    }

    assertThat(handled).containsOnlyKeys("raw-0", "raw-1", "raw-2", "sns-1");
    assertThat(handled.get("raw-2").payload()).isEqualTo(new Order("raw-2", 3));
    assertThat(handled.get("raw-2").sns()).isEmpty();
    JsonMessage<Order> fromSns = handled.get("sns-1");
    assertThat(fromSns.payload()).isEqualTo(new Order("sns-1", 9));
    assertThat(fromSns.sns().orElseThrow().topicArn()).isEqualTo("arn:aws:sns:us-east-1:123456789012:orders");
    assertThat(fromSns.attributes().get("tenant").stringValue()).isEqualTo("acme");
    assertThat(fromSns.attributes().get("sig").binaryValue()).containsExactly(0, 1, 2, 0xff);
    assertThat(discarded).singleElement().isInstanceOfSatisfying(PermanentFailureException.class,
        e -> assertThat(e.getCause()).isInstanceOfSatisfying(UnparsableBodyException.class,
            u -> assertThat(u.messageId()).isEqualTo(badId)));
    assertThat(failed).as("nothing failed: the bad body was discarded at once").hasValue(0);
  }

  @Test
  void consume_batchRetryingUnparsable_endsInDeadLetterQueue() throws Exception {
    String dlq = sqs.createQueue("typed-dlq");
    String url = sqs.createQueue("typed-redrive",
        Map.of("VisibilityTimeout", "5", "RedrivePolicy", sqs.redrivePolicy(dlq, 2)));
    for (int i = 0; i < 20; i++) {
      sqs.sendMessage(url, order("o-" + i, i + 1));
    }
    String badId = sqs.sendMessage(url, "[\"not\", \"an\", \"order\"]");
    Set<String> handled = ConcurrentHashMap.newKeySet();
    AtomicInteger batches = new AtomicInteger();
    AtomicInteger badReceives = new AtomicInteger();

    try (Consumer consumer = consumer(url)
        .batchSize(10)
        .retryPolicy(RetryPolicy.fixed(Duration.ZERO))
        .batchHandler(Json.of(Order.class).onUnparsable(UnparsableBody.RETRY).batchHandler(batch -> {
          batches.incrementAndGet();
          batch.forEach(m -> handled.add(m.payload().id()));
          return BatchResult.success();
        }))
        .listener(new ConsumerListener() {
          @Override
          public void onFailed(Message message, Throwable cause, Duration retryDelay) {
            if (message.id().equals(badId) && cause instanceof UnparsableBodyException) {
              badReceives.incrementAndGet();
            }
          }
        }).build()) {
      consumer.start();
      await("the 20 orders are handled", () -> handled.size() == 20);
      await("the bad body is in the dead-letter queue", () -> sqs.visibleMessages(dlq) == 1);
      await("the queue is empty", () -> sqs.approximateMessages(url) == 0);
    }

    assertThat(badReceives).as("retried up to the redrive policy's maxReceiveCount").hasValue(2);
    assertThat(batches.get()).isPositive();
  }
}
