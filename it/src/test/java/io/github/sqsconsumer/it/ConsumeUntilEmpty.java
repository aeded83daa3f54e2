package io.github.sqsconsumer.it;

import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A consumer process for {@link HorizontalScaleTest}: consumes a queue until it is empty, the way a user's
 * service would (the SQS runner builds its own client from {@code sqs.endpoint} and {@code sqs.region};
 * credentials come from the {@code aws.accessKeyId} and {@code aws.secretAccessKey} system properties), then
 * writes the bodies it handled to a file and prints {@code handled <count>}.
 *
 * <p>Arguments: endpoint, queue URL, worker, harvester, output file.
 */
final class ConsumeUntilEmpty {
  /** How long a process may run at most, so that a broken run cannot hang the build. */
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  private ConsumeUntilEmpty() {}

  public static void main(String[] args) throws Exception {
    URI endpoint = URI.create(args[0]);
    String queueUrl = args[1];
    String worker = args[2];
    String harvester = args[3];
    Path output = Path.of(args[4]);
    Set<String> bodies = ConcurrentHashMap.newKeySet();
    LongAdder handled = new LongAdder();
    try (SqsFixture sqs = SqsFixture.at("ElasticMQ", endpoint, "us-east-1", "test", "test");
        Consumer consumer = Consumer.builder()
            .name("process-" + ProcessHandle.current().pid())
            .queue(queueUrl).runner("sqs").worker(worker).harvester(harvester)
            .setting("sqs.endpoint", endpoint.toString()).setting("sqs.region", "us-east-1")
            .concurrency(20).waitTime(Duration.ofSeconds(1))
            .handler(message -> {
              handled.increment();
              bodies.add(message.body());
            })
            .build()) {
      consumer.start();
      // empty = nothing visible and nothing in flight: every message was handled and deleted by someone
      await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> sqs.remaining(queueUrl) == 0);
    }
    Files.write(output, bodies);
    System.out.println("handled " + handled.sum());
  }
}
