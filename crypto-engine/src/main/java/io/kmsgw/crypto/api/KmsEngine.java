package io.kmsgw.crypto.api;

import io.kmsgw.crypto.api.Results.DataKey;
import io.kmsgw.crypto.api.Results.Decrypted;
import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.exec.CryptoExecutor;
import io.kmsgw.crypto.exec.Job;
import io.kmsgw.crypto.exec.WorkerContext;
import io.kmsgw.crypto.key.KeyMetadata;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.key.KeySpec;
import io.kmsgw.crypto.key.KeyState;
import io.kmsgw.crypto.key.KeyUsage;
import io.kmsgw.crypto.key.KeyVersion;
import io.kmsgw.crypto.ops.AdvanceOps;
import io.kmsgw.crypto.ops.DataKeyPairOps;
import io.kmsgw.crypto.ops.MacOps;
import io.kmsgw.crypto.ops.RsaCipherOps;
import io.kmsgw.crypto.ops.SignOps;
import io.kmsgw.crypto.ops.Sm2Ops;
import io.kmsgw.crypto.ops.SymmetricOps;
import io.kmsgw.crypto.secret.Secret;
import io.kmsgw.crypto.secret.SecretManager;
import io.kmsgw.crypto.secret.SecretRepository;
import io.kmsgw.crypto.store.KeyRepository;
import io.kmsgw.crypto.store.Store;
import io.kmsgw.crypto.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The KMS engine: key management (blocking; call it off event loops) and data-plane operations
 * (validated on the caller's thread, executed on the bounded worker pool, completed on a worker).
 *
 * <p>A key becomes visible only after its wrapped material and metadata are committed in one store
 * transaction, so a crash at any point leaves either the whole key or nothing.
 */
public final class KmsEngine implements AutoCloseable {
    private static final Pattern ALIAS = Pattern.compile("alias/[a-zA-Z0-9:/_-]{1,249}");

    /**
     * Engine tuning: worker count, queue capacity, keys loaded per worker, concurrent data key pair
     * generations, and whether light symmetric jobs run inline on the caller's thread.
     */
    public record Settings(int workers, int queueCapacity, int maxLoadedKeysPerWorker, int maxConcurrentKeyPairs, boolean inlineLight) {
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

    private final HsmBackend backend;
    private final KeyRepository keys;
    private final KeyRing ring = new KeyRing();
    private final CryptoExecutor executor;
    private final BackendSession management;
    private final Clock clock;
    private final DataKeyPairOps keyPairs;
    private final SecretManager secrets;
    private final boolean inlineLight;

    public KmsEngine(Store store, HsmBackend backend, Settings settings, Clock clock) {
        this.backend = backend;
        this.clock = clock;
        this.keys = new KeyRepository(store);
        for (KeyRepository.Loaded l : keys.loadAll()) {
            ring.put(l.metadata(), l.versions());
        }
        keys.loadAliases().forEach(ring::putAlias);
        this.keyPairs = new DataKeyPairOps(settings.maxConcurrentKeyPairs());
        this.inlineLight = settings.inlineLight();
        this.secrets = new SecretManager(new SecretRepository(store));
        this.management = backend.openSession();
        this.executor = new CryptoExecutor(backend, settings.workers(), settings.queueCapacity(), settings.maxLoadedKeysPerWorker());
    }

    // ---- management ----

    /** CreateKey: generates the first version in the HSM and commits key + version atomically. */
    public KeyMetadata createKey(String keySpec, String keyUsage, String description) {
        return createKey(keySpec, keyUsage, description, Map.of());
    }

    public KeyMetadata createKey(String keySpec, String keyUsage, String description, Map<String, String> tags) {
        KeySpec spec = KeySpec.parse(keySpec);
        KeyUsage usage = KeyUsage.parse(keyUsage, spec);
        String desc = checkDescription(description);
        checkTags(tags);
        Instant now = clock.instant();
        String keyId = "key-" + UUID.randomUUID();
        BackendSession.Generated g = generateMaterial(spec);
        KeyVersion v = new KeyVersion(UUID.randomUUID().toString(), keyId, now, g.wrapped(), g.publicKey());
        KeyMetadata m = KeyMetadata.created(keyId, spec, usage, desc, now, v.versionId(), tags);
        synchronized (this) { // a concurrent refreshKeys must not load before this commit and apply after this put
            write(() -> keys.insertKey(m, v));
            ring.put(m, List.of(v));
        }
        return m;
    }

    /** CreateKeyVersion: a new primary version; Encrypt keeps using the initial one, Advance* the primary. */
    public synchronized KeyVersion createKeyVersion(String keyIdOrAlias) {
        KeyRing.Entry e = ring.resolve(keyIdOrAlias);
        KeyMetadata m = e.metadata();
        if (m.state() == KeyState.PendingDeletion) {
            throw conflict(m);
        }
        BackendSession.Generated g = generateMaterial(m.spec());
        KeyVersion v = new KeyVersion(UUID.randomUUID().toString(), m.keyId(), clock.instant(), g.wrapped(), g.publicKey());
        write(() -> keys.addVersion(v));
        List<KeyVersion> all = new ArrayList<>(e.versions().values());
        all.add(v);
        ring.put(m.withPrimary(v.versionId(), v.creationDate()), all);
        return v;
    }

    private static KmsException conflict(KeyMetadata m) {
        return new KmsException(KmsError.CONFLICT, "The key " + m.keyId() + " is " + m.state() + "; this change is not allowed.");
    }

    private static String checkDescription(String description) {
        String desc = description == null ? "" : description;
        if (desc.length() > 1024) {
            throw KmsException.invalid("Description is longer than 1024 characters.");
        }
        return desc;
    }

    private static void checkTags(Map<String, String> tags) {
        if (tags.size() > 20) {
            throw KmsException.invalid("A key has at most 20 tags.");
        }
        for (Map.Entry<String, String> t : tags.entrySet()) {
            if (t.getKey().isEmpty() || t.getKey().length() > 128 || t.getValue().length() > 256 || t.getKey().startsWith("acs:")) {
                throw KmsException.invalid("TagKey must be 1 to 128 characters (not starting with acs:), TagValue at most 256.");
            }
        }
    }

    /** Applies a metadata change durably, then shows it. */
    private synchronized KeyMetadata change(String keyIdOrAlias, java.util.function.UnaryOperator<KeyMetadata> f) {
        KeyRing.Entry e = ring.resolve(keyIdOrAlias);
        KeyMetadata next = f.apply(e.metadata());
        write(() -> keys.update(next));
        ring.put(next, e.versions().values());
        return next;
    }

    /** EnableKey: Disabled → Enabled (Enabled stays); PendingDeletion is a conflict. */
    public KeyMetadata enableKey(String keyId) {
        return change(keyId, m -> {
            if (m.state() == KeyState.PendingDeletion) {
                throw conflict(m);
            }
            return m.withState(KeyState.Enabled, null);
        });
    }

    /** DisableKey: Enabled → Disabled (Disabled stays); PendingDeletion is a conflict. */
    public KeyMetadata disableKey(String keyId) {
        return change(keyId, m -> {
            if (m.state() == KeyState.PendingDeletion) {
                throw conflict(m);
            }
            return m.withState(KeyState.Disabled, null);
        });
    }

    /** ScheduleKeyDeletion: 7–366 days (default 30); refused while a secret depends on the key. */
    public KeyMetadata scheduleKeyDeletion(String keyId, int pendingWindowInDays) {
        int days = pendingWindowInDays == 0 ? 30 : pendingWindowInDays;
        if (days < 7 || days > 366) {
            throw KmsException.invalid("PendingWindowInDays must be 7 to 366.");
        }
        return change(keyId, m -> {
            if (m.state() == KeyState.PendingDeletion) {
                throw conflict(m);
            }
            List<String> dependents = secrets.list().stream().filter(sec -> sec.encryptionKeyId().equals(m.keyId()))
                    .map(Secret::name).toList();
            if (!dependents.isEmpty()) {
                throw new KmsException(KmsError.CONFLICT, "The key " + m.keyId() + " protects secrets " + dependents
                        + "; delete them first.");
            }
            return m.withState(KeyState.PendingDeletion, clock.instant().plus(java.time.Duration.ofDays(days)));
        });
    }

    /** CancelKeyDeletion: PendingDeletion → Enabled. */
    public KeyMetadata cancelKeyDeletion(String keyId) {
        return change(keyId, m -> {
            if (m.state() != KeyState.PendingDeletion) {
                throw conflict(m);
            }
            return m.withState(KeyState.Enabled, null);
        });
    }

    public KeyMetadata updateKeyDescription(String keyId, String description) {
        String d = checkDescription(description);
        return change(keyId, m -> m.withDescription(d));
    }

    public KeyMetadata tagResource(String keyId, Map<String, String> add) {
        return change(keyId, m -> {
            Map<String, String> t = new java.util.TreeMap<>(m.tags());
            t.putAll(add);
            checkTags(t);
            return m.withTags(t);
        });
    }

    public KeyMetadata untagResource(String keyId, List<String> tagKeys) {
        return change(keyId, m -> {
            Map<String, String> t = new java.util.TreeMap<>(m.tags());
            tagKeys.forEach(t::remove);
            return m.withTags(t);
        });
    }

    /** UpdateRotationPolicy: automatic rotation every {@code interval} (≥ 7 days), or off. */
    public KeyMetadata updateRotationPolicy(String keyId, boolean enable, java.time.Duration interval) {
        if (enable && (interval == null || interval.compareTo(java.time.Duration.ofDays(7)) < 0
                || interval.compareTo(java.time.Duration.ofDays(730)) > 0)) {
            throw KmsException.invalid("RotationInterval must be 7 to 730 days (e.g. 604800s).");
        }
        return change(keyId, m -> {
            if (enable && !m.spec().symmetric()) {
                throw new KmsException(KmsError.UNSUPPORTED_OPERATION, "Automatic rotation is for symmetric keys.");
            }
            return m.withRotation(enable ? interval : null);
        });
    }

    /**
     * Periodic upkeep (the server runs it at start and every minute): destroys keys whose deletion
     * window has ended (their wrapped material, versions, aliases and tags go in one transaction) and
     * rotates keys whose rotation interval has passed. Returns {destroyed, rotated}.
     */
    public int[] runMaintenance() {
        Instant now = clock.instant();
        int destroyed = 0;
        int rotated = 0;
        for (KeyRing.Entry e : ring.all()) {
            KeyMetadata m = e.metadata();
            if (m.state() == KeyState.PendingDeletion && m.deletionDate() != null && !now.isBefore(m.deletionDate())) {
                synchronized (this) {
                    write(() -> keys.destroy(m.keyId()));
                    ring.remove(m.keyId());
                }
                destroyed++;
            } else if (m.state() == KeyState.Enabled && m.nextRotation() != null && !now.isBefore(m.nextRotation())) {
                createKeyVersion(m.keyId());
                rotated++;
            }
        }
        write(() -> secrets.purgeDue(now));
        return new int[] {destroyed, rotated};
    }

    /**
     * Reloads keys, versions and aliases from the store: another gateway sharing it changed them.
     * Versions already loaded into workers stay valid (a version's material never changes).
     */
    public synchronized void refreshKeys() {
        // Every local change holds this engine's lock (keys) or the ring's (aliases) from its commit to its
        // ring update, so nothing committed after the load below can be undone by applying it.
        synchronized (ring) {
            Map<KeyMetadata, java.util.Collection<KeyVersion>> loaded = new java.util.LinkedHashMap<>();
            for (KeyRepository.Loaded l : keys.loadAll()) {
                loaded.put(l.metadata(), l.versions());
            }
            ring.replaceAll(loaded, keys.loadAliases());
        }
    }

    /** Reloads secrets from the store: another gateway sharing it changed them. */
    public void refreshSecrets() {
        secrets.reload();
    }

    private BackendSession.Generated generateMaterial(KeySpec spec) {
        synchronized (management) {
            return management.generate(WorkerContext.kindOf(spec), spec.size(), spec.curve());
        }
    }

    private KeyMetadata aliasTargetKey(String alias, String keyIdOrAlias) {
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw KmsException.invalid("AliasName must match alias/[a-zA-Z0-9:/_-]{1,249}.");
        }
        if (keyIdOrAlias != null && keyIdOrAlias.startsWith("alias/")) {
            throw KmsException.invalid("KeyId of an alias must be a key id.");
        }
        return ring.resolve(keyIdOrAlias).metadata();
    }

    /** UpdateAlias: points an existing alias at another key. */
    public void updateAlias(String alias, String keyId) {
        KeyMetadata m = aliasTargetKey(alias, keyId);
        synchronized (ring) {
            if (ring.aliasTarget(alias) == null) {
                throw new KmsException(KmsError.KEY_NOT_FOUND, "The alias " + alias + " does not exist.");
            }
            write(() -> keys.updateAlias(alias, m.keyId()));
            ring.putAlias(alias, m.keyId());
        }
    }

    public void deleteAlias(String alias) {
        synchronized (ring) {
            if (alias == null || ring.aliasTarget(alias) == null) {
                throw new KmsException(KmsError.KEY_NOT_FOUND, "The alias " + alias + " does not exist.");
            }
            write(() -> keys.deleteAlias(alias));
            ring.removeAlias(alias);
        }
    }

    public void createAlias(String alias, String keyIdOrAlias) {
        KeyMetadata m = aliasTargetKey(alias, keyIdOrAlias);
        synchronized (ring) {
            if (ring.aliasTarget(alias) != null) {
                throw new KmsException(KmsError.ALREADY_EXISTS, "The alias " + alias + " already exists.");
            }
            write(() -> keys.insertAlias(alias, m.keyId()));
            ring.putAlias(alias, m.keyId());
        }
    }

    public KeyMetadata describeKey(String keyIdOrAlias) {
        return ring.resolve(keyIdOrAlias).metadata();
    }

    public List<KeyMetadata> listKeys() {
        return ring.all().stream().map(KeyRing.Entry::metadata).toList();
    }

    public List<KeyVersion> listKeyVersions(String keyIdOrAlias) {
        List<KeyVersion> list = new ArrayList<>(ring.resolve(keyIdOrAlias).versions().values());
        list.sort((a, b) -> a.creationDate().compareTo(b.creationDate()));
        return list;
    }

    public Map<String, String> listAliases() {
        return ring.aliases();
    }

    private static void write(Runnable r) {
        write(() -> {
            r.run();
            return null;
        });
    }

    /** Runs a store write; a refused constraint is ALREADY_EXISTS, any other store failure UNAVAILABLE. */
    private static <T> T write(java.util.function.Supplier<T> w) {
        try {
            return w.get();
        } catch (StoreException e) {
            if (e.constraintViolation()) {
                throw new KmsException(KmsError.ALREADY_EXISTS, "The resource already exists.");
            }
            throw new KmsException(KmsError.UNAVAILABLE, "The store is temporarily unavailable.");
        }
    }

    // ---- data plane ----

    /** Encrypt with an AES or SM4 key, an RSA key (OAEP) or an EC_SM2 key (SM2PKE), of usage ENCRYPT/DECRYPT. */
    public void encrypt(SymmetricOps.EncryptCommand cmd, Completion<Results.Padded> done) {
        KeyRing.Entry e = ring.resolve(cmd.keyId());
        SymmetricOps.checkUsable(e.metadata(), KeyUsage.ENCRYPT_DECRYPT, KeySpec.Kind.AES, KeySpec.Kind.SM4, KeySpec.Kind.RSA,
                KeySpec.Kind.SM2);
        switch (e.metadata().spec().kind()) {
            case RSA -> submit(RsaCipherOps.encrypt(e, cmd, done));
            case SM2 -> submit(Sm2Ops.encrypt(e, cmd, done));
            default -> light(SymmetricOps.encrypt(e, cmd, done));
        }
    }

    /** Decrypt; with no KeyId the key is the one owning the version the request names (x-kms-migrationkeyversionid). */
    public void decrypt(SymmetricOps.DecryptCommand cmd, Completion<Decrypted> done) {
        KeyRing.Entry e = ring.resolve(cmd.keyId(), cmd.keyVersionId());
        SymmetricOps.checkUsable(e.metadata(), KeyUsage.ENCRYPT_DECRYPT, KeySpec.Kind.AES, KeySpec.Kind.SM4, KeySpec.Kind.RSA,
                KeySpec.Kind.SM2);
        switch (e.metadata().spec().kind()) {
            case RSA -> submit(RsaCipherOps.decrypt(e, cmd, done));
            case SM2 -> submit(Sm2Ops.decrypt(e, cmd, done));
            default -> light(SymmetricOps.decrypt(e, cmd, done));
        }
    }

    public void sign(SignOps.SignCommand cmd, Completion<Results.Signed> done) {
        submit(SignOps.sign(ring.resolve(cmd.keyId(), cmd.keyVersionId()), cmd, done));
    }

    public void verify(SignOps.SignCommand cmd, byte[] signature, Completion<Results.Verified> done) {
        submit(SignOps.verify(ring.resolve(cmd.keyId(), cmd.keyVersionId()), cmd, signature, done));
    }

    public void hmac(String keyId, byte[] message, Completion<Results.Mac> done) {
        light(MacOps.hmac(ring, keyId, message, done));
    }

    public void advanceEncrypt(SymmetricOps.EncryptCommand cmd, Completion<Results.Encrypted> done) {
        light(AdvanceOps.encrypt(ring, cmd, done));
    }

    public void advanceDecrypt(SymmetricOps.DecryptCommand cmd, Completion<Decrypted> done) {
        light(AdvanceOps.decrypt(ring, cmd, done));
    }

    public void advanceGenerateDataKey(SymmetricOps.DataKeyCommand cmd, Completion<DataKey> done) {
        light(AdvanceOps.generateDataKey(ring, cmd, done));
    }

    /** GenerateDataKeyPair(WithoutPlaintext) and the Advance variants (primary version, self-describing blob). */
    public void generateDataKeyPair(DataKeyPairOps.Command cmd, Completion<DataKeyPairOps.Result> done) {
        submit(keyPairs.generate(ring, cmd, done));
    }

    /** The key version a self-describing (Advance) ciphertext names, or null when the blob is not one. */
    public String versionIdOfAdvanceBlob(byte[] blob) {
        return AdvanceOps.versionIdOf(blob);
    }

    // ---- secrets ----

    /** The alias of the key that protects secrets created without an EncryptionKeyId. */
    public static final String DEFAULT_SECRET_KEY_ALIAS = "alias/kmsgw/secrets";

    /** What GetSecretValue returns: the value as the API shows it (text, or Base64 for binary) and its version. */
    public record SecretValue(Secret secret, Secret.Version version, String secretData) {
    }

    /** CreateSecret: seals the first version (ACSCurrent) under EncryptionKeyId or the instance's secret key. */
    public Secret createSecret(String name, String secretData, String dataType, String versionId, String encryptionKeyId,
                               String description, String extendedConfig) {
        SecretManager.checkName(name);
        SecretManager.Value value = SecretManager.value(secretData, dataType);
        String vid = SecretManager.versionId(versionId);
        String keyId = encryptionKeyId == null || encryptionKeyId.isEmpty() ? defaultSecretKey() : ring.resolve(encryptionKeyId)
                .metadata().keyId();
        Secret.Version v = seal(keyId, name, vid, value);
        return write(() -> secrets.create(name, keyId, description, extendedConfig, v));
    }

    /** PutSecretValue: a new version that becomes ACSCurrent (the old one ACSPrevious). */
    public Secret putSecretValue(String name, String secretData, String dataType, String versionId) {
        Secret s = secrets.live(name);
        Secret.Version v = seal(s.encryptionKeyId(), name, SecretManager.versionId(versionId), SecretManager.value(secretData, dataType));
        return write(() -> secrets.put(name, v));
    }

    public Secret describeSecret(String name) {
        return secrets.get(name);
    }

    public Secret updateSecretVersionStage(String name, String stage, String removeFrom, String moveTo) {
        return write(() -> secrets.updateStage(name, stage, removeFrom, moveTo));
    }

    /** DeleteSecret; returns the planned deletion time, or null when forced. */
    public Instant deleteSecret(String name, int recoveryWindowInDays, boolean force) {
        return write(() -> secrets.delete(name, recoveryWindowInDays, force, clock.instant()));
    }

    public Secret restoreSecret(String name) {
        return write(() -> secrets.restore(name));
    }

    public List<Secret> listSecrets() {
        return secrets.list();
    }

    /** The key protecting a secret, or null when the secret does not exist (authorization needs KeyUser on it). */
    public String secretEncryptionKeyId(String name) {
        return secrets.encryptionKeyIdOf(name);
    }

    /** GetSecretValue: the named version, decrypted in the HSM. */
    public void getSecretValue(String name, String stage, String versionId, Completion<SecretValue> done) {
        Secret s = secrets.live(name);
        Secret.Version v = SecretManager.select(s, stage, versionId);
        KeyRing.Entry key = ring.resolve(s.encryptionKeyId());
        KeyVersion kv = key.version(v.keyVersionId());
        SymmetricOps.checkUsable(key.metadata(), KeyUsage.ENCRYPT_DECRYPT, KeySpec.Kind.AES);
        byte[] aad = SecretManager.aad(name, v.versionId());
        light(new Job() {
            private boolean completed;

            @Override
            public void run(WorkerContext ctx) {
                byte[] pt = ctx.session().decryptGcm(ctx.handle(kv, key.metadata().spec()), v.iv(), aad, v.ciphertext());
                completed = true;
                done.complete(new SecretValue(s, v, SecretManager.render(pt, v.dataType())), null);
            }

            @Override
            public void reject(KmsException error) {
                if (!completed) {
                    completed = true;
                    done.complete(null, error);
                }
            }
        });
    }

    private Secret.Version seal(String keyId, String name, String versionId, SecretManager.Value value) {
        KeyRing.Entry e = ring.resolve(keyId);
        SymmetricOps.checkUsable(e.metadata(), KeyUsage.ENCRYPT_DECRYPT, KeySpec.Kind.AES);
        KeyVersion kv = e.version(e.metadata().primaryVersionId());
        synchronized (management) {
            long h = management.load(BackendSession.KeyKind.AES, kv.wrappedMaterial());
            try {
                byte[] iv = new byte[SymmetricOps.GCM_IV_BYTES];
                management.random(iv);
                byte[] ct = management.encryptGcm(h, iv, SecretManager.aad(name, versionId), value.plaintext());
                return new Secret.Version(versionId, clock.instant(), value.dataType(), kv.versionId(), iv, ct);
            } finally {
                management.unload(h);
                java.util.Arrays.fill(value.plaintext(), (byte) 0);
            }
        }
    }

    private synchronized String defaultSecretKey() {
        String id = ring.aliasTarget(DEFAULT_SECRET_KEY_ALIAS);
        if (id == null) {
            id = createKey("Aliyun_AES_256", "ENCRYPT/DECRYPT", "kmsgw secrets key").keyId();
            createAlias(DEFAULT_SECRET_KEY_ALIAS, id);
        }
        return id;
    }

    /** GetPublicKey: answered at once from the key ring (public data, no HSM work). */
    public Results.PublicKey getPublicKey(String keyIdOrAlias) {
        return getPublicKey(keyIdOrAlias, null);
    }

    /** GetPublicKey of the version a request names (x-kms-migrationkeyversionid; it may name the key alone), else the initial one. */
    public Results.PublicKey getPublicKey(String keyIdOrAlias, String keyVersionId) {
        return SignOps.publicKey(ring.resolve(keyIdOrAlias, keyVersionId), keyVersionId);
    }

    public void generateDataKey(SymmetricOps.DataKeyCommand cmd, Completion<DataKey> done) {
        light(SymmetricOps.generateDataKey(ring, cmd, done));
    }

    public void generateRandom(int length, Completion<byte[]> done) {
        light(SymmetricOps.generateRandom(length, done));
    }

    /** The id of the key owning {@code keyVersionId}, or null when no key has that version (for authorization). */
    public String keyIdOfVersion(String keyVersionId) {
        KeyRing.Entry e = keyVersionId == null ? null : ring.byVersion(keyVersionId);
        return e == null ? null : e.metadata().keyId();
    }

    /** The aliases pointing at a key (for authorizing a key reached through a version, as if named by any of them). */
    public List<String> aliasesOfKey(String keyId) {
        return ring.aliasesOf(keyId);
    }

    /** Resolves a key id or alias to its key id (for authorization); KEY_NOT_FOUND when absent. */
    public String resolveKeyId(String keyIdOrAlias) {
        return ring.resolve(keyIdOrAlias).metadata().keyId();
    }

    /** Runs a light job inline (when configured) or queues it. */
    private void light(Job job) {
        if (inlineLight) {
            executor.runInline(job);
        } else {
            submit(job);
        }
    }

    /** Queues a job; a full queue completes it at once with THROTTLED, through the job, so its clean-up runs too. */
    private void submit(Job job) {
        if (!executor.submit(job)) {
            job.reject(new KmsException(KmsError.THROTTLED, "Concurrency Limit Exceeded."));
        }
    }

    public int queueDepth() {
        return executor.queueDepth();
    }

    public String backendName() {
        return backend.name();
    }

    @Override
    public void close() {
        executor.close();
        synchronized (management) {
            management.close();
        }
    }
}
