/**
 * Typed handlers for JSON bodies and SNS notification envelopes.
 *
 * <p>{@link io.github.sqsconsumer.jackson.Json} adapts a handler of the user's type to the api's
 * {@link io.github.sqsconsumer.MessageHandler} or {@link io.github.sqsconsumer.BatchHandler}: it reads each
 * body with a Jackson {@code ObjectMapper}, optionally unwraps an SNS envelope first, and settles a body
 * that does not read as the type by the chosen {@link io.github.sqsconsumer.jackson.UnparsableBody} policy.
 */
package io.github.sqsconsumer.jackson;
