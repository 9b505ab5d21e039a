package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.KeyManagement;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.api.KeyVersionInfo;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Secret;
import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.key.KeyVersion;
import io.kmsgw.crypto.secret.SecretManager;
import io.kmsgw.crypto.store.KeyRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Key lifecycle over the key ring and its repository. Every change is committed to the store first and
 * shown in the ring after, both under this object's lock, so a reload ({@link #reload}) that takes the
 * same lock never undoes a commit it did not see. Alias changes lock the ring instead ({@link AliasRegistry}).
 */
final class KeyLifecycle implements KeyManagement {
    private final KeyRing ring;
    private final KeyRepository keys;
    private final ManagementSession hsm;
    private final SecretManager secrets;
    private final Clock clock;
    /** Tells the workers that versions' material is gone, so they destroy their loaded copies in the HSM. */
    private final java.util.function.Consumer<Collection<String>> retire;

    KeyLifecycle(KeyRing ring, KeyRepository keys, ManagementSession hsm, SecretManager secrets, Clock clock,
                 java.util.function.Consumer<Collection<String>> retire) {
        this.ring = ring;
        this.keys = keys;
        this.hsm = hsm;
        this.secrets = secrets;
        this.clock = clock;
        this.retire = retire;
    }

    @Override
    public KeyMetadata createKey(String keySpec, String keyUsage, String description, Map<String, String> tags, String origin) {
        KeySpec spec = KeySpec.parse(keySpec);
        KeyUsage usage = KeyUsage.parse(keyUsage, spec);
        String desc = checkDescription(description);
        checkTags(tags);
        boolean external = external(origin);
        Instant now = clock.instant();
        String keyId = "key-" + UUID.randomUUID();
        if (external) {
            if (!KeyImports.IMPORTABLE.contains(spec.kind())) {
                throw KmsException.invalid("Origin EXTERNAL is for the AES, SM4, RSA and EC key specs; " + spec.name()
                        + " keys have their material generated in the HSM.");
            }
            hsm.requireSpec(spec);
            KeyMetadata m = KeyMetadata.createdExternal(keyId, spec, usage, desc, now, UUID.randomUUID().toString(), tags);
            synchronized (this) {
                Writes.run(() -> keys.insertKey(m, null));
                ring.put(m, List.of());
            }
            return m;
        }
        BackendSession.Generated g = hsm.generate(spec);
        KeyVersion v = new KeyVersion(UUID.randomUUID().toString(), keyId, now, g.wrapped(), g.publicKey());
        KeyMetadata m = KeyMetadata.created(keyId, spec, usage, desc, now, v.versionId(), tags);
        synchronized (this) { // a concurrent reload must not load before this commit and apply after this put
            Writes.run(() -> keys.insertKey(m, v));
            ring.put(m, List.of(v));
        }
        return m;
    }

    /** Whether {@code origin} names imported material (EXTERNAL) rather than material generated in the HSM. */
    private static boolean external(String origin) {
        if (origin == null || origin.isEmpty() || origin.equals(KeyMetadata.ALIYUN_KMS) || origin.equals("AWS_KMS")) {
            return false;
        }
        if (origin.equals(KeyMetadata.EXTERNAL) || origin.equals("External")) {
            return true;
        }
        throw KmsException.invalid("Origin " + origin + " is invalid; valid: Aliyun_KMS (material generated in the HSM), EXTERNAL "
                + "(material you import).");
    }

    @Override
    public synchronized KeyVersionInfo createKeyVersion(String keyIdOrAlias) {
        KeyRing.Entry e = ring.resolve(keyIdOrAlias);
        KeyMetadata m = e.metadata();
        if (m.external()) {
            throw new KmsException(KmsError.UNSUPPORTED_OPERATION, "The key " + m.keyId() + " has Origin EXTERNAL: its one version is the "
                    + "material you import, so it is not rotated; to rotate, create a new key and import new material into it.");
        }
        if (m.state() == KeyState.PendingDeletion) {
            throw conflict(m);
        }
        BackendSession.Generated g = hsm.generate(m.spec());
        KeyVersion v = new KeyVersion(UUID.randomUUID().toString(), m.keyId(), clock.instant(), g.wrapped(), g.publicKey());
        Writes.run(() -> keys.addVersion(v));
        List<KeyVersion> all = new ArrayList<>(e.versions().values());
        all.add(v);
        ring.put(m.withPrimary(v.versionId(), v.creationDate()), all);
        return info(v);
    }

