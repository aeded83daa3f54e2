/**
 * For tests and benchmarks, not production: an SQS-like in-memory queue with its runner, chosen explicitly
 * ({@code Consumer.builder().runner(queue.runner())}, never found as a service), and the contract tests every
 * runner, worker and harvester must pass, including your own. A named module: put it on the module path next
 * to your test module, or on the class path. The embedded ElasticMQ server and its JUnit 5 extension are in
 * {@code sqs-consumer-testkit-elasticmq}, an automatic module for the class path only.
 *
 * <p>Opens its package to JUnit only, so JUnit can run the contract tests' inherited test methods in a
 * subclass of yours.
 */
module io.github.sqsconsumer.testkit {
  requires transitive io.github.sqsconsumer;
  requires transitive org.junit.jupiter.api;
  requires org.assertj.core;

  exports io.github.sqsconsumer.testkit;

  opens io.github.sqsconsumer.testkit to org.junit.platform.commons;
}
