package io.github.sqsconsumer.runner.sqs;

import io.github.sqsconsumer.spi.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
   * A client the runner built, and its lease on the event loops and timer threads that every client built here
   * shares (see {@link Shared}).
   */
  record OwnClient(SqsAsyncClient client, Shared.Lease lease) implements AutoCloseable {
    @Override
    public void close() {
      try {
        client.close();
      } finally {
        lease.close();
      }
    }
  }

  /**
   * The threads that the clients built here share while any of them is open: Netty's event loops and the
   * SDK's timers (attempt timeouts, retry delays). Each client would otherwise start its own (4 event loops
   * and 5 timer threads on 2 cores), so an application with twenty consumers held 180 threads for work
   * that a few do, as one client shared by the consumers does. Netty's own shared event loops would serve
   * too, but once their last client closes they make {@code close()} wait out a 2 s quiet period; these stop
   * without one.
   *
   * <pre>
   * Concurrency:
   *   One lock guards the count of open leases and the current resources. The first lease creates them,
   *   the last one's close shuts them down (no quiet period: no client that uses them is open), and a lease
   *   taken after that creates new ones. A lease closes once; its client closed before it, so nothing
   *   submits to the resources it gives back.
   * </pre>
   */
  static final class Shared {
    /** Timer tasks take microseconds: two threads serve every client's attempt timeouts and retry delays. */
    static final int TIMER_THREADS = 2;
    static final String EVENT_LOOP_THREAD_NAME = "sqs-consumer-netty";
    static final String TIMER_THREAD_NAME = "sqs-consumer-sdk-timer";
    private static final Object LOCK = new Object();
    private static int leases; // @GuardedBy("LOCK")
    private static SdkEventLoopGroup eventLoops; // @GuardedBy("LOCK")
    private static ScheduledThreadPoolExecutor timers; // @GuardedBy("LOCK")

    private Shared() {}

    /** Takes a lease on the shared resources, creating them if no lease is open. */
    static Lease lease() {
      synchronized (LOCK) {
        if (leases == 0) {
          eventLoops = SdkEventLoopGroup.builder()
              .threadFactory(Thread.ofPlatform().daemon().name(EVENT_LOOP_THREAD_NAME + "-", 0).factory())
              .build();
          timers = new ScheduledThreadPoolExecutor(TIMER_THREADS,
              Thread.ofPlatform().daemon().name(TIMER_THREAD_NAME + "-", 0).factory());
          // every receive schedules its attempt timeout and cancels it when answered: cancelled tasks leave
          // the queue at once instead of staying until their delay, 25 s or more, has passed
          timers.setRemoveOnCancelPolicy(true);
        }
        leases++;
        return new Lease(eventLoops, timers);
      }
    }

    /** Open leases; for tests. */
    static int leases() {
      synchronized (LOCK) {
        return leases;
      }
    }

    private static void release(Lease lease) {
      synchronized (LOCK) {
        leases--;
        if (leases == 0) {
          // no quiet period: no client that uses them is open; the threads end within moments
          lease.eventLoops.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS);
          lease.timers.shutdownNow(); // what is left are timeouts of calls the closed clients aborted
          eventLoops = null;
          timers = null;
        }
      }
    }

    /** One client's hold on the shared resources; closing it gives them back. */
    static final class Lease implements AutoCloseable {
      private final SdkEventLoopGroup eventLoops;
      private final ScheduledThreadPoolExecutor timers;
      private final AtomicBoolean closed = new AtomicBoolean();

      private Lease(SdkEventLoopGroup eventLoops, ScheduledThreadPoolExecutor timers) {
        this.eventLoops = eventLoops;
        this.timers = timers;
      }

      SdkEventLoopGroup eventLoops() {
        return eventLoops;
      }

      ScheduledExecutorService timers() {
        return timers;
      }

      @Override
      public void close() {
        if (closed.compareAndSet(false, true)) {
          release(this);
        }
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
    Shared.Lease lease = Shared.lease();
    try {
      return new OwnClient(build(config, queue, lease), lease);
    } catch (RuntimeException | Error e) {
      lease.close();
      throw e;
    }
  }

  private static SqsAsyncClient build(Config config, String queue, Shared.Lease lease) {
    NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
        .eventLoopGroup(lease.eventLoops()) // not closed with the client: the lease's to end
        .maxConcurrency(config.maxConnections())
        .readTimeout(READ_TIMEOUT)
        .connectionAcquisitionTimeout(ACQUIRE_TIMEOUT)
        .connectionTimeout(CONNECT_TIMEOUT)
        .tcpKeepAlive(true);
    SqsAsyncClientBuilder builder = SqsAsyncClient.builder()
        .httpClientBuilder(http)
        .overrideConfiguration(o -> o.scheduledExecutorService(lease.timers())); // the SDK leaves it open
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
