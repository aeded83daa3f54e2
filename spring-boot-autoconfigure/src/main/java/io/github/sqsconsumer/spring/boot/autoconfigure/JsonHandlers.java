package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.BatchHandler;
import io.github.sqsconsumer.BatchResult;
import io.github.sqsconsumer.MessageHandler;
import io.github.sqsconsumer.jackson.Json;
import io.github.sqsconsumer.jackson.JsonMessage;
import java.lang.reflect.Type;
import java.util.List;
import org.springframework.beans.factory.ListableBeanFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * Typed handlers through the jackson module. Loaded only when that module is on the class path: every
 * reference to it in this module goes through here.
 */
final class JsonHandlers {

  private JsonHandlers() {}

  static MessageHandler handler(Type type, Object mapper, HandlerMethod.Invocation method) {
    return json(type, mapper).handler(method::invoke);
  }

  static MessageHandler messageHandler(Type type, Object mapper, HandlerMethod.Invocation method) {
    return json(type, mapper).messageHandler(method::invoke);
  }

  /**
   * A batch handler; with {@code payloadsOnly} the method takes the payloads, else the {@link JsonMessage}s.
   */
  static BatchHandler batchHandler(Type type, Object mapper, Batch method, boolean payloadsOnly) {
    return json(type, mapper).batchHandler(messages -> method.handle(
        payloadsOnly ? messages.stream().map(JsonMessage::payload).toList() : List.copyOf(messages)));
  }

  /** Returns the application's mapper when it has exactly one, else null (the jackson module's default). */
  static Object mapper(ListableBeanFactory beanFactory) {
    return beanFactory.getBeanProvider(ObjectMapper.class).getIfUnique();
  }

  private static Json<Object> json(Type type, Object mapper) {
    Json<Object> json = Json.of(new TypeReference<>() {
      @Override
      public Type getType() {
        return type;
      }
    });
    return mapper instanceof ObjectMapper objectMapper ? json.mapper(objectMapper) : json;
  }

  /** The method as a batch handler of payloads or of JSON messages. */
  @FunctionalInterface
  interface Batch {
    BatchResult handle(List<?> items) throws Exception;
  }
}
