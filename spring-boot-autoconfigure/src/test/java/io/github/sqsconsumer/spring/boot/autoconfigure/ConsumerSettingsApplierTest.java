package io.github.sqsconsumer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.spring.boot.autoconfigure.SqsConsumerProperties.ConsumerSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Regression: a part setting under the defaults (batch.maxWait) failed every consumer that chose another part
 * for that role ("read by none of the chosen parts"), and its own entry had no way to opt out. The test class
 * path has the batch harvester, the semaphore worker and the SQS runner; "direct" stands for any other name.
 */
final class ConsumerSettingsApplierTest {
  private final ConsumerSettings defaults = new ConsumerSettings();
  private final ConsumerSettingsApplier applier = new ConsumerSettingsApplier(defaults, Duration.ofSeconds(30));

  @Test
  void defaultPartSetting_leftOutForAConsumerThatNamesAnotherPartForItsRole() {
    ConsumerSettings own = new ConsumerSettings();
    own.setHarvester("direct");
    assertThat(applier.forAnotherPart("batch.maxWait", own)).isTrue();
  }

  @Test
  void defaultPartSetting_keptWhenTheRoleIsTheSettingsPart_orLeftToTheBuilder() {
    ConsumerSettings own = new ConsumerSettings();
    assertThat(applier.forAnotherPart("batch.maxWait", own)).as("no harvester named: the builder chooses").isFalse();
    own.setHarvester("batch");
    assertThat(applier.forAnotherPart("batch.maxWait", own)).isFalse();
    own.setWorker("pool"); // another role
    assertThat(applier.forAnotherPart("batch.maxWait", own)).isFalse();
    defaults.setHarvester("direct"); // the consumer's own choice wins over the defaults'
    assertThat(applier.forAnotherPart("batch.maxWait", own)).isFalse();
  }

  @Test
  void defaultsChoiceCounts_andUnknownPartsAreLeftToTheBuilder() {
    ConsumerSettings own = new ConsumerSettings();
    defaults.setHarvester("direct");
    assertThat(applier.forAnotherPart("batch.maxWait", own)).isTrue();
    assertThat(applier.forAnotherPart("mypart.knob", own)).as("not a part present: the builder checks it").isFalse();
  }
}
