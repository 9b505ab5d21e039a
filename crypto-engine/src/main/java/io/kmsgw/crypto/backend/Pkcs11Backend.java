package io.kmsgw.crypto.backend;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.SlotInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link HsmBackend} over a native PKCS#11 module (SoftHSM2, a vendor HSM's library): the token is chosen by label (or
 * slot), the user logs in with the configured PIN, and {@link CryptokiBackend} finds or makes the master key in it. The
 * token must exist and have its user PIN set; kmsgw never initialises a real token.
 *
 * <p>Key versions are generated inside the module as session objects, wrapped under the master key (RFC 5649) and
 * destroyed; the store keeps the wrapped blobs and each use unwraps one into a session object (sensitive, never
 * extractable). So the module holds one persistent object whatever the number of keys, and backups are the store's.
 */
public final class Pkcs11Backend extends CryptokiBackend {
    private final String name;
    private final String tokenLabel;
    private final java.util.Set<Long> mechanisms;

    /**
     * @param library    path of the module's shared library
     * @param tokenLabel the token's label, or null to use {@code slotId}
     * @param slotId     the slot, when {@code tokenLabel} is null
     * @param pin        the user PIN (cleared here)
     */
    public Pkcs11Backend(String library, String tokenLabel, long slotId, char[] pin, SharedMaster shared, boolean mayCreateMaster) {
        this(load(library, pin), library, tokenLabel, slotId, pin, shared, mayCreateMaster);
    }

    /** The module, or one line naming the setting (the PIN is cleared when there is none). */
    private static NativeCryptoki load(String library, char[] pin) {
        try {
            return NativeCryptoki.open(library);
        } catch (HsmException e) {
            java.util.Arrays.fill(pin, '\0');
            throw new KmsException(KmsError.UNAVAILABLE, "hsm.pkcs11.library: " + e.getMessage().replaceFirst("^CKR_GENERAL_ERROR: ", ""));
        }
    }

    private Pkcs11Backend(NativeCryptoki hsm, String library, String tokenLabel, long slotId, char[] pin, SharedMaster shared,
            boolean mayCreateMaster) {
        super(hsm, chosenSlot(hsm, tokenLabel, slotId, pin), pin, shared, mayCreateMaster, describe(library, tokenLabel, slotId));
        this.tokenLabel = tokenLabel != null ? tokenLabel : hsm.getSlotInfo(slot).tokenLabel();
        this.name = "pkcs11:" + this.tokenLabel;
        java.util.Set<Long> m = new java.util.HashSet<>();
        for (long mech : hsm.getMechanismList(slot)) {
            m.add(mech);
        }
        this.mechanisms = java.util.Set.copyOf(m);
    }

    private static String describe(String library, String tokenLabel, long slotId) {
        return (tokenLabel != null ? "\"" + tokenLabel + "\"" : "in slot " + slotId) + " of " + library;
    }

    /** The slot holding the token labelled {@code label} (or {@code slotId}); the library is closed when there is none. */
    private static long chosenSlot(NativeCryptoki hsm, String label, long slotId, char[] pin) {
        try {
            List<String> seen = new ArrayList<>();
            for (long s : hsm.getSlotList(true)) {
                SlotInfo info = hsm.getSlotInfo(s);
                if (label != null ? label.equals(info.tokenLabel()) && info.tokenInitialized() : s == slotId) {
                    if (!info.userPinInitialized()) {
                        throw new KmsException(KmsError.UNAVAILABLE, "hsm: the token " + describe(hsm.library(), label, slotId)
                                + " has no user PIN set; initialise it (softhsm2-util --init-token … --pin …) first");
                    }
                    hsm.translationFor(s);
                    return s;
                }
                if (info.tokenInitialized()) {
                    seen.add(label != null ? "\"" + info.tokenLabel() + "\"" : "slot " + s);
                }
            }
            throw new KmsException(KmsError.UNAVAILABLE, "hsm: no token " + describe(hsm.library(), label, slotId) + " (the module has "
                    + (seen.isEmpty() ? "no initialised token" : String.join(", ", seen)) + "); check hsm.pkcs11.tokenLabel / hsm.pkcs11.slot");
        } catch (KmsException | HsmException e) {
            java.util.Arrays.fill(pin, '\0');
            hsm.close();
            if (e instanceof HsmException h) {
                throw new KmsException(KmsError.UNAVAILABLE, "hsm: the PKCS#11 module " + hsm.library() + " failed: " + h.getMessage());
            }
            throw e;
        }
    }

