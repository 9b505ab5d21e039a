package io.kmsgw.gateway.bootstrap;

import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.Sealer;
import io.kmsgw.crypto.store.SharedBlobs;
import io.kmsgw.gateway.tls.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The bootstrap files every gateway of a shared instance must hold alike: the admin token, the
 * instance CA bundle and the intermediate CA's key (each gateway issues its own server leaf from it,
 * so one CA file serves the SDK whichever gateway it reaches). They travel through the shared store
 * sealed under the unseal secret (AES-GCM in the HSM, bound to the file's name), never in plaintext.
 *
 * <p>Call {@link #pull} before bootstrap creates anything (the first gateway finds nothing and creates
 * the files) and {@link #push} after; both under the store's bootstrap lock.
 */
public final class SharedFiles {
    private static final String LEAF_KEY = "tls/server-key.pem";
    private static final String LEAF_CHAIN = "tls/server-chain.pem";

    private final SharedBlobs blobs;
    private final Sealer sealer;
    private final Path dir;
    private final List<String> files;

    /** @param files paths relative to the data dir */
    public SharedFiles(SharedBlobs blobs, Sealer sealer, Path dir, List<String> files) {
        this.blobs = blobs;
        this.sealer = sealer;
        this.dir = dir;
        this.files = files;
    }

    /** The shared files of an instance: admin token, CA bundle, intermediate key. */
    public static List<String> of(String instanceId) {
        return List.of("admin.token", "PrivateKmsCA_" + instanceId + ".pem", "tls/intermediate-key.pem");
    }

    /** Writes the instance's shared files into the data dir, replacing different local ones. */
    public void pull() throws IOException {
        boolean caChanged = false;
        for (String name : files) {
            byte[] sealed = blobs.get(key(name));
            if (sealed == null) {
                continue;
            }
            byte[] plain;
            try {
                plain = sealer.unseal(sealed, aad(name));
            } catch (KmsException e) {
                throw new IOException("the shared " + name + " does not open with this unseal secret; every gateway of an instance "
                        + "needs the same one");
            }
            Path f = dir.resolve(name);
            try {
                if (!Files.exists(f) || !Arrays.equals(Files.readAllBytes(f), plain)) {
                    Files.createDirectories(f.getParent());
                    Pem.writeBytes(f, plain, !name.endsWith(".pem") || name.contains("key"));
                    caChanged |= !name.equals("admin.token");
                }
            } finally {
                Arrays.fill(plain, (byte) 0);
            }
        }
        if (caChanged) {
            // a leaf from another CA would not chain to the shared bundle: issue a new one
            Files.deleteIfExists(dir.resolve(LEAF_CHAIN));
            Files.deleteIfExists(dir.resolve(LEAF_KEY));
        }
    }

    /** Keeps, sealed, each local file the store does not hold yet. */
    public void push() throws IOException {
        for (String name : files) {
            Path f = dir.resolve(name);
            if (blobs.get(key(name)) != null || !Files.exists(f)) {
                continue;
            }
            byte[] plain = Files.readAllBytes(f);
            try {
                blobs.putIfAbsent(key(name), sealer.seal(plain, aad(name)));
            } finally {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }

    private static String key(String name) {
        return "file:" + name;
    }

    private static byte[] aad(String name) {
        return ("kmsgw-shared-file:" + name).getBytes(StandardCharsets.UTF_8);
    }
}
