package dev.jonnx.runtime.ops.ml;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers the ai.onnx.ml domain. */
public final class MlOps {
    private static final String ML = "ai.onnx.ml";

    private MlOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add(ML, "ArrayFeatureExtractor", 1, FeatureOps::arrayFeatureExtractor);
        registry.add(ML, "Binarizer", 1, FeatureOps::binarizer);
        registry.add(ML, "CastMap", 1, MapOps::castMap);
        registry.add(ML, "CategoryMapper", 1, Encoders::categoryMapper);
        registry.add(ML, "DictVectorizer", 1, MapOps::dictVectorizer);
        registry.add(ML, "FeatureVectorizer", 1, FeatureOps::featureVectorizer);
        registry.add(ML, "Imputer", 1, FeatureOps::imputer);
        registry.add(ML, "LabelEncoder", 1, Encoders::labelEncoderV1);
        registry.add(ML, "LabelEncoder", 2, Encoders::labelEncoder);
        registry.add(ML, "LabelEncoder", 4, Encoders::labelEncoder);
        registry.add(ML, "LinearClassifier", 1, LinearModels::linearClassifier);
        registry.add(ML, "LinearRegressor", 1, LinearModels::linearRegressor);
        registry.add(ML, "Normalizer", 1, FeatureOps::normalizer);
        registry.add(ML, "OneHotEncoder", 1, FeatureOps::oneHotEncoder);
        registry.add(ML, "SVMClassifier", 1, SvmModels::svmClassifier);
        registry.add(ML, "SVMRegressor", 1, SvmModels::svmRegressor);
        registry.add(ML, "Scaler", 1, FeatureOps::scaler);
        registry.add(ML, "TreeEnsembleClassifier", 1, TreeOps::classifier);
        registry.add(ML, "TreeEnsembleClassifier", 3, TreeOps::classifier);
        registry.add(ML, "TreeEnsembleClassifier", 5, TreeOps::deprecated);
        registry.add(ML, "TreeEnsembleRegressor", 1, TreeOps::regressor);
        registry.add(ML, "TreeEnsembleRegressor", 3, TreeOps::regressor);
        registry.add(ML, "TreeEnsembleRegressor", 5, TreeOps::deprecated);
        registry.add(ML, "TreeEnsemble", 5, TreeOps::treeEnsemble);
        registry.add(ML, "ZipMap", 1, MapOps::zipMap);
    }
}
