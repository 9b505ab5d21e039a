package io.kmsgw.gateway.tls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;

/**
 * Signs as a client of the instance protocol does (RSA PKCS#1 v1.5 over SHA-256), with the key of a {@code clientKey_*.json}
 * and its password file, as the official SDKs read them. Only the gateway's own warm-up uses it, on a throwaway instance
 * whose client key it made; the private key stays inside this object.
 */
public final class ClientKeySigner {
    private final String keyId;
    private final PrivateKey key;

    private ClientKeySigner(String keyId, PrivateKey key) {
        this.keyId = keyId;
        this.key = key;
    }

    /** Reads the PKCS#12 a client key file carries; IOException when it cannot be read or opened with that password. */
    public static ClientKeySigner load(Path clientKeyFile, Path passwordFile) throws IOException {
        JsonNode file = new ObjectMapper().readTree(clientKeyFile.toFile());
        char[] password = Files.readString(passwordFile, StandardCharsets.UTF_8).toCharArray();
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(Base64.getDecoder().decode(file.path("PrivateKeyData").asText())), password);
            String alias = Collections.list(ks.aliases()).get(0);
            return new ClientKeySigner(file.path("KeyId").asText(), (PrivateKey) ks.getKey(alias, password));
        } catch (GeneralSecurityException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IOException("cannot open the client key file " + clientKeyFile.getFileName(), e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** The client key id, the {@code x-kms-acccesskeyid} header. */
    public String keyId() {
        return keyId;
    }

    /** The signature over {@code data}, as the {@code Authorization: Bearer} header carries it (Base64). */
    public String sign(byte[] data) {
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(data);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the client key", e);
        }
    }
}
