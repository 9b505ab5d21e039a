package io.kmsgw.crypto.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Schema steps applied once each per component, with the version reached kept in {@code schema_version}. */
final class Migrations {
    private Migrations() {
    }

    /** Applies the steps not applied yet, inside the caller's transaction. */
    static void apply(Connection c, String component, List<String> steps) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (component VARCHAR(64) PRIMARY KEY, version INTEGER NOT NULL)");
        }
        int current = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM schema_version WHERE component = ?")) {
            ps.setString(1, component);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    current = rs.getInt(1);
                }
            }
        }
        if (current > steps.size()) {
            throw new SQLException("the store's schema for " + component + " is at version " + current
                    + ", newer than this kmsgw knows (" + steps.size() + "); run a newer kmsgw");
        }
        for (int i = current; i < steps.size(); i++) {
            try (Statement s = c.createStatement()) {
                s.execute(steps.get(i));
            }
        }
        if (steps.size() > current) {
            try (PreparedStatement ps = c.prepareStatement(current == 0
                    ? "INSERT INTO schema_version (version, component) VALUES (?, ?)"
                    : "UPDATE schema_version SET version = ? WHERE component = ?")) {
                ps.setInt(1, steps.size());
                ps.setString(2, component);
                ps.executeUpdate();
            }
        }
    }
}
