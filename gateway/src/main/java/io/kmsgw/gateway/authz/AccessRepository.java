package io.kmsgw.gateway.authz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.kmsgw.crypto.store.Store;
import io.kmsgw.gateway.authz.AccessModel.Aap;
import io.kmsgw.gateway.authz.AccessModel.ClientKey;
import io.kmsgw.gateway.authz.AccessModel.NetworkRule;
import io.kmsgw.gateway.authz.AccessModel.Policy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** SQL for network rules, policies, AAPs and client keys (list columns as JSON text). */
public final class AccessRepository {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One reader for the JSON list columns: at 100,000 policies a start reads 300,000 of them. */
    private static final ObjectReader STRINGS = JSON.readerForListOf(String.class);

    private final Store store;

    public AccessRepository(Store store) {
        this.store = store;
        store.migrate("access", List.of(
                "CREATE TABLE network_rule (name VARCHAR(128) PRIMARY KEY, rule_type VARCHAR(32) NOT NULL, "
                        + "source_private_ip TEXT NOT NULL, description VARCHAR(1024) NOT NULL, created_millis BIGINT NOT NULL)",
                "CREATE TABLE access_policy (name VARCHAR(128) PRIMARY KEY, kms_instance VARCHAR(64) NOT NULL, permissions TEXT NOT NULL, "
                        + "resources TEXT NOT NULL, network_rules TEXT NOT NULL, description VARCHAR(1024) NOT NULL, "
                        + "created_millis BIGINT NOT NULL)",
                "CREATE TABLE aap (name VARCHAR(128) PRIMARY KEY, authentication_method VARCHAR(32) NOT NULL, policies TEXT NOT NULL, "
                        + "description VARCHAR(1024) NOT NULL, created_millis BIGINT NOT NULL)",
                "CREATE TABLE client_key (client_key_id VARCHAR(64) PRIMARY KEY, aap_name VARCHAR(128) NOT NULL, "
                        + "key_algorithm VARCHAR(32) NOT NULL, certificate_pem TEXT NOT NULL, not_before_millis BIGINT NOT NULL, "
                        + "not_after_millis BIGINT NOT NULL, created_millis BIGINT NOT NULL)",
                "CREATE INDEX client_key_aap ON client_key(aap_name)",
                "ALTER TABLE client_key ADD COLUMN deleted_millis BIGINT",
                "CREATE TABLE access_key (access_key_id VARCHAR(64) PRIMARY KEY, aap_name VARCHAR(128) NOT NULL, "
                        + "sealed_secret TEXT NOT NULL, created_millis BIGINT NOT NULL, deleted_millis BIGINT)",
                "CREATE INDEX access_key_aap ON access_key(aap_name)"));
    }

