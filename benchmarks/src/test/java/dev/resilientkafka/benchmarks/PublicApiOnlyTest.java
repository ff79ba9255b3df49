package dev.resilientkafka.benchmarks;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks (main and test code) use only the public packages of client-core and the testkit. The one
 * exception, {@code benchmarks.spool} (compiled only with {@code -Pspool-store-comparison}), measures the
 * library's internal spool store against other stores: it is a test of an internal, not a user of the API.
 */
class PublicApiOnlyTest {
  @Test
  void noInternalPackageIsUsed() {
    noClasses().that().resideOutsideOfPackage("dev.resilientkafka.benchmarks.spool..").should().dependOnClassesThat()
        .resideInAnyPackage("dev.resilientkafka.internal..", "dev.resilientkafka.testkit.internal..")
        .because("other modules use the small, documented public API; what they need becomes public on purpose")
        .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.resilientkafka.benchmarks"));
  }
}
