package io.github.sqsconsumer.harvester.direct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.testkit.HarvesterCallbackRecorder;
import io.github.sqsconsumer.testkit.HarvesterTestContext;
import io.github.sqsconsumer.testkit.ScriptedQueuePort;
import io.github.sqsconsumer.testkit.ScriptedQueuePort.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class DirectHarvesterTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final ScriptedQueuePort port = new ScriptedQueuePort();
  private final HarvesterCallbackRecorder callback = new HarvesterCallbackRecorder();
  private final List<Harvester> harvesters = new ArrayList<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    port.resume();
    for (Harvester h : harvesters) {
      h.close(WAIT);
    }
    port.close();
  }

  private Harvester create(int concurrency, Map<String, String> settings) {
    Harvester h = new DirectHarvesterProvider().create(
        new HarvesterTestContext("orders", port, callback, concurrency, settings));
    harvesters.add(h);
    return h;
  }

  private static Message message(int i) {
    return Message.builder().id("m-" + i).body("secret body").receiptHandle("receipt-" + i).build();
  }

  @Test
  void acknowledgeAndRelease_sendOneRequestPerMessage() throws Exception {
    Harvester harvester = create(8, Map.of());
    for (int i = 0; i < 50; i++) {
      harvester.acknowledge(message(i));
    }
    for (int i = 50; i < 70; i++) {
      harvester.release(message(i), Duration.ofSeconds(3));
    }
    callback.awaitReports(70, WAIT);

    assertThat(port.requestCount(Kind.DELETE)).isEqualTo(50);
    assertThat(port.requestCount(Kind.CHANGE_VISIBILITY)).isEqualTo(20);
    assertThat(port.requestCount()).isEqualTo(70);
    assertThat(port.requests()).allSatisfy(r -> assertThat(r.size()).isEqualTo(1));
  }

  @Test
  void acknowledge_manyThreads_neverMoreRequestsInFlightThanTheBound() throws Exception {
    Harvester harvester = create(64, Map.of(DirectHarvesterProvider.MAX_IN_FLIGHT, "3"));
    port.latency(Duration.ofMillis(5));
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int base = t * 25;
      producers.add(Thread.ofPlatform().start(() -> {
        for (int i = base; i < base + 25; i++) {
          harvester.acknowledge(message(i));
        }
      }));
    }
    for (Thread p : producers) {
      p.join();
    }
    callback.awaitReports(100, WAIT);

    assertThat(port.maxOutstanding()).isBetween(1, 3); // [in flight <= direct.maxInFlight]
    assertThat(port.deletions()).hasSize(100);
  }

  @Test
  void close_returnsEveryPermit() throws Exception {
    Harvester harvester = create(8, Map.of(DirectHarvesterProvider.MAX_IN_FLIGHT, "4"));
    port.hold();
    for (int i = 0; i < 4; i++) {
      harvester.acknowledge(message(i));
    }
    assertThat(((DirectHarvester) harvester).availablePermits()).isZero();

    harvester.close(Duration.ofMillis(50));

    assertThat(((DirectHarvester) harvester).availablePermits()).isEqualTo(4);
  }

  @Test
  void release_visibilityOutOfRange() {
    Harvester harvester = create(8, Map.of());
    assertThatThrownBy(() -> harvester.release(message(1), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("visibility must be between 0 and 12 hours but was PT-1S");
    assertThatThrownBy(() -> harvester.release(message(1), Duration.ofHours(13)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("visibility must be between 0 and 12 hours but was PT13H");
  }

  @Test
  void acknowledge_afterClose_saysTheHarvesterIsClosed() throws Exception {
    Harvester harvester = create(8, Map.of());
    harvester.close(WAIT);
    assertThatThrownBy(() -> harvester.acknowledge(message(1))).hasMessage("harvester is closed");
  }

  @Test
  void create_maxInFlightOutOfRange() {
    assertThatThrownBy(() -> create(8, Map.of("direct.maxInFlight", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting direct.maxInFlight must be between 1 and 10000 but was 0");
  }

  @Test
  void create_maxAttemptsOutOfRange() {
    assertThatThrownBy(() -> create(8, Map.of("direct.maxAttempts", "101")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting direct.maxAttempts must be between 1 and 100 but was 101");
  }

  @Test
  void create_defaultMaxInFlightFollowsConcurrencyUpToFifty() {
    assertThat(((DirectHarvester) create(8, Map.of())).availablePermits()).isEqualTo(8);
    assertThat(((DirectHarvester) create(500, Map.of())).availablePermits()).isEqualTo(50);
  }

  @Test
  void retries_runOnADaemonThreadNamedAfterTheConsumer() throws Exception {
    Harvester harvester = create(8, Map.of());
    Message flaky = message(1);
    port.failEntry(flaky, io.github.sqsconsumer.spi.QueueException.Kind.TRANSIENT, 1);
    harvester.acknowledge(flaky);
    callback.awaitReports(1, WAIT);

    assertThat(callback.reports()).singleElement()
        .satisfies(r -> assertThat(r.threadName()).isEqualTo("orders-harvester-direct"));
  }

  /**
   * Regression: every message given up on was logged at WARN, a line per message: a delete outage logged
   * at the consumer's throughput. One warning per 10 s now, with the count of the others (at DEBUG), and
   * every failure still reaches the callback.
   */
  @Test
  void failures_manyMessages_oneWarningAndASumAtClose() throws Exception {
    Harvester harvester = create(8, Map.of());
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      for (int i = 0; i < 50; i++) {
        port.invalidReceipt(message(i));
        harvester.acknowledge(message(i));
      }
      callback.awaitReports(50, WAIT);
      harvester.close(WAIT);
    } finally {
      System.setErr(original);
    }

    assertThat(callback.reports()).hasSize(50).allSatisfy(r -> assertThat(r.cause()).isNotNull());
    List<String> warnings = captured.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
        .filter(line -> line.contains("WARN")).toList();
    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(0)).contains("could not delete Message[id=m-0", "INVALID_RECEIPT")
        .doesNotContain("secret body", "receipt-0");
    assertThat(warnings.get(1)).contains("could not delete or release 49 more message(s)");
  }

  @Test
  void provider_isNamedDirect() {
    assertThat(new DirectHarvesterProvider().name()).isEqualTo("direct");
  }
}
