package dev.jonnx.runtime.kernel;

import java.lang.System.Logger;

/**
 * Chooses the vector width the SIMD kernels use, once. The system property {@code jonnx.simd}
 * overrides it: {@code off} (or {@code 0}) selects the scalar paths, and {@code 128},
 * {@code 256} or {@code 512} force a width (used by tests to cover every width). Without the
 * {@code jdk.incubator.vector} module the scalar paths run and one warning names the flag.
 */
public final class Simd {
    /** Float lanes per vector, or 0 when the scalar paths are in use. */
    public static final int FLOAT_LANES = chooseLanes();

    /**
     * Elements per call of a vector kernel method when a dispatch method splits a long array.
     * HotSpot's C2, the only compiler that turns Vector API calls into SIMD instructions,
     * compiles a method after about 600 to 5000 calls (Tier4MinInvocationThreshold and
     * Tier4InvocationThreshold in JDK 25). Loop iterations alone only earn an on-stack
     * replacement compile, which later calls do not enter, and the C1 code they run instead
     * boxes every vector and is hundreds of times slower than the scalar loop. Splitting long
     * arrays makes the call count grow with the work done, so the vector methods reach C2
     * within the first runs of a model. The value is a multiple of every lane count (4, 8 and
     * 16), so only the last chunk has a tail and each element takes the path it takes in one
     * call over the whole array.
     */
    public static final int CHUNK = 512;

    private Simd() {}

    public static boolean enabled() {
        return FLOAT_LANES > 0;
    }

    private static int chooseLanes() {
        String setting = System.getProperty("jonnx.simd", "").trim().toLowerCase();
        if (setting.equals("off") || setting.equals("0") || setting.equals("false")) {
            return 0;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            System.getLogger(Simd.class.getName()).log(Logger.Level.WARNING,
                    "jdk.incubator.vector is not available, so Jonnx runs its scalar kernels;"
                            + " start the JVM with --add-modules jdk.incubator.vector for SIMD");
            return 0;
        }
        int preferred = VectorSpecies.preferredFloatLanes();
        return switch (setting) {
            case "128" -> Math.min(4, preferred);
            case "256" -> Math.min(8, preferred);
            case "512" -> Math.min(16, preferred);
            default -> preferred;
        };
    }

    /** Isolates the incubator classes so that this class loads without the module. */
    private static final class VectorSpecies {
        static int preferredFloatLanes() {
            return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        }
    }
}