    @Override
    public KeyMetadata enableKey(String keyIdOrAlias) {
        return change(keyIdOrAlias, m -> {
            requireNotPendingDeletion(m);
            requireMaterial(m);
            return m.withState(KeyState.Enabled, null);
        });
    }

    @Override
    public KeyMetadata disableKey(String keyIdOrAlias) {
        return change(keyIdOrAlias, m -> {
            requireNotPendingDeletion(m);
            requireMaterial(m);
            return m.withState(KeyState.Disabled, null);
        });
    }

    @Override
    public KeyMetadata scheduleKeyDeletion(String keyIdOrAlias, int pendingWindowInDays) {
        int days = pendingWindowInDays == 0 ? 30 : pendingWindowInDays;
        if (days < 7 || days > 366) {
            throw KmsException.invalid("PendingWindowInDays must be 7 to 366.");
        }
        return change(keyIdOrAlias, m -> {
            requireNotPendingDeletion(m);
            List<String> dependents = secrets.list().stream().filter(sec -> sec.encryptionKeyId().equals(m.keyId()))
                    .map(Secret::name).toList();
            if (!dependents.isEmpty()) {
                throw new KmsException(KmsError.CONFLICT, "The key " + m.keyId() + " protects secrets " + dependents
                        + "; delete them first.");
            }
            return m.withState(KeyState.PendingDeletion, clock.instant().plus(Duration.ofDays(days)));
        });
    }

    @Override
    public synchronized KeyMetadata cancelKeyDeletion(String keyIdOrAlias) {
        KeyRing.Entry e = ring.resolve(keyIdOrAlias);
        // an EXTERNAL key whose material was deleted (or never imported) meanwhile goes back to waiting for it
        KeyState back = e.metadata().external() && e.versions().isEmpty() ? KeyState.PendingImport : KeyState.Enabled;
        return change(keyIdOrAlias, m -> {
            if (m.state() != KeyState.PendingDeletion) {
                throw conflict(m);
            }
            return m.withState(back, null);
        });
    }

    @Override
    public KeyMetadata updateKeyDescription(String keyIdOrAlias, String description) {
        String d = checkDescription(description);
        return change(keyIdOrAlias, m -> m.withDescription(d));
    }

    @Override
    public KeyMetadata tagResource(String keyIdOrAlias, Map<String, String> add) {
        return change(keyIdOrAlias, m -> {
            Map<String, String> t = new TreeMap<>(m.tags());
            t.putAll(add);
            checkTags(t);
            return m.withTags(t);
        });
    }

    @Override
    public KeyMetadata untagResource(String keyIdOrAlias, List<String> tagKeys) {
        return change(keyIdOrAlias, m -> {
            Map<String, String> t = new TreeMap<>(m.tags());
            tagKeys.forEach(t::remove);
            return m.withTags(t);
        });
    }

    @Override
    public KeyMetadata updateRotationPolicy(String keyIdOrAlias, boolean enable, Duration interval) {
        if (enable && (interval == null || interval.compareTo(Duration.ofDays(7)) < 0 || interval.compareTo(Duration.ofDays(730)) > 0)) {
            throw KmsException.invalid("RotationInterval must be 7 to 730 days (e.g. 604800s).");
        }
        return change(keyIdOrAlias, m -> {
            if (enable && !m.spec().symmetric()) {
                throw new KmsException(KmsError.UNSUPPORTED_OPERATION, "Automatic rotation is for symmetric keys.");
            }
            if (enable && m.external()) {
                throw new KmsException(KmsError.UNSUPPORTED_OPERATION, "Automatic rotation is not for keys of Origin EXTERNAL: their "
                        + "material is imported, not generated.");
            }
            return m.withRotation(enable ? interval : null);
        });
    }

    @Override
    public KeyMetadata describeKey(String keyIdOrAlias) {
        return ring.resolve(keyIdOrAlias).metadata();
    }

    @Override
    public List<KeyMetadata> listKeys() {
        return ring.all().stream().map(KeyRing.Entry::metadata).toList();
    }

