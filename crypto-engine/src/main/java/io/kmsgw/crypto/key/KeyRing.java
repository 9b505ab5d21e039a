package io.kmsgw.crypto.key;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory view of committed keys, versions and aliases: hot-path lookups are map reads. It is
 * updated only after the store has committed, so it never shows a key that is not durable.
 */
public final class KeyRing {
    /** A key with its versions, as one immutable snapshot. */
    public record Entry(KeyMetadata metadata, Map<String, KeyVersion> versions) {
        public KeyVersion version(String versionId) {
            return versions.get(versionId);
        }
    }

    private final ConcurrentHashMap<String, Entry> keys = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> aliases = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> keyOfVersion = new ConcurrentHashMap<>();

    public void put(KeyMetadata metadata, Collection<KeyVersion> versions) {
        Map<String, KeyVersion> byId = new java.util.HashMap<>();
        for (KeyVersion v : versions) {
            byId.put(v.versionId(), v);
            keyOfVersion.put(v.versionId(), v.keyId());
        }
        // a key awaiting imported material has no version row yet, but ciphertexts naming its version find it (and its state)
        keyOfVersion.put(metadata.initialVersionId(), metadata.keyId());
        keys.put(metadata.keyId(), new Entry(metadata, Map.copyOf(byId)));
    }

    public void putAlias(String alias, String keyId) {
        aliases.put(alias, keyId);
    }

    public void removeAlias(String alias) {
        aliases.remove(alias);
    }

    /** Forgets a destroyed key with its versions and aliases. */
    public void remove(String keyId) {
        Entry e = keys.remove(keyId);
        if (e != null) {
            e.versions().keySet().forEach(keyOfVersion::remove);
            keyOfVersion.remove(e.metadata().initialVersionId());
        }
        aliases.values().removeIf(keyId::equals);
    }

    /**
     * Makes the ring show exactly {@code loaded} and {@code aliasMap} (another gateway changed the
     * store). New and changed entries go in before absent ones go out, so a key present before and
     * after never disappears for a moment.
     */
    /** Forgets the unreadable marks (before a reload marks again what it still cannot read). */
    public void clearUnreadable() {
        unreadable.clear();
    }

    public void replaceAll(Map<KeyMetadata, Collection<KeyVersion>> loaded, Map<String, String> aliasMap) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        loaded.forEach((m, versions) -> {
            put(m, versions);
            ids.add(m.keyId());
        });
        for (String id : List.copyOf(keys.keySet())) {
            if (!ids.contains(id)) {
                remove(id);
            }
        }
        aliases.putAll(aliasMap);
        aliases.keySet().retainAll(aliasMap.keySet());
    }

    /** Keys whose stored row cannot be read: named with their own error, not as absent. */
    private final java.util.Set<String> unreadable = ConcurrentHashMap.newKeySet();

    /** Marks a key whose stored row could not be read (it answers KEY_MATERIAL_DAMAGED until a reload reads it). */
    public void markUnreadable(String keyId) {
        unreadable.add(keyId);
    }

    /** The key with this id, or null (no alias resolution, no error). */
    public Entry get(String keyId) {
        return keys.get(keyId);
    }

    /** Resolves a key id or {@code alias/…}; KEY_NOT_FOUND names what was asked for. */
    public Entry resolve(String keyIdOrAlias) {
        if (keyIdOrAlias == null || keyIdOrAlias.isEmpty()) {
            throw KmsException.invalid("KeyId is required.");
        }
        String id = keyIdOrAlias.startsWith("alias/") ? aliases.get(keyIdOrAlias) : keyIdOrAlias;
        Entry e = id == null ? null : keys.get(id);
        if (e == null) {
            if (id != null && unreadable.contains(id)) {
                throw new KmsException(KmsError.KEY_MATERIAL_DAMAGED, "The key " + id + " cannot be used: its stored row cannot be read.");
            }
            throw new KmsException(KmsError.KEY_NOT_FOUND, "The key " + keyIdOrAlias + " does not exist in the system.");
        }
        return e;
    }

    /**
     * Resolves the key a request names: by its KeyId (id or alias) when given, else through the key version it names
     * (the transfer clients send {@code x-kms-migrationkeyversionid} and no KeyId). A version of no key is
     * KEY_NOT_FOUND naming the version; neither given is INVALID_PARAMETER.
     */
    public Entry resolve(String keyIdOrAlias, String versionId) {
        if ((keyIdOrAlias == null || keyIdOrAlias.isEmpty()) && versionId != null && !versionId.isEmpty()) {
            Entry e = byVersion(versionId);
            if (e == null) {
                throw new KmsException(KmsError.KEY_NOT_FOUND, "The key version " + versionId + " does not exist in the system.");
            }
            return e;
        }
        return resolve(keyIdOrAlias);
    }

    /** The aliases that point at {@code keyId} (a scan of the alias map: for the rare authorization fallback only). */
    public List<String> aliasesOf(String keyId) {
        List<String> out = new ArrayList<>(2);
        aliases.forEach((alias, target) -> {
            if (target.equals(keyId)) {
                out.add(alias);
            }
        });
        return out;
    }

    /** The key a version belongs to, or null (self-describing ciphertexts name only the version). */
    public Entry byVersion(String versionId) {
        String keyId = keyOfVersion.get(versionId);
        return keyId == null ? null : keys.get(keyId);
    }

    /** The key id an alias points at, or null. */
    public String aliasTarget(String alias) {
        return aliases.get(alias);
    }

    public List<Entry> all() {
        List<Entry> list = new ArrayList<>(keys.values());
        list.sort((a, b) -> a.metadata().creationDate().compareTo(b.metadata().creationDate()));
        return list;
    }

    public Map<String, String> aliases() {
        return Map.copyOf(aliases);
    }
}
