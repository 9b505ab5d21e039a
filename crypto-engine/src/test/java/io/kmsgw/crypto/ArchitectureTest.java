package io.kmsgw.crypto;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The layout crypto-engine rests on (see ARCHITECTURE.md); runs in {@code mvn verify}. */
@AnalyzeClasses(packages = "io.kmsgw.crypto", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.kmsgw.crypto.(**)").should().beFreeOfCycles();

    /** crypto.api is a leaf: interfaces, commands, results, values and errors, depending on nothing else of ours. */
    @ArchTest
    static final ArchRule apiIsALeaf = classes().that().resideInAPackage("io.kmsgw.crypto.api..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.kmsgw.crypto.api..", "java..");

    /** crypto.api implements nothing: what it declares as classes are records, enums, exceptions and constant holders. */
    @ArchTest
    static final ArchRule apiHoldsNoServices = noClasses().that().resideInAPackage("io.kmsgw.crypto.api..")
            .should().dependOnClassesThat().resideInAnyPackage("java.util.concurrent..", "java.nio.file..", "java.sql..");

    /** The HSM is reached through hsm-sim's public API only, and only by the backend package. */
    @ArchTest
    static final ArchRule hsmThroughItsApi = noClasses().should().dependOnClassesThat().resideInAPackage("io.kmsgw.hsm")
            .orShould().dependOnClassesThat().resideInAnyPackage("io.kmsgw.hsm.slot..", "io.kmsgw.hsm.session..", "io.kmsgw.hsm.object..",
                    "io.kmsgw.hsm.mechanism..");

    @ArchTest
    static final ArchRule onlyTheBackendTalksToTheHsm = noClasses().that().resideOutsideOfPackage("io.kmsgw.crypto.backend..")
            .should().dependOnClassesThat().resideInAPackage("io.kmsgw.hsm..");

    /** Backend implementations are chosen in one place ({@code HsmBackends}); the engine sees only the interfaces. */
    @ArchTest
    static final ArchRule backendImplementationsStayInBackend = noClasses().that().resideOutsideOfPackage("io.kmsgw.crypto.backend..")
            .should().dependOnClassesThat().haveSimpleName("SimHsmBackend");

    /** The engine knows nothing of Netty, HTTP or JSON. */
    @ArchTest
    static final ArchRule knowsNothingOfTheWire = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("io.netty..", "com.fasterxml..", "io.kmsgw.gateway..");

    /** Only the client key issuer makes private keys in the JVM (a client key is the caller's, delivered once as PKCS#12). */
    @ArchTest
    static final ArchRule privateKeysOnlyInTheIssuer = noClasses().that().resideOutsideOfPackage("io.kmsgw.crypto.clientkey..")
            .should().dependOnClassesThat().haveFullyQualifiedName("java.security.PrivateKey")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.KeyPair")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.KeyPairGenerator");
}
