/**
 * For tests, not production: an embedded ElasticMQ server ({@link
 * io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer}) and a JUnit 5 extension ({@link
 * io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension}) that starts it for a test class, creates the
 * queues a test declares with {@link io.github.sqsconsumer.testkit.elasticmq.SqsQueue} and hands the test
 * an {@code SqsAsyncClient} and {@link io.github.sqsconsumer.testkit.elasticmq.TestQueue} handles.
 *
 * <p>Class path only: this jar is an automatic module ({@code io.github.sqsconsumer.testkit.elasticmq})
 * because ElasticMQ's Scala jars cannot live on the module path (split packages). The in-memory queue and
 * the contract tests are in the named module {@code io.github.sqsconsumer.testkit}.
 */
package io.github.sqsconsumer.testkit.elasticmq;
