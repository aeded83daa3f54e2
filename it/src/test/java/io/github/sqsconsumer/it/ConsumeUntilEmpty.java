package io.github.sqsconsumer.it;

import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A consumer process for {@link HorizontalScaleTest}: consumes a queue until it is empty, the way a user's
 * service would (the SQS runner builds its own client from {@code sqs.endpoint} and {@code sqs.region};
 * credentials come from the {@code aws.accessKeyId} and {@code aws.secretAccessKey} system properties), then
 * writes the bodies it handled to a file and prints {@code handled <count>}, and when its first and its last
 * handler call ended ({@code first-handled <epoch micros>}, {@code last-handled <epoch micros>}; the wall clock,
 * which the processes of one host share), so the launcher can measure throughput without the JVMs' start.
 *
 * <p>Arguments: endpoint, queue URL, worker, harvester, output file.
 */
final class ConsumeUntilEmpty {
  /**
   * How long a process may run at most, so that a broken run cannot hang the build; 10,000 messages took
   * 60 s on a loaded 2-core machine.
   */
  private static final Duration DEADLINE = Duration.ofSeconds(150);

  private ConsumeUntilEmpty() {}

  public static void main(String[] args) throws Exception {
    URI endpoint = URI.create(args[0]);
    String queueUrl = args[1];
    String worker = args[2];
    String harvester = args[3];
    Path output = Path.of(args[4]);
    Set<String> bodies = ConcurrentHashMap.newKeySet();
    LongAdder handled = new LongAdder();
    AtomicLong firstHandled = new AtomicLong(Long.MAX_VALUE);
    AtomicLong lastHandled = new AtomicLong(Long.MIN_VALUE);
    try (SqsFixture sqs = SqsFixture.at("ElasticMQ", endpoint, "us-east-1", "test", "test");
        Consumer consumer = Consumer.builder()
            .name("process-" + ProcessHandle.current().pid())
            .queue(queueUrl).runner("sqs").worker(worker).harvester(harvester)
            .setting("sqs.endpoint", endpoint.toString()).setting("sqs.region", "us-east-1")
            .concurrency(20).waitTime(Duration.ofSeconds(1))
            .handler(message -> {
              handled.increment();
              bodies.add(message.body());
              long now = epochMicros();
              firstHandled.accumulateAndGet(now, Math::min);
              lastHandled.accumulateAndGet(now, Math::max);
            })
            .build()) {
      consumer.start();
      // empty = nothing visible and nothing in flight: every message was handled and deleted by someone
      await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> sqs.remaining(queueUrl) == 0);
    }
    Files.write(output, bodies);
    System.out.println("handled " + handled.sum());
    if (handled.sum() > 0) {
      System.out.println("first-handled " + firstHandled.get());
      System.out.println("last-handled " + lastHandled.get());
    }
  }

  private static long epochMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }
}
