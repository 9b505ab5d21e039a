package io.kmsgw.crypto.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

/**
 * Which HSM master key the store's key material is wrapped under: its check value (computed inside the HSM, never
 * the key), recorded once, compared at every start. Read before the HSM opens, so a token that has lost its master
 * key (or is missing) is never given a new one while the store still holds material wrapped under the old.
 */
public final class MasterKeyRecord {
    private final Store store;

    public MasterKeyRecord(Store store) {
        this.store = store;
        new KeyRepository(store); // the key tables exist before they are asked about
        store.migrate("master-key", List.of("CREATE TABLE kms_master_key (id INTEGER PRIMARY KEY, check_value VARCHAR(64) NOT NULL)"));
    }

    /** The recorded check value, or null when none is recorded yet. */
    public String checkValue() {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT check_value FROM kms_master_key WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
    }

    /** True when the store holds material wrapped under a master key: a check value is recorded, or any key version exists. */
    public boolean holdsWrappedMaterial() {
        return checkValue() != null || store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM kms_key_version LIMIT 1"); ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        });
    }

    /** Records the check value unless one is recorded already; returns the one recorded. */
    public String recordIfAbsent(String checkValue) {
        try {
            store.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO kms_master_key (id, check_value) VALUES (1, ?)")) {
                    ps.setString(1, checkValue);
                    return ps.executeUpdate();
                }
            });
        } catch (StoreException e) {
            if (!e.constraintViolation()) {
                throw e;
            }
        }
        return checkValue();
    }
}
