package io.kmsgw.hsm;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The layout hsm-sim rests on (see ARCHITECTURE.md); runs in {@code mvn verify}. */
@AnalyzeClasses(packages = "io.kmsgw.hsm", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.kmsgw.hsm.(**)").should().beFreeOfCycles();

    /** The API is what callers compile against: it names no implementation package. */
    @ArchTest
    static final ArchRule apiIsALeaf = classes().that().resideInAPackage("io.kmsgw.hsm.api..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.kmsgw.hsm.api..", "java..", "org.bouncycastle.asn1..");

    /** A token library: nothing of HTTP, JSON, the KMS domain or the gateway. */
    @ArchTest
    static final ArchRule knowsNothingAbove = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("io.netty..", "com.fasterxml..", "io.kmsgw.crypto..", "io.kmsgw.gateway..");

    /** Implementation packages are reached through {@code SimHsm} only: none reaches up into the library class. */
    @ArchTest
    static final ArchRule layersPointDown = noClasses().that().resideInAnyPackage("io.kmsgw.hsm.slot..", "io.kmsgw.hsm.session..",
            "io.kmsgw.hsm.object..", "io.kmsgw.hsm.mechanism..").should().dependOnClassesThat().haveFullyQualifiedName(SimHsm.class.getName());
}
