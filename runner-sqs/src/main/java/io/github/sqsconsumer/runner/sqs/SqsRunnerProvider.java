package io.github.sqsconsumer.runner.sqs;

import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.RunnerProvider;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * Provides the SQS runner, named {@code sqs}: it receives from Amazon SQS, or an SQS-compatible server, with
 * the AWS SDK v2's {@link SqsAsyncClient}.
 *
 * <h2>The client</h2>
 * Hand the runner your own client with {@code Consumer.builder().component(SqsAsyncClient.class, client)};
 * the runner then uses it as it is and leaves it open when the consumer closes. A client for long polling
 * must allow reads to idle for more than 20 seconds (Netty's default read timeout of 30 s does) and should
 * have connections for every parallel poll plus the acknowledgements.
 *
 * <p>Otherwise the runner builds one, and closes it with the consumer: a Netty HTTP client, credentials from
 * the default chain (environment, system properties, profile, container, instance), the region from
 * {@code sqs.region}, else from the queue URL if it is an AWS one ({@code https://sqs.eu-west-1.amazonaws.com/...}),
 * else from the default region chain.
 *
 * <h2>Settings</h2>
 * Documented on the module ({@code sqs.*}: keys, ranges, defaults), in {@code module-info.java};
 * {@link #validate} checks them at {@code build()}.
 *
 * <h2>The queue</h2>
 * {@code Consumer.Builder.queue} takes the queue URL ({@code https://...}) or its name, resolved with
 * GetQueueUrl. The runner needs {@code sqs:GetQueueUrl} (for a name), {@code sqs:GetQueueAttributes},
 * {@code sqs:ReceiveMessage}, {@code sqs:DeleteMessage} and {@code sqs:ChangeMessageVisibility}.
 *
 * <p>Thread-safe; the constructor does nothing.
 */
public final class SqsRunnerProvider implements RunnerProvider {

  /** Creates the provider; does nothing (called by {@link java.util.ServiceLoader}). */
  public SqsRunnerProvider() {}

  /** Returns {@code sqs}. */
  @Override
  public String name() {
    return "sqs";
  }

  /** Returns {@code sqs.endpoint}, {@code sqs.region} and {@code sqs.maxConnections}. */
  @Override
  public Set<String> settingKeys() {
    return Set.of(SqsClients.ENDPOINT, SqsClients.REGION, SqsClients.MAX_CONNECTIONS);
  }

  /**
   * Reads and checks the settings; builds no client and calls no network.
   *
   * @throws IllegalArgumentException if a setting is invalid, or if settings for the runner's own client
   *     are given together with a user's client
   */
  @Override
  public void validate(RunnerContext context) {
    config(Objects.requireNonNull(context, "context"));
  }

  /**
   * Creates a runner for the context's queue; called at {@code start()}. Builds no client and calls no
   * network (that happens in {@link Runner#open()}).
   *
   * @throws IllegalArgumentException as {@link #validate} does
   */
  @Override
  public Runner create(RunnerContext context) {
    Objects.requireNonNull(context, "context");
    Optional<SqsAsyncClient> userClient = context.component(SqsAsyncClient.class);
    SqsClients.Config config = config(context);
    return userClient.isPresent()
        ? new SqsRunner(context.queue(), userClient.get(), null, context.visibilityTimeout().orElse(null),
            context.receiveAttributes(), context.consumerName())
        : new SqsRunner(context.queue(), null, config, context.visibilityTimeout().orElse(null),
            context.receiveAttributes(), context.consumerName());
  }

  /** Reads and checks the settings; the one place both validate and create read them. */
  private static SqsClients.Config config(RunnerContext context) {
    if (context.component(SqsAsyncClient.class).isPresent()) {
      Checks.requireArgument(!SqsClients.configuresClient(context.settings()),
          "%s, %s and %s configure the client the runner builds, so they cannot be used with an "
              + "SqsAsyncClient given as a component: configure that client instead",
          SqsClients.ENDPOINT, SqsClients.REGION, SqsClients.MAX_CONNECTIONS);
    }
    return SqsClients.fromSettings(context.settings());
  }
}
