package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real parts' settings are checked at {@code build()}, each in its part's own words, and a misspelled
 * key fails instead of being ignored; {@code start()} then never fails for a setting.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class PartSettingsTest {
  private static final Duration NO_TIMEOUT = Duration.ofMinutes(5);
  private static final String NOT_CHOSEN = "io.github.sqsconsumer.batch.maxWait";
  private static final String LATE = "io.github.sqsconsumer.pool.idleTimeout";

  private final InMemoryQueue queue = InMemoryQueue.standard("settings", NO_TIMEOUT);

  @AfterEach
  void clearProperties() {
    System.clearProperty(NOT_CHOSEN);
    System.clearProperty(LATE);
  }

  private Consumer.Builder builder(String worker, String harvester) {
    return new Combination(worker, harvester).onMemory(queue).handler(message -> {});
  }

  private void assertBuildFails(Consumer.Builder builder, String message) {
    assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void build_badPoolSetting() {
    assertBuildFails(builder("pool", "direct").setting("pool.queueCapacity", "0"),
        "setting pool.queueCapacity must be between 1 and 1048576 but was 0");
    assertBuildFails(builder("pool", "direct").concurrency(4).setting("pool.minWorkers", "5"),
        "setting pool.minWorkers must be between 0 and 4 but was 5");
  }

  @Test
  void build_misspelledPoolKey() {
    assertBuildFails(builder("pool", "direct").setting("pool.idleTimout", "5s"),
        "unknown setting pool.idleTimout for the worker pool, which reads pool.idleTimeout, pool.minWorkers, "
            + "pool.queueCapacity");
  }

  @Test
  void build_semaphoreSetting_semaphoreReadsNone() {
    assertBuildFails(builder("semaphore", "batch").setting("semaphore.permits", "5"),
        "unknown setting semaphore.permits for the worker semaphore, which reads no settings");
  }

  @Test
  void build_badBatchSetting() {
    assertBuildFails(builder("semaphore", "batch").setting("batch.maxWait", "1h"),
        "setting batch.maxWait must be between PT0S and PT10S but was PT1H");
  }

  @Test
  void build_misspelledBatchKey() {
    assertBuildFails(builder("semaphore", "batch").setting("batch.maxwait", "1s"),
        "unknown setting batch.maxwait for the harvester batch, which reads batch.bufferSize, "
            + "batch.maxAttempts, batch.maxInFlight, batch.maxWait");
  }

  @Test
  void build_badDirectSetting() {
    assertBuildFails(builder("pool", "direct").setting("direct.maxAttempts", "0"),
        "setting direct.maxAttempts must be between 1 and 100 but was 0");
  }

  @Test
  void build_badSqsSetting() {
    assertBuildFails(Consumer.builder().runner("sqs").worker("pool").harvester("batch")
            .queue("http://127.0.0.1:1/000000000000/orders").handler(message -> {})
            .setting("sqs.maxConnections", "0"),
        "setting sqs.maxConnections must be between 1 and 10000 but was 0");
  }

  @Test
  void build_settingOfAPartNotChosen() {
    assertThatThrownBy(builder("pool", "direct").setting("batch.maxWait", "50ms")::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("setting batch.maxWait is read by none of the chosen parts (runner memory, "
            + "worker pool, harvester direct), which read direct.maxAttempts, direct.maxInFlight, ")
        .hasMessageEndingWith("belongs in the system property io.github.sqsconsumer.<key>, ignored where "
            + "that part is not chosen");
  }

  /** A deployment may set a part's system properties for every consumer in the JVM, whatever it chose. */
  @Test
  void build_systemPropertyOfAPartNotChosen_ignored() {
    System.setProperty(NOT_CHOSEN, "not a duration");
    try (Consumer consumer = builder("pool", "direct").build()) {
      consumer.start();
      assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
    }
  }

  @Test
  void build_badSystemPropertyOfTheChosenPart() {
    System.setProperty(NOT_CHOSEN, "not a duration");
    assertBuildFails(builder("pool", "batch"), "setting batch.maxWait must be a duration such as 100ms, 5s, "
        + "2m, 1h or PT0.5S but was 'not a duration'");
  }

  /**
   * Every setting of the chosen parts at a limit passes build() and start(); a system property set between
   * them changes nothing, since the settings were fixed at build().
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sqsconsumer.it.Combination#all")
  void start_settingsCheckedAtBuild_neverFailsForThem(Combination parts) {
    Map<String, String> limits = Map.of(
        "pool.minWorkers", "2", "pool.idleTimeout", "1h", "pool.queueCapacity", "1",
        "batch.maxWait", "0ms", "batch.maxInFlight", "1000", "batch.bufferSize", "10", "batch.maxAttempts", "100",
        "direct.maxInFlight", "1", "direct.maxAttempts", "1");
    Consumer.Builder builder = parts.onMemory(queue).concurrency(2).waitTime(Duration.ofSeconds(1))
        .handler(message -> {});
    limits.forEach((key, value) -> {
      if (key.startsWith(parts.worker() + ".") || key.startsWith(parts.harvester() + ".")) {
        builder.setting(key, value);
      }
    });
    queue.send("one");

    try (Consumer consumer = builder.build()) {
      System.setProperty(LATE, "not a duration");
      consumer.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> queue.deleted() == 1);
    }
  }
}
