package io.github.sqsconsumer.runner.sqs;

import io.github.sqsconsumer.spi.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClientBuilder;

/**
 * Builds the runner's own {@link SqsAsyncClient} from the {@code sqs.*} settings: Netty HTTP client sized
 * for many parallel long polls, the default credential chain, the region from {@code sqs.region}, else from
 * an AWS queue URL, else from the default region chain.
 *
 * <p>{@link #fromSettings} only reads and checks the settings (the provider validates with it at {@code build()},
 * so a bad value fails there); {@link #build} makes the client, which may look up the region chain.
 */
final class SqsClients {
  static final String ENDPOINT = "sqs.endpoint";
  static final String REGION = "sqs.region";
  static final String MAX_CONNECTIONS = "sqs.maxConnections";

  // lazily opened, so a generous ceiling costs nothing: room for hundreds of 20 s long polls plus the
  // deletes and visibility changes that must not wait behind them
  static final int DEFAULT_MAX_CONNECTIONS = 500;
  // a long poll sends nothing for up to 20 s: reads must be allowed to idle longer than that
  static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
  // a call queued behind a pool full of long polls gets a connection once one returns (within ~20 s)
  static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(45);
  // loopback and in-region endpoints connect in milliseconds; fail fast and let the core back off
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  // https://sqs.eu-west-1.amazonaws.com/..., https://eu-west-1.queue.amazonaws.com/..., .amazonaws.com.cn
  private static final Pattern AWS_QUEUE_HOST = Pattern.compile(
      "(?:sqs\\.([a-z0-9-]+)|([a-z0-9-]+)\\.queue)\\.amazonaws\\.com(?:\\.cn)?");

  /** What the settings say; checked. */
  record Config(Optional<URI> endpoint, Optional<Region> region, int maxConnections) {}

  /**
   * A client the runner built, with its own event loops. Netty's default shared event loops, once their last
   * client closes, make {@code close()} wait out a 2 s quiet period; ours stop without waiting.
   */
  record OwnClient(SqsAsyncClient client, SdkEventLoopGroup eventLoops) implements AutoCloseable {
    @Override
    public void close() {
      try {
        client.close();
      } finally {
        // no quiet period: nothing is submitted after the client closed; the threads end within moments
        eventLoops.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS);
      }
    }
  }

  private SqsClients() {}

  /**
   * Reads and checks the {@code sqs.*} settings.
   *
   * @throws IllegalArgumentException naming the setting and the bad value
   */
  static Config fromSettings(Settings settings) {
    Optional<URI> endpoint = settings.get(ENDPOINT).map(SqsClients::parseEndpoint);
    Optional<Region> region = settings.get(REGION).map(value -> {
      if (value.isBlank()) {
        throw new IllegalArgumentException(REGION + " must not be blank");
      }
      return Region.of(value.trim());
    });
    int maxConnections = settings.getInt(MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS, 1, 10_000);
    return new Config(endpoint, region, maxConnections);
  }

  /** Returns true if the config holds settings that only a client built here can apply. */
  static boolean configuresClient(Settings settings) {
    return settings.get(ENDPOINT).isPresent() || settings.get(REGION).isPresent()
        || settings.get(MAX_CONNECTIONS).isPresent();
  }

  /**
   * Builds a client. Without a region setting, the region of an AWS queue URL wins over the default chain,
   * because SQS only serves a queue in its own region.
   *
   * @param queue the queue as the user named it, URL or name
   */
  static OwnClient build(Config config, String queue) {
    SdkEventLoopGroup eventLoops = SdkEventLoopGroup.builder().build();
    try {
      return new OwnClient(build(config, queue, eventLoops), eventLoops);
    } catch (RuntimeException | Error e) {
      eventLoops.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS);
      throw e;
    }
  }

  private static SqsAsyncClient build(Config config, String queue, SdkEventLoopGroup eventLoops) {
    NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
        .eventLoopGroup(eventLoops)
        .maxConcurrency(config.maxConnections())
        .readTimeout(READ_TIMEOUT)
        .connectionAcquisitionTimeout(ACQUIRE_TIMEOUT)
        .connectionTimeout(CONNECT_TIMEOUT)
        .tcpKeepAlive(true);
    SqsAsyncClientBuilder builder = SqsAsyncClient.builder().httpClientBuilder(http);
    config.endpoint().ifPresent(builder::endpointOverride);
    config.region().or(() -> regionOfQueueUrl(queue)).ifPresent(builder::region);
    return builder.build();
  }

  /** Returns the region named in an AWS queue URL's host, if it is one. */
  static Optional<Region> regionOfQueueUrl(String queue) {
    if (!SqsRunner.isUrl(queue)) {
      return Optional.empty();
    }
    String host;
    try {
      host = new URI(queue).getHost();
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
    if (host == null) {
      return Optional.empty();
    }
    Matcher m = AWS_QUEUE_HOST.matcher(host.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(Region.of(m.group(1) != null ? m.group(1) : m.group(2)));
  }

  private static URI parseEndpoint(String value) {
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(ENDPOINT + " must be an http or https URI but was '" + value + "'", e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(ENDPOINT + " must be an http or https URI but was '" + value + "'");
    }
    return uri;
  }
}
