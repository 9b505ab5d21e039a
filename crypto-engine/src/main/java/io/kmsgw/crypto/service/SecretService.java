package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Secret;
import io.kmsgw.crypto.api.SecretManagement;
import io.kmsgw.crypto.api.SecretValue;
import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.exec.Job;
import io.kmsgw.crypto.exec.WorkerContext;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.key.KeyVersion;
import io.kmsgw.crypto.ops.SymmetricOps;
import io.kmsgw.crypto.secret.SecretManager;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Secrets: each value is AES-GCM in the HSM under the primary version of its key, bound to the secret's
 * name and version id. Sealing runs in the management session; GetSecretValue is a light data-plane job.
 */
final class SecretService implements SecretManagement {
    private final SecretManager secrets;
    private final KeyRing ring;
    private final KeyLifecycle keys;
    private final AliasRegistry aliases;
    private final ManagementSession hsm;
    private final Jobs jobs;
    private final Clock clock;

    SecretService(SecretManager secrets, KeyRing ring, KeyLifecycle keys, AliasRegistry aliases, ManagementSession hsm, Jobs jobs,
                  Clock clock) {
        this.secrets = secrets;
        this.ring = ring;
        this.keys = keys;
        this.aliases = aliases;
        this.hsm = hsm;
        this.jobs = jobs;
        this.clock = clock;
    }

    @Override
    public Secret createSecret(String name, String secretData, String dataType, String versionId, String encryptionKeyId,
                               String description, String extendedConfig) {
        SecretManager.checkName(name);
        SecretManager.Value value = SecretManager.value(secretData, dataType);
        String vid = SecretManager.versionId(versionId);
        String keyId = encryptionKeyId == null || encryptionKeyId.isEmpty() ? defaultSecretKey()
                : ring.resolve(encryptionKeyId).metadata().keyId();
        Secret.Version v = seal(keyId, name, vid, value);
        return Writes.get(() -> secrets.create(name, keyId, description, extendedConfig, v));
    }

    @Override
    public Secret putSecretValue(String name, String secretData, String dataType, String versionId) {
        Secret s = secrets.live(name);
        Secret.Version v = seal(s.encryptionKeyId(), name, SecretManager.versionId(versionId), SecretManager.value(secretData, dataType));
        return Writes.get(() -> secrets.put(name, v));
    }

    @Override
    public Secret describeSecret(String name) {
        return secrets.get(name);
    }

    @Override
    public Secret updateSecretVersionStage(String name, String stage, String removeFrom, String moveTo) {
        return Writes.get(() -> secrets.updateStage(name, stage, removeFrom, moveTo));
    }

    @Override
    public Instant deleteSecret(String name, int recoveryWindowInDays, boolean force) {
        return Writes.get(() -> secrets.delete(name, recoveryWindowInDays, force, clock.instant()));
    }

    @Override
    public Secret restoreSecret(String name) {
        return Writes.get(() -> secrets.restore(name));
    }

    @Override
    public List<Secret> listSecrets() {
        return secrets.list();
    }

    @Override
    public String secretEncryptionKeyId(String name) {
        return secrets.encryptionKeyIdOf(name);
    }

    @Override
    public void getSecretValue(String name, String stage, String versionId, Completion<SecretValue> done) {
        Secret s = secrets.live(name);
        Secret.Version v = SecretManager.select(s, stage, versionId);
        KeyRing.Entry key = ring.resolve(s.encryptionKeyId());
        KeyVersion kv = key.version(v.keyVersionId());
        SymmetricOps.checkUsable(key.metadata(), KeyUsage.ENCRYPT_DECRYPT, KeySpec.Kind.AES);
        byte[] aad = SecretManager.aad(name, v.versionId());
        jobs.light(new Job() {
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
        return hsm.with(session -> {
            long h = session.load(BackendSession.KeyKind.AES, kv.wrappedMaterial());
            try {
                byte[] iv = new byte[SymmetricOps.GCM_IV_BYTES];
                session.random(iv);
                byte[] ct = session.encryptGcm(h, iv, SecretManager.aad(name, versionId), value.plaintext());
                return new Secret.Version(versionId, clock.instant(), value.dataType(), kv.versionId(), iv, ct);
            } finally {
                session.unload(h);
                Arrays.fill(value.plaintext(), (byte) 0);
            }
        });
    }

    /** The key behind {@link #DEFAULT_SECRET_KEY_ALIAS}, made on first use. */
    private synchronized String defaultSecretKey() {
        String id = aliases.targetOf(DEFAULT_SECRET_KEY_ALIAS);
        if (id == null) {
            id = keys.createKey("Aliyun_AES_256", "ENCRYPT/DECRYPT", "kmsgw secrets key").keyId();
            aliases.createAlias(DEFAULT_SECRET_KEY_ALIAS, id);
        }
        return id;
    }
}
