/**
 * The SQS runner: receives from Amazon SQS (and SQS-compatible servers such as ElasticMQ or LocalStack)
 * with the AWS SDK for Java v2's {@code SqsAsyncClient}.
 *
 * <p>Exports nothing. Choose it with {@code Consumer.builder().runner("sqs")} (or as the only runner
 * present); hand it your own client with {@code .component(SqsAsyncClient.class, client)}, or let it build
 * one from the settings documented on {@link io.github.sqsconsumer.runner.sqs.SqsRunnerProvider}.
 *
 * @provides io.github.sqsconsumer.spi.RunnerProvider
 */
module io.github.sqsconsumer.runner.sqs {
  requires io.github.sqsconsumer;
  requires org.slf4j;
  requires software.amazon.awssdk.services.sqs;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.regions;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.http.nio.netty;
  requires io.netty.transport; // to stop the event loops of a client we built without a quiet period
  requires io.netty.common;

  provides io.github.sqsconsumer.spi.RunnerProvider with io.github.sqsconsumer.runner.sqs.SqsRunnerProvider;
}
