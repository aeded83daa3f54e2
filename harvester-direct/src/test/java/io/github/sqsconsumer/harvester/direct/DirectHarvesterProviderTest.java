package io.github.sqsconsumer.harvester.direct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.testkit.HarvesterCallbackRecorder;
import io.github.sqsconsumer.testkit.HarvesterTestContext;
import io.github.sqsconsumer.testkit.ScriptedQueuePort;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider's checks at build(): validate reads every setting, in create's words, and creates nothing. */
final class DirectHarvesterProviderTest {
  private final ScriptedQueuePort port = new ScriptedQueuePort();
  private final HarvesterCallbackRecorder callback = new HarvesterCallbackRecorder();

  private void validate(Map<String, String> settings) {
    new DirectHarvesterProvider().validate(new HarvesterTestContext("validate-only", port, callback, 8, settings));
  }

  @Test
  void settingKeys_everyKeyTheHarvesterReads() {
    assertThat(new DirectHarvesterProvider().settingKeys())
        .containsExactlyInAnyOrder("direct.maxInFlight", "direct.maxAttempts");
  }

  @Test
  void validate_maxInFlightOutOfRange() {
    assertThatThrownBy(() -> validate(Map.of("direct.maxInFlight", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting direct.maxInFlight must be between 1 and 10000 but was 0");
  }

  @Test
  void validate_maxAttemptsOutOfRange() {
    assertThatThrownBy(() -> validate(Map.of("direct.maxAttempts", "101")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting direct.maxAttempts must be between 1 and 100 but was 101");
  }

  @Test
  void validate_goodSettings_createsNothingAndSendsNothing() {
    validate(Map.of("direct.maxInFlight", "10000", "direct.maxAttempts", "1"));

    assertThat(port.requests()).isEmpty();
    assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
        .noneMatch(name -> name.startsWith("validate-only"));
  }

  @Test
  void config_defaultsFollowConcurrencyUpToFifty() {
    assertThat(DirectHarvesterProvider.config(
        new HarvesterTestContext("c", port, callback, 8, Map.of()))).isEqualTo(
            new DirectHarvesterProvider.DirectConfig(8, 5));
    assertThat(DirectHarvesterProvider.config(
        new HarvesterTestContext("c", port, callback, 500, Map.of()))).isEqualTo(
            new DirectHarvesterProvider.DirectConfig(50, 5));
  }
}