    /**
     * A module finalised under the gateway (a reset) is initialised again before a new session is opened; for one that is
     * initialised this changes nothing (CKR_CRYPTOKI_ALREADY_INITIALIZED).
     */
    @Override
    protected void beforeReattach(HsmException cause) {
        ((NativeCryptoki) hsm).reinitialize();
    }

    @Override
    protected long generation() {
        return ((NativeCryptoki) hsm).generation();
    }

    @Override
    protected String pinRefused(HsmException e) {
        return "hsm: the PIN in hsm.pkcs11.pinFile does not open the token " + where() + " (" + e.getMessage() + ")";
    }

    /** What each key kind needs of the module: generation and its main use. */
    private static final java.util.Map<BackendSession.KeyKind, long[]> NEEDS = java.util.Map.of(
            BackendSession.KeyKind.AES, new long[] {CKM_AES_KEY_GEN, CKM_AES_GCM},
            BackendSession.KeyKind.SM4, new long[] {CKM_SM4_KEY_GEN, CKM_SM4_GCM},
            BackendSession.KeyKind.RSA, new long[] {CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_RSA_PKCS},
            BackendSession.KeyKind.EC, new long[] {CKM_EC_KEY_PAIR_GEN, CKM_ECDSA},
            BackendSession.KeyKind.SM2, new long[] {CKM_SM2_KEY_PAIR_GEN, CKM_SM2},
            BackendSession.KeyKind.HMAC, new long[] {CKM_GENERIC_SECRET_KEY_GEN, CKM_SHA256_HMAC});

    /** The module's C_GetMechanismList decides. */
    @Override
    public boolean supports(BackendSession.KeyKind kind) {
        long[] needs = NEEDS.get(kind);
        return needs != null && java.util.Arrays.stream(needs).allMatch(mechanisms::contains);
    }

    /**
     * Import unwraps with the module's own C_UnwrapKey (OAEP decoded outside the module would put the material in this
     * process), so OAEP with SHA-256 is offered only where the module takes it: not SoftHSM2 before 2.7.
     */
    @Override
    public boolean supportsImport(BackendSession.Unwrap how) {
        return switch (how) {
            case RSA_OAEP_SHA256 -> mechanisms.contains(CKM_RSA_PKCS_OAEP) && !((NativeCryptoki) hsm).oaepSha1Only();
            case RSA_OAEP_SHA1 -> mechanisms.contains(CKM_RSA_PKCS_OAEP);
            case RSA_PKCS1 -> mechanisms.contains(CKM_RSA_PKCS);
            case SM2 -> supports(BackendSession.KeyKind.SM2) && mechanisms.contains(CKM_SM2_ENCRYPT);
        };
    }

    /**
     * RSA only: a PKCS#11 private key object carries its modulus and public exponent, from which the public key is read back;
     * an EC private key object carries no public point (SoftHSM2's does not), and computing it here would need the private key.
     */
    @Override
    public boolean supportsPrivateImport(BackendSession.KeyKind kind) {
        return kind == BackendSession.KeyKind.RSA && supports(kind) && supportsImport(BackendSession.Unwrap.RSA_OAEP_SHA1);
    }

    @Override
    public java.util.List<String> mechanismNames() {
        return mechanisms.stream().sorted().map(MechanismNames::of).toList();
    }

    @Override
    public String name() {
        return name;
    }
}
