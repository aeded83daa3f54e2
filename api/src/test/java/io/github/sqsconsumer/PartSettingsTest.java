package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.spi.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class PartSettingsTest {
  private static final List<PartSettings.Part> PARTS = List.of(
      new PartSettings.Part("runner", "sqs", Set.of("sqs.endpoint", "sqs.region")),
      new PartSettings.Part("worker", "pool", Set.of("pool.idleTimeout", "pool.minWorkers")),
      new PartSettings.Part("harvester", "direct", Set.of()));

  private static Settings of(Map<String, String> given, Properties system) {
    return PartSettings.of(given, system, PARTS);
  }

  private static Properties system(String... keysAndValues) {
    Properties properties = new Properties();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
    }
    return properties;
  }

  @Test
  void of_knownKeys_readAsGiven() {
    Settings settings = of(Map.of("pool.idleTimeout", "5s", "sqs.region", "eu-west-1"), system());

    assertThat(settings.getDuration("pool.idleTimeout", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.get("sqs.region")).contains("eu-west-1");
    assertThat(settings.getInt("pool.minWorkers", 3, 0, 10)).isEqualTo(3);
  }

  @Test
  void of_misspelledKeyOfChosenPart() {
    assertThatThrownBy(() -> of(Map.of("pool.idleTimout", "5s"), system()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown setting pool.idleTimout for the worker pool, which reads pool.idleTimeout, "
            + "pool.minWorkers");
  }

  @Test
  void of_keyOfChosenPartWithoutSettings() {
    assertThatThrownBy(() -> of(Map.of("direct.maxInFlight", "5"), system()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown setting direct.maxInFlight for the harvester direct, which reads no settings");
  }

  @Test
  void of_keyOfNoChosenPart() {
    assertThatThrownBy(() -> of(Map.of("batch.maxWait", "5s"), system()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting batch.maxWait is read by none of the chosen parts (runner sqs, worker pool, "
            + "harvester direct), which read pool.idleTimeout, pool.minWorkers, sqs.endpoint, sqs.region; a "
            + "setting for a part that only some deployments choose belongs in the system property "
            + "io.github.sqsconsumer.<key>, ignored where that part is not chosen");
  }

  @Test
  void of_keyWithoutPart() {
    assertThatThrownBy(() -> of(Map.of("idleTimeout", "5s"), system()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("setting idleTimeout is read by none of the chosen parts (runner sqs, ");
    assertThatThrownBy(() -> of(Map.of(".idleTimeout", "5s"), system()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("setting .idleTimeout is read by none of the chosen parts");
  }

  @Test
  void of_systemPropertyOfChosenPart_readAndOverriddenByTheBuilder() {
    Properties system = system("io.github.sqsconsumer.pool.idleTimeout", "7s",
        "io.github.sqsconsumer.pool.minWorkers", "1");

    Settings settings = of(Map.of("pool.minWorkers", "2"), system);

    assertThat(settings.get("pool.idleTimeout")).contains("7s");
    assertThat(settings.getInt("pool.minWorkers", 0, 0, 10)).isEqualTo(2);
  }

  @Test
  void of_misspelledSystemPropertyOfChosenPart() {
    assertThatThrownBy(() -> of(Map.of(), system("io.github.sqsconsumer.pool.idleTimout", "5s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown setting pool.idleTimout (system property io.github.sqsconsumer.pool.idleTimout) "
            + "for the worker pool, which reads pool.idleTimeout, pool.minWorkers");
  }

  /** Deployment-wide properties: for parts this consumer did not choose, choices of parts, other libraries. */
  @Test
  void of_otherSystemProperties_ignored() {
    Properties system = system(
        "io.github.sqsconsumer.batch.maxWait", "not even a duration",
        "io.github.sqsconsumer.semaphore.anything", "x",
        "io.github.sqsconsumer.worker", "pool",
        "io.github.sqsconsumer.harvester", "direct",
        "io.github.sqsconsumer.", "",
        "io.github.other.pool.idleTimout", "5s",
        "pool.idleTimout", "5s");

    Settings settings = of(Map.of(), system);

    assertThat(settings.get("batch.maxWait")).isEmpty();
    assertThat(settings.get("worker")).isEmpty();
    assertThat(settings).hasToString("Settings[]");
  }

  /** What the parts read is what build() checked: a property set later does not reach them. */
  @Test
  void of_readsSystemPropertiesOnce() {
    Properties system = system("io.github.sqsconsumer.pool.minWorkers", "1");
    Settings settings = of(Map.of(), system);

    system.setProperty("io.github.sqsconsumer.pool.minWorkers", "99");
    system.setProperty("io.github.sqsconsumer.pool.idleTimeout", "never");

    assertThat(settings.getInt("pool.minWorkers", 0, 0, 10)).isEqualTo(1);
    assertThat(settings.getDuration("pool.idleTimeout", Duration.ofSeconds(60), Duration.ZERO,
        Duration.ofHours(1))).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void of_badValue_failsWhenRead_namingSettingValueAndRange() {
    Settings settings = of(Map.of("pool.minWorkers", "11"), system());

    assertThatThrownBy(() -> settings.getInt("pool.minWorkers", 0, 0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting pool.minWorkers must be between 0 and 10 but was 11");
  }

  @Test
  void toString_namesKeysNotValues() {
    assertThat(of(Map.of("sqs.endpoint", "http://secret@host"), system())).hasToString("Settings[sqs.endpoint]");
  }
}
