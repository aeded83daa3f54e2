package io.github.sqsconsumer.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.spi.WorkerProvider;
import io.github.sqsconsumer.testkit.ServiceModules;
import io.github.sqsconsumer.testkit.WorkerTestContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class PoolWorkerProviderTest {

  private static Worker create(int concurrency, Map<String, String> settings) {
    return new PoolWorkerProvider().create(new WorkerTestContext("test", concurrency, settings));
  }

  /** Both validate (at build) and create (at start) reject the settings, in the same words. */
  private static void assertRejected(int concurrency, Map<String, String> settings, String message) {
    WorkerTestContext context = new WorkerTestContext("test", concurrency, settings);
    assertThatThrownBy(() -> new PoolWorkerProvider().validate(context))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> create(concurrency, settings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void settingKeys_everyKeyTheWorkerReads() {
    assertThat(new PoolWorkerProvider().settingKeys())
        .containsExactlyInAnyOrder("pool.minWorkers", "pool.idleTimeout", "pool.queueCapacity");
  }

  @Test
  void validate_goodSettings_startsNoThread() {
    new PoolWorkerProvider().validate(new WorkerTestContext("validate-only", 4,
        Map.of("pool.minWorkers", "4", "pool.idleTimeout", "1s", "pool.queueCapacity", "8")));

    assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
        .noneMatch(name -> name.startsWith("validate-only"));
  }

  @Test
  void validate_nullContext() {
    assertThatThrownBy(() -> new PoolWorkerProvider().validate(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("context");
  }

  @Test
  void name_isPool() {
    assertThat(new PoolWorkerProvider().name()).isEqualTo("pool");
  }

  @Test
  void create_zeroConcurrency() {
    assertRejected(0, Map.of(), "concurrency must be between 1 and 10000 but was 0");
  }

  @Test
  void create_concurrencyAboveLimit() {
    assertRejected(10_001, Map.of(), "concurrency must be between 1 and 10000 but was 10001");
  }

  @Test
  void create_nullContext() {
    assertThatThrownBy(() -> new PoolWorkerProvider().create(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("context");
  }

  @Test
  void create_minWorkersAboveConcurrency() {
    assertRejected(4, Map.of("pool.minWorkers", "5"), "setting pool.minWorkers must be between 0 and 4 but was 5");
  }

  @Test
  void create_negativeMinWorkers() {
    assertRejected(4, Map.of("pool.minWorkers", "-1"),
        "setting pool.minWorkers must be between 0 and 4 but was -1");
  }

  @Test
  void create_minWorkersNotANumber() {
    assertRejected(4, Map.of("pool.minWorkers", "two"),
        "setting pool.minWorkers must be an integer between 0 and 4 but was 'two'");
  }

  @Test
  void create_zeroIdleTimeout() {
    assertRejected(4, Map.of("pool.idleTimeout", "0ms"),
        "setting pool.idleTimeout must be between PT0.001S and PT1H but was PT0S");
  }

  @Test
  void create_idleTimeoutAboveAnHour() {
    assertRejected(4, Map.of("pool.idleTimeout", "2h"),
        "setting pool.idleTimeout must be between PT0.001S and PT1H but was PT2H");
  }

  @Test
  void create_idleTimeoutNotADuration() {
    assertRejected(4, Map.of("pool.idleTimeout", "soon"),
        "setting pool.idleTimeout must be a duration such as 100ms, 5s, 2m, 1h or PT0.5S but was 'soon'");
  }

  @Test
  void create_zeroQueueCapacity() {
    assertRejected(4, Map.of("pool.queueCapacity", "0"),
        "setting pool.queueCapacity must be between 1 and 1048576 but was 0");
  }

  @Test
  void create_queueCapacityAboveLimit() {
    assertRejected(4, Map.of("pool.queueCapacity", "1048577"),
        "setting pool.queueCapacity must be between 1 and 1048576 but was 1048577");
  }

  @Test
  void create_settingsAtTheirLimits() throws InterruptedException {
    Worker worker = create(10_000, Map.of("pool.minWorkers", "10000", "pool.idleTimeout", "1h",
        "pool.queueCapacity", "1048576"));
    assertThat(worker.shutdown(Duration.ZERO)).isEmpty();
  }

  @Test
  void defaultQueueCapacity_isAtLeastSixteenAndConcurrencyRoundedUp() {
    assertThat(PoolWorkerProvider.defaultQueueCapacity(1)).isEqualTo(16);
    assertThat(PoolWorkerProvider.defaultQueueCapacity(16)).isEqualTo(16);
    assertThat(PoolWorkerProvider.defaultQueueCapacity(17)).isEqualTo(32);
    assertThat(PoolWorkerProvider.defaultQueueCapacity(10_000)).isEqualTo(16_384);
  }

  @Test
  void nextPowerOfTwo_roundsUp() {
    assertThat(PoolWorkerProvider.nextPowerOfTwo(1)).isEqualTo(1);
    assertThat(PoolWorkerProvider.nextPowerOfTwo(2)).isEqualTo(2);
    assertThat(PoolWorkerProvider.nextPowerOfTwo(3)).isEqualTo(4);
    assertThat(PoolWorkerProvider.nextPowerOfTwo(5)).isEqualTo(8);
    assertThat(PoolWorkerProvider.nextPowerOfTwo(1 << 20)).isEqualTo(1 << 20);
    assertThat(PoolWorkerProvider.nextPowerOfTwo((1 << 20) + 1)).isEqualTo(1 << 21);
  }

  @Test
  void module_exportsNothingAndProvidesOnlyWorkerProvider() {
    ServiceModules.assertProvidesOnly(PoolWorkerProvider.class, WorkerProvider.class);
  }
}
