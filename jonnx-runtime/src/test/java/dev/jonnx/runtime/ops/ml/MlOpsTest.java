package dev.jonnx.runtime.ops.ml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.runtime.registry.OpRegistry;
import org.junit.jupiter.api.Test;

/** The since-versions registered for ai.onnx.ml, which mirror the ML changelog. */
class MlOpsTest {

    private static final OpRegistry REGISTRY = Operators.registry();

    @Test
    void versionedOperators() {
        assertThat(REGISTRY.versions("ai.onnx.ml", "LabelEncoder")).containsExactly(1, 2, 4);
        assertThat(REGISTRY.versions("ai.onnx.ml", "TreeEnsembleClassifier")).containsExactly(1, 3, 5);
        assertThat(REGISTRY.versions("ai.onnx.ml", "TreeEnsembleRegressor")).containsExactly(1, 3, 5);
        assertThat(REGISTRY.versions("ai.onnx.ml", "TreeEnsemble")).containsExactly(5);
    }

    @Test
    void versionOneOperators() {
        String[] ops = {"ArrayFeatureExtractor", "Binarizer", "CastMap", "CategoryMapper",
            "DictVectorizer", "FeatureVectorizer", "Imputer", "LinearClassifier", "LinearRegressor",
            "Normalizer", "OneHotEncoder", "SVMClassifier", "SVMRegressor", "Scaler", "ZipMap"};
        for (String op : ops) {
            assertThat(REGISTRY.versions("ai.onnx.ml", op)).as(op).containsExactly(1);
        }
    }

    @Test
    void lookupTakesVersionInForce() {
        assertThat(REGISTRY.lookup("ai.onnx.ml", "LabelEncoder", 3)).isPresent();
        assertThat(REGISTRY.lookup("ai.onnx.ml", "TreeEnsemble", 4)).isEmpty();
    }
}
