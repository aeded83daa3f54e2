package io.github.sqsconsumer.harvester.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.testkit.HarvesterCallbackRecorder;
import io.github.sqsconsumer.testkit.HarvesterTestContext;
import io.github.sqsconsumer.testkit.ScriptedQueuePort;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider's checks at build(): validate reads every setting, in create's words, and creates nothing. */
final class BatchHarvesterProviderTest {
  private final ScriptedQueuePort port = new ScriptedQueuePort();
  private final HarvesterCallbackRecorder callback = new HarvesterCallbackRecorder();

  private void validate(Map<String, String> settings) {
    new BatchHarvesterProvider().validate(new HarvesterTestContext("validate-only", port, callback, 8, settings));
  }

  private void assertRejected(Map<String, String> settings, String message) {
    assertThatThrownBy(() -> validate(settings)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void settingKeys_everyKeyTheHarvesterReads() {
    assertThat(new BatchHarvesterProvider().settingKeys())
        .containsExactlyInAnyOrder("batch.maxWait", "batch.maxInFlight", "batch.bufferSize", "batch.maxAttempts");
  }

  @Test
  void validate_maxWaitOutOfRange() {
    assertRejected(Map.of("batch.maxWait", "20s"),
        "setting batch.maxWait must be between PT0S and PT10S but was PT20S");
  }

  @Test
  void validate_maxInFlightOutOfRange() {
    assertRejected(Map.of("batch.maxInFlight", "1001"),
        "setting batch.maxInFlight must be between 1 and 1000 but was 1001");
  }

  @Test
  void validate_bufferSizeSmallerThanABatch() {
    assertRejected(Map.of("batch.bufferSize", "9"),
        "setting batch.bufferSize must be between 10 and 1000000 but was 9");
  }

  @Test
  void validate_maxAttemptsNotANumber() {
    assertRejected(Map.of("batch.maxAttempts", "many"),
        "setting batch.maxAttempts must be an integer between 1 and 100 but was 'many'");
  }

  @Test
  void validate_goodSettings_createsNothingAndSendsNothing() {
    validate(Map.of("batch.maxWait", "0ms", "batch.maxInFlight", "1000", "batch.bufferSize", "1000000",
        "batch.maxAttempts", "1"));

    assertThat(port.requests()).isEmpty();
    assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
        .noneMatch(name -> name.startsWith("validate-only"));
  }

  @Test
  void validate_nullContext() {
    assertThatThrownBy(() -> new BatchHarvesterProvider().validate(null))
        .isInstanceOf(NullPointerException.class).hasMessage("context");
  }
}
