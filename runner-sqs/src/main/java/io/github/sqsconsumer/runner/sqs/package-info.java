/**
 * The SQS runner's implementation; nothing here is exported. {@link
 * io.github.sqsconsumer.runner.sqs.SqsRunnerProvider} is the entry point (found with
 * {@link java.util.ServiceLoader}), {@code SqsRunner} the transport, {@code SqsErrors} the one place where
 * SDK failures become {@link io.github.sqsconsumer.spi.QueueException}s, {@code SqsClients} builds the
 * runner's own client.
 */
package io.github.sqsconsumer.runner.sqs;
