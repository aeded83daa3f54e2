package io.github.sqsconsumer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.orders.OrdersApplication;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The README's "Spring Boot" section: its dependency, its properties (the file {@code readme/application.properties})
 * and its application ({@code com.example.orders.OrdersApplication} between the markers) are in the README
 * word for word, and the application runs against an embedded ElasticMQ. Change them here, then paste them
 * into the README: the test fails until both agree.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class ReadmeExampleTest {
  private static final Path README = Path.of("../README.md");
  private static final Path APPLICATION = Path.of("src/test/java/com/example/orders/OrdersApplication.java");
  private static final Path PROPERTIES = Path.of("src/test/resources/readme/application.properties");
  private static final Path STARTER = Path.of("../spring-boot-starter/pom.xml");
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final String DEPENDENCIES = """
      <dependency>
        <groupId>io.github.sqsconsumer</groupId>
        <artifactId>sqs-consumer-spring-boot-starter</artifactId>
      </dependency>
      <dependency> <!-- typed payloads -->
        <groupId>io.github.sqsconsumer</groupId>
        <artifactId>sqs-consumer-jackson</artifactId>
      </dependency>
      """;

  @Test
  void readme_containsTheExampleVerbatim() throws IOException {
    String readme = Files.readString(README);
    assertThat(Files.readString(STARTER)).contains("<artifactId>sqs-consumer-spring-boot-starter</artifactId>");
    assertThat(readme).as("README.md holds the dependencies of %s", getClass().getSimpleName())
        .contains("```xml\n" + DEPENDENCIES + "```\n");
    assertThat(readme).as("README.md holds %s verbatim", PROPERTIES)
        .contains("```properties\n" + Files.readString(PROPERTIES) + "```\n");
    assertThat(readme).as("README.md holds the region of %s verbatim", APPLICATION)
        .contains("```java\n" + region(Files.readString(APPLICATION)) + "```\n");
  }

  @Test
  void example_runs() throws Exception {
    try (ElasticMqServer sqs = new ElasticMqServer().start()) {
      String queueUrl = sqs.createQueue("orders");
      ConfigurableApplicationContext context = SpringApplication.run(OrdersApplication.class,
          "--spring.config.location=classpath:readme/application.properties",
          "--sqs-consumer.defaults.sqs.endpoint=" + sqs.endpoint()); // the port this test's server took
      try (context) {
        sqs.sendMessage(queueUrl, "{\"id\":\"o-1\",\"quantity\":2}");
        sqs.sendMessage(queueUrl, "{\"id\":\"o-2\",\"quantity\":5}");
        MeterRegistry registry = context.getBean(MeterRegistry.class);
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (succeeded(registry) < 2 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(succeeded(registry)).isEqualTo(2);
      }
      assertThat(sqs.approximateMessages(queueUrl)).isZero();
    }
  }

  private static double succeeded(MeterRegistry registry) {
    return registry.find("sqs.consumer.messages.succeeded").tag("consumer", "orders").counters().stream()
        .mapToDouble(c -> c.count()).sum();
  }

  /** The lines between the markers, each ending in a newline. */
  private static String region(String source) {
    List<String> lines = source.lines().toList();
    int begin = lines.indexOf("// README spring-boot begin");
    int end = lines.indexOf("// README spring-boot end");
    assertThat(begin).as("the begin marker in %s", APPLICATION).isNotNegative();
    assertThat(end).as("the end marker after the begin marker").isGreaterThan(begin);
    StringBuilder sb = new StringBuilder();
    lines.subList(begin + 1, end).forEach(l -> sb.append(l).append('\n'));
    return sb.toString();
  }
}
