package com.example.orders;

import io.github.sqsconsumer.spring.boot.SqsConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

// The README's Spring Boot example: the region between the markers is in README.md word for word, and
// ReadmeExampleTest (io.github.sqsconsumer.spring.boot.autoconfigure) runs it against an embedded ElasticMQ.

// README spring-boot begin
@SpringBootApplication
public class OrdersApplication {
  public static void main(String[] args) {
    SpringApplication.run(OrdersApplication.class, args);
  }
}

record Order(String id, int quantity) {}

@Component
class Orders {
  private static final Logger log = LoggerFactory.getLogger(Orders.class);

  @SqsConsumer("orders")    // the queue's name or URL; ${...} placeholders work
  void on(Order order) {    // the body read as JSON; a List<Order> parameter would take batches
    log.info("order {} x {}", order.id(), order.quantity());
  }
}
// README spring-boot end
