package io.github.sqsconsumer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  /** The default shutdown timeout: the phase less the close margin, at most the builder's 30 s. */
  @Test
  void shutdownTimeout_default_fitsThePhase() {
    assertThat(shutdownTimeout(Duration.ofSeconds(30), null)).isEqualTo(Duration.ofSeconds(23));
    assertThat(shutdownTimeout(Duration.ofSeconds(60), null)).isEqualTo(Duration.ofSeconds(30));
    assertThat(shutdownTimeout(Duration.ofSeconds(14), null)).isEqualTo(Duration.ofSeconds(7));
  }

  /**
   * Regression: a phase under 7 s gave a shutdown timeout of zero, so every running handler was interrupted
   * at once at shutdown, and any explicit value failed startup. Half the phase goes to the handlers now.
   */
  @Test
  void shutdownTimeout_shortPhase_halfForTheHandlers() {
    assertThat(shutdownTimeout(Duration.ofSeconds(5), null)).isEqualTo(Duration.ofMillis(2_500));
    assertThat(shutdownTimeout(Duration.ofSeconds(10), null)).isEqualTo(Duration.ofSeconds(5));
    assertThat(shutdownTimeout(Duration.ofSeconds(5), Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
    assertThat(shutdownTimeout(Duration.ofSeconds(5), Duration.ZERO)).isZero();
    assertThatThrownBy(() -> shutdownTimeout(Duration.ofSeconds(5), Duration.ofSeconds(3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("c.shutdown-timeout (PT3S) plus PT2.5S for the last acknowledgements must fit in "
            + "spring.lifecycle.timeout-per-shutdown-phase (PT5S), or the context stops waiting while messages "
            + "are still handled; lower it to PT2.5S or less, or raise the phase timeout");
  }

  private static Duration shutdownTimeout(Duration phase, Duration given) {
    ConsumerSettings own = new ConsumerSettings();
    own.setShutdownTimeout(given);
    return new ConsumerSettingsApplier(new ConsumerSettings(), phase).shutdownTimeout(own, "c");
  }
}
