package io.kmsgw.crypto.store;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.key.KeyVersion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SQL for keys, key versions and aliases. A key and its first version are inserted in one transaction. */
public final class KeyRepository {
    private final Store store;

    public KeyRepository(Store store) {
        this.store = store;
        String bin = store.binaryType();
        store.migrate("keys", List.of(
                "CREATE TABLE kms_key (key_id VARCHAR(64) PRIMARY KEY, key_spec VARCHAR(32) NOT NULL, "
                        + "key_usage VARCHAR(32) NOT NULL, key_state VARCHAR(32) NOT NULL, description VARCHAR(1024) NOT NULL, "
                        + "origin VARCHAR(32) NOT NULL, creation_millis BIGINT NOT NULL, initial_version_id VARCHAR(64) NOT NULL, "
                        + "primary_version_id VARCHAR(64) NOT NULL)",
                "CREATE TABLE kms_key_version (version_id VARCHAR(64) PRIMARY KEY, key_id VARCHAR(64) NOT NULL "
                        + "REFERENCES kms_key(key_id), creation_millis BIGINT NOT NULL, wrapped_material " + bin + " NOT NULL)",
                "CREATE INDEX kms_key_version_key ON kms_key_version(key_id)",
                "CREATE TABLE kms_alias (alias_name VARCHAR(255) PRIMARY KEY, key_id VARCHAR(64) NOT NULL REFERENCES kms_key(key_id))",
                "ALTER TABLE kms_key_version ADD COLUMN public_key " + bin,
                "ALTER TABLE kms_key ADD COLUMN deletion_millis BIGINT",
                "ALTER TABLE kms_key ADD COLUMN rotation_interval_seconds BIGINT",
                "CREATE TABLE kms_key_tag (key_id VARCHAR(64) NOT NULL REFERENCES kms_key(key_id), tag_key VARCHAR(128) NOT NULL, "
                        + "tag_value VARCHAR(256) NOT NULL, PRIMARY KEY (key_id, tag_key))",
                "ALTER TABLE kms_key ADD COLUMN material_expire_millis BIGINT",
                "ALTER TABLE kms_key ADD COLUMN material_check " + bin));
    }

