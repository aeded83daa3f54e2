/**
 * Typed handlers: a message body, or the payload of an SNS notification envelope, read as JSON into the
 * user's own type with Jackson 3.
 *
 * <p>Exports {@code io.github.sqsconsumer.jackson}; start at {@link io.github.sqsconsumer.jackson.Json}.
 * Jackson reads the user's types by reflection, so a user's module opens the package of its payload types
 * to {@code tools.jackson.databind}.
 */
module io.github.sqsconsumer.jackson {
  requires transitive io.github.sqsconsumer;
  requires transitive tools.jackson.databind; // ObjectMapper and TypeReference appear in the exported API
  requires org.slf4j;

  exports io.github.sqsconsumer.jackson;
}
