package io.github.sqsconsumer.runner.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerProvider;
import io.github.sqsconsumer.testkit.ServiceModules;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

final class SqsRunnerProviderTest {

  @Test
  void name_isSqs() {
    assertThat(new SqsRunnerProvider().name()).isEqualTo("sqs");
  }

  @Test
  void settingKeys_everyKeyTheRunnerReads() {
    assertThat(new SqsRunnerProvider().settingKeys())
        .containsExactlyInAnyOrder("sqs.endpoint", "sqs.region", "sqs.maxConnections");
  }

  /** On the class path, ServiceLoader reads META-INF/services: the jar must carry the same provider. */
  @Test
  void create_callsNoNetwork() {
    // nothing listens on port 1; create only checks the settings
    Runner runner = new SqsRunnerProvider().create(RunnerTestContext.of("orders",
        Map.of("sqs.endpoint", "http://127.0.0.1:1", "sqs.region", "eu-west-1")));
    runner.close();
  }

  @Test
  void create_badEndpoint() {
    assertThatThrownBy(() -> new SqsRunnerProvider().create(RunnerTestContext.of("q",
        Map.of("sqs.endpoint", "localhost:9324"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sqs.endpoint must be an http or https URI but was 'localhost:9324'");
    assertThatThrownBy(() -> new SqsRunnerProvider().create(RunnerTestContext.of("q",
        Map.of("sqs.endpoint", "http://bad host"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sqs.endpoint must be an http or https URI but was 'http://bad host'");
  }

  @Test
  void create_badMaxConnections() {
    assertThatThrownBy(() -> new SqsRunnerProvider().create(RunnerTestContext.of("q",
        Map.of("sqs.maxConnections", "0"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sqs.maxConnections").hasMessageContaining("0");
  }

  @Test
  void create_blankRegion() {
    assertThatThrownBy(() -> new SqsRunnerProvider().create(RunnerTestContext.of("q", Map.of("sqs.region", " "))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sqs.region must not be blank");
  }

  @Test
  void create_settingsWithUserClient() {
    try (SqsAsyncClient client = SqsTestClients.client(java.net.URI.create("http://127.0.0.1:1"))) {
      RunnerTestContext context = RunnerTestContext.of("q", Map.of("sqs.endpoint", "http://localhost:9324"))
          .with(SqsAsyncClient.class, client);
      assertThatThrownBy(() -> new SqsRunnerProvider().create(context))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sqs.endpoint, sqs.region and sqs.maxConnections configure the client the runner builds")
          .hasMessageContaining("configure that client instead");
    }
  }

  @Test
  void regionOfQueueUrl_awsHosts() {
    assertThat(SqsClients.regionOfQueueUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/orders"))
        .contains(Region.EU_WEST_1);
    assertThat(SqsClients.regionOfQueueUrl("https://ap-southeast-2.queue.amazonaws.com/123456789012/orders"))
        .contains(Region.AP_SOUTHEAST_2);
    assertThat(SqsClients.regionOfQueueUrl("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/orders"))
        .contains(Region.CN_NORTH_1);
    assertThat(SqsClients.regionOfQueueUrl("http://127.0.0.1:9324/000000000000/orders")).isEmpty();
    assertThat(SqsClients.regionOfQueueUrl("orders")).isEmpty();
  }

  @Test
  void module_exportsNothingAndProvidesOnlyRunnerProvider() {
    ServiceModules.assertProvidesOnly(SqsRunnerProvider.class, RunnerProvider.class);
  }
}