    /** Inserts a key with its first version atomically; {@code first} is null for a key whose material is to be imported. */
    public void insertKey(KeyMetadata m, KeyVersion first) {
        store.write(Store.KEYS, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO kms_key (key_id, key_spec, key_usage, key_state, description, "
                    + "origin, creation_millis, initial_version_id, primary_version_id) VALUES (?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, m.keyId());
                ps.setString(2, m.spec().name());
                ps.setString(3, m.usage().name());
                ps.setString(4, m.state().name());
                ps.setString(5, m.description());
                ps.setString(6, m.origin());
                ps.setLong(7, m.creationDate().toEpochMilli());
                ps.setString(8, m.initialVersionId());
                ps.setString(9, m.primaryVersionId());
                ps.executeUpdate();
            }
            if (first != null) {
                insertVersion(c, first);
            }
            writeTags(c, m.keyId(), m.tags());
            return null;
        });
    }

    private static void writeTags(Connection c, String keyId, Map<String, String> tags) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM kms_key_tag WHERE key_id = ?")) {
            ps.setString(1, keyId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO kms_key_tag (key_id, tag_key, tag_value) VALUES (?,?,?)")) {
            for (Map.Entry<String, String> t : tags.entrySet()) {
                ps.setString(1, keyId);
                ps.setString(2, t.getKey());
                ps.setString(3, t.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Writes the mutable part of a key's metadata (state, deletion date, description, rotation, tags) in one transaction. */
    public void update(KeyMetadata m) {
        store.write(Store.KEYS, c -> {
            updateRow(c, m);
            writeTags(c, m.keyId(), m.tags());
            return null;
        });
    }

    private static void updateRow(Connection c, KeyMetadata m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE kms_key SET key_state = ?, deletion_millis = ?, description = ?, "
                + "rotation_interval_seconds = ?, material_expire_millis = ? WHERE key_id = ?")) {
            ps.setString(1, m.state().name());
            ps.setObject(2, m.deletionDate() == null ? null : m.deletionDate().toEpochMilli());
            ps.setString(3, m.description());
            ps.setObject(4, m.rotationInterval() == null ? null : m.rotationInterval().getSeconds());
            ps.setObject(5, m.materialExpireTime() == null ? null : m.materialExpireTime().toEpochMilli());
            ps.setString(6, m.keyId());
            ps.executeUpdate();
        }
    }

    /**
     * Gives an EXTERNAL key its imported material, in one transaction: the version (replacing any row of it), the key's state
     * and expiry, and the material's check value (kept after the material is deleted, so only the same material comes back).
     * False, with nothing written, when the key once had material with another check value: the comparison is part of the
     * transaction, so gateways sharing the store cannot both import different first material.
     */
    public boolean putMaterial(KeyMetadata m, KeyVersion v, byte[] check) {
        return store.write(Store.KEYS, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE kms_key SET material_check = ? WHERE key_id = ? AND "
                    + "(material_check IS NULL OR material_check = ?)")) {
                ps.setBytes(1, check);
                ps.setString(2, m.keyId());
                ps.setBytes(3, check);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM kms_key_version WHERE key_id = ?")) {
                ps.setString(1, m.keyId());
                ps.executeUpdate();
            }
            insertVersion(c, v);
            updateRow(c, m);
            return true;
        });
    }

    /** Deletes an EXTERNAL key's material (its version rows) and writes its state, in one transaction; the check value stays. */
    public void deleteMaterial(KeyMetadata m) {
        store.write(Store.KEYS, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM kms_key_version WHERE key_id = ?")) {
                ps.setString(1, m.keyId());
                ps.executeUpdate();
            }
            updateRow(c, m);
            return null;
        });
    }

    /** Points an existing alias at another key. */
    public void updateAlias(String alias, String keyId) {
        store.write(Store.KEYS, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE kms_alias SET key_id = ? WHERE alias_name = ?")) {
                ps.setString(1, keyId);
                ps.setString(2, alias);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public void deleteAlias(String alias) {
        store.write(Store.KEYS, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM kms_alias WHERE alias_name = ?")) {
                ps.setString(1, alias);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Destroys a key: its wrapped material (every version), aliases, tags and metadata, in one transaction. */
    public void destroy(String keyId) {
        store.write(Store.KEYS, c -> {
            for (String sql : new String[] {"DELETE FROM kms_alias WHERE key_id = ?", "DELETE FROM kms_key_tag WHERE key_id = ?",
                    "DELETE FROM kms_key_version WHERE key_id = ?", "DELETE FROM kms_key WHERE key_id = ?"}) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, keyId);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    /** Adds a version and makes it primary, atomically. */
    public void addVersion(KeyVersion v) {
        store.write(Store.KEYS, c -> {
            insertVersion(c, v);
            try (PreparedStatement ps = c.prepareStatement("UPDATE kms_key SET primary_version_id = ? WHERE key_id = ?")) {
                ps.setString(1, v.versionId());
                ps.setString(2, v.keyId());
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static void insertVersion(Connection c, KeyVersion v) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO kms_key_version (version_id, key_id, creation_millis, wrapped_material, public_key) VALUES (?,?,?,?,?)")) {
            ps.setString(1, v.versionId());
            ps.setString(2, v.keyId());
            ps.setLong(3, v.creationDate().toEpochMilli());
            ps.setBytes(4, v.wrappedMaterial());
            ps.setBytes(5, v.publicKey());
            ps.executeUpdate();
        }
    }

    public void insertAlias(String alias, String keyId) {
        store.write(Store.KEYS, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO kms_alias (alias_name, key_id) VALUES (?,?)")) {
                ps.setString(1, alias);
                ps.setString(2, keyId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** A key with its versions, as loaded at start. */
    public record Loaded(KeyMetadata metadata, List<KeyVersion> versions) {
    }

    /** Every readable key with its versions; a row that cannot be read is left out (see {@link #loadAll(Consumer)}). */
    public List<Loaded> loadAll() {
        return loadAll(id -> { });
    }

    /**
     * Every readable key with its versions. A key row that cannot be read (a damaged value) is left out and its id given
     * to {@code unreadable}, so one damaged row never stops the others from loading.
     */
    public List<Loaded> loadAll(java.util.function.Consumer<String> unreadable) {
        return store.read(c -> {
            Map<String, KeyMetadata> keys = new LinkedHashMap<>();
            Map<String, Map<String, String>> tags = new java.util.HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT key_id, tag_key, tag_value FROM kms_key_tag");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tags.computeIfAbsent(rs.getString(1), k -> new java.util.TreeMap<>()).put(rs.getString(2), rs.getString(3));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT key_id, key_spec, key_usage, key_state, description, origin, "
                    + "creation_millis, initial_version_id, primary_version_id, deletion_millis, rotation_interval_seconds, material_expire_millis "
                    + "FROM kms_key ORDER BY creation_millis");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    try {
                        long del = rs.getLong(10);
                        Instant deletion = rs.wasNull() ? null : Instant.ofEpochMilli(del);
                        long rot = rs.getLong(11);
                        java.time.Duration rotation = rs.wasNull() ? null : java.time.Duration.ofSeconds(rot);
                        long exp = rs.getLong(12);
                        Instant materialExpire = rs.wasNull() ? null : Instant.ofEpochMilli(exp);
                        Instant created = Instant.ofEpochMilli(rs.getLong(7));
                        KeyMetadata m = new KeyMetadata(rs.getString(1), KeySpec.valueOf(rs.getString(2)), KeyUsage.valueOf(rs.getString(3)),
                                KeyState.valueOf(rs.getString(4)), rs.getString(5), rs.getString(6), created, rs.getString(8), rs.getString(9),
                                deletion, rotation, created, tags.getOrDefault(rs.getString(1), Map.of()), materialExpire);
                        keys.put(m.keyId(), m);
                    } catch (RuntimeException | java.sql.SQLException e) {
                        String id = rs.getString(1);
                        unreadable.accept(id == null ? "(a key row without an id)" : id);
                    }
                }
            }
            Map<String, List<KeyVersion>> versions = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT version_id, key_id, creation_millis, wrapped_material, public_key FROM kms_key_version ORDER BY creation_millis");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    KeyVersion v = new KeyVersion(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getBytes(4),
                            rs.getBytes(5));
                    versions.computeIfAbsent(v.keyId(), k -> new ArrayList<>()).add(v);
                }
            }
            List<Loaded> out = new ArrayList<>();
            for (KeyMetadata m : keys.values()) {
                List<KeyVersion> vs = versions.getOrDefault(m.keyId(), List.of());
                Instant last = vs.stream().filter(v -> v.versionId().equals(m.primaryVersionId())).map(KeyVersion::creationDate)
                        .findFirst().orElse(m.creationDate());
                out.add(new Loaded(m.withPrimary(m.primaryVersionId(), last), vs));
            }
            return out;
        });
    }

    public Map<String, String> loadAliases() {
        return store.read(c -> {
            Map<String, String> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT alias_name, key_id FROM kms_alias");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
    }
}
