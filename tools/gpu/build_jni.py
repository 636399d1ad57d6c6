"""Builds DJL 0.36.0's PyTorch JNI library (libdjl_torch.so) against the libtorch of an installed
Python torch, on the machine that will run it (the GPU device: torch 2.11, no Java, no network).

    python3 build_jni.py --sources DIR --jni-include DIR --out DIR [--jobs N] [--dry-run]
    python3 build_jni.py --self-test --out DIR      # the fallback below, on a synthetic source

--sources is the kit's djl-jni folder (DJL's engines/pytorch/pytorch-native/src/main/native at the
v0.36.0 tag as src/, api/src/main/native/djl/utils.h as include/djl/utils.h, and the JNI header that
`javac -h` generates from DJL's PyTorchLibrary.java in include/), which tools/gpu/build-kit.sh
--djl-git takes from a fetched copy of DJL's repository; --jni-include holds jni.h and
linux/jni_md.h. The library is written
as OUT/0.36.0-libdjl_torch.so, the name DJL looks for first.

Why not DJL's CMakeLists: torch's CMake package (find_package(Torch)) on a CUDA wheel looks for a
matching CUDA toolkit, and one configure error would cost the whole device run. This compiles each
translation unit with the compiler directly (include paths and the C++ ABI come from the torch
module itself, as torch.utils.cpp_extension does) and without USE_CUDA, which in DJL's sources only
guards TorchScript inference on a separate stream and emptyCache(); CUDA tensors go through
libtorch's dispatcher either way.

DJL 0.36.0 was written against torch 2.7; an API that a newer torch dropped (the legacy profiler,
say) must not cost every other function. So when a translation unit fails, the top-level blocks
(functions, statics) that the compiler's errors point into are blanked out and it is compiled
again, a few rounds at most; callers of a removed helper fail in the next round and go too. JNI
binds a native method when it is first called, so the engine runs unless it calls a removed one;
the report lists them (missing_methods).
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

DJL_VERSION = "0.36.0"
LIB_NAME = DJL_VERSION + "-libdjl_torch.so"
ROUNDS = 4
# An error in the unit, or a template instantiated from it that fails inside a header.
ERROR = re.compile(r"^(.*?):(\d+):\d+:(?: (?:fatal )?error:|\s+required from here)", re.M)
JNI_NAME = re.compile(r"Java_ai_djl_pytorch_jni_PyTorchLibrary_(\w+)\s*\(")


def torch_layout():
    """Include dirs, library dir, C++11 ABI flag and version of the importable torch."""
    import torch
    from torch.utils import cpp_extension

    lib_dir = os.path.join(os.path.dirname(torch.__file__), "lib")
    return {
        "include": cpp_extension.include_paths(),
        "lib": lib_dir,
        "cxx11_abi": int(bool(torch._C._GLIBCXX_USE_CXX11_ABI)),
        "version": torch.__version__,
        "cmake_prefix_path": torch.utils.cmake_prefix_path,
    }


def compile_command(src, obj, includes, layout, cxx):
    # -O1: the bridge is thin wrappers around libtorch calls; parsing torch's headers dominates
    # the compile, and every second of it is device time.
    return [cxx, "-std=c++17", "-O1", "-fPIC", "-w",
            "-D_GLIBCXX_USE_CXX11_ABI=%d" % layout["cxx11_abi"]] + [
        "-I" + i for i in includes] + ["-c", src, "-o", obj]


def includes_for(sources, jni_include, layout):
    return [os.path.join(sources, "include"), os.path.join(sources, "src"), jni_include,
            os.path.join(jni_include, "linux")] + list(layout["include"])


def link_command(objects, layout, out_path, cxx):
    return [cxx, "-shared", "-o", out_path] + objects + [
        "-L" + layout["lib"], "-Wl,-rpath," + layout["lib"], "-Wl,--no-as-needed",
        "-ltorch", "-ltorch_cpu", "-lc10"]


def top_level_blocks(lines):
    """(first, last) line indexes of every top-level definition of clang-formatted C++: from a
    line that starts in column 0 (not a brace, directive or comment) to the next line starting
    with '}', or that line alone when it is a one-line declaration."""
    blocks, i = [], 0
    while i < len(lines):
        line = lines[i]
        if line[:1].strip() and not line.startswith(("#", "//", "/*", "*", "}", "{")):
            if line.rstrip().endswith(";") and "{" not in line:
                blocks.append((i, i))
                i += 1
                continue
            j = i
            while j < len(lines) and not lines[j].startswith("}"):
                j += 1
            blocks.append((i, min(j, len(lines) - 1)))
            i = j + 1
        else:
            i += 1
    return blocks


def compile_unit(name, src_path, work, includes, layout, cxx):
    """Compiles one translation unit, blanking out the blocks its errors point into, round after
    round. Returns (object or None, removed block headlines, missing JNI methods, last stderr)."""
    lines = open(src_path, encoding="utf-8").read().split("\n")
    blocks = top_level_blocks(lines)
    removed = set()
    obj = os.path.join(work, "obj", name[:-3] + ".o")
    src = src_path
    err = ""
    for _ in range(ROUNDS):
        p = subprocess.run(compile_command(src, obj, includes, layout, cxx),
                           capture_output=True, text=True)
        if p.returncode == 0:
            gone = [lines[b[0]].strip()[:120] for b in sorted(removed)]
            missing = sorted(set(JNI_NAME.findall("\n".join(
                "\n".join(lines[a:b + 1]) for a, b in removed))))
            return obj, gone, missing, ""
        err = p.stderr
        hit = set()
        for f, ln in ERROR.findall(err):
            if os.path.basename(f) != name:
                continue  # an error in a header: no block of this file to take out
            n = int(ln) - 1
            hit.update(b for b in blocks if b[0] <= n <= b[1])
        if not hit - removed:
            break
        removed |= hit
        kept = [("" if any(a <= k <= b for a, b in removed) else l) for k, l in enumerate(lines)]
        src = os.path.join(work, "patched", name)  # same line numbers as the original
        os.makedirs(os.path.dirname(src), exist_ok=True)
        with open(src, "w", encoding="utf-8") as f:
            f.write("\n".join(kept))
    return None, [], sorted(set(JNI_NAME.findall("\n".join(lines)))), err[-4000:]


def build_units(units, work, includes, layout, cxx, out_path, jobs):
    """Compiles {name: path} in parallel and links what compiled; the report of it."""
    report = {"ok": False, "failed_units": {}, "reduced_units": {}, "missing_methods": []}
    os.makedirs(os.path.join(work, "obj"), exist_ok=True)
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {n: pool.submit(compile_unit, n, p, work, includes, layout, cxx)
                   for n, p in sorted(units.items())}
        objects = []
        for n, fut in futures.items():
            obj, gone, missing, err = fut.result()
            report["missing_methods"] += missing
            if obj is None:
                report["failed_units"][n] = err
            else:
                objects.append(obj)
                if gone:
                    report["reduced_units"][n] = gone
    report["compile_seconds"] = round(time.time() - start, 1)
    if not objects:
        return report
    p = subprocess.run(link_command(objects, layout, out_path, cxx), capture_output=True, text=True)
    if p.returncode != 0:
        report["link_error"] = p.stderr[-4000:]
        return report
    report["library"] = out_path
    report["ok"] = True
    return report


def find_cxx(args):
    cxx = args.cxx or os.environ.get("CXX") or shutil.which("g++") or shutil.which("c++")
    if cxx is None:
        raise SystemExit("build_jni: no C++ compiler (g++ or c++) on PATH; set CXX"
                         " (Debian: apt-get install g++)")
    return cxx


def build(args):
    src_dir = os.path.join(args.sources, "src")
    for need in [src_dir, os.path.join(args.sources, "include", "djl", "utils.h"),
                 os.path.join(args.sources, "include", "ai_djl_pytorch_jni_PyTorchLibrary.h"),
                 os.path.join(args.jni_include, "jni.h"),
                 os.path.join(args.jni_include, "linux", "jni_md.h")]:
        if not os.path.exists(need):
            raise SystemExit("build_jni: missing %s (build the kit with tools/gpu/build-kit.sh"
                             " --djl-git DIR: DJL's sources come from its repository)" % need)
    units = {n: os.path.join(src_dir, n) for n in os.listdir(src_dir) if n.endswith(".cc")}
    os.makedirs(args.out, exist_ok=True)
    out_path = os.path.join(args.out, LIB_NAME)
    if args.dry_run:
        layout = {"include": ["<torch>/include", "<torch>/include/torch/csrc/api/include"],
                  "lib": "<torch>/lib", "cxx11_abi": 1, "version": "<torch.__version__>",
                  "cmake_prefix_path": "<torch>/share/cmake"}
        cxx = args.cxx or os.environ.get("CXX") or "g++"
        inc = includes_for(args.sources, args.jni_include, layout)
        cmds = [" ".join(compile_command(p, "<obj>", inc, layout, cxx)) for p in sorted(units.values())]
        cmds.append(" ".join(link_command(["<objects>"], layout, out_path, cxx)))
        return {"djl_version": DJL_VERSION, "ok": True, "torch": layout, "units": sorted(units),
                "commands": cmds}
    layout = torch_layout()
    report = build_units(units, args.out, includes_for(args.sources, args.jni_include, layout),
                         layout, find_cxx(args), out_path, args.jobs)
    report.update({"djl_version": DJL_VERSION, "torch": layout, "units": sorted(units)})
    return report


SELF_TEST_SOURCE = """#include <jni.h>
int helper_that_a_newer_torch_dropped() {
  return removed_api_call();
}

