package io.kmsgw.gateway.bootstrap;

import io.kmsgw.crypto.store.Store;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

/** Small instance facts (instance id, quick-start ids) in the store, written once, read at start. */
public final class InstanceMeta {
    private final Store store;

    public InstanceMeta(Store store) {
        this.store = store;
        store.migrate("instance", List.of(
                "CREATE TABLE instance_meta (name VARCHAR(64) PRIMARY KEY, meta_value VARCHAR(1024) NOT NULL)"));
    }

    public String get(String name) {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT meta_value FROM instance_meta WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    public void put(String name, String value) {
        store.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM instance_meta WHERE name = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO instance_meta (name, meta_value) VALUES (?, ?)")) {
                ps.setString(1, name);
                ps.setString(2, value);
                ps.executeUpdate();
            }
            return null;
        });
    }
}
