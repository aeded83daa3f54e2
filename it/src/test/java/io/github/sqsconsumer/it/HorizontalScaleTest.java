package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * Several consumers on one queue, as a service scales out: three consumers in this JVM, each with its own
 * client and its own combination of parts; then three separate JVM processes. 10,000 messages each time:
 * every message is handled, none is lost; throughput (for the processes, from the first handled message to
 * the last, the JVMs' start left out) and duplicates are printed.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS) // 10,000 messages through three JVMs on a busy machine
final class HorizontalScaleTest {
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

  @Test
  void threeConsumers_oneQueue_allHandledNoneLost() throws Exception {
    int total = 10_000;
    String queueUrl = sqs.standardQueue("scale", Duration.ofSeconds(30));
    sqs.send(queueUrl, total, i -> "m-" + i);
    // batch harvesters, the choice for throughput; both workers
    List<Combination> parts = List.of(new Combination("semaphore", "batch"), new Combination("pool", "batch"),
        new Combination("semaphore", "batch"));
    Probe probe = new Probe();
    List<LongAdder> perConsumer = new ArrayList<>();
    List<SqsAsyncClient> clients = new ArrayList<>();
    List<Consumer> consumers = new ArrayList<>();

    long start = System.nanoTime();
    Duration elapsed;
    try {
      for (int i = 0; i < parts.size(); i++) {
        LongAdder count = new LongAdder();
        perConsumer.add(count);
        SqsAsyncClient client = sqs.client(null);
        clients.add(client);
        Consumer consumer = parts.get(i).onSqs(client, queueUrl).name("scale-" + i).concurrency(20)
            .waitTime(Duration.ofSeconds(1))
            .handler(message -> {
              count.increment();
              probe.attempt(message);
              probe.succeeded(message);
            }).build();
        consumers.add(consumer);
        consumer.start();
      }
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
          .until(() -> probe.succeeded().size() == total);
      elapsed = Duration.ofNanos(System.nanoTime() - start);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .until(() -> sqs.remaining(queueUrl) == 0);
    } finally {
      consumers.forEach(Consumer::close);
      clients.forEach(SqsAsyncClient::close);
    }

    Set<String> all = IntStream.range(0, total).mapToObj(i -> "m-" + i).collect(Collectors.toSet());
    assertThat(probe.succeeded()).isEqualTo(all);
    assertThat(sqs.remaining(queueUrl)).isZero();
    System.out.printf("scale 3 consumers %s: %d msgs in %d ms = %.0f msg/s, per consumer %s, duplicates %d%n",
        parts, total, elapsed.toMillis(), total / (elapsed.toNanos() / 1e9), perConsumer,
        probe.handled() - total);
    assertThat(perConsumer).as("every consumer took a share").allSatisfy(n -> assertThat(n.sum()).isPositive());
  }

  @Test
  void threeProcesses_oneQueue_togetherHandleEveryMessage(@TempDir Path dir) throws Exception {
    int total = 10_000;
    String queueUrl = sqs.standardQueue("processes", Duration.ofSeconds(30));
    sqs.send(queueUrl, total, i -> "m-" + i);
    List<Combination> parts = List.of(new Combination("pool", "batch"), new Combination("semaphore", "batch"),
        new Combination("pool", "direct"));
    List<Process> processes = new ArrayList<>();

    try {
      for (int i = 0; i < 3; i++) {
        Combination combination = parts.get(i);
        ProcessBuilder builder = ModulePathLauncher.classPathChild(List.of("-Xmx256m",
                "-Daws.accessKeyId=test", "-Daws.secretAccessKey=test", "-Daws.disableEc2Metadata=true"),
            ConsumeUntilEmpty.class, List.of(sqs.endpoint().toString(), queueUrl, combination.worker(),
                combination.harvester(), dir.resolve("bodies-" + i).toString()))
            .redirectOutput(dir.resolve("out-" + i).toFile())
            .redirectError(dir.resolve("err-" + i).toFile());
        processes.add(builder.start());
      }
      for (Process process : processes) {
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("process ended in time").isTrue();
      }
    } finally {
      processes.forEach(Process::destroyForcibly); // only those still running: ours
    }
    long sum = 0;
    long firstHandled = Long.MAX_VALUE;
    long lastHandled = Long.MIN_VALUE;
    Set<String> handled = new HashSet<>();
    List<Long> counts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      assertThat(processes.get(i).exitValue()).as("exit value of process %d; stderr: %s", i,
          Files.readString(dir.resolve("err-" + i))).isZero();
      List<String> out = Files.readAllLines(dir.resolve("out-" + i));
      long count = figure(out, "handled ").sum();
      counts.add(count);
      if (count > 0) {
        firstHandled = Math.min(firstHandled, figure(out, "first-handled ").min().orElseThrow());
        lastHandled = Math.max(lastHandled, figure(out, "last-handled ").max().orElseThrow());
      }
      sum += count;
      handled.addAll(Files.readAllLines(dir.resolve("bodies-" + i)));
    }
    // from the first handled message to the last, in any process: without the JVMs' start and the final wait
    double seconds = (lastHandled - firstHandled) / 1e6;
    System.out.printf("scale 3 processes %s: %d msgs handled from first to last in %.0f ms = %.0f msg/s, "
        + "per process %s, duplicates %d%n", parts, total, seconds * 1000, total / seconds, counts, sum - total);
    assertThat(sum).as("handled by the three processes together").isGreaterThanOrEqualTo(total);
    assertThat(handled).isEqualTo(IntStream.range(0, total).mapToObj(i -> "m-" + i).collect(Collectors.toSet()));
    assertThat(sqs.remaining(queueUrl)).isZero();
  }

  /** The numbers a child printed on lines starting with {@code prefix}. */
  private static LongStream figure(List<String> lines, String prefix) {
    return lines.stream().filter(line -> line.startsWith(prefix))
        .mapToLong(line -> Long.parseLong(line.substring(prefix.length())));
  }
}
