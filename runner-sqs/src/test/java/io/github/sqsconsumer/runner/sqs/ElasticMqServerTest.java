package io.github.sqsconsumer.runner.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/** The testkit's ElasticMQ fixture (tested here, where ElasticMQ and the SDK are on the class path) and thread hygiene. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ElasticMqServerTest {

  @Test
  void start_bindsLoopbackOnDynamicPort() throws Exception {
    try (ElasticMqServer server = new ElasticMqServer().start();
        SqsAsyncClient client = SqsTestClients.client(server.endpoint())) {
      assertThat(server.isRunning()).isTrue();
      assertThat(server.port()).isPositive();
      assertThat(server.endpoint().toString()).isEqualTo("http://127.0.0.1:" + server.port());
      String url = server.createQueue("fixture", Map.of("VisibilityTimeout", "4"));
      assertThat(url).isEqualTo(server.endpoint() + "/000000000000/fixture");
      assertThat(client.getQueueUrl(b -> b.queueName("fixture")).get().queueUrl()).isEqualTo(url);
      assertThat(server.queueAttributes(url)).containsEntry("VisibilityTimeout", "4");
    }
  }

  @Test
  void restart_keepsPortQueuesAndMessages() {
    try (ElasticMqServer server = new ElasticMqServer().start()) {
      String url = server.createQueue("kept");
      server.sendMessage(url, "survives");
      int port = server.port();

      server.stop();
      assertThat(server.isRunning()).isFalse();
      assertThatThrownBy(() -> server.queueAttributes(url)).hasMessageContaining("GetQueueAttributes failed");

      server.restart();
      assertThat(server.port()).isEqualTo(port);
      assertThat(server.visibleMessages(url)).isEqualTo(1);
    }
  }

  @Test
  void redrivePolicy_namesTheDeadLetterQueueArn() {
    try (ElasticMqServer server = new ElasticMqServer().start()) {
      String dlq = server.createQueue("dlq");
      String policy = server.redrivePolicy(dlq, 3);
      assertThat(policy).contains("\"deadLetterTargetArn\":\"arn:aws:sqs:", ":dlq\"", "\"maxReceiveCount\":\"3\"");
      String source = server.createQueue("source", Map.of("RedrivePolicy", policy));
      assertThat(server.queueAttributes(source).get("RedrivePolicy")).contains("dlq");
    }
  }

  @Test
  void close_endsAllServerThreads() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    ElasticMqServer server = new ElasticMqServer().start();
    server.createQueue("threads");
    assertThat(newThreads(before)).as("the server runs threads").isNotEmpty();

    server.close();
    server.close(); // idempotent

    awaitNoNewThreads(before);
    assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class).hasMessage("the server is closed");
  }

  @Test
  void close_ownClientLeavesNoThreads() throws Exception {
    try (ElasticMqServer server = new ElasticMqServer().start()) {
      String url = server.createQueue("client-threads");
      Set<Thread> before = Thread.getAllStackTraces().keySet();
      Runner runner = new SqsRunnerProvider().create(RunnerTestContext.of(url,
          Map.of("sqs.endpoint", server.endpoint().toString(), "sqs.region", "us-east-1")));
      runner.open();
      runner.receive(1, java.time.Duration.ZERO, java.time.Duration.ofSeconds(30)).get(10, TimeUnit.SECONDS);

      runner.close();

      // the server's dispatcher and the JDK HttpClient of its helpers may add threads meanwhile; both end
      // with the server (close_endsAllServerThreads)
      awaitNoNewThreads(before, "pekko", "HttpClient-");
    }
  }

  private static List<String> newThreads(Set<Thread> before, String... ignored) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.isAlive())
        .filter(t -> !t.getName().startsWith("ForkJoinPool")) // the JDK's common pool may start on its own
        .filter(t -> java.util.Arrays.stream(ignored).noneMatch(t.getName()::contains))
        .map(Thread::getName)
        .collect(Collectors.toList());
  }

  private static void awaitNoNewThreads(Set<Thread> before, String... ignored) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15); // Netty's graceful shutdown takes ~2 s
    List<String> left = newThreads(before, ignored);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = newThreads(before, ignored);
    }
    assertThat(left).as("threads left running").isEmpty();
  }
}
