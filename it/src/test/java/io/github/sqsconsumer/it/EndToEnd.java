package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.BatchResult;
import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * The end-to-end scenario run against every SQS-compatible server (ElasticMQ, LocalStack): a queue filled
 * before the consumer starts, a handler that mostly succeeds, fails some messages on their first receive
 * and is slow for a few, and checks that hold whatever the server:
 * <ul>
 *   <li>every message was handled successfully at least once;</li>
 *   <li>the queue is empty at the end (nothing visible, nothing in flight);</li>
 *   <li>nothing is deleted before its handler succeeded: every delete sent carries the receipt handle of a
 *       delivery whose handler had already succeeded (recorded in the handler before it returned; deletes
 *       checked as they are sent by a {@link RequestLog} on the user's client), and so does every delete
 *       the server accepted.</li>
 * </ul>
 * Prints throughput, requests per message and the duplicate rate.
 */
final class EndToEnd {
  /** The consumer's concurrency: handlers (or batches) at once. */
  static final int CONCURRENCY = 20;

  /** Which handler, and whether it fails and dawdles. */
  enum Mode {
    /** Single-message handler; 5 % fail on their first receive; 2 % take 3 ms. */
    HANDLER,
    /** Batch handler reporting the same failures per message, as partial failures. */
    BATCH_HANDLER,
    /** Single-message handler, no failure, no delay: the cost floor in requests. */
    SATURATING
  }

  /** What a run measured. */
  record Result(int messages, Duration elapsed, Map<String, Long> requests, long consumingRequests,
      long handled) {
    double requestsPerMessage() {
      return (double) consumingRequests / messages;
    }

    double messagesPerSecond() {
      return messages / (elapsed.toNanos() / 1e9);
    }
  }

  private EndToEnd() {}

  /**
   * Runs the scenario on a new queue and checks the invariants.
   *
   * @param sqs the server
   * @param parts the worker and harvester
   * @param messages how many messages
   * @param mode the handler
   * @param timeout how long the consumer may take for all messages
   */
  static Result run(SqsFixture sqs, Combination parts, int messages, Mode mode, Duration timeout) throws Exception {
    String queueUrl = sqs.standardQueue("e2e", Duration.ofSeconds(30));
    sqs.send(queueUrl, messages, i -> "m-" + i);
    Probe probe = new Probe();
    RequestLog log = new RequestLog().checkDeletes(probe.succeededReceipts()::contains);
    try (SqsAsyncClient client = sqs.client(log)) {
      return run(sqs, parts, queueUrl, client, log, probe, messages, mode, timeout);
    }
  }

  private static Result run(SqsFixture sqs, Combination parts, String queueUrl, SqsAsyncClient client,
      RequestLog log, Probe probe, int messages, Mode mode, Duration timeout) throws Exception {
    Set<String> bodies = IntStream.range(0, messages).mapToObj(i -> "m-" + i).collect(Collectors.toSet());
    Consumer.Builder builder = parts.onSqs(client, queueUrl)
        .concurrency(CONCURRENCY)
        .retryPolicy(RetryPolicy.fixed(Duration.ZERO)) // failed messages come back at once: a fast test
        .waitTime(Duration.ofSeconds(1))
        .shutdownTimeout(Duration.ofSeconds(10));
    boolean faults = mode != Mode.SATURATING;
    if (mode == Mode.BATCH_HANDLER) {
      builder.batchHandler(batch -> {
        BatchResult.Builder result = BatchResult.builder();
        for (Message message : batch) {
          probe.attempt(message);
          if (fails(message)) {
            result.failed(message, new IllegalStateException("passing fault"));
          } else {
            probe.succeeded(message);
          }
        }
        if (batch.stream().anyMatch(EndToEnd::slow)) {
          Thread.sleep(3);
        }
        return result.build();
      });
    } else {
      builder.handler(message -> {
        probe.attempt(message);
        if (faults && fails(message)) {
          throw new IllegalStateException("passing fault");
        }
        if (faults && slow(message)) {
          Thread.sleep(3);
        }
        probe.succeeded(message);
      });
    }

    long start = System.nanoTime();
    Duration elapsed;
    try (Consumer consumer = builder.build()) {
      consumer.start();
      await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> probe.succeeded().size() == messages);
      elapsed = Duration.ofNanos(System.nanoTime() - start);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .until(() -> sqs.remaining(queueUrl) == 0);
    }

    assertThat(probe.succeeded()).as("handled successfully at least once").isEqualTo(bodies);
    assertThat(sqs.remaining(queueUrl)).as("left in the queue").isZero();
    assertThat(log.deletes()).as("deletes accepted").isGreaterThanOrEqualTo(messages);
    assertThat(log.earlyDeletes()).as("deletes sent before the handler succeeded").isEmpty();
    assertThat(probe.succeededReceipts()).as("deliveries that succeeded").containsAll(log.deletedReceipts());

    Result result = new Result(messages, elapsed, log.snapshot(), log.consumingRequests(), probe.handled());
    long failures = mode == Mode.SATURATING ? 0 : bodies.stream().filter(b -> index(b) % 20 == 0).count();
    System.out.printf("e2e %-10s %-16s %-13s %5d msgs in %5d ms = %6.0f msg/s, %.3f requests/msg %s, "
            + "duplicates %.2f %%%n", sqs.name(), parts, mode, messages, elapsed.toMillis(),
        result.messagesPerSecond(), result.requestsPerMessage(), result.requests(),
        100.0 * (probe.handled() - messages - failures) / messages);
    return result;
  }

  /** True for the 5 % of messages that fail on their first receive. */
  private static boolean fails(Message message) {
    return index(message) % 20 == 0 && message.receiveCount() == 1;
  }

  /** True for the 2 % of messages whose handling takes a few milliseconds. */
  private static boolean slow(Message message) {
    return index(message) % 50 == 1;
  }

  static int index(Message message) {
    return index(message.body());
  }

  static int index(String body) {
    return Integer.parseInt(body.substring(2));
  }
}
