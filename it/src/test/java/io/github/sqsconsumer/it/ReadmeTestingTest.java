package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The README's "Testing your handler" example, {@link OrderHandlerTest}: the region between its
 * {@code README testing} markers is the README's snippet word for word (asserted here), and its tests pass.
 * Surefire does not run it by itself (see the pom): the example names no parts, as a user with one worker
 * and one harvester writes it, and this module has two of each, so it runs here with system properties
 * choosing them. The runner is not chosen: testkit, on this module's path too, registers none.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ReadmeTestingTest {
  private static final Path SOURCE = Path.of("src/test/java/io/github/sqsconsumer/it/OrderHandlerTest.java");
  private static final Path README = Path.of("../README.md");
  private static final String BEGIN = "// README testing begin";
  private static final String END = "// README testing end";

  @Test
  void readme_containsTheExampleVerbatim() throws IOException {
    String snippet = region(Files.readString(SOURCE));

    assertThat(snippet).contains("@ExtendWith(ElasticMqExtension.class)", "@SqsQueue(name = \"orders\")");
    assertThat(Files.readString(README)).as("README.md holds the region of %s verbatim", SOURCE)
        .contains("```java\n" + snippet + "```\n");
  }

  @Test
  void example_passes() {
    Map<String, String> properties = Map.of(
        "io.github.sqsconsumer.worker", "semaphore",
        "io.github.sqsconsumer.harvester", "batch");
    properties.forEach(System::setProperty);
    try {
      EngineTestKit.engine("junit-jupiter").selectors(selectClass(OrderHandlerTest.class)).execute()
          .testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    } finally {
      properties.keySet().forEach(System::clearProperty);
    }
  }

  /** The lines between the markers, each ending in a newline. */
  private static String region(String source) {
    List<String> lines = source.lines().toList();
    int begin = lines.indexOf(BEGIN);
    int end = lines.indexOf(END);
    assertThat(begin).as("the begin marker in %s", SOURCE).isNotNegative();
    assertThat(end).as("the end marker after the begin marker").isGreaterThan(begin);
    StringBuilder sb = new StringBuilder();
    lines.subList(begin + 1, end).forEach(l -> sb.append(l).append('\n'));
    return sb.toString();
  }
}
