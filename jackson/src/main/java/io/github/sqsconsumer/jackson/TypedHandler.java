package io.github.sqsconsumer.jackson;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.MessageHandler;

/** A {@link MessageHandler} that reads each body as {@code T} and hands it on. Thread-safe if its handler is. */
final class TypedHandler<T> implements MessageHandler {
  private final BodyReader<T> reader;
  private final JsonMessageHandler<T> handler;

  TypedHandler(BodyReader<T> reader, JsonMessageHandler<T> handler) {
    this.reader = reader;
    this.handler = handler;
  }

  @Override
  public void handle(Message message) throws Exception {
    JsonMessage<T> typed;
    try {
      typed = reader.read(message);
    } catch (UnparsableBodyException e) {
      throw reader.settle(e, message);
    }
    handler.handle(typed);
  }
}
