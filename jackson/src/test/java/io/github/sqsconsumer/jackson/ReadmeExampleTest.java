package io.github.sqsconsumer.jackson;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's "Typed payloads" example: the region between the {@code README typed-payloads} markers
 * below is the README's snippet, word for word (asserted here), and it runs against an embedded ElasticMQ.
 * Change the region, then paste it into the README: the test fails until both agree.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class ReadmeExampleTest {
  private static final Path SOURCE = Path.of("src/test/java/io/github/sqsconsumer/jackson/ReadmeExampleTest.java");
  private static final Path README = Path.of("../README.md");
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final String BEGIN = "// README typed-payloads begin";
  private static final String END = "// README typed-payloads end";

  @Test
  void readme_containsTheExampleVerbatim() throws IOException {
    String snippet = region(Files.readString(SOURCE));

    assertThat(snippet).contains("Json.handler(Order.class");
    assertThat(Files.readString(README)).as("README.md holds the region of %s verbatim", SOURCE)
        .contains("```java\n" + snippet + "```\n");
  }

  @Test
  void example_runs() throws Exception {
    List<Object> orders = new CopyOnWriteArrayList<>();
    // the example names no parts and no endpoint: system properties choose them for this JVM
    Map<String, String> properties = Map.of(
        "io.github.sqsconsumer.runner", "sqs",
        "io.github.sqsconsumer.sqs.endpoint", "",
        "io.github.sqsconsumer.sqs.region", "us-east-1");
    try (ElasticMqServer sqs = new ElasticMqServer().start()) {
      String queueUrl = sqs.createQueue("orders");
      String topicQueueUrl = sqs.createQueue("orders-from-sns");
      properties.forEach((key, value) -> System.setProperty(key, value.isEmpty() ? sqs.endpoint().toString() : value));
      try {
        // README typed-payloads begin
        record Order(String id, int quantity) {}

        Consumer plain = Consumer.builder()
            .queue(queueUrl)
            .handler(Json.handler(Order.class, order -> orders.add(order))) // a body that is no Order: discarded
            .build();

        Consumer fromSns = Consumer.builder()
            .queue(topicQueueUrl)                    // subscribed to an SNS topic without raw delivery
            .handler(Json.of(Order.class)
                .unwrapSns()
                .onUnparsable(UnparsableBody.RETRY)  // retried, then moved by the queue's redrive policy
                .messageHandler(message -> {
                  String tenant = message.attributes().get("tenant").stringValue();
                  orders.add(tenant + ": " + message.payload());
                }))
            .build();
        // README typed-payloads end

        try (plain; fromSns) {
          plain.start();
          fromSns.start();
          sqs.sendMessage(queueUrl, "{\"id\":\"o-1\",\"quantity\":2}");
          sqs.sendMessage(topicQueueUrl, Messages.snsEnvelope("{\"id\":\"o-2\",\"quantity\":5}",
              "{\"tenant\":{\"Type\":\"String\",\"Value\":\"acme\"}}"));
          long deadline = System.nanoTime() + DEADLINE.toNanos();
          while (orders.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
          }
        }
        assertThat(orders).containsExactlyInAnyOrder(new Order("o-1", 2), "acme: " + new Order("o-2", 5));
      } finally {
        properties.keySet().forEach(System::clearProperty);
      }
    }
  }

  /** The lines between the markers, less their common indentation, each ending in a newline. */
  private static String region(String source) {
    List<String> lines = source.lines().toList();
    int begin = -1;
    int end = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(BEGIN)) {
        begin = i;
      } else if (lines.get(i).strip().equals(END)) {
        end = i;
      }
    }
    assertThat(begin).as("the begin marker in %s", SOURCE).isNotNegative();
    assertThat(end).as("the end marker after the begin marker").isGreaterThan(begin);
    List<String> body = lines.subList(begin + 1, end);
    int indent = body.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    StringBuilder sb = new StringBuilder();
    body.forEach(l -> sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n'));
    return sb.toString();
  }
}
