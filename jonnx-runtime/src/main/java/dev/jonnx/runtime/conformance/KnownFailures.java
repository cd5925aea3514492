package dev.jonnx.runtime.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The list of backend cases expected to fail, one per line: {@code suite/case  reason}. Lines
 * starting with {@code #} are comments. A run is judged against it both ways: a failure not on
 * the list is a regression, and a listed case that passes must be removed, so the list only
 * shrinks. The exception is a case whose reason starts with {@value #RANDOM}: its expected
 * output is one draw of a random stream, so a run matches it now and then by chance, and that
 * pass is not held against the list.
 */
public final class KnownFailures {
    /** The start of the reason of a case that may pass by chance. */
    public static final String RANDOM = "random:";

    private final Map<String, String> reasons;

    private KnownFailures(Map<String, String> reasons) {
        this.reasons = reasons;
    }

    public static KnownFailures read(Path file) throws IOException {
        Map<String, String> reasons = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int space = trimmed.indexOf(' ');
            String id = space < 0 ? trimmed : trimmed.substring(0, space);
            String reason = space < 0 ? "" : trimmed.substring(space + 1).strip();
            reasons.put(id, reason);
        }
        return new KnownFailures(reasons);
    }

    public boolean contains(String id) {
        return reasons.containsKey(id);
    }

    public int size() {
        return reasons.size();
    }

    /** What a run contradicts in the list. Both lists empty means the run matches it. */
    public record Verdict(List<String> newFailures, List<String> nowPassing) {
        public boolean matches() {
            return newFailures.isEmpty() && nowPassing.isEmpty();
        }
    }

    /** Compares a run with the list; listed cases that were not run are ignored. */
    public Verdict judge(List<SuiteRunner.CaseResult> results) {
        List<String> newFailures = new ArrayList<>();
        List<String> nowPassing = new ArrayList<>();
        for (SuiteRunner.CaseResult r : results) {
            boolean listed = reasons.containsKey(r.id());
            if (r.status() == SuiteRunner.Status.FAILED && !listed) {
                newFailures.add(SuiteRunner.describe(r));
            } else if (r.status() == SuiteRunner.Status.PASSED && listed
                    && !reasons.get(r.id()).startsWith(RANDOM)) {
                nowPassing.add(r.id());
            }
        }
        return new Verdict(newFailures, nowPassing);
    }

    /**
     * Writes the list for a run: every failed case with a reason, keeping the reason already
     * written for a case that is still listed, and every listed random case, even one that passed.
     */
    public static void write(Path file, List<SuiteRunner.CaseResult> results, KnownFailures previous)
            throws IOException {
        TreeMap<String, String> lines = new TreeMap<>();
        for (SuiteRunner.CaseResult r : results) {
            boolean keptRandom = r.status() == SuiteRunner.Status.PASSED && previous != null
                    && previous.contains(r.id()) && previous.reasons.get(r.id()).startsWith(RANDOM);
            if (r.status() != SuiteRunner.Status.FAILED && !keptRandom) {
                continue;
            }
            String reason = previous != null && previous.contains(r.id())
                    && !previous.reasons.get(r.id()).isEmpty()
                    ? previous.reasons.get(r.id())
                    : shorten(r.reason());
            lines.put(r.id(), reason);
        }
        StringBuilder out = new StringBuilder();
        out.append("# ONNX backend cases expected to fail: suite/case, then the reason.\n");
        out.append("# The conformance test fails when a case fails that is not listed here,\n");
        out.append("# and when a listed case passes, so this list can only shrink, unless its reason\n");
        out.append("# starts with '" + RANDOM + "' (random expected output that a run may match by chance).\n");
        lines.forEach((id, reason) -> out.append(id).append("  ").append(reason).append('\n'));
        Files.writeString(file, out);
    }

    private static String shorten(String reason) {
        String r = reason == null ? "" : reason.replace('\n', ' ');
        return r.length() > 200 ? r.substring(0, 200) + "..." : r;
    }
}
