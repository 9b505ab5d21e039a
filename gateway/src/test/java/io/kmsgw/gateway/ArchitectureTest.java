package io.kmsgw.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The layout the gateway rests on (see ARCHITECTURE.md); runs in {@code mvn verify}. */
@AnalyzeClasses(packages = "io.kmsgw.gateway", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.kmsgw.gateway.(*)..").should().beFreeOfCycles();

    /** The gateway never names the simulator, nor anything of hsm-sim. */
    @ArchTest
    static final ArchRule noHsmSim = noClasses().should().dependOnClassesThat().resideInAPackage("io.kmsgw.hsm..");

    /** Nor a backend implementation: it opens the configured backend through HsmBackends and sees HsmBackend and Sealer. */
    @ArchTest
    static final ArchRule noBackendImplementation = noClasses().should().dependOnClassesThat()
            .haveFullyQualifiedName("io.kmsgw.crypto.backend.SimHsmBackend")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("io.kmsgw.crypto.backend.BackendSession");

    /** Nor the engine's internals: keys with wrapped material, operations, workers, secret storage. */
    @ArchTest
    static final ArchRule engineThroughItsApi = noClasses().should().dependOnClassesThat().resideInAnyPackage("io.kmsgw.crypto.key..",
            "io.kmsgw.crypto.ops..", "io.kmsgw.crypto.exec..", "io.kmsgw.crypto.secret..");

    /** Only the server assembles: it alone names the engine's implementation and the backend factory. */
    @ArchTest
    static final ArchRule onlyTheServerAssembles = noClasses().that().resideOutsideOfPackage("io.kmsgw.gateway.server..")
            .should().dependOnClassesThat().resideInAPackage("io.kmsgw.crypto.service..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("io.kmsgw.crypto.backend.HsmBackends");

    /** Private keys (the instance's TLS keys) are handled in the tls package only. */
    @ArchTest
    static final ArchRule privateKeysOnlyInTls = noClasses().that().resideOutsideOfPackage("io.kmsgw.gateway.tls..")
            .should().dependOnClassesThat().haveFullyQualifiedName("java.security.PrivateKey")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.KeyPair")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.KeyPairGenerator")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.interfaces.RSAPrivateKey")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.interfaces.RSAPrivateCrtKey")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.interfaces.ECPrivateKey")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("org.bouncycastle.asn1.pkcs.PrivateKeyInfo");

    /** The wire and the pipeline stay below the domain: protocol parsing knows no handler, auth or policy. */
    @ArchTest
    static final ArchRule protocolIsBelowThePipeline = noClasses().that().resideInAPackage("io.kmsgw.gateway.protocol..")
            .should().dependOnClassesThat().resideInAnyPackage("io.kmsgw.gateway.pipeline..", "io.kmsgw.gateway.auth..",
                    "io.kmsgw.gateway.authz..", "io.kmsgw.gateway.dispatch..", "io.kmsgw.gateway.admin..", "io.kmsgw.gateway.server..");
}
