package io.github.sqsconsumer.runner.sqs;

import java.net.URI;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/** SDK clients for tests: a user's client pointed at ElasticMQ, with dummy static credentials. */
final class SqsTestClients {
  private SqsTestClients() {}

  /** Returns a new client for the endpoint; the caller closes it. */
  static SqsAsyncClient client(URI endpoint) {
    return client(endpoint, List.of());
  }

  /** Returns a new client for the endpoint with these interceptors; the caller closes it. */
  static SqsAsyncClient client(URI endpoint, List<ExecutionInterceptor> interceptors) {
    return SqsAsyncClient.builder()
        .overrideConfiguration(c -> c.executionInterceptors(interceptors))
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder())
        .build();
  }
}
