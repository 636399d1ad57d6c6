"""Builds DJL 0.36.0's PyTorch JNI library (libdjl_torch.so) against the libtorch of an installed
Python torch, on the machine that will run it (the GPU device: torch 2.11, no Java, no network).

    python3 build_jni.py --sources DIR --jni-include DIR --out DIR [--jobs N] [--dry-run]

--sources is the kit's djl-jni folder (DJL's engines/pytorch/pytorch-native/src/main/native at the
v0.36.0 tag, api/src/main/native/djl/utils.h, and the JNI header that `javac -h` generates from
DJL's PyTorchLibrary.java); --jni-include holds jni.h and linux/jni_md.h. The library is written
as OUT/0.36.0-libdjl_torch.so, the name DJL looks for first.

Why not DJL's CMakeLists: torch's CMake package (find_package(Torch)) on a CUDA wheel looks for a
matching CUDA toolkit, and one configure error would cost the whole device run. This compiles each
translation unit with the compiler directly (include paths and the C++ ABI come from the torch
module itself, as torch.utils.cpp_extension does) and without USE_CUDA, which in DJL's sources only
guards TorchScript inference on a separate stream and emptyCache(); CUDA tensors go through
libtorch's dispatcher either way. A translation unit that does not compile against a newer torch is
reported and left out, and the rest is linked: JNI binds native methods when they are first called,
so the engine still runs unless it calls one of the missing functions (the report lists them).
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time

DJL_VERSION = "0.36.0"
LIB_NAME = DJL_VERSION + "-libdjl_torch.so"


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


def compile_commands(sources, jni_include, layout, obj_dir, cxx):
    """One compiler command line per translation unit."""
    src_dir = os.path.join(sources, "src")
    includes = [os.path.join(sources, "include"), src_dir, jni_include,
                os.path.join(jni_include, "linux")] + list(layout["include"])
    flags = ["-std=c++17", "-O2", "-fPIC", "-w",
             "-D_GLIBCXX_USE_CXX11_ABI=%d" % layout["cxx11_abi"]]
    cmds = {}
    for name in sorted(os.listdir(src_dir)):
        if name.endswith(".cc"):
            obj = os.path.join(obj_dir, name[:-3] + ".o")
            cmds[name] = [cxx] + flags + ["-I" + i for i in includes] + [
                "-c", os.path.join(src_dir, name), "-o", obj]
    return cmds


def link_command(objects, layout, out_path, cxx):
    return [cxx, "-shared", "-o", out_path] + objects + [
        "-L" + layout["lib"], "-Wl,-rpath," + layout["lib"], "-Wl,--no-as-needed",
        "-ltorch", "-ltorch_cpu", "-lc10"]


def exported_jni(path):
    """Names of the Java_ai_djl_pytorch_jni_PyTorchLibrary_* functions a source file defines."""
    with open(path, encoding="utf-8", errors="replace") as f:
        return sorted(set(re.findall(r"Java_ai_djl_pytorch_jni_PyTorchLibrary_(\w+)\s*\(", f.read())))


def build(args):
    report = {"djl_version": DJL_VERSION, "ok": False, "failed_units": {}, "missing_methods": []}
    src_dir = os.path.join(args.sources, "src")
    for need in [src_dir, os.path.join(args.sources, "include", "djl", "utils.h"),
                 os.path.join(args.sources, "include", "ai_djl_pytorch_jni_PyTorchLibrary.h"),
                 os.path.join(args.jni_include, "jni.h"),
                 os.path.join(args.jni_include, "linux", "jni_md.h")]:
        if not os.path.exists(need):
            raise SystemExit("build_jni: missing %s (build the kit with tools/gpu/build-kit.sh)" % need)
    cxx = args.cxx or os.environ.get("CXX") or shutil.which("g++") or shutil.which("c++")
    if args.dry_run:
        layout = {"include": ["<torch>/include", "<torch>/include/torch/csrc/api/include"],
                  "lib": "<torch>/lib", "cxx11_abi": 1, "version": "<torch.__version__>",
                  "cmake_prefix_path": "<torch>/share/cmake"}
        cxx = cxx or "g++"
    else:
        if cxx is None:
            raise SystemExit("build_jni: no C++ compiler (g++ or c++) on PATH; set CXX")
        layout = torch_layout()
    report["torch"] = layout
    os.makedirs(args.out, exist_ok=True)
    obj_dir = os.path.join(args.out, "obj")
    os.makedirs(obj_dir, exist_ok=True)
    cmds = compile_commands(args.sources, args.jni_include, layout, obj_dir, cxx)
    out_path = os.path.join(args.out, LIB_NAME)
    report["units"] = sorted(cmds)
    if args.dry_run:
        report["commands"] = [" ".join(c) for c in cmds.values()]
        report["commands"].append(" ".join(link_command(["<objects>"], layout, out_path, cxx)))
        report["ok"] = True
        return report
    start = time.time()

    def run(item):
        name, cmd = item
        p = subprocess.run(cmd, capture_output=True, text=True)
        return name, p.returncode, p.stderr

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for name, rc, err in pool.map(run, cmds.items()):
            if rc != 0:
                report["failed_units"][name] = err[-4000:]
                report["missing_methods"] += exported_jni(os.path.join(src_dir, name))
    report["compile_seconds"] = round(time.time() - start, 1)
    objects = [c[-1] for n, c in cmds.items() if n not in report["failed_units"]]
    if not objects:
        return report
    p = subprocess.run(link_command(objects, layout, out_path, cxx), capture_output=True, text=True)
    if p.returncode != 0:
        report["link_error"] = p.stderr[-4000:]
        return report
    report["library"] = out_path
    report["ok"] = True
    return report


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sources", required=True, help="the kit's djl-jni folder")
    p.add_argument("--jni-include", required=True, help="folder with jni.h and linux/jni_md.h")
    p.add_argument("--out", required=True, help="where the library and objects go")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--cxx", help="C++ compiler (default: $CXX, g++, c++)")
    p.add_argument("--dry-run", action="store_true",
                   help="check the inputs and print the commands; needs no torch")
    args = p.parse_args(argv)
    report = build(args)
    print(json.dumps(report, indent=1))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
