package io.kmsgw.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void leakDetectionIsOffUnlessTheOperatorChoseALevel() {
        Properties none = new Properties();
        Main.leakDetectionOffUnlessAsked(none);
        assertEquals("disabled", none.getProperty("io.netty.leakDetection.level"));

        Properties chosen = new Properties();
        chosen.setProperty("io.netty.leakDetection.level", "simple");
        Main.leakDetectionOffUnlessAsked(chosen);
        assertEquals("simple", chosen.getProperty("io.netty.leakDetection.level"));

        Properties legacy = new Properties();
        legacy.setProperty("io.netty.leakDetectionLevel", "advanced");
        Main.leakDetectionOffUnlessAsked(legacy);
        assertNull(legacy.getProperty("io.netty.leakDetection.level"), "Netty's older property name counts as a choice");
    }
}
