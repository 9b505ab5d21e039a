package io.kmsgw.crypto.api;

/** Key states, by their API names. */
public enum KeyState {
    Enabled,
    Disabled,
    PendingDeletion
}
