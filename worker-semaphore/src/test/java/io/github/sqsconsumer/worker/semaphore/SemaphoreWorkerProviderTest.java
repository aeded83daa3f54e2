package io.github.sqsconsumer.worker.semaphore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.spi.WorkerProvider;
import io.github.sqsconsumer.testkit.WorkerTestContext;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
  void module_exportsNothingOpensNothingAndProvidesOneWorker() {
    Module module = SemaphoreWorkerProvider.class.getModule();
    assertThat(module.isNamed()).as("the tests run on the module path").isTrue();
    ModuleDescriptor descriptor = module.getDescriptor();

    assertThat(descriptor.name()).isEqualTo("io.github.sqsconsumer.worker.semaphore");
    assertThat(descriptor.isOpen()).isFalse();
    assertThat(descriptor.exports()).isEmpty();
    assertThat(descriptor.opens()).isEmpty();
    assertThat(descriptor.provides()).singleElement().satisfies(provides -> {
      assertThat(provides.service()).isEqualTo(WorkerProvider.class.getName());
      assertThat(provides.providers()).containsExactly(SemaphoreWorkerProvider.class.getName());
    });
  }

  @Test
  void serviceFile_namesTheProviderForTheClassPath() throws IOException {
    try (InputStream in = SemaphoreWorkerProvider.class.getModule()
        .getResourceAsStream("META-INF/services/" + WorkerProvider.class.getName())) {
      assertThat(in).isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList())
          .isEqualTo(List.of(SemaphoreWorkerProvider.class.getName()));
    }
  }
}
