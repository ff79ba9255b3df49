package dev.resilientkafka.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The examples (main and test code) uses only the public packages of client-core and the testkit. */
class PublicApiOnlyTest {
  @Test
  void noInternalPackageIsUsed() {
    noClasses().should().dependOnClassesThat()
        .resideInAnyPackage("dev.resilientkafka.internal..", "dev.resilientkafka.testkit.internal..")
        .because("other modules use the small, documented public API; what they need becomes public on purpose")
        .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.resilientkafka.examples"));
  }
}
