package io.kmsgw.crypto.api;

/**
 * The KMS engine as its users see it: one service per concern. Management services block (call them
 * off event loops); the data plane never blocks its caller. Obtain one from
 * {@code io.kmsgw.crypto.service.Engine}; closing it stops the workers (the backend and store are the
 * caller's to close).
 */
public interface KmsEngine extends AutoCloseable {

    /**
     * Engine tuning: worker count, queue capacity, keys loaded per worker, concurrent data key pair
     * generations, and whether light symmetric jobs run inline on the caller's thread.
     */
    record Settings(int workers, int queueCapacity, int maxLoadedKeysPerWorker, int maxConcurrentKeyPairs, boolean inlineLight) {
        public Settings(int workers, int queueCapacity, int maxLoadedKeysPerWorker) {
            this(workers, queueCapacity, maxLoadedKeysPerWorker, Math.max(1, workers / 2), true);
        }

        public Settings(int workers, int queueCapacity, int maxLoadedKeysPerWorker, int maxConcurrentKeyPairs) {
            this(workers, queueCapacity, maxLoadedKeysPerWorker, maxConcurrentKeyPairs, true);
        }

        public static Settings defaults() {
            return new Settings(Math.max(2, Runtime.getRuntime().availableProcessors()), 4096, 4096);
        }
    }

    KeyManagement keys();

    /** Importing key material into EXTERNAL keys. */
    KeyImport imports();

    AliasManagement aliases();

    CryptoOperations crypto();

    SecretManagement secrets();

    KeyDirectory directory();

    Maintenance maintenance();

    /** Sealing of the instance's own small secrets (AccessKey secrets) under the HSM's master key. */
    Sealing sealing();

    /** The HSM backend's name for logs and metrics. */
    String backendName();

    @Override
    void close();
}
