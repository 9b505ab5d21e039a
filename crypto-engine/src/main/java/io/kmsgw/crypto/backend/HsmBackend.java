package io.kmsgw.crypto.backend;

/**
 * The engine's view of a hardware security module. Key material is generated inside the HSM and
 * leaves it only wrapped under the HSM's master key; the engine stores those wrapped blobs and loads
 * them back into a session to use them. The simulator implements this; a real PKCS#11 library can too.
 */
public interface HsmBackend extends AutoCloseable {

    /** Opens a logged-in session, to be used by one thread at a time. */
    BackendSession openSession();

    /** True while the HSM answers and the backend's session is logged in. */
    default boolean healthy() {
        return true;
    }

    /** The sealer of a backend whose master key is shared by the instance's gateways; empty otherwise. */
    default java.util.Optional<Sealer> sealer() {
        return java.util.Optional.empty();
    }

    /**
     * A check value of the master key, computed inside the HSM (the key never leaves it): equal for equal keys,
     * different for different ones, revealing nothing of the key. Hex, 16 characters.
     */
    String masterKeyCheck();

    /** Whether keys of {@code kind} can be generated and used in this HSM (a module without SM2, say, cannot). */
    default boolean supports(BackendSession.KeyKind kind) {
        return true;
    }

    /** Whether imported key material encrypted {@code how} can be unwrapped inside this HSM. */
    default boolean supportsImport(BackendSession.Unwrap how) {
        return how != BackendSession.Unwrap.SM2 || supports(BackendSession.KeyKind.SM2);
    }

    /** Whether a private key of {@code kind} can be imported into this HSM (and its public key read back from it). */
    default boolean supportsPrivateImport(BackendSession.KeyKind kind) {
        return supports(kind);
    }

    /** The key specs this HSM can serve, by name. */
    default java.util.List<String> keySpecs() {
        return java.util.Arrays.stream(io.kmsgw.crypto.api.KeySpec.values())
                .filter(k -> supports(BackendSession.KeyKind.valueOf(k.kind().name()))).map(Enum::name).toList();
    }

    /** The mechanisms this HSM offers, by name ({@code CKM_AES_GCM}, …), as the module reports them; empty when not known. */
    default java.util.List<String> mechanismNames() {
        return java.util.List.of();
    }

    /** A short name for logs and metrics ("hsm-sim", "pkcs11:…"). */
    String name();

    @Override
    void close();
}
