/**
 * The SQS runner: receives from Amazon SQS (and SQS-compatible servers such as ElasticMQ or LocalStack)
 * with the AWS SDK for Java v2's {@code SqsAsyncClient}.
 *
 * <p>Exports nothing. Choose it with {@code Consumer.builder().runner("sqs")} (or as the only runner
 * present); hand it your own client with {@code .component(SqsAsyncClient.class, client)}, or let it build
 * one from the settings below.
 *
 * <p>Closing: the consumer cancels its outstanding long polls at close, but the runner does not cut
 * their connections: SQS hands messages to a long poll until its wait time ends even when its connection
 * was closed, and those would stay invisible for their visibility timeout with a receive counted toward
 * {@code maxReceiveCount}. Each such poll runs until the server answers, and what it brings is released at
 * once (visibility zero); close does not wait for them. Close waits up to 2 seconds for releases already
 * under way, so {@code Consumer.close()} may return up to 2 seconds after its shutdown bound. A client the
 * runner built is closed once the polls answered and their releases were answered (at most the wait time
 * plus 2 seconds after close), on a daemon thread: a JVM that exits sooner cuts them, and a message SQS
 * hands them then comes back after its visibility timeout (a shorter {@code waitTime} narrows that
 * window). A user's client stays open, and the polls end and the releases go out on it: close it no
 * sooner than the wait time after the consumer, or the same applies.
 *
 * <p>Threads: the SDK builds and signs each request on the thread that calls it. The receives of the
 * consumer's pollers and the deletes and visibility changes of its handlers are asked for on virtual
 * threads, whose carriers every handler shares; the runner makes those calls on up to four platform
 * daemon threads of its own, {@code <consumer name>-sqs-sender}, started when needed and ended after 30
 * seconds without work (when all four are busy, the caller makes the call itself). Calls asked for on a
 * platform thread are made on it.
 *
 * <h2>Settings</h2>
 * Given and checked as {@link io.github.sqsconsumer.Consumer.Builder#setting(String, String)} says. They
 * apply only to a client the runner builds; given together with a user's client they fail {@code build()}
 * rather than be ignored.
 * <ul>
 *   <li>{@code sqs.endpoint}: an endpoint override, an http or https URI, for ElasticMQ, LocalStack or a VPC
 *       endpoint ({@code http://localhost:9324}); default the region's public endpoint.</li>
 *   <li>{@code sqs.region}: the AWS region, such as {@code eu-west-1}; default as above.</li>
 *   <li>{@code sqs.maxConnections}: the most HTTP connections, 1 to 10,000; default 500. Each receive in
 *       progress holds one for up to 20 seconds, so keep it well above the number of parallel polls.</li>
 * </ul>
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
