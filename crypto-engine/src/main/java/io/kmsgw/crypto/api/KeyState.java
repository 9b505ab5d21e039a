package io.kmsgw.crypto.api;

/** Key states, by their API names. */
public enum KeyState {
    Enabled,
    Disabled,
    PendingDeletion,
    /** A key of Origin EXTERNAL without key material: it serves nothing until material is imported. */
    PendingImport
}
