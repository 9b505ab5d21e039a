package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.api.Maintenance;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.secret.SecretManager;
import java.time.Clock;
import java.time.Instant;

/** Periodic upkeep (the server runs it at start and every minute) and reloads from a shared store. */
final class KeyMaintenance implements Maintenance {
    private final KeyRing ring;
    private final KeyLifecycle lifecycle;
    private final KeyImports imports;
    private final SecretManager secrets;
    private final Clock clock;

    KeyMaintenance(KeyRing ring, KeyLifecycle lifecycle, KeyImports imports, SecretManager secrets, Clock clock) {
        this.ring = ring;
        this.lifecycle = lifecycle;
        this.imports = imports;
        this.secrets = secrets;
        this.clock = clock;
    }

    @Override
    public Report runMaintenance() {
        Instant now = clock.instant();
        int destroyed = 0;
        int rotated = 0;
        for (KeyRing.Entry e : ring.all()) {
            KeyMetadata m = e.metadata();
            if (m.state() == KeyState.PendingDeletion && m.deletionDate() != null && !now.isBefore(m.deletionDate())) {
                lifecycle.destroy(m.keyId());
                destroyed++;
            } else if (m.state() == KeyState.Enabled && m.nextRotation() != null && !now.isBefore(m.nextRotation())) {
                lifecycle.createKeyVersion(m.keyId());
                rotated++;
            }
        }
        int purged = Writes.get(() -> secrets.purgeDue(now));
        int expired = imports.expireMaterial(now);
        return new Report(destroyed, rotated, purged, expired);
    }

    @Override
    public void refreshKeys() {
        lifecycle.reload();
    }

    @Override
    public void refreshSecrets() {
        secrets.reload();
    }
}
