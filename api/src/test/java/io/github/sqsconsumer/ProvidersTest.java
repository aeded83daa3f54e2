package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class ProvidersTest {
  private static final String MODULES = "sqs-consumer-worker-semaphore or sqs-consumer-worker-pool";

  record Named(String name) {}

  static final class Other {
    final String name;

    Other(String name) {
      this.name = name;
    }
  }

  private static Named choose(List<Named> found, String chosen) {
    return Providers.choose(found, Named::name, "worker", chosen, MODULES);
  }

  @AfterEach
  void clearProperty() {
    System.clearProperty("io.github.sqsconsumer.worker");
  }

  @Test
  void choose_onlyOne() {
    Named pool = new Named("pool");
    assertThat(choose(List.of(pool), null)).isSameAs(pool);
  }

  @Test
  void choose_none() {
    assertThatThrownBy(() -> choose(List.of(), null))
        .isInstanceOf(ConsumerException.class)
        .hasMessage("no worker found on the module path or class path; add " + MODULES);
  }

  @Test
  void choose_severalAndNoName() {
    String named = Named.class.getName();
    assertThatThrownBy(() -> choose(List.of(new Named("semaphore"), new Named("pool")), null))
        .isInstanceOf(ConsumerException.class)
        .hasMessage("several workers found: pool (" + named + "), semaphore (" + named + "); choose one with "
            + "Consumer.Builder.worker(name) or the system property io.github.sqsconsumer.worker");
  }

  @Test
  void choose_byName() {
    Named pool = new Named("pool");
    assertThat(choose(List.of(new Named("semaphore"), pool), "pool")).isSameAs(pool);
  }

  @Test
  void choose_bySystemProperty() {
    Named semaphore = new Named("semaphore");
    System.setProperty("io.github.sqsconsumer.worker", "semaphore");
    assertThat(choose(List.of(semaphore, new Named("pool")), null)).isSameAs(semaphore);
  }

  @Test
  void choose_builderNameBeatsSystemProperty() {
    Named pool = new Named("pool");
    System.setProperty("io.github.sqsconsumer.worker", "semaphore");
    assertThat(choose(List.of(new Named("semaphore"), pool), "pool")).isSameAs(pool);
  }

  @Test
  void choose_unknownName() {
    String named = Named.class.getName();
    assertThatThrownBy(() -> choose(List.of(new Named("pool")), "elastic"))
        .isInstanceOf(ConsumerException.class)
        .hasMessage("no worker named 'elastic'; found: pool (" + named + ")");
  }

  @Test
  void choose_unknownNameAndNone() {
    assertThatThrownBy(() -> choose(List.of(), "pool"))
        .isInstanceOf(ConsumerException.class)
        .hasMessage("no worker named 'pool'; found: none (add " + MODULES + ")");
  }

  @Test
  void choose_twoWithOneName() {
    List<Object> found = List.of(new Named("pool"), new Other("pool"));
    assertThatThrownBy(() -> Providers.choose(found,
            p -> p instanceof Named n ? n.name() : ((Other) p).name, "worker", null, MODULES))
        .isInstanceOf(ConsumerException.class)
        .hasMessage("two workers are named 'pool': " + Named.class.getName() + " and " + Other.class.getName()
            + "; remove one of them from the module path or class path");
  }
}