    @Override
    public List<KeyVersionInfo> listKeyVersions(String keyIdOrAlias) {
        return ring.resolve(keyIdOrAlias).versions().values().stream().sorted(Comparator.comparing(KeyVersion::creationDate))
                .map(KeyLifecycle::info).toList();
    }

    /** Destroys a key whose deletion window has ended: material, versions, aliases and tags go in one transaction. */
    synchronized void destroy(String keyId) {
        Writes.run(() -> keys.destroy(keyId));
        KeyRing.Entry gone = ring.get(keyId); // null when a reload already removed it (another gateway destroyed it first)
        ring.remove(keyId);
        if (gone != null) {
            retire.accept(List.copyOf(gone.versions().keySet()));
        }
    }

    /**
     * Replaces the ring with what the store holds (another gateway sharing it changed it). Versions already
     * loaded into workers stay valid: a version's material never changes.
     */
    synchronized void reload() {
        List<String> gone = new ArrayList<>();
        synchronized (ring) {
            Map<KeyMetadata, Collection<KeyVersion>> loaded = new LinkedHashMap<>();
            ring.clearUnreadable();
            java.util.Set<String> present = new java.util.HashSet<>();
            for (KeyRepository.Loaded l : keys.loadAll(id -> Unreadable.report(ring, id))) {
                loaded.put(l.metadata(), l.versions());
                l.versions().forEach(v -> present.add(v.versionId()));
            }
            // versions another gateway destroyed (a key past its deletion window, imported material deleted): their
            // material is gone, so are the workers' copies
            for (KeyRing.Entry e : ring.all()) {
                e.versions().keySet().stream().filter(id -> !present.contains(id)).forEach(gone::add);
            }
            ring.replaceAll(loaded, keys.loadAliases());
        }
        retire.accept(gone);
    }

    /** Applies a metadata change durably, then shows it. */
    private synchronized KeyMetadata change(String keyIdOrAlias, UnaryOperator<KeyMetadata> f) {
        KeyRing.Entry e = ring.resolve(keyIdOrAlias);
        KeyMetadata next = f.apply(e.metadata());
        Writes.run(() -> keys.update(next));
        ring.put(next, e.versions().values());
        return next;
    }

    private static KeyVersionInfo info(KeyVersion v) {
        return new KeyVersionInfo(v.keyId(), v.versionId(), v.creationDate());
    }

    private static void requireMaterial(KeyMetadata m) {
        if (m.state() == KeyState.PendingImport) {
            throw new KmsException(KmsError.CONFLICT, "The key " + m.keyId() + " is PendingImport: import its key material first.");
        }
    }

    /**
     * Gives key {@code keyId} the {@code imported} material as its one version, or deletes its material when {@code imported}
     * is null; under this object's lock like every key change. {@code change} turns the key's metadata as it is now (a
     * concurrent change included) into the next, or throws to refuse. A key that ever had material takes only material with
     * the same check value (INVALID_PARAMETER otherwise, nothing written). The version keeps its id and creation date.
     */
    synchronized KeyMetadata commitMaterial(String keyId, UnaryOperator<KeyMetadata> change, BackendSession.Imported imported) {
        KeyRing.Entry now = ring.resolve(keyId);
        KeyMetadata next = change.apply(now.metadata());
        if (imported == null) {
            Writes.run(() -> keys.deleteMaterial(next));
            ring.put(next, List.of());
            retire.accept(List.copyOf(now.versions().keySet()));
            return next;
        }
        KeyVersion current = now.version(next.initialVersionId());
        KeyVersion v = new KeyVersion(next.initialVersionId(), keyId, current != null ? current.creationDate() : clock.instant(),
                imported.wrapped(), imported.publicKey());
        if (!Writes.get(() -> keys.putMaterial(next, v, imported.check()))) {
            throw KmsException.invalid("The key " + keyId + " had other key material: a key takes only the same material again, so "
                    + "that its ciphertexts keep their meaning. Import new material into a new key.");
        }
        ring.put(next, List.of(v));
        return next;
    }

    private static void requireNotPendingDeletion(KeyMetadata m) {
        if (m.state() == KeyState.PendingDeletion) {
            throw conflict(m);
        }
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
}
