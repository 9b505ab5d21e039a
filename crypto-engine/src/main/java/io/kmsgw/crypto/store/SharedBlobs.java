package io.kmsgw.crypto.store;

import io.kmsgw.crypto.backend.SharedMaster;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

/**
 * Named blobs that the gateways of a shared instance keep in the store, each written once: the
 * wrapped master key ({@link #masterKeyVault()}) and sealed bootstrap files. Only wrapped or sealed
 * bytes go in here.
 */
public final class SharedBlobs {
    public static final String MASTER_KEY = "master-key";
    private final Store store;

    public SharedBlobs(Store store) {
        this.store = store;
        store.migrate("shared_blobs", List.of(
                "CREATE TABLE shared_blob (name VARCHAR(128) PRIMARY KEY, blob_value " + store.binaryType() + " NOT NULL)"));
    }

    /** The blob, or null. */
    public byte[] get(String name) {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT blob_value FROM shared_blob WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        });
    }

    /** Keeps {@code value} under {@code name} unless something is kept there already; returns what is kept. */
    public byte[] putIfAbsent(String name, byte[] value) {
        try {
            store.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO shared_blob (name, blob_value) VALUES (?, ?)")) {
                    ps.setString(1, name);
                    ps.setBytes(2, value);
                    return ps.executeUpdate();
                }
            });
            return value;
        } catch (StoreException e) {
            byte[] kept = e.constraintViolation() ? get(name) : null;
            if (kept == null) {
                throw e;
            }
            return kept;
        }
    }

    /** The vault of the shared master key. */
    public SharedMaster.Vault masterKeyVault() {
        return new SharedMaster.Vault() {
            @Override
            public byte[] load() {
                return get(MASTER_KEY);
            }

            @Override
            public byte[] keepIfAbsent(byte[] wrapped) {
                return putIfAbsent(MASTER_KEY, wrapped);
            }
        };
    }
}
