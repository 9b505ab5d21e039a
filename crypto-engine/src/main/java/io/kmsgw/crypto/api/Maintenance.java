package io.kmsgw.crypto.api;

/** Upkeep the server schedules: due deletions and rotations, and reloads after another gateway changed the shared store. */
public interface Maintenance {

    /** What one round of upkeep did. */
    record Report(int destroyed, int rotated, int secretsPurged, int materialExpired) {
        public Report(int destroyed, int rotated, int secretsPurged) {
            this(destroyed, rotated, secretsPurged, 0);
        }

        public boolean changedAnything() {
            return destroyed + rotated + secretsPurged + materialExpired > 0;
        }
    }

    /**
     * Destroys keys whose deletion window has ended (material, versions, aliases and tags in one transaction),
     * rotates keys whose rotation interval has passed, purges secrets whose recovery window has ended, and deletes
     * imported key material whose KeyMaterialExpireTime has passed (the key returns to PendingImport).
     */
    Report runMaintenance();

    /** Reloads keys, versions and aliases from the store. */
    void refreshKeys();

    /** Reloads secrets from the store. */
    void refreshSecrets();
}
