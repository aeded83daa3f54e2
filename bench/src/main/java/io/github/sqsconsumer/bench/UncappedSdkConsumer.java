package io.github.sqsconsumer.bench;

import java.util.function.Consumer;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The ceiling: 50 parallel long-poll loops, a virtual thread per message with no concurrency limit,
 * {@code DeleteMessageBatch} in batches of up to 10. Nothing bounds the messages in memory; no consumer
 * should be written this way, but it shows what the machine and the server can do at all.
 */
final class UncappedSdkConsumer {
  /** Enough overlapping polls for ~20,000 messages/s at a 25 ms round trip. */
  static final int POLLERS = 50;

  private UncappedSdkConsumer() {}

  static HandRolledConsumer<Message> start(SqsAsyncClient client, String queueUrl, Consumer<Message> handler) {
    return new HandRolledConsumer<>("uncapped-sdk", new SqsTransport(client, queueUrl), POLLERS, 0,
        HandRolledConsumer.virtualThreads(), handler);
  }
}
