package io.kmsgw.crypto.api;

/** Domain failures of the engine; the gateway maps each to one protocol error code and HTTP status. */
public enum KmsError {
    /** A parameter is out of range or malformed; the message says which and why. */
    INVALID_PARAMETER,
    /** The key exists but its spec or usage does not allow this operation. */
    UNSUPPORTED_OPERATION,
    KEY_NOT_FOUND,
    /** A secret (or other non-key resource) that does not exist. */
    RESOURCE_NOT_FOUND,
    KEY_DISABLED,
    KEY_PENDING_DELETION,
    /** The key (Origin EXTERNAL) has no key material: import it first. */
    KEY_PENDING_IMPORT,
    /** A ciphertext did not authenticate; deliberately uninformative. */
    DECRYPTION_FAILED,
    /** An alias or other unique name already exists. */
    ALREADY_EXISTS,
    /** The change is not allowed in the resource's current state (e.g. enabling a key pending deletion). */
    CONFLICT,
    /** The worker queue is full. */
    THROTTLED,
    /**
     * A key version's stored material does not unwrap in the HSM (damaged, or wrapped under another master key): that
     * key cannot be used until it is restored; every other key keeps working.
     */
    KEY_MATERIAL_DAMAGED,
    /** Store or HSM temporarily unavailable (I/O error, disk full). */
    UNAVAILABLE,
    /**
     * The store's answer to a commit was lost (its connection dropped, or an I/O error while committing): the change may or
     * may not have been made. Look before retrying; named things (secrets, aliases, AAPs, policies) answer "already exists"
     * to a retry of a create that did commit, keys and client keys do not.
     */
    COMMIT_OUTCOME_UNKNOWN,
    INTERNAL
}
