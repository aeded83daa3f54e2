package io.github.sqsconsumer.bench;

import java.util.function.Consumer;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The baseline a careful user writes by hand with the AWS SDK: four long-poll loops (20 s, 10 messages),
 * a {@code Semaphore(concurrency)} held from receive to delete, the handler on a virtual thread per
 * message, {@code DeleteMessageBatch} in batches of up to 10 (filled for up to 2 ms).
 *
 * <p>Four loops is "a few": enough that polls overlap on a fast local server, and what most hand-written
 * consumers use; it does not adapt to the round trip the way the library's polling does, which is the
 * point of the comparison with an injected network delay.
 */
final class PlainSdkConsumer {
  static final int POLLERS = 4;

  private PlainSdkConsumer() {}

  static HandRolledConsumer<Message> start(SqsAsyncClient client, String queueUrl, int concurrency,
      Consumer<Message> handler) {
    return new HandRolledConsumer<>("plain-sdk", new SqsTransport(client, queueUrl), POLLERS, concurrency,
        HandRolledConsumer.virtualThreads(), handler);
  }
}