JNIEXPORT jint JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchKept(JNIEnv* env, jobject jthis) {
  return 1;
}

JNIEXPORT jint JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchUsesHelper(
    JNIEnv* env, jobject jthis) {
  return helper_that_a_newer_torch_dropped();
}
"""


def self_test(args):
    """The fallback and the link on a synthetic translation unit, against stub torch libraries:
    the helper that does not compile is taken out, then the JNI function that calls it, and the
    rest links. Needs a C++ compiler and JNI headers, no torch."""
    cxx = find_cxx(args)
    work = tempfile.mkdtemp(prefix="build-jni-self-test-", dir=args.out)
    libdir = os.path.join(work, "stub-torch")
    os.makedirs(libdir)
    stub = os.path.join(work, "stub.cc")
    open(stub, "w").write("int stub_symbol() { return 0; }\n")
    for lib in ("torch", "torch_cpu", "c10"):
        subprocess.run([cxx, "-shared", "-fPIC", stub, "-o", os.path.join(libdir, "lib%s.so" % lib)],
                       check=True)
    src = os.path.join(work, "unit.cc")
    open(src, "w").write(SELF_TEST_SOURCE)
    layout = {"include": [], "lib": libdir, "cxx11_abi": 1}
    out_path = os.path.join(work, LIB_NAME)
    report = build_units({"unit.cc": src}, work, [args.jni_include, os.path.join(args.jni_include, "linux")],
                         layout, cxx, out_path, 1)
    symbols = subprocess.run(["nm", "-D", "--defined-only", out_path], capture_output=True,
                             text=True).stdout if report["ok"] else ""
    report["self_test"] = {
        "linked": report["ok"],
        "kept_exported": "Java_ai_djl_pytorch_jni_PyTorchLibrary_torchKept" in symbols,
        "missing_as_expected": report["missing_methods"] == ["torchUsesHelper"],
        "reduced": report["reduced_units"].get("unit.cc"),
    }
    report["ok"] = report["ok"] and report["self_test"]["missing_as_expected"] and (
        report["self_test"]["kept_exported"] or shutil.which("nm") is None)
    shutil.rmtree(work, ignore_errors=True)
    return report


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sources", help="the kit's djl-jni folder")
    p.add_argument("--jni-include", required=True, help="folder with jni.h and linux/jni_md.h")
    p.add_argument("--out", required=True, help="where the library and objects go")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--cxx", help="C++ compiler (default: $CXX, g++, c++)")
    p.add_argument("--dry-run", action="store_true",
                   help="check the inputs and print the commands; needs no torch")
    p.add_argument("--self-test", action="store_true",
                   help="exercise the per-function fallback on a synthetic source; needs no torch")
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    if args.self_test:
        report = self_test(args)
    else:
        if not args.sources:
            p.error("--sources is required")
        report = build(args)
    print(json.dumps(report, indent=1))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
