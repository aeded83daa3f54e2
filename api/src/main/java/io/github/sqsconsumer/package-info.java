/**
 * The user's side of sqs-consumer: build a {@link io.github.sqsconsumer.Consumer} with a
 * {@link io.github.sqsconsumer.MessageHandler} (or a {@link io.github.sqsconsumer.BatchHandler}),
 * {@link io.github.sqsconsumer.Consumer#start() start} it, and {@link io.github.sqsconsumer.Consumer#close()
 * close} it.
 *
 * <p>Nothing in this package depends on the AWS SDK; {@link io.github.sqsconsumer.Message} is the library's
 * own immutable view of a received message.
 */
package io.github.sqsconsumer;
