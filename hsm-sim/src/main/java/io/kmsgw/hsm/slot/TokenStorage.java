package io.kmsgw.hsm.slot;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Template;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * On-disk form of one token. {@code token.bin} holds the label, PIN verifiers and the token's storage
 * key sealed (AES-256-GCM) under keys derived from the user and SO PINs (PBKDF2-HMAC-SHA256);
 * {@code objects.bin} holds every token object sealed under the storage key. Each file is replaced
 * atomically (write temp, fsync, rename, fsync directory), so a crash leaves the old or the new file.
 */
public final class TokenStorage {
    private static final byte[] TOKEN_MAGIC = "KMSGWTK1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OBJECTS_MAGIC = "KMSGWOB1".getBytes(StandardCharsets.US_ASCII);

    private final Path dir;
    private final int pbkdf2Iterations;
    private final SecureRandom random;

    public TokenStorage(Path dir, int pbkdf2Iterations, SecureRandom random) {
        this.dir = dir;
        this.pbkdf2Iterations = pbkdf2Iterations;
        this.random = random;
    }

    /** Persistent token metadata. Byte arrays are salts, verifiers and sealed keys, never plaintext keys. */
    public record TokenMeta(String label, byte[] soSalt, byte[] soVerifier, byte[] sealedUnderSo,
                            byte[] userSalt, byte[] userVerifier, byte[] sealedUnderUser, int iterations) {
        public boolean userPinSet() {
            return userVerifier != null;
        }
    }

    /** One persisted object: attributes, key encoding (raw / PKCS#8 / X.509) and the public key info. */
    public record StoredObject(Template attributes, byte[] encoded, byte[] spki) {
    }

    /** A PIN-derived verifier (to check the PIN) and key-encryption key (to open the storage key). */
    public record Derived(byte[] verifier, SecretKey kek) {
    }

