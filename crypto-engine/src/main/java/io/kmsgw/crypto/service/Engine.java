package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.AliasManagement;
import io.kmsgw.crypto.api.CryptoOperations;
import io.kmsgw.crypto.api.KeyDirectory;
import io.kmsgw.crypto.api.KeyManagement;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.Maintenance;
import io.kmsgw.crypto.api.SecretManagement;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.exec.CryptoExecutor;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.secret.SecretManager;
import io.kmsgw.crypto.secret.SecretRepository;
import io.kmsgw.crypto.store.KeyRepository;
import io.kmsgw.crypto.store.Store;
import java.time.Clock;

/**
 * The engine assembled: the key ring loaded from the store, one management HSM session, the worker pool,
 * and one service per concern over them.
 *
 * <p>A key becomes visible only after its wrapped material and metadata are committed in one store
 * transaction, so a crash at any point leaves either the whole key or nothing.
 */
public final class Engine implements KmsEngine {
    private final HsmBackend backend;
    private final ManagementSession management;
    private final CryptoExecutor executor;
    private final KeyLifecycle keys;
    private final AliasRegistry aliases;
    private final DataPlane crypto;
    private final SecretService secrets;
    private final RingDirectory directory;
    private final KeyMaintenance maintenance;
    private final InternalSealing sealing;
    private final KeyImports imports;

    /** Loads the keys, aliases and secrets the store holds and starts the workers. The caller keeps owning store and backend. */
    public Engine(Store store, HsmBackend backend, Settings settings, Clock clock) {
        this.backend = backend;
        KeyRing ring = new KeyRing();
        KeyRepository repository = new KeyRepository(store);
        for (KeyRepository.Loaded l : repository.loadAll(id -> Unreadable.report(ring, id))) {
            ring.put(l.metadata(), l.versions());
        }
        repository.loadAliases().forEach(ring::putAlias);
        SecretManager secretStore = new SecretManager(new SecretRepository(store));
        this.management = new ManagementSession(backend);
        this.executor = new CryptoExecutor(backend, settings.workers(), settings.queueCapacity(), settings.maxLoadedKeysPerWorker());
        Jobs jobs = new Jobs(executor, settings.inlineLight());
        this.keys = new KeyLifecycle(ring, repository, management, secretStore, clock, executor::retire);
        this.aliases = new AliasRegistry(ring, repository);
        this.crypto = new DataPlane(ring, jobs, settings.maxConcurrentKeyPairs());
        this.secrets = new SecretService(secretStore, ring, keys, aliases, management, jobs, clock);
        this.directory = new RingDirectory(ring);
        this.sealing = new InternalSealing(management);
        this.imports = new KeyImports(ring, management, keys, sealing, clock);
        this.maintenance = new KeyMaintenance(ring, keys, imports, secretStore, clock);
    }

    @Override
    public KeyManagement keys() {
        return keys;
    }

    @Override
    public io.kmsgw.crypto.api.KeyImport imports() {
        return imports;
    }

    @Override
    public AliasManagement aliases() {
        return aliases;
    }

    @Override
    public CryptoOperations crypto() {
        return crypto;
    }

    @Override
    public SecretManagement secrets() {
        return secrets;
    }

    @Override
    public KeyDirectory directory() {
        return directory;
    }

    @Override
    public Maintenance maintenance() {
        return maintenance;
    }

    @Override
    public io.kmsgw.crypto.api.Sealing sealing() {
        return sealing;
    }

    @Override
    public String backendName() {
        return backend.name();
    }

    @Override
    public void close() {
        executor.close();
        management.close();
    }
}