    private static String json(List<String> list) {
        try {
            return JSON.writeValueAsString(list);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> list(String json) {
        try {
            return "[]".equals(json) ? List.of() : List.copyOf(STRINGS.<List<String>>readValue(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt list column", e);
        }
    }

    /** Inserts a policy (and its rules), an AAP and a client key in one transaction (quick creation). */
    public void insertAll(List<NetworkRule> rules, List<Policy> policies, Aap aap, ClientKey key) {
        store.write(Store.ACCESS, c -> {
            for (NetworkRule r : rules) {
                insert(c, r);
            }
            for (Policy p : policies) {
                insert(c, p);
            }
            if (aap != null) {
                insert(c, aap);
            }
            if (key != null) {
                insert(c, key);
            }
            return null;
        });
    }

    private static void insert(Connection c, NetworkRule r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO network_rule (name, rule_type, source_private_ip, description, created_millis) VALUES (?,?,?,?,?)")) {
            ps.setString(1, r.name());
            ps.setString(2, r.type());
            ps.setString(3, json(r.sourcePrivateIp()));
            ps.setString(4, r.description());
            ps.setLong(5, r.created().toEpochMilli());
            ps.executeUpdate();
        }
    }

    private static void insert(Connection c, Policy p) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO access_policy (name, kms_instance, permissions, resources, "
                + "network_rules, description, created_millis) VALUES (?,?,?,?,?,?,?)")) {
            ps.setString(1, p.name());
            ps.setString(2, p.kmsInstance());
            ps.setString(3, json(p.permissions()));
            ps.setString(4, json(p.resources()));
            ps.setString(5, json(p.networkRules()));
            ps.setString(6, p.description());
            ps.setLong(7, p.created().toEpochMilli());
            ps.executeUpdate();
        }
    }

    private static void insert(Connection c, Aap a) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO aap (name, authentication_method, policies, description, created_millis) VALUES (?,?,?,?,?)")) {
            ps.setString(1, a.name());
            ps.setString(2, a.authenticationMethod());
            ps.setString(3, json(a.policies()));
            ps.setString(4, a.description());
            ps.setLong(5, a.created().toEpochMilli());
            ps.executeUpdate();
        }
    }

    private static void insert(Connection c, ClientKey k) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO client_key (client_key_id, aap_name, key_algorithm, certificate_pem, "
                + "not_before_millis, not_after_millis, created_millis) VALUES (?,?,?,?,?,?,?)")) {
            ps.setString(1, k.clientKeyId());
            ps.setString(2, k.aapName());
            ps.setString(3, k.keyAlgorithm());
            ps.setString(4, k.certificatePem());
            ps.setLong(5, k.notBefore().toEpochMilli());
            ps.setLong(6, k.notAfter().toEpochMilli());
            ps.setLong(7, k.created().toEpochMilli());
            ps.executeUpdate();
        }
    }

    /** Replaces a network rule's addresses and description. */
    public void update(NetworkRule r) {
        execute("UPDATE network_rule SET source_private_ip = ?, description = ? WHERE name = ?",
                json(r.sourcePrivateIp()), r.description(), r.name());
    }

    public void update(Policy p) {
        execute("UPDATE access_policy SET permissions = ?, resources = ?, network_rules = ?, description = ? WHERE name = ?",
                json(p.permissions()), json(p.resources()), json(p.networkRules()), p.description(), p.name());
    }

    public void update(Aap a) {
        execute("UPDATE aap SET policies = ?, description = ? WHERE name = ?", json(a.policies()), a.description(), a.name());
    }

    public void deleteNetworkRule(String name) {
        execute("DELETE FROM network_rule WHERE name = ?", name);
    }

    public void deletePolicy(String name) {
        execute("DELETE FROM access_policy WHERE name = ?", name);
    }

    /** Stores a new AccessKey (its secret sealed). */
    public void insert(AccessModel.AccessKey k) {
        execute("INSERT INTO access_key (access_key_id, aap_name, sealed_secret, created_millis) VALUES (?,?,?,?)", k.accessKeyId(),
                k.aapName(), java.util.Base64.getEncoder().encodeToString(k.sealedSecret()), k.created().toEpochMilli());
    }

    /** Marks an AccessKey deleted (a tombstone keeps it in the audit's terms; it authenticates nothing more). */
    public void deleteAccessKey(String accessKeyId, Instant at) {
        execute("UPDATE access_key SET deleted_millis = ? WHERE access_key_id = ? AND deleted_millis IS NULL", at.toEpochMilli(),
                accessKeyId);
    }

    /** Every AccessKey, deleted ones included, oldest first. */
    public List<AccessModel.AccessKey> accessKeys() {
        return store.read(c -> {
            List<AccessModel.AccessKey> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT access_key_id, aap_name, sealed_secret, created_millis, deleted_millis "
                    + "FROM access_key ORDER BY created_millis, access_key_id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long deletedMillis = rs.getLong(5);
                    Instant deleted = rs.wasNull() ? null : Instant.ofEpochMilli(deletedMillis);
                    byte[] sealed;
                    try {
                        sealed = java.util.Base64.getDecoder().decode(rs.getString(3));
                    } catch (IllegalArgumentException damaged) {
                        sealed = new byte[0];
                    }
                    out.add(new AccessModel.AccessKey(rs.getString(1), rs.getString(2), sealed, Instant.ofEpochMilli(rs.getLong(4)),
                            deleted));
                }
            }
            return out;
        });
    }

    /** Deletes an AAP; its client keys become tombstones (refused, still visible to the audit, keeping the AAP name). */
    public void deleteAap(String name, Instant at) {
        store.write(Store.ACCESS, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE client_key SET deleted_millis = ? WHERE aap_name = ? AND deleted_millis IS NULL")) {
                ps.setLong(1, at.toEpochMilli());
                ps.setString(2, name);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE access_key SET deleted_millis = ? WHERE aap_name = ? AND deleted_millis IS NULL")) {
                ps.setLong(1, at.toEpochMilli());
                ps.setString(2, name);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM aap WHERE name = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Marks a client key deleted (a tombstone keeps it refusable with a clear reason and auditable). */
    public void deleteClientKey(String clientKeyId, Instant at) {
        execute("UPDATE client_key SET deleted_millis = ? WHERE client_key_id = ? AND deleted_millis IS NULL", at.toEpochMilli(), clientKeyId);
    }

    private void execute(String sql, Object... args) {
        store.write(Store.ACCESS, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                ps.executeUpdate();
            }
            return null;
        });
    }

    public List<NetworkRule> networkRules() {
        return store.read(c -> {
            List<NetworkRule> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT name, rule_type, source_private_ip, description, created_millis FROM network_rule ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new NetworkRule(rs.getString(1), rs.getString(2), list(rs.getString(3)), rs.getString(4),
                            Instant.ofEpochMilli(rs.getLong(5))));
                }
            }
            return out;
        });
    }

    public List<Policy> policies() {
        return store.read(c -> {
            List<Policy> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, kms_instance, permissions, resources, network_rules, description, "
                    + "created_millis FROM access_policy ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Policy(rs.getString(1), rs.getString(2), list(rs.getString(3)), list(rs.getString(4)),
                            list(rs.getString(5)), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7))));
                }
            }
            return out;
        });
    }

    public List<Aap> aaps() {
        return store.read(c -> {
            List<Aap> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT name, authentication_method, policies, description, created_millis FROM aap ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Aap(rs.getString(1), rs.getString(2), list(rs.getString(3)), rs.getString(4),
                            Instant.ofEpochMilli(rs.getLong(5))));
                }
            }
            return out;
        });
    }

    public List<ClientKey> clientKeys() {
        return store.read(c -> {
            List<ClientKey> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT client_key_id, aap_name, key_algorithm, certificate_pem, "
                    + "not_before_millis, not_after_millis, created_millis, deleted_millis FROM client_key ORDER BY created_millis");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long deletedMillis = rs.getLong(8);
                    Instant deleted = rs.wasNull() ? null : Instant.ofEpochMilli(deletedMillis);
                    out.add(new ClientKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7)),
                            deleted));
                }
            }
            return out;
        });
    }
}
