package io.kmsgw.crypto.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A secret: its protecting key, versions and stages (ACSCurrent, ACSPrevious). Immutable snapshot;
 * the values are ciphertexts under {@code encryptionKeyId}, never plaintext.
 */
public record Secret(String name, String secretType, String encryptionKeyId, String description, String extendedConfig,
                     Instant created, Map<String, Version> versions, Map<String, String> stages, Instant plannedDeletion) {
    /** The stage of the version GetSecretValue returns by default. */
    public static final String CURRENT = "ACSCurrent";
    /** The stage the previous ACSCurrent version moves to. */
    public static final String PREVIOUS = "ACSPrevious";

    public Secret with(Map<String, Version> v, Map<String, String> st, Instant deletion) {
        return new Secret(name, secretType, encryptionKeyId, description, extendedConfig, created, Map.copyOf(v), Map.copyOf(st), deletion);
    }

    /** One stored value: AES-GCM under the key version, AAD binding secret name and version id. */
    public record Version(String versionId, Instant created, String dataType, String keyVersionId, byte[] iv, byte[] ciphertext) {
    }

    /** The stages that point at {@code versionId}. */
    public List<String> stagesOf(String versionId) {
        // a loop, not a stream: GetSecretValue calls this on every request, and a secret has a few stages
        List<String> out = new ArrayList<>(2);
        for (Map.Entry<String, String> e : stages.entrySet()) {
            if (e.getValue().equals(versionId)) {
                out.add(e.getKey());
            }
        }
        if (out.size() > 1) {
            Collections.sort(out);
        }
        return Collections.unmodifiableList(out);
    }
}
