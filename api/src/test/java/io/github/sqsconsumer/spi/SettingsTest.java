package io.github.sqsconsumer.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class SettingsTest {
  private final Settings settings = Settings.of(Map.of(
      "wait", "100ms", "long", "PT2M", "n", "12", "bad", "twelve", "flag", "TRUE", "hours", "2h", "zero", "0"));

  @Test
  void getDuration_shortAndIsoForms() {
    assertThat(settings.getDuration("wait", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)))
        .isEqualTo(Duration.ofMillis(100));
    assertThat(settings.getDuration("long", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)))
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(settings.getDuration("hours", Duration.ZERO, Duration.ZERO, Duration.ofHours(3)))
        .isEqualTo(Duration.ofHours(2));
    assertThat(settings.getDuration("missing", Duration.ofSeconds(3), Duration.ZERO, Duration.ofHours(1)))
        .isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void getDuration_bareZeroNeedsNoUnit() {
    assertThat(settings.getDuration("zero", Duration.ofSeconds(3), Duration.ZERO, Duration.ofHours(1)))
        .isZero();
    Settings oneWithoutUnit = Settings.of(Map.of("one", "1"));
    assertThatThrownBy(() -> oneWithoutUnit.getDuration("one", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was '1'");
  }

  @Test
  void getDuration_outOfRange() {
    assertThatThrownBy(() -> settings.getDuration("long", Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting long must be between PT0S and PT1M but was PT2M");
  }

  @Test
  void getDuration_garbled() {
    assertThatThrownBy(() -> settings.getDuration("bad", Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting bad must be a duration such as 100ms, 5s, 2m, 1h or PT0.5S but was 'twelve'");
  }

  @Test
  void getInt_rangeAndGarbled() {
    assertThat(settings.getInt("n", 1, 0, 100)).isEqualTo(12);
    assertThat(settings.getInt("missing", 7, 0, 100)).isEqualTo(7);
    assertThatThrownBy(() -> settings.getInt("n", 1, 0, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("setting n must be between 0 and 10 but was 12");
    assertThatThrownBy(() -> settings.getInt("bad", 1, 0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting bad must be an integer between 0 and 10 but was 'twelve'");
  }

  @Test
  void getBoolean_strict() {
    assertThat(settings.getBoolean("flag", false)).isTrue();
    assertThatThrownBy(() -> settings.getBoolean("bad", false))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("setting bad must be true or false but was 'twelve'");
  }

  @Test
  void get_fallsBackToSystemProperty() {
    System.setProperty("io.github.sqsconsumer.test.fallback", "5s");
    try {
      assertThat(settings.getDuration("test.fallback", Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1)))
          .isEqualTo(Duration.ofSeconds(5));
    } finally {
      System.clearProperty("io.github.sqsconsumer.test.fallback");
    }
  }
}
