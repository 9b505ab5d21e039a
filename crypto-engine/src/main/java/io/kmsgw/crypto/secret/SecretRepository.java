package io.kmsgw.crypto.secret;

import io.kmsgw.crypto.api.Secret;
import io.kmsgw.crypto.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SQL for secrets, their versions and stages. A new version and its stage moves commit together. */
public final class SecretRepository {
    private final Store store;

    public SecretRepository(Store store) {
        this.store = store;
        String bin = store.binaryType();
        store.migrate("secrets", List.of(
                "CREATE TABLE kms_secret (secret_name VARCHAR(192) PRIMARY KEY, secret_type VARCHAR(32) NOT NULL, "
                        + "encryption_key_id VARCHAR(64) NOT NULL, description VARCHAR(1024) NOT NULL, extended_config TEXT NOT NULL, "
                        + "creation_millis BIGINT NOT NULL)",
                "CREATE TABLE kms_secret_version (secret_name VARCHAR(192) NOT NULL REFERENCES kms_secret(secret_name), "
                        + "version_id VARCHAR(64) NOT NULL, creation_millis BIGINT NOT NULL, data_type VARCHAR(16) NOT NULL, "
                        + "key_version_id VARCHAR(64) NOT NULL, iv " + bin + " NOT NULL, ciphertext " + bin + " NOT NULL, "
                        + "PRIMARY KEY (secret_name, version_id))",
                "CREATE TABLE kms_secret_stage (secret_name VARCHAR(192) NOT NULL, stage VARCHAR(64) NOT NULL, "
                        + "version_id VARCHAR(64) NOT NULL, PRIMARY KEY (secret_name, stage))",
                "ALTER TABLE kms_secret ADD COLUMN deletion_millis BIGINT"));
    }

    public void create(Secret s, Secret.Version first) {
        store.write(Store.SECRETS, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO kms_secret (secret_name, secret_type, encryption_key_id, description, "
                    + "extended_config, creation_millis) VALUES (?,?,?,?,?,?)")) {
                ps.setString(1, s.name());
                ps.setString(2, s.secretType());
                ps.setString(3, s.encryptionKeyId());
                ps.setString(4, s.description());
                ps.setString(5, s.extendedConfig());
                ps.setLong(6, s.created().toEpochMilli());
                ps.executeUpdate();
            }
            insertVersion(c, s.name(), first);
            setStage(c, s.name(), "ACSCurrent", first.versionId());
            return null;
        });
    }

    /** Adds a version that becomes ACSCurrent; the previous current becomes ACSPrevious. */
    public void put(String name, Secret.Version v, String previousCurrent) {
        store.write(Store.SECRETS, c -> {
            insertVersion(c, name, v);
            if (previousCurrent != null) {
                setStage(c, name, "ACSPrevious", previousCurrent);
            }
            setStage(c, name, "ACSCurrent", v.versionId());
            return null;
        });
    }

    /** Replaces every stage of a secret (UpdateSecretVersionStage). */
    public void setStages(String name, Map<String, String> stages) {
        store.write(Store.SECRETS, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM kms_secret_stage WHERE secret_name = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            for (Map.Entry<String, String> e : stages.entrySet()) {
                setStage(c, name, e.getKey(), e.getValue());
            }
            return null;
        });
    }

    /** Sets or clears the planned deletion time (DeleteSecret with a recovery window, RestoreSecret). */
    public void setDeletion(String name, Instant at) {
        store.write(Store.SECRETS, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE kms_secret SET deletion_millis = ? WHERE secret_name = ?")) {
                ps.setObject(1, at == null ? null : at.toEpochMilli());
                ps.setString(2, name);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Removes a secret, its stages and every version, in one transaction. */
    public void purge(String name) {
        store.write(Store.SECRETS, c -> {
            for (String sql : new String[] {"DELETE FROM kms_secret_stage WHERE secret_name = ?",
                    "DELETE FROM kms_secret_version WHERE secret_name = ?", "DELETE FROM kms_secret WHERE secret_name = ?"}) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, name);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    private static void insertVersion(Connection c, String name, Secret.Version v) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO kms_secret_version (secret_name, version_id, creation_millis, data_type, "
                + "key_version_id, iv, ciphertext) VALUES (?,?,?,?,?,?,?)")) {
            ps.setString(1, name);
            ps.setString(2, v.versionId());
            ps.setLong(3, v.created().toEpochMilli());
            ps.setString(4, v.dataType());
            ps.setString(5, v.keyVersionId());
            ps.setBytes(6, v.iv());
            ps.setBytes(7, v.ciphertext());
            ps.executeUpdate();
        }
    }

    private static void setStage(Connection c, String name, String stage, String versionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM kms_secret_stage WHERE secret_name = ? AND stage = ?")) {
            ps.setString(1, name);
            ps.setString(2, stage);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO kms_secret_stage (secret_name, stage, version_id) VALUES (?,?,?)")) {
            ps.setString(1, name);
            ps.setString(2, stage);
            ps.setString(3, versionId);
            ps.executeUpdate();
        }
    }

    public List<Secret> loadAll() {
        return store.read(c -> {
            Map<String, Map<String, Secret.Version>> versions = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT secret_name, version_id, creation_millis, data_type, key_version_id, iv, "
                    + "ciphertext FROM kms_secret_version ORDER BY creation_millis");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    versions.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), new Secret.Version(
                            rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4), rs.getString(5), rs.getBytes(6),
                            rs.getBytes(7)));
                }
            }
            Map<String, Map<String, String>> stages = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT secret_name, stage, version_id FROM kms_secret_stage");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stages.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), rs.getString(3));
                }
            }
            List<Secret> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT secret_name, secret_type, encryption_key_id, description, extended_config, "
                    + "creation_millis, deletion_millis FROM kms_secret ORDER BY creation_millis");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    long del = rs.getLong(7);
                    Instant deletion = rs.wasNull() ? null : Instant.ofEpochMilli(del);
                    out.add(new Secret(name, rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            Instant.ofEpochMilli(rs.getLong(6)), Map.copyOf(versions.getOrDefault(name, Map.of())),
                            Map.copyOf(stages.getOrDefault(name, Map.of())), deletion));
                }
            }
            return out;
        });
    }
}
