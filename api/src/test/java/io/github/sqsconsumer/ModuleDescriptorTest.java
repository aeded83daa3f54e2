package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

final class ModuleDescriptorTest {

  @Test
  void api_exportsExactlyItsTwoPackagesAndUsesTheThreeServices() {
    ModuleDescriptor descriptor = Consumer.class.getModule().getDescriptor();
    assertThat(descriptor).as("tests run on the module path").isNotNull();
    assertThat(descriptor.name()).isEqualTo("io.github.sqsconsumer");
    assertThat(descriptor.exports()).extracting(ModuleDescriptor.Exports::source)
        .containsExactlyInAnyOrder("io.github.sqsconsumer", "io.github.sqsconsumer.spi");
    assertThat(descriptor.exports()).allMatch(e -> !e.isQualified());
    assertThat(descriptor.uses()).containsExactlyInAnyOrder("io.github.sqsconsumer.spi.RunnerProvider",
        "io.github.sqsconsumer.spi.WorkerProvider", "io.github.sqsconsumer.spi.HarvesterProvider");
    assertThat(descriptor.opens()).isEmpty();
    assertThat(descriptor.isOpen()).isFalse();
    assertThat(descriptor.provides()).isEmpty();
    assertThat(descriptor.requires()).extracting(ModuleDescriptor.Requires::name)
        .containsExactlyInAnyOrder("java.base", "org.slf4j");
  }
}
