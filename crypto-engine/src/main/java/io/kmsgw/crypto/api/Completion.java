package io.kmsgw.crypto.api;

/**
 * Receives the outcome of an asynchronous engine operation, on a worker thread: exactly one call,
 * with either a result or an error. Implementations must not block; hop to your own thread.
 */
@FunctionalInterface
public interface Completion<T> {
    void complete(T result, KmsException error);
}
