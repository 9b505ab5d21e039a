package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.AliasManagement;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.store.KeyRepository;
import java.util.Map;
import java.util.regex.Pattern;

/** Aliases: each change is committed, then shown in the ring, under the ring's lock (which a reload takes too). */
final class AliasRegistry implements AliasManagement {
    private static final Pattern ALIAS = Pattern.compile("alias/[a-zA-Z0-9:/_-]{1,249}");

    private final KeyRing ring;
    private final KeyRepository keys;

    AliasRegistry(KeyRing ring, KeyRepository keys) {
        this.ring = ring;
        this.keys = keys;
    }

    @Override
    public void createAlias(String alias, String keyIdOrAlias) {
        KeyMetadata m = target(alias, keyIdOrAlias);
        synchronized (ring) {
            if (ring.aliasTarget(alias) != null) {
                throw new KmsException(KmsError.ALREADY_EXISTS, "The alias " + alias + " already exists.");
            }
            Writes.run(() -> keys.insertAlias(alias, m.keyId()));
            ring.putAlias(alias, m.keyId());
        }
    }

    @Override
    public void updateAlias(String alias, String keyId) {
        KeyMetadata m = target(alias, keyId);
        synchronized (ring) {
            requireExists(alias);
            Writes.run(() -> keys.updateAlias(alias, m.keyId()));
            ring.putAlias(alias, m.keyId());
        }
    }

    @Override
    public void deleteAlias(String alias) {
        synchronized (ring) {
            requireExists(alias);
            Writes.run(() -> keys.deleteAlias(alias));
            ring.removeAlias(alias);
        }
    }

    @Override
    public Map<String, String> listAliases() {
        return ring.aliases();
    }

    /** The key id an alias names, or null. */
    String targetOf(String alias) {
        return ring.aliasTarget(alias);
    }

    private void requireExists(String alias) {
        if (alias == null || ring.aliasTarget(alias) == null) {
            throw new KmsException(KmsError.KEY_NOT_FOUND, "The alias " + alias + " does not exist.");
        }
    }

    private KeyMetadata target(String alias, String keyIdOrAlias) {
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw KmsException.invalid("AliasName must match alias/[a-zA-Z0-9:/_-]{1,249}.");
        }
        if (keyIdOrAlias != null && keyIdOrAlias.startsWith("alias/")) {
            throw KmsException.invalid("KeyId of an alias must be a key id.");
        }
        return ring.resolve(keyIdOrAlias).metadata();
    }
}
