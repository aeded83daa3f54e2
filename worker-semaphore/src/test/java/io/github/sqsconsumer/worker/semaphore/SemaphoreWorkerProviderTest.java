package io.github.sqsconsumer.worker.semaphore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.spi.WorkerProvider;
import io.github.sqsconsumer.testkit.ServiceModules;
import io.github.sqsconsumer.testkit.WorkerTestContext;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class SemaphoreWorkerProviderTest {

  @Test
  void name_isSemaphore() {
    assertThat(new SemaphoreWorkerProvider().name()).isEqualTo("semaphore");
  }

  @Test
  void create_zeroConcurrency() {
    assertThatThrownBy(() -> new SemaphoreWorkerProvider().create(WorkerTestContext.of(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("concurrency must be between 1 and 10000 but was 0");
  }

  @Test
  void create_concurrencyAboveLimit() {
    assertThatThrownBy(() -> new SemaphoreWorkerProvider().create(WorkerTestContext.of(10_001)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("concurrency must be between 1 and 10000 but was 10001");
  }

  @Test
  void settingKeys_none() {
    assertThat(new SemaphoreWorkerProvider().settingKeys()).isEmpty();
  }

  @Test
  void validate_badConcurrency() {
    assertThatThrownBy(() -> new SemaphoreWorkerProvider().validate(WorkerTestContext.of(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("concurrency must be between 1 and 10000 but was 0");
    new SemaphoreWorkerProvider().validate(WorkerTestContext.of(10_000));
  }

  @Test
  void create_nullContext() {
    assertThatThrownBy(() -> new SemaphoreWorkerProvider().create(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("context");
  }

  @Test
  void create_limits() throws InterruptedException {
    var worker = new SemaphoreWorkerProvider().create(WorkerTestContext.of(10_000));
    assertThat(worker.shutdown(Duration.ZERO)).isEmpty();
  }

  @Test
  void module_exportsNothingAndProvidesOnlyWorkerProvider() {
    ServiceModules.assertProvidesOnly(SemaphoreWorkerProvider.class, WorkerProvider.class);
  }
}
