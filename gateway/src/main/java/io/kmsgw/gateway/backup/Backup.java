package io.kmsgw.gateway.backup;

import io.kmsgw.gateway.tls.Pem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypted backups of a data dir. The store is snapshotted with SQLite's {@code VACUUM INTO} (a
 * consistent copy even while the gateway runs); the HSM token files, TLS material and CA bundle are
 * copied as they are (each is replaced atomically by its writer). Key material in them stays wrapped or
 * sealed. The HSM secret is left out unless asked for, so a stolen backup alone opens nothing; client key
 * files (one-time deliveries) and the audit files (the audit table is in the snapshot) are left out too.
 * The archive is a zip encrypted with AES-256-GCM under a key derived from a password
 * (PBKDF2-HMAC-SHA256): {@code "KMSGWBK1" ‖ salt(16) ‖ iterations(4) ‖ iv(12) ‖ ciphertext ‖ tag}.
 */
public final class Backup {
    private static final byte[] MAGIC = "KMSGWBK1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int ITERATIONS = 310_000;

    private Backup() {
    }

    /** Writes an encrypted backup of {@code dataDir} to {@code out}; returns the archived file names. */
    public static List<String> create(Path dataDir, Path out, char[] password, boolean includeHsmSecret) throws IOException {
        checkPassword(password);
        if (!Files.exists(dataDir.resolve("kmsgw.db"))) {
            throw new IOException(dataDir + " holds no kmsgw.db");
        }
        Path tmp = Files.createTempDirectory("kmsgw-backup");
        try {
            Path snapshot = tmp.resolve("kmsgw.db");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("kmsgw.db").toAbsolutePath());
                 Statement s = c.createStatement()) {
                s.execute("VACUUM INTO '" + snapshot.toAbsolutePath().toString().replace("'", "''") + "'");
            } catch (SQLException e) {
                throw new IOException("cannot snapshot the store: " + e.getMessage(), e);
            }
            List<String> names = new ArrayList<>();
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(zipped)) {
                add(zip, "kmsgw.db", Files.readAllBytes(snapshot), names);
                try (Stream<Path> files = Files.walk(dataDir)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        String rel = dataDir.relativize(f).toString().replace('\\', '/');
                        if (included(rel, includeHsmSecret)) {
                            add(zip, rel, Files.readAllBytes(f), names);
                        }
                    }
                }
            }
            Pem.writeBytes(out, seal(zipped.toByteArray(), password), true);
            return names;
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static boolean included(String rel, boolean includeHsmSecret) {
        if (rel.startsWith("hsm/slot-") && (rel.endsWith("/token.bin") || rel.endsWith("/objects.bin"))) {
            return true;
        }
        if (rel.equals("hsm/secret")) {
            return includeHsmSecret;
        }
        return rel.startsWith("tls/") && rel.endsWith(".pem") || rel.matches("PrivateKmsCA_kst-[a-z0-9]+\\.pem") || rel.equals("admin.token");
    }

    private static void add(ZipOutputStream zip, String name, byte[] data, List<String> names) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
        names.add(name);
    }

    /** Restores a backup into {@code dataDir}, which must be absent or empty; returns the restored file names. */
    public static List<String> restore(Path in, Path dataDir, char[] password) throws IOException {
        if (Files.exists(dataDir)) {
            try (Stream<Path> s = Files.list(dataDir)) {
                if (s.findAny().isPresent()) {
                    throw new IOException(dataDir + " is not empty; restore into a new data dir");
                }
            }
        }
        byte[] zipped = open(Files.readAllBytes(in), password);
        List<String> names = new ArrayList<>();
        Path root = dataDir.toAbsolutePath().normalize();
        io.kmsgw.gateway.bootstrap.FileModes.prepareDataDir(root);
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipped))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                Path target = root.resolve(e.getName()).normalize();
                if (!target.startsWith(root) || e.isDirectory() || !included(e.getName(), true) && !e.getName().equals("kmsgw.db")) {
                    throw new IOException("the backup holds an unexpected entry: " + e.getName());
                }
                Pem.writeBytes(target, zip.readAllBytes(), true);
                names.add(e.getName());
            }
        }
        if (!names.contains("kmsgw.db")) {
            throw new IOException("the backup holds no store snapshot");
        }
        io.kmsgw.gateway.bootstrap.FileModes.tighten(root); // the directories the entries needed
        return names;
    }

    private static void checkPassword(char[] password) throws IOException {
        if (password == null || password.length < 12) {
            throw new IOException("the backup password must be at least 12 characters");
        }
    }

    private static SecretKeySpec key(char[] password, byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
        try {
            return new SecretKeySpec(SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded(), "AES");
        } finally {
            spec.clearPassword();
        }
    }

    static byte[] seal(byte[] plain, char[] password) throws IOException {
        try {
            SecureRandom r = new SecureRandom();
            byte[] salt = new byte[16];
            byte[] iv = new byte[12];
            r.nextBytes(salt);
            r.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key(password, salt, ITERATIONS), new GCMParameterSpec(128, iv));
            c.updateAAD(MAGIC);
            byte[] ct = c.doFinal(plain);
            return ByteBuffer.allocate(MAGIC.length + 16 + 4 + 12 + ct.length).put(MAGIC).put(salt).putInt(ITERATIONS).put(iv).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IOException("backup encryption failed", e);
        }
    }

    static byte[] open(byte[] sealed, char[] password) throws IOException {
        if (sealed.length < MAGIC.length + 32 + 16 || !Arrays.equals(Arrays.copyOf(sealed, MAGIC.length), MAGIC)) {
            throw new IOException("not a kmsgw backup");
        }
        ByteBuffer b = ByteBuffer.wrap(sealed, MAGIC.length, sealed.length - MAGIC.length);
        byte[] salt = new byte[16];
        b.get(salt);
        int iterations = b.getInt();
        if (iterations < 100_000 || iterations > 10_000_000) {
            throw new IOException("not a kmsgw backup (iterations out of range)");
        }
        byte[] iv = new byte[12];
        b.get(iv);
        byte[] ct = new byte[b.remaining()];
        b.get(ct);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key(password, salt, iterations), new GCMParameterSpec(128, iv));
            c.updateAAD(MAGIC);
            return c.doFinal(ct);
        } catch (AEADBadTagException e) {
            throw new IOException("wrong password, or the backup file is damaged");
        } catch (GeneralSecurityException e) {
            throw new IOException("backup decryption failed", e);
        }
    }
}
