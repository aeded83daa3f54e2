package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.BatchHandler;
import io.github.sqsconsumer.BatchResult;
import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.MessageHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * An {@code @SqsConsumer} method as the consumer's handler: its one parameter's type decides the kind (see
 * {@link io.github.sqsconsumer.spring.boot.SqsConsumer}). Checked when the consumer is built, so a method that
 * cannot be a handler fails startup naming it.
 *
 * <p>Thread-safe: immutable; the adapters call the method concurrently, as the worker calls them.
 */
final class HandlerMethod {
  private static final String JSON_CLASS = "io.github.sqsconsumer.jackson.Json";
  private static final String JSON_MESSAGE_CLASS = "io.github.sqsconsumer.jackson.JsonMessage";

  private final Object bean;
  private final Method method;
  private final Class<?> beanClass; // the user's class behind any proxy: resolves the method's type variables
  private final String description;

  /** {@code method} is invoked on {@code bean}, a proxy or not; {@code beanClass} is the class behind it. */
  HandlerMethod(Object bean, Method method, Class<?> beanClass) {
    this.bean = bean;
    this.method = method;
    this.beanClass = beanClass;
    this.description = beanClass.getName() + "." + method.getName();
    ReflectionUtils.makeAccessible(method);
  }

  /** Names the method, for messages: {@code com.example.Orders.on}. */
  String description() {
    return description;
  }

  /**
   * Sets the method as the builder's handler or batch handler.
   *
   * @param jsonMapper the application's Jackson mapper, or null for the jackson module's default
   * @throws IllegalArgumentException if the method cannot be a handler, saying why
   */
  void applyTo(Consumer.Builder builder, Object jsonMapper) {
    if (method.getParameterCount() != 1) {
      throw invalid("takes " + method.getParameterCount() + " parameters but a handler takes one: "
          + "a Message, a String body, a payload type, or a List of these for a batch");
    }
    ResolvableType parameter = ResolvableType.forMethodParameter(method, 0, beanClass); // T of a generic base
    Class<?> raw = parameter.toClass();
    Class<?> returned = method.getReturnType();
    if (raw == List.class) {
      ResolvableType element = parameter.getGeneric(0);
      if (element.resolve() == null) {
        throw invalid("takes a List of an unknown type; say List<Message> or List<YourType>");
      }
      boolean mayReturnResult = element.toClass() == Message.class || isJsonMessage(element.toClass());
      if (returned != void.class && !(mayReturnResult && returned == BatchResult.class)) {
        throw invalid("returns " + returned.getSimpleName() + " but a batch handler returns nothing"
            + (mayReturnResult ? " or a BatchResult" : " (take List<Message> or List<JsonMessage<T>> to return a "
                + "BatchResult)"));
      }
      if (element.toClass() == Message.class) {
        builder.batchHandler(messages -> result(invoke(messages)));
      } else {
        builder.batchHandler(jsonBatch(element, jsonMapper));
      }
      return;
    }
    if (returned != void.class) {
      throw invalid("returns " + returned.getSimpleName() + " but a message handler returns nothing");
    }
    if (raw == Message.class) {
      builder.handler(this::invoke);
    } else if (raw == String.class) {
      builder.handler(message -> invoke(message.body()));
    } else {
      builder.handler(json(parameter, jsonMapper));
    }
  }

  private MessageHandler json(ResolvableType parameter, Object jsonMapper) {
    requireJackson(parameter);
    if (isJsonMessage(parameter.toClass())) {
      return JsonHandlers.messageHandler(payloadType(parameter.getGeneric(0)), jsonMapper, this::invoke);
    }
    return JsonHandlers.handler(payloadType(parameter), jsonMapper, this::invoke);
  }

  private BatchHandler jsonBatch(ResolvableType element, Object jsonMapper) {
    requireJackson(element);
    if (isJsonMessage(element.toClass())) {
      return JsonHandlers.batchHandler(payloadType(element.getGeneric(0)), jsonMapper,
          messages -> result(invoke(messages)), false);
    }
    return JsonHandlers.batchHandler(payloadType(element), jsonMapper, payloads -> result(invoke(payloads)), true);
  }

  /**
   * The payload's type with its variables resolved against the bean's class ({@code T} of a generic base
   * class, at any depth), for Jackson to read the body as; a variable left open is refused.
   */
  private Type payloadType(ResolvableType type) {
    Class<?> raw = type.resolve();
    if (raw == null) {
      throw invalid("takes a payload of an unknown type");
    }
    if (!type.hasGenerics()) {
      return raw;
    }
    ResolvableType[] generics = type.getGenerics();
    ResolvableType[] resolved = new ResolvableType[generics.length];
    for (int i = 0; i < generics.length; i++) {
      resolved[i] = ResolvableType.forType(payloadType(generics[i]));
    }
    return ResolvableType.forClassWithGenerics(raw, resolved).getType();
  }

  private void requireJackson(ResolvableType payload) {
    if (!ClassUtils.isPresent(JSON_CLASS, HandlerMethod.class.getClassLoader())) {
      throw invalid("takes a " + payload + " but reading bodies as JSON needs sqs-consumer-jackson on the class "
          + "path; add it, or take a Message or a String");
    }
  }

  private static boolean isJsonMessage(Class<?> type) {
    return type.getName().equals(JSON_MESSAGE_CLASS);
  }

  private static BatchResult result(Object returned) {
    return returned instanceof BatchResult result ? result : BatchResult.success();
  }

  /** Calls the method; what it throws, it throws as itself. */
  private Object invoke(Object argument) throws Exception {
    try {
      return method.invoke(bean, argument);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception exception) {
        throw exception;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  private IllegalArgumentException invalid(String why) {
    return new IllegalArgumentException("@SqsConsumer method " + description + " " + why);
  }

  /** The method as the argument of a handler: what it throws goes to the consumer. */
  @FunctionalInterface
  interface Invocation {
    Object invoke(Object argument) throws Exception;
  }
}
