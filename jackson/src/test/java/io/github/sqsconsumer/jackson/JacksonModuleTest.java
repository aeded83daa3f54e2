package io.github.sqsconsumer.jackson;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.MessageHandler;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Requires;
import org.junit.jupiter.api.Test;

/** The module descriptor: one exported package, nothing opened, Jackson kept out of the api module. */
final class JacksonModuleTest {

  @Test
  void descriptor_exportsItsOnePackageAndOpensNothing() {
    Module module = Json.class.getModule();
    assertThat(module.isNamed()).as("tests run on the module path").isTrue();
    ModuleDescriptor descriptor = module.getDescriptor();

    assertThat(descriptor.name()).isEqualTo("io.github.sqsconsumer.jackson");
    assertThat(descriptor.isAutomatic()).isFalse();
    assertThat(descriptor.exports()).singleElement().satisfies(e -> {
      assertThat(e.source()).isEqualTo("io.github.sqsconsumer.jackson");
      assertThat(e.isQualified()).isFalse();
    });
    assertThat(descriptor.opens()).isEmpty();
    assertThat(descriptor.isOpen()).isFalse();
    assertThat(descriptor.provides()).isEmpty();
    assertThat(descriptor.requires()).filteredOn(r -> r.modifiers().contains(Requires.Modifier.TRANSITIVE))
        .extracting(Requires::name).containsExactlyInAnyOrder("io.github.sqsconsumer", "tools.jackson.databind");
  }

  @Test
  void apiModule_readsNoJackson() {
    ModuleDescriptor api = MessageHandler.class.getModule().getDescriptor();

    assertThat(api.requires()).extracting(Requires::name)
        .noneMatch(name -> name.startsWith("tools.jackson") || name.startsWith("com.fasterxml.jackson"));
  }
}
