package io.github.sqsconsumer.testkit.elasticmq;

import static io.github.sqsconsumer.testkit.elasticmq.ElasticMqResources.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntPredicate;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * A queue a test declared with {@link SqsQueue}, on the embedded ElasticMQ of {@link ElasticMqExtension}:
 * its URL, and what a test does to it from outside the consumer under test (send, count, wait, drain).
 *
 * <p>Every method talks to the server through the extension's client and blocks until it answered (at most
 * 30 seconds a call); the waits have deadlines and fail with an {@link AssertionError} saying what the
 * queue still held. Sends to a FIFO queue go to the group {@value #DEFAULT_GROUP} unless one is named, and
 * rely on content-based deduplication: the same body sent twice within five minutes is one message.
 * Thread-safe.
 */
public final class TestQueue {
  /** The message group of sends to a FIFO queue that name none. */
  public static final String DEFAULT_GROUP = "default";
  /** How long the waits without a timeout wait. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** How often the waits look at the queue's counts. */
  private static final Duration POLL = Duration.ofMillis(25);

  private final SqsAsyncClient client;
  private final QueueDeclaration declaration;
  private final String url;
  private final TestQueue deadLetters; // null without a dead-letter queue

  TestQueue(SqsAsyncClient client, QueueDeclaration declaration, String url, TestQueue deadLetters) {
    this.client = client;
    this.declaration = declaration;
    this.url = url;
    this.deadLetters = deadLetters;
  }

  QueueDeclaration declaration() {
    return declaration;
  }

  /** {@return the queue's name, with {@code .fifo} for a FIFO queue; never null} */
  public String name() {
    return declaration.name();
  }

  /** {@return the queue's URL, for {@code Consumer.builder().queue(url)}; never null} */
  public String url() {
    return url;
  }

  /** {@return whether this is a FIFO queue} */
  public boolean isFifo() {
    return declaration.fifo();
  }

  /**
   * {@return the dead-letter queue declared with {@link SqsQueue#deadLetter()}; never null}
   *
   * @throws IllegalStateException if the queue has none
   */
  public TestQueue deadLetters() {
    if (deadLetters == null) {
      throw new IllegalStateException("queue " + name() + " has no dead-letter queue; declare one with "
          + "@SqsQueue(name = \"" + name() + "\", deadLetter = @DeadLetter(maxReceiveCount = ...))");
    }
    return deadLetters;
  }

  /**
   * Sends one message, to the group {@value #DEFAULT_GROUP} if FIFO.
   *
   * @param body the message body, such as a JSON document; never null
   * @return the message id; never null
   */
  public String send(String body) {
    return send(body, DEFAULT_GROUP);
  }

  /**
   * Sends one message to a FIFO queue's group; on a standard queue the group is ignored.
   *
   * @param body never null
   * @param groupId the message group; never null
   * @return the message id; never null
   */
  public String send(String body, String groupId) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(groupId, "groupId");
    SendMessageRequest.Builder request = SendMessageRequest.builder().queueUrl(url).messageBody(body);
    if (isFifo()) {
      request.messageGroupId(groupId);
    }
    return await(client.sendMessage(request.build())).messageId();
  }

  /**
   * Sends one message with string message attributes (for example a tenant, or a trace header).
   *
   * @param body never null
   * @param attributes attribute names and their string values; never null
   * @return the message id; never null
   */
  public String send(String body, Map<String, String> attributes) {
    Objects.requireNonNull(body, "body");
    SendMessageRequest.Builder request = SendMessageRequest.builder().queueUrl(url).messageBody(body)
        .messageAttributes(strings(attributes));
    if (isFifo()) {
      request.messageGroupId(DEFAULT_GROUP);
    }
    return await(client.sendMessage(request.build())).messageId();
  }

  /**
   * Sends these bodies (JSON documents, say) in order, in batches of ten, to the group
   * {@value #DEFAULT_GROUP} if FIFO.
   *
   * @param bodies never null
   * @return the message ids, in the order of the bodies; never null
   */
  public List<String> sendAll(List<String> bodies) {
    List<String> ids = new ArrayList<>(bodies.size());
    for (int from = 0; from < bodies.size(); from += 10) {
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
      for (int i = from; i < Math.min(bodies.size(), from + 10); i++) {
        SendMessageBatchRequestEntry.Builder entry = SendMessageBatchRequestEntry.builder()
            .id(Integer.toString(i - from)).messageBody(Objects.requireNonNull(bodies.get(i), "body"));
        if (isFifo()) {
          entry.messageGroupId(DEFAULT_GROUP);
        }
        entries.add(entry.build());
      }
      SendMessageBatchResponse response = await(client.sendMessageBatch(b -> b.queueUrl(url).entries(entries)));
      if (!response.failed().isEmpty()) {
        throw new IllegalStateException("sending to " + name() + " failed: " + response.failed());
      }
      response.successful().stream()
          .sorted((a, b) -> Integer.compare(Integer.parseInt(a.id()), Integer.parseInt(b.id())))
          .forEach(sent -> ids.add(sent.messageId()));
    }
    return ids;
  }

  /**
   * Sends {@code count} messages with the bodies {@code message-1} to {@code message-<count>}.
   *
   * @param count zero or more
   * @return the bodies sent, in order; never null
   */
  public List<String> sendMessages(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative but was " + count);
    }
    List<String> bodies = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      bodies.add("message-" + i);
    }
    sendAll(bodies);
    return bodies;
  }

  /**
   * {@return how many messages the queue holds: visible, in flight (received, not yet deleted) and delayed}
   * ElasticMQ's counts are exact.
   */
  public int count() {
    Map<QueueAttributeName, String> attributes = await(client.getQueueAttributes(b -> b.queueUrl(url)
        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))).attributes();
    return attributes.values().stream().mapToInt(Integer::parseInt).sum();
  }

  /** Waits up to {@link #DEFAULT_TIMEOUT} until the queue holds no message ({@link #count()} is zero). */
  public void awaitEmpty() {
    awaitEmpty(DEFAULT_TIMEOUT);
  }

  /**
   * Waits until the queue holds no message: every message sent was deleted (or moved to the dead-letter
   * queue).
   *
   * @param timeout never null
   * @throws AssertionError if it still holds some after the timeout, saying how many
   */
  public void awaitEmpty(Duration timeout) {
    awaitCount(n -> n == 0, "to be empty", timeout);
  }

  /**
   * Waits up to {@link #DEFAULT_TIMEOUT} until the queue holds at least {@code count} messages.
   *
   * @param count the fewest messages to wait for, counted as {@link #count()} counts
   * @throws AssertionError if it holds fewer after the timeout, saying how many
   */
  public void awaitAtLeast(int count) {
    awaitAtLeast(count, DEFAULT_TIMEOUT);
  }

  /**
   * Waits until the queue holds at least {@code count} messages (a dead-letter queue that received them,
   * say).
   *
   * @param count the fewest messages to wait for, counted as {@link #count()} counts
   * @param timeout never null
   * @throws AssertionError if it holds fewer after the timeout, saying how many
   */
  public void awaitAtLeast(int count, Duration timeout) {
    awaitCount(n -> n >= count, "to hold at least " + count + " message(s)", timeout);
  }

  private void awaitCount(IntPredicate done, String goal, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int count;
    while (!done.test(count = count())) {
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError("expected queue " + name() + " " + goal + " within " + timeout
            + " but it holds " + count + " message(s)");
      }
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for queue " + name(), e);
      }
    }
  }

  /**
   * Receives every message visible now and deletes it: what a dead-letter queue holds, say. Stops at the
   * first receive that returns none, so messages in flight elsewhere stay where they are.
   *
   * @return the messages with all their attributes, in the order received; never null
   */
  public List<Message> drain() {
    List<Message> drained = new ArrayList<>();
    while (true) {
      List<Message> received = await(client.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)
          .waitTimeSeconds(0).messageAttributeNames("All")
          .messageSystemAttributeNames(MessageSystemAttributeName.ALL))).messages();
      if (received.isEmpty()) {
        return drained;
      }
      drained.addAll(received);
      List<DeleteMessageBatchRequestEntry> deletes = new ArrayList<>();
      for (int i = 0; i < received.size(); i++) {
        deletes.add(DeleteMessageBatchRequestEntry.builder()
            .id(Integer.toString(i)).receiptHandle(received.get(i).receiptHandle()).build());
      }
      await(client.deleteMessageBatch(b -> b.queueUrl(url).entries(deletes)));
    }
  }

  private static Map<String, MessageAttributeValue> strings(Map<String, String> values) {
    Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
    values.forEach((name, value) -> attributes.put(name,
        MessageAttributeValue.builder().dataType("String").stringValue(value).build()));
    return attributes;
  }

  /** Returns the queue's name and URL; never a message. */
  @Override
  public String toString() {
    return "TestQueue[" + name() + ", " + url + "]";
  }
}
