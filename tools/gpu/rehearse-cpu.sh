#!/usr/bin/env bash
# The CPU rehearsal of the device run (issue 16): builds the kit, then runs the kit's measure.py
# exactly as the device would, with the CPU as the device and the tiny shape. The libtorch and the
# JNI are DJL's own CPU builds from the Maven jars the tests use (pytorch-native-cpu, pytorch-jni),
# handed to the engine the way the device's are: PYTORCH_LIBRARY_PATH, PYTORCH_VERSION,
# PYTORCH_FLAVOR and the JNI under the engine cache. Results: target/gpu-rehearsal/out.
#
#   tools/gpu/rehearse-cpu.sh [--skip-compile] [--skip-kit] [--djl-git DIR]
#
# --djl-git DIR (or env DJL_GIT) goes to build-kit.sh: the kit then carries DJL's JNI sources, as the
# device run needs, and the rehearsal also checks build_jni.py's plan for them. Without it (CI has no
# copy of DJL's repository) the kit has none, and the rehearsal says so and uses DJL's prebuilt bridge.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
kit_args=()
build_kit=1
while (($#)); do
  case "$1" in
    --skip-compile) kit_args+=(--skip-compile); shift ;;
    --skip-kit) build_kit=0; shift ;;
    --djl-git) [[ $# -ge 2 ]] || { echo "rehearse-cpu: --djl-git needs a git directory" >&2; exit 2; }
      kit_args+=(--djl-git "$2"); shift 2 ;;
    *) echo "rehearse-cpu: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if ((build_kit)); then
  tools/gpu/build-kit.sh "${kit_args[@]}"
fi
kit="$root/target/gpu-kit"
reh="$root/target/gpu-rehearsal"
cp_file="$root/target/gpu-kit-work/classpath.txt"
[[ -s "$cp_file" ]] || { echo "rehearse-cpu: no $cp_file; run tools/gpu/build-kit.sh first" >&2; exit 1; }
jar_of() { tr ':' '\n' < "$cp_file" | grep -E "/$1[^/]*\.jar$" | head -1; }
native_jar="$(jar_of pytorch-native-cpu-)"
jni_jar="$(jar_of pytorch-jni-)"
[[ -n "$native_jar" && -n "$jni_jar" ]] || { echo "rehearse-cpu: pytorch-native-cpu / pytorch-jni not on the classpath" >&2; exit 1; }
version="$(basename "$native_jar" | sed -E 's/^pytorch-native-cpu-([0-9.]+)-.*/\1/')"

# DJL's CPU libtorch (once; ~450 MB unpacked) and its JNI, outside the kit: they do not travel.
lib="$reh/libtorch-$version"
if [[ ! -s "$lib/libtorch_cpu.so" ]]; then
  rm -rf "$lib" "$reh/unpack" && mkdir -p "$reh/unpack"
  (cd "$reh/unpack" && jar xf "$native_jar" "pytorch/cpu/linux-x86_64")
  mv "$reh/unpack/pytorch/cpu/linux-x86_64" "$lib" && rm -rf "$reh/unpack"
fi
jni="$reh/jni/libdjl_torch.so"
if [[ ! -s "$jni" ]]; then
  mkdir -p "$reh/jni-unpack" "$reh/jni"
  (cd "$reh/jni-unpack" && jar xf "$jni_jar" jnilib/linux-x86_64/cpu/libdjl_torch.so)
  mv "$reh/jni-unpack/jnilib/linux-x86_64/cpu/libdjl_torch.so" "$jni" && rm -rf "$reh/jni-unpack"
fi

rm -rf "$reh/out" "$reh/plan" "$reh/work"
# The device's plan, checked without running anything (no torch, no Java needed for this part).
python3 "$kit/measure.py" --dry-run --kit "$kit" --out "$reh/plan"
python3 "$kit/measure.py" --cpu --kit "$kit" --out "$reh/out" --work "$reh/work" \
  --libtorch "$lib" --libtorch-version "$version" --jni "$jni"
