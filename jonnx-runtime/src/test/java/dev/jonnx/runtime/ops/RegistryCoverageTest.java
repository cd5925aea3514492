package dev.jonnx.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.schema.OpSchema;
import dev.jonnx.schema.OpSchemas;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Checks the registry against the operator table derived from the specification. */
class RegistryCoverageTest {

    @Test
    void everyRegisteredVersionExistsInSpec() {
        OpRegistry registry = Operators.registry();
        OpSchemas schemas = OpSchemas.builtIn();
        Set<String> specDomains = new HashSet<>();
        schemas.all().forEach(s -> specDomains.add(s.domain()));
        List<String> unknown = new ArrayList<>();
        for (String key : registry.operators()) {
            int colon = key.indexOf(':');
            String domain = key.substring(0, colon);
            String op = key.substring(colon + 1);
            if (!specDomains.contains(domain)) {
                continue; // a custom domain such as dev.jonnx, which the spec cannot check
            }
            List<Integer> specVersions = schemas.versions(domain, op);
            for (int v : registry.versions(domain, op)) {
                if (!specVersions.contains(v)) {
                    unknown.add(key + "-" + v + " (spec versions " + specVersions + ")");
                }
            }
        }
        assertThat(unknown).as("registered versions that the ONNX spec does not define").isEmpty();
    }

    @Test
    void specDomainsIncludeDefaultAndMl() {
        List<String> domains = OpSchemas.builtIn().all().stream().map(OpSchema::domain).distinct().toList();
        assertThat(domains).contains("", "ai.onnx.ml");
        assertThat(domains).doesNotContain("dev.jonnx");
    }

    @Test
    void printsCoverageOfSpecVersions() {
        OpRegistry registry = Operators.registry();
        List<String> missing = new ArrayList<>();
        int total = 0;
        for (OpSchema s : OpSchemas.builtIn().all()) {
            if (s.deprecated()) {
                continue;
            }
            total++;
            if (!registry.versions(s.domain(), s.name()).contains(s.sinceVersion())) {
                missing.add(s.id());
            }
        }
        System.out.println("operator versions registered: " + (total - missing.size()) + " of " + total);
        if (!missing.isEmpty()) {
            System.out.println("not registered: " + missing);
        }
        assertThat(total).isGreaterThan(600);
    }
}
