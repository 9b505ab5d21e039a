package io.kmsgw.hsm;

import io.kmsgw.hsm.api.Cryptoki;
import io.kmsgw.hsm.api.CryptokiProvider;

/** Registers the simulator as the {@value CryptokiProvider#SIMULATOR} library. */
public final class SimHsmProvider implements CryptokiProvider {
    @Override
    public String name() {
        return SIMULATOR;
    }

    @Override
    public Cryptoki open(Options o) {
        return SimHsm.initialize(new SimHsm.Options(o.dataDir(), o.slots(), o.maxSessionsPerSlot(), o.pbkdf2Iterations()));
    }
}
