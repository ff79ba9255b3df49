package dev.resilientkafka.internal.producer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;

/** The future {@code send()} returns: read-only, completed once by the producer. Thread-safe. */
final class DeliveryFuture implements Future<RecordMetadata> {
  private final CompletableFuture<RecordMetadata> result = new CompletableFuture<>();

  static DeliveryFuture failed(Exception e) {
    DeliveryFuture future = new DeliveryFuture();
    future.fail(e);
    return future;
  }

  boolean complete(RecordMetadata metadata) {
    return result.complete(metadata);
  }

  boolean fail(Exception e) {
    return result.completeExceptionally(e);
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return false;
  }

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public boolean isDone() {
    return result.isDone();
  }

  @Override
  public RecordMetadata get() throws InterruptedException, ExecutionException {
    return result.get();
  }

  @Override
  public RecordMetadata get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return result.get(timeout, unit);
  }
}
