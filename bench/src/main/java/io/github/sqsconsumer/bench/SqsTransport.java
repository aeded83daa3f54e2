package io.github.sqsconsumer.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/** Receive and batch delete with the plain SDK, for the hand-written baselines. */
final class SqsTransport implements HandRolledConsumer.Transport<Message> {
  /** The longest long poll: what every SQS guide tells a user to use. */
  private static final int WAIT_SECONDS = 20;
  /**
   * For diagnosis only ({@link Probe}): {@code -Dbench.attributes=all} asks for every system and message
   * attribute on each receive, as the library does, to tell the cost of attributes from the cost of the
   * library.
   */
  private static final boolean ALL_ATTRIBUTES = "all".equals(System.getProperty("bench.attributes"));

  private final SqsAsyncClient client;
  private final String queueUrl;

  SqsTransport(SqsAsyncClient client, String queueUrl) {
    this.client = client;
    this.queueUrl = queueUrl;
  }

  @Override
  public CompletableFuture<List<Message>> receive(int max) {
    return client.receiveMessage(r -> {
      r.queueUrl(queueUrl).maxNumberOfMessages(max).waitTimeSeconds(WAIT_SECONDS);
      if (ALL_ATTRIBUTES) {
        r.messageSystemAttributeNames(MessageSystemAttributeName.ALL).messageAttributeNames("All");
      }
    }).thenApply(ReceiveMessageResponse::messages);
  }

  @Override
  public CompletableFuture<?> delete(List<Message> messages) {
    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
          .receiptHandle(messages.get(i).receiptHandle()).build());
    }
    return client.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
  }
}
