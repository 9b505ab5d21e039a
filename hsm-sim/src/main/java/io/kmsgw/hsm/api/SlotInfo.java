package io.kmsgw.hsm.api;

/** CK_SLOT_INFO and the parts of CK_TOKEN_INFO the simulator keeps. */
public record SlotInfo(long slotId, String description, boolean tokenPresent, String tokenLabel,
                       boolean tokenInitialized, boolean userPinInitialized, int sessionCount, int maxSessions) {
}
