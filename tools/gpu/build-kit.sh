#!/usr/bin/env bash
# Builds the GPU device kit: everything the scoring engine needs on a machine with Python + torch
# and no Java or network, in one folder that travels (at most 64 MiB):
#   runtime/      a jlinked Java 17 (only the modules jdeps finds; no debug info, headers, man pages)
#   lib/          engine.jar (the project's model, scoring and bench classes plus the Flink-free entry
#                 point dev.flinkreranker.cli.DeviceMain) and only the jars those classes need;
#                 no Flink, no Kafka, no PyTorch natives (the device brings its own libtorch)
#   tokenizer/    the real Qwen3 tokenizer (tokenizer.json.gz, tokenizer_config.json)
#   djl-jni/      DJL 0.36.0's PyTorch JNI sources + the JNI header javac -h generates, taken from a
#                 git directory of DJL's repository (--djl-git); without it the kit has no djl-jni/
#                 and the device's jni step fails, saying so
#   jni-include/  jni.h and linux/jni_md.h of this JDK (jlink drops them; the JNI compile needs them)
#   measure.py, build_jni.py   the device run (see docs/gpu.md)
#   README.txt    what the kit holds, and where its DJL sources came from (or that it has none)
#
#   tools/gpu/build-kit.sh [--out DIR] [--skip-compile] [--djl-git DIR]
#
# --skip-compile uses target/classes as they are (the CI test calls it from inside a Maven run).
# --djl-git DIR (or env DJL_GIT): a git directory of DJL's public repository, e.g. the bare one the
# session's `fetch github:deepjavalibrary/djl` prints. DJL's code is fetched, not copied into this
# repository; the script takes the v0.36.0 release's files from it after checking the tag.
# Needs: a JDK 17 with jlink and jdeps, Maven, python3, and the tokenizer the build fetches into
# target/tokenizer-qwen3 (any `mvn test-compile` or `mvn package` does that).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
out="$root/target/gpu-kit"
compile=1
djl_git="${DJL_GIT:-}"
usage="usage: build-kit.sh [--out DIR] [--skip-compile] [--djl-git DIR]"
while (($#)); do
  case "$1" in
    --out) [[ $# -ge 2 ]] || { echo "build-kit: --out needs a folder ($usage)" >&2; exit 2; }
      out="$(realpath -m "$2")"; shift 2 ;;
    --skip-compile) compile=0; shift ;;
    --djl-git) [[ $# -ge 2 ]] || { echo "build-kit: --djl-git needs a git directory ($usage)" >&2; exit 2; }
      djl_git="$2"; shift 2 ;;
    *) echo "build-kit: unknown argument '$1' ($usage)" >&2; exit 2 ;;
  esac
done
max_bytes=$((64 * 1024 * 1024))
# DJL's v0.36.0 release: the annotated tag object and the commit it points to. The commit pins the
# files taken; a tag that points elsewhere is refused.
djl_tag=v0.36.0
djl_tag_object=e87652d98ac21b574f571975ef3decb8b8d66a40
djl_commit=1a7265a7c98542027f168bda90969f6e0e567c5f
djl_native=engines/pytorch/pytorch-native/src/main/native
djl_utils=api/src/main/native/djl/utils.h
djl_library_java=engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java

die() { echo "build-kit: $*" >&2; exit 1; }
for tool in jlink jdeps jar javac python3 mvn; do
  command -v "$tool" >/dev/null \
    || die "'$tool' is not on PATH (Debian: openjdk-17-jdk-headless gives jlink/jdeps/jar/javac, maven gives mvn, python3 gives python3)"
done
java_major="$(javac -version 2>&1 | sed -E 's/^javac ([0-9]+).*/\1/')"
[[ "$java_major" == 17 ]] || die "needs JDK 17 (javac -version says $java_major): the kit's runtime must match the classes' target"
jdk_home="$(dirname "$(dirname "$(realpath "$(command -v javac)")")")"
[[ -f "$jdk_home/include/jni.h" && -f "$jdk_home/include/linux/jni_md.h" ]] \
  || die "no JNI headers under $jdk_home/include (install the full JDK, not a JRE)"

# Check DJL's repository before the long part of the build.
if [[ -n "$djl_git" ]]; then
  command -v git >/dev/null || die "--djl-git needs 'git' on PATH (Debian: git)"
  git --git-dir "$djl_git" rev-parse --git-dir >/dev/null 2>&1 \
    || die "--djl-git $djl_git is not a git directory (give the path that 'fetch github:deepjavalibrary/djl' printed)"
  tag_id="$(git --git-dir "$djl_git" rev-parse -q --verify "refs/tags/$djl_tag" 2>/dev/null)" \
    || die "--djl-git $djl_git has no tag $djl_tag: is it DJL's repository (fetch github:deepjavalibrary/djl), with its tags?"
  tag_commit="$(git --git-dir "$djl_git" rev-parse -q --verify "refs/tags/$djl_tag^{commit}")"
  [[ "$tag_commit" == "$djl_commit" ]] \
    || die "--djl-git $djl_git: tag $djl_tag is commit $tag_commit (tag $tag_id), not DJL's release commit $djl_commit (tag object $djl_tag_object); refusing sources that are not the release"
  for f in "$djl_native" "$djl_utils" "$djl_library_java" LICENSE NOTICE; do
    git --git-dir "$djl_git" cat-file -e "$djl_commit:$f" 2>/dev/null \
      || die "--djl-git $djl_git: $djl_tag has no $f (the kit expects DJL's $djl_tag layout)"
  done
fi

tokenizer_dir="$root/target/tokenizer-qwen3/package/models"
[[ -s "$tokenizer_dir/tokenizer.json" ]] \
  || die "missing $tokenizer_dir/tokenizer.json: run 'mvn -B -q test-compile' once (it fetches the Qwen3 tokenizer)"

work="$root/target/gpu-kit-work"
rm -rf "$out" "$work"
mkdir -p "$out/lib" "$out/tokenizer" "$work/classes"

# 1. The project's classes and the runtime classpath.
if ((compile)); then
  mvn -B -q compile
fi
[[ -f "$root/target/classes/dev/flinkreranker/cli/DeviceMain.class" ]] \
  || die "target/classes has no DeviceMain.class: run 'mvn -B -q compile' first"
mvn -B -q dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$work/classpath.txt" >/dev/null \
  || die "mvn dependency:build-classpath failed"

# 2. engine.jar: the Flink-free packages only. RerankFunction is the scoring package's Flink operator,
#    and of cli only the device entry point and the commands it registers. Left out: the classes
#    of those packages that need Flink, Avro or the gateway and that nothing in the kit reaches
#    (RerankMetrics: Flink metrics; GatewayBenchmark: the gateway's benchmark; CandidateSetValidator:
#    the Avro records). Step 4 fails if the kit's classes reach a class it lacks.
(
  cd "$root/target/classes"
  cp --parents -r dev/flinkreranker/model dev/flinkreranker/score dev/flinkreranker/scoring \
    dev/flinkreranker/bench dev/flinkreranker/validation "$work/classes/"
  rm -f "$work"/classes/dev/flinkreranker/scoring/RerankFunction*.class \
    "$work"/classes/dev/flinkreranker/scoring/RerankMetrics*.class \
    "$work"/classes/dev/flinkreranker/bench/GatewayBenchmark*.class \
    "$work"/classes/dev/flinkreranker/validation/CandidateSetValidator*.class
  cp --parents dev/flinkreranker/cli/DeviceMain*.class dev/flinkreranker/cli/ScoreCommand*.class \
    dev/flinkreranker/cli/FiniteScores*.class \
    dev/flinkreranker/cli/ModelOptions*.class dev/flinkreranker/cli/EngineBenchCommand*.class \
    dev/flinkreranker/cli/BenchBatchingCommand*.class dev/flinkreranker/cli/ShapeBenchCommand*.class \
    flink-reranker-log4j2.xml "$work/classes/"
)
jar --create --file "$out/lib/engine.jar" --main-class dev.flinkreranker.cli.DeviceMain -C "$work/classes" .

# 3. The jars the engine needs, picked by artifact from Maven's runtime classpath (so the versions
#    are the pom's). Tokenizers and JNA carry natives for every platform: keep linux-x86_64 only.
wanted='api|pytorch-engine|tokenizers|gson|jna|jackson-core|jackson-databind|jackson-annotations|picocli|slf4j-api|log4j-api|log4j-core|log4j-slf4j2-impl'
tr ':' '\n' < "$work/classpath.txt" | grep -E "/($wanted)-[0-9][^/]*\.jar$" > "$work/jars.txt" || true
for a in ${wanted//|/ }; do
  grep -qE "/$a-[0-9][^/]*\.jar$" "$work/jars.txt" || die "no $a jar on the runtime classpath (pom changed?)"
done
python3 - "$work/jars.txt" "$out/lib" <<'EOF'
import os, sys, zipfile
jars, dest = sys.argv[1], sys.argv[2]
# Entries of other platforms (natives), and DJL's model-zoo metadata the engine never reads.
drop_prefixes = ("native/lib/linux-aarch64/", "native/lib/osx-", "native/lib/win-",
                 "nlp/", "cv/")
keep_jna = "com/sun/jna/linux-x86-64/"
for path in open(jars).read().split():
    name = os.path.basename(path)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(os.path.join(dest, name), "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            n = info.filename
            if n.startswith(drop_prefixes):
                continue
            if name.startswith("jna-") and n.startswith("com/sun/jna/") and n.count("/") >= 3 \
                    and not n.endswith(".class") and not n.startswith(keep_jna):
                continue  # libjnidispatch of other platforms
            dst.writestr(info, src.read(n))
EOF

# 4. Guard: every class engine.jar references is in the kit, so no Flink or Kafka class, and no
#    project class whose package was left out, fails on the device instead. --multi-release: without
#    it jdeps stops at gson's jar; -filter:none: else it hides references within a package.
jdeps --multi-release 17 -filter:none -verbose:class -cp "$out/lib/*" "$out/lib/engine.jar" \
  > "$work/jdeps.txt" 2>&1 || { tail -5 "$work/jdeps.txt" >&2; die "jdeps failed on engine.jar (above)"; }
awk '$1 != "engine.jar" && $(NF-1) == "not" && $NF == "found" {print $1 " -> " $3}' "$work/jdeps.txt" \
  | sort -u > "$work/missing-classes.txt"
if [[ -s "$work/missing-classes.txt" ]]; then
  head -10 "$work/missing-classes.txt" >&2
  die "engine.jar references classes the kit does not have (above): add the project's to engine.jar (step 2), or leave out the class that needs Flink/Kafka"
fi

# 5. A jlinked runtime with the modules jdeps finds in the engine and its jars, less three only
#    code paths the kit never takes reach: java.compiler, java.rmi and java.scripting (log4j-core's
#    annotation processor, JMX remoting, script lookups). Plus what is only reached by reflection
#    or service lookup: java.desktop (log4j-core's LoggerContext needs java.beans when it starts;
#    its AWT/sound/font natives are left out), java.naming (without it log4j prints a JNDI warning
#    on stdout, where `score` writes its results), jdk.unsupported (sun.misc.Unsafe: DJL, JNA,
#    Jackson) and jdk.zipfs. The rehearsal runs score and both benchmarks on this very runtime, so a
#    module the engine does need fails it.
found="$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 -q \
  --class-path "$out/lib/*" "$out"/lib/*.jar)"
modules="$(echo "$found,java.desktop,java.naming,jdk.unsupported,jdk.zipfs" | tr ',' '\n' \
  | grep -vxE 'java\.(compiler|rmi|scripting)' | sort -u | paste -sd, -)"
echo "build-kit: jdeps found $found; linking $modules"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --exclude-files="$(printf '**/lib/lib%s.so,' awt awt_xawt awt_headless jawt fontmanager javajpeg jsound lcms mlib_image splashscreen)" \
  --output "$out/runtime"
# libjvm.so keeps its symbol table (3.5 of its 23 MB); the dynamic symbols the launcher and JNI
# need stay. Only where binutils is installed: the kit fits without it.
if command -v strip >/dev/null; then
  strip --strip-unneeded "$out/runtime/lib/server/libjvm.so"
fi

# 6. Tokenizer, JNI sources + headers, the device scripts.
# tokenizer.json is 11 MB and compresses to a fifth; measure.py unpacks it where it works.
gzip -9 -c "$tokenizer_dir/tokenizer.json" > "$out/tokenizer/tokenizer.json.gz"
cp "$tokenizer_dir/tokenizer_config.json" "$out/tokenizer/"
if [[ -n "$djl_git" ]]; then
  # DJL's files at the release commit, laid out as build_jni.py reads them: src/ (the native
  # sources), include/djl/utils.h, include/ai_djl_pytorch_jni_PyTorchLibrary.h (generated below),
  # and DJL's LICENSE and NOTICE (Apache-2.0) beside them.
  mkdir -p "$work/djl" "$out/djl-jni/include/djl"
  git --git-dir "$djl_git" archive --format=tar "$djl_commit" "$djl_native" "$djl_utils" \
    "$djl_library_java" LICENSE NOTICE | tar -x -C "$work/djl" \
    || die "git archive of $djl_tag from $djl_git failed"
  cp -r "$work/djl/$djl_native" "$out/djl-jni/src"
  cp "$work/djl/$djl_utils" "$out/djl-jni/include/djl/utils.h"
  cp "$work/djl/LICENSE" "$work/djl/NOTICE" "$out/djl-jni/"
  # The JNI header, as DJL's build makes it: javac -h on PyTorchLibrary.java (it imports only
  # java.*; the kit's DJL jars are on the classpath in case another release's copy needs more).
  javac -h "$out/djl-jni/include" -d "$work/djl-classes" -cp "$out/lib/*" -implicit:none \
    "$work/djl/$djl_library_java" || die "javac -h on DJL's PyTorchLibrary.java failed (above)"
  [[ -s "$out/djl-jni/include/ai_djl_pytorch_jni_PyTorchLibrary.h" ]] \
    || die "javac -h wrote no ai_djl_pytorch_jni_PyTorchLibrary.h"
  djl_note="DJL's PyTorch JNI sources at $djl_tag (commit $djl_commit) from $djl_git; the header by JDK $java_major's javac -h"
else
  djl_note="NONE: built without --djl-git, so the device's jni step fails. For the device run: fetch github:deepjavalibrary/djl, then tools/gpu/build-kit.sh --djl-git <the git directory fetch printed>"
fi
mkdir -p "$out/jni-include/linux"
cp "$jdk_home/include/jni.h" "$out/jni-include/"
cp "$jdk_home/include/linux/jni_md.h" "$out/jni-include/linux/"
cp "$root/tools/gpu/measure.py" "$root/tools/gpu/build_jni.py" "$out/"

# 7. Smoke test: the jlinked runtime runs the entry point through logging, Jackson and the scoring
#    service (the lexical scorer needs no libtorch), and stdout carries only the command's JSON.
"$out/runtime/bin/java" -cp "$out/lib/*" dev.flinkreranker.cli.DeviceMain bench batching \
  --model lexical --requests 3 --rounds 1 --json > "$work/smoke.out" 2> "$work/smoke.err" \
  || { tail -20 "$work/smoke.err" >&2; die "the jlinked runtime cannot run dev.flinkreranker.cli.DeviceMain (above)"; }
python3 -c 'import json, sys; json.loads(open(sys.argv[1]).read())' "$work/smoke.out" \
  || die "bench batching printed more than its JSON on stdout: $(head -c 300 "$work/smoke.out")"

cat > "$out/README.txt" <<EOF
The device kit of flink-reranker, built by tools/gpu/build-kit.sh (see docs/gpu.md).
On the device: python3 measure.py --out "\$OUT"
runtime/      jlinked Java $java_major
lib/          engine.jar and the jars it needs (no Flink, no Kafka, no PyTorch natives)
tokenizer/    the Qwen3 tokenizer
jni-include/  jni.h, linux/jni_md.h
djl-jni/      $djl_note
EOF

bytes="$(du -sb "$out" | cut -f1)"
printf 'build-kit: %s is %.1f MiB (limit 64 MiB): runtime %s, lib %s, tokenizer %s, djl-jni %s\n' \
  "$out" "$(awk "BEGIN{print $bytes / 1048576}")" \
  "$(du -sh "$out/runtime" | cut -f1)" "$(du -sh "$out/lib" | cut -f1)" \
  "$(du -sh "$out/tokenizer" | cut -f1)" "$(if [[ -d "$out/djl-jni" ]]; then du -sh "$out/djl-jni" | cut -f1; else echo none; fi)"
((bytes <= max_bytes)) || die "the kit is $bytes bytes, over the 64 MiB that may travel to the device"
# Last, so it is the line one sees: a kit without DJL's sources cannot build the device's bridge.
[[ -n "$djl_git" ]] || echo "build-kit: NO DJL SOURCES in $out: built without --djl-git, so the device's jni step will fail; for the device run: fetch github:deepjavalibrary/djl, then build-kit.sh --djl-git <the git directory fetch printed>" >&2