    public Derived derive(char[] pin, byte[] salt, int iterations) {
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pin));
        byte[] password = new byte[utf8.remaining()];
        utf8.get(password);
        Arrays.fill(utf8.array(), (byte) 0);
        try {
            byte[] out = Pbkdf2.hmacSha256(password, salt, iterations, 64);
            Derived d = new Derived(Arrays.copyOfRange(out, 0, 32), new SecretKeySpec(Arrays.copyOfRange(out, 32, 64), "AES"));
            Arrays.fill(out, (byte) 0);
            return d;
        } catch (RuntimeException e) {
            throw new HsmException(Ckr.GENERAL_ERROR, "PIN derivation failed");
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    public int iterations() {
        return pbkdf2Iterations;
    }

    public byte[] newSalt() {
        byte[] s = new byte[16];
        random.nextBytes(s);
        return s;
    }

    public byte[] seal(SecretKey key, byte[] plaintext, byte[] aad) {
        try {
            byte[] iv = new byte[12];
            random.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            c.updateAAD(aad);
            byte[] ct = c.doFinal(plaintext);
            return ByteBuffer.allocate(12 + ct.length).put(iv).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new HsmException(Ckr.GENERAL_ERROR, "seal failed");
        }
    }

    public byte[] open(SecretKey key, byte[] sealed, byte[] aad) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, 12));
            c.updateAAD(aad);
            return c.doFinal(sealed, 12, sealed.length - 12);
        } catch (GeneralSecurityException e) {
            throw new HsmException(Ckr.DEVICE_ERROR, "token storage does not open");
        }
    }

    public TokenMeta loadMeta() {
        byte[] raw = read(dir.resolve("token.bin"));
        if (raw == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(raw))) {
            expectMagic(in, TOKEN_MAGIC);
            String label = in.readUTF();
            int iterations = in.readInt();
            byte[] soSalt = readBytes(in);
            byte[] soVer = readBytes(in);
            byte[] sealedSo = readBytes(in);
            byte[] userSalt = readBytes(in);
            byte[] userVer = readBytes(in);
            byte[] sealedUser = readBytes(in);
            return new TokenMeta(label, soSalt, soVer, sealedSo, userSalt, userVer, sealedUser, iterations);
        } catch (IOException e) {
            throw new HsmException(Ckr.DEVICE_ERROR, "token.bin is corrupt");
        }
    }

    public void saveMeta(TokenMeta m) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bos)) {
            out.write(TOKEN_MAGIC);
            out.writeUTF(m.label());
            out.writeInt(m.iterations());
            writeBytes(out, m.soSalt());
            writeBytes(out, m.soVerifier());
            writeBytes(out, m.sealedUnderSo());
            writeBytes(out, m.userSalt());
            writeBytes(out, m.userVerifier());
            writeBytes(out, m.sealedUnderUser());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        atomicWrite(dir.resolve("token.bin"), bos.toByteArray());
    }

    public List<StoredObject> loadObjects(SecretKey storageKey, long slotId) {
        byte[] raw = read(dir.resolve("objects.bin"));
        if (raw == null) {
            return List.of();
        }
        if (raw.length < OBJECTS_MAGIC.length || !Arrays.equals(Arrays.copyOf(raw, OBJECTS_MAGIC.length), OBJECTS_MAGIC)) {
            throw new HsmException(Ckr.DEVICE_ERROR, "objects.bin is corrupt");
        }
        byte[] plain = open(storageKey, Arrays.copyOfRange(raw, OBJECTS_MAGIC.length, raw.length), aad(slotId));
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain))) {
            int n = in.readInt();
            List<StoredObject> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Template t = readTemplate(in);
                list.add(new StoredObject(t, readBytes(in), readBytes(in)));
            }
            return list;
        } catch (IOException e) {
            throw new HsmException(Ckr.DEVICE_ERROR, "objects.bin is corrupt");
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    public void saveObjects(SecretKey storageKey, long slotId, List<StoredObject> objects) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bos)) {
            out.writeInt(objects.size());
            for (StoredObject o : objects) {
                writeTemplate(out, o.attributes());
                writeBytes(out, o.encoded());
                writeBytes(out, o.spki());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] plain = bos.toByteArray();
        byte[] sealed = seal(storageKey, plain, aad(slotId));
        Arrays.fill(plain, (byte) 0);
        atomicWrite(dir.resolve("objects.bin"), ByteBuffer.allocate(OBJECTS_MAGIC.length + sealed.length).put(OBJECTS_MAGIC).put(sealed).array());
    }

    /** Removes the token's files (C_InitToken over an initialised token). */
    public void wipe() {
        try {
            Files.deleteIfExists(dir.resolve("objects.bin"));
            Files.deleteIfExists(dir.resolve("token.bin"));
        } catch (IOException e) {
            throw new HsmException(Ckr.DEVICE_ERROR, "cannot wipe token storage");
        }
    }

    private static byte[] aad(long slotId) {
        return ("kmsgw-token-objects:" + slotId).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new HsmException(Ckr.DEVICE_ERROR, "cannot read " + p.getFileName());
        }
    }

    /** Token files are the owner's alone (0600) where the file system has POSIX modes. */
    private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY = java.nio.file.FileSystems.getDefault()
            .supportedFileAttributeViews().contains("posix")
            ? java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))
            : null;

    private void atomicWrite(Path target, byte[] data) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(target.getFileName() + ".tmp");
            Files.deleteIfExists(tmp); // a crash may have left one, with whatever mode it had
            try (FileChannel ch = OWNER_ONLY == null
                    ? FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
                    : FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            throw new HsmException(Ckr.DEVICE_ERROR, "cannot write " + target.getFileName());
        }
    }

    private static void expectMagic(DataInputStream in, byte[] magic) throws IOException {
        byte[] m = new byte[magic.length];
        in.readFully(m);
        if (!Arrays.equals(m, magic)) {
            throw new IOException("bad magic");
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        if (n > 1 << 24) {
            throw new IOException("length out of range");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static void writeTemplate(DataOutputStream out, Template t) throws IOException {
        out.writeInt(t.size());
        for (long type : t.types()) {
            out.writeLong(type);
            Object v = t.raw(type);
            if (v instanceof Boolean b) {
                out.writeByte(0);
                out.writeBoolean(b);
            } else if (v instanceof Long l) {
                out.writeByte(1);
                out.writeLong(l);
            } else if (v instanceof String s) {
                out.writeByte(2);
                out.writeUTF(s);
            } else {
                out.writeByte(3);
                writeBytes(out, (byte[]) v);
            }
        }
    }

    private static Template readTemplate(DataInputStream in) throws IOException {
        int n = in.readInt();
        Template t = Template.of();
        for (int i = 0; i < n; i++) {
            long type = in.readLong();
            switch (in.readByte()) {
                case 0 -> t.set(type, in.readBoolean());
                case 1 -> t.set(type, in.readLong());
                case 2 -> t.set(type, in.readUTF());
                case 3 -> t.set(type, readBytes(in));
                default -> throw new IOException("bad attribute tag");
            }
        }
        return t;
    }
}
