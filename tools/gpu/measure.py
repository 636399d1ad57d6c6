"""The device run of issue 16: our Java engine and scoring service next to Hugging Face
transformers on the same GPU, same random weights, same run. Runs from the kit that
tools/gpu/build-kit.sh builds (a jlinked Java, the engine's jars, the tokenizer, and DJL's JNI
sources when the kit was built with --djl-git: the device's jni step needs them).

    python3 measure.py --out "$OUT"                   # on the GPU machine (torch + transformers)
    python3 measure.py --cpu --out DIR --libtorch D --jni F   # the CPU rehearsal (no torch needed)
    python3 measure.py --dry-run --out DIR            # check the kit, write the plan, run nothing

Steps, each with its own time budget inside --budget-s, each guarded so that one failure keeps the
others; OUT/gpu-results.json and OUT/gpu-results.txt are rewritten after every step, so a timeout
still returns what was measured:
  jni         build DJL 0.36.0's libdjl_torch.so against this torch (CPU: use the given JNI) and
              start the engine once
  parity      random Qwen3 checkpoints in the Hugging Face layout (tiny, and the 0.6B shape on the
              device) scored by transformers FP32/FP16 and by our `score` (FP16 and FP32)
  throughput  pairs/s and model FLOP/s / dense FP16 GEMM FLOP/s, ours and transformers
  batching    `bench batching --model random:qwen3-0.6b` (micro-batched vs per-pair, p50/p99)
  long        one 32K-token pair on the 4B shape, latency (CPU: 2K tokens on the tiny shape)
The --cpu rehearsal is the same code with the CPU as the device and the tiny shape only; its
transformers and GEMM parts report "skipped" where torch or transformers is not installed.
"""
import argparse
import gzip
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import time

DJL_VERSION = "0.36.0"
# The Qwen3-Reranker prompt (model card); the CI test checks these against Qwen3Reranker's.
PREFIX = ("<|im_start|>system\nJudge whether the Document meets the requirements based on the Query"
          " and the Instruct provided. Note that the answer can only be \"yes\" or \"no\"."
          "<|im_end|>\n<|im_start|>user\n")
SUFFIX = "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"
DEFAULT_INSTRUCTION = "Given a web search query, retrieve relevant passages that answer the query"
MAX_LENGTH = 8192

# hidden, intermediate, layers, heads, kv heads, head_dim, tied head: the released checkpoints'
# config.json (tiny is the test shape of `random:tiny`). ShapeBenchCommand has the same table.
SHAPES = {
    "tiny": (64, 128, 2, 4, 2, 16, True),
    "0.6b": (1024, 3072, 28, 16, 8, 128, True),
    "4b": (2560, 9728, 36, 32, 8, 128, True),
    "8b": (4096, 12288, 36, 32, 8, 128, False),
}
VOCAB = 151936  # the real Qwen3 vocabulary, so the real tokenizer's ids are in range
BENCH_VOCAB = 4096  # throughput runs: only embedding lookups and one head row depend on it

# The seed's figures for the long-context step (transformers on an A10, Qwen3-Reranker-8B).
SEED_A10_MS = {"<=2K tokens": 210, "10-20K tokens": 580, "32K tokens": 790}

PLANS = {
    "device": {
        "device": "gpu", "budget": {"jni": 140, "parity": 100, "throughput": 150, "batching": 60,
                                    "long": 90},
        "parity_shapes": ["tiny", "0.6b"], "parity_pairs": 8,
        "throughput_shapes": ["0.6b", "4b"], "batches": [1, 8, 32], "lengths": [128, 512, 2048],
        "min_seconds": 0.3,
        "batching_args": ["--model", "random:qwen3-0.6b", "--requests", "40", "--rounds", "1"],
        "long_shape": "4b", "long_tokens": 32768, "heap": "48g",
    },
    "cpu": {
        "device": "cpu", "budget": {"jni": 60, "parity": 150, "throughput": 90, "batching": 120,
                                    "long": 60},
        "parity_shapes": ["tiny"], "parity_pairs": 4,
        "throughput_shapes": ["tiny"], "batches": [1, 4], "lengths": [128], "min_seconds": 0.2,
        "batching_args": ["--model", "random:tiny", "--requests", "12", "--rounds", "1",
                          "--candidate-scale", "0.3", "--length-scale", "0.15"],
        "long_shape": "tiny", "long_tokens": 2048, "heap": "2g",
    },
}
STEPS = ["jni", "parity", "throughput", "batching", "long"]


# ---------------------------------------------------------------------------------------------
# Pieces that need neither torch nor Java (the rehearsal runs all of them).

def model_flops(shape, b, t):
    """EngineBenchmark.modelFlops: projections at 2 FLOPs per weight per token plus causal
    attention, the last layer counted for its last row only (all the reranker needs)."""
    d, inter, layers, heads, kv, hd, _ = SHAPES[shape]
    q_dim, kv_dim = heads * hd, kv * hd
    kv_linear = 2 * (2 * d * kv_dim)
    row_linear = 2 * (d * q_dim + q_dim * d + 3 * d * inter)
    causal = t * (t + 1) / 2
    full = b * t * (kv_linear + row_linear) + b * 2 * 2 * causal * q_dim
    last = b * t * kv_linear + b * (row_linear + 2 * 2 * t * q_dim)
    return (layers - 1) * full + last


def qwen3_config(shape, vocab=VOCAB):
    d, inter, layers, heads, kv, hd, tied = SHAPES[shape]
    return {
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": d,
        "intermediate_size": inter, "num_hidden_layers": layers, "num_attention_heads": heads,
        "num_key_value_heads": kv, "head_dim": hd, "vocab_size": vocab, "rms_norm_eps": 1e-6,
        "rope_theta": 1000000, "tie_word_embeddings": tied, "max_position_embeddings": 40960,
        "hidden_act": "silu", "attention_bias": False, "attention_dropout": 0.0,
        "use_sliding_window": False, "torch_dtype": "float16", "bos_token_id": 151643,
        "eos_token_id": 151645,
    }


def _f16_tensor(rng, count, std, positive_one=False):
    """count random float16 values as bytes, fast in pure Python: random bits with the exponent
    fixed, so |x| lies in [2^e, 2^(e+1)) with e chosen for a root mean square near std; norm
    weights (positive_one) lie in [1, 1.25)."""
    low = rng.randbytes(count)
    buf = bytearray(2 * count)
    buf[0::2] = low
    if positive_one:
        buf[1::2] = b"\x3c" * count
        return bytes(buf)
    e = 0
    while 1.53 * 2.0 ** (e - 1) >= std and e > -14:
        e -= 1
    table = bytes(((x & 0x83) | ((e + 15) << 2)) for x in range(256))  # sign, exponent, 2 mantissa bits
    buf[1::2] = rng.randbytes(count).translate(table)
    return bytes(buf)


def write_checkpoint(dirpath, shape, tokenizer_dir, seed=42):
    """A random Qwen3 checkpoint in the Hugging Face layout: config.json, model.safetensors (F16,
    every name transformers' Qwen3ForCausalLM loads), the tokenizer files. Linear weights have a
    root mean square of 1/sqrt(fan_in), embeddings 1, norms 1.0-1.25 (like Qwen3Weights.random)."""
    cfg = qwen3_config(shape)
    d, inter, layers, heads, kv, hd, tied = SHAPES[shape]
    names = [("model.embed_tokens.weight", (VOCAB, d))]
    for i in range(layers):
        p = "model.layers.%d." % i
        names += [(p + "input_layernorm.weight", (d,)),
                  (p + "self_attn.q_proj.weight", (heads * hd, d)),
                  (p + "self_attn.k_proj.weight", (kv * hd, d)),
                  (p + "self_attn.v_proj.weight", (kv * hd, d)),
                  (p + "self_attn.q_norm.weight", (hd,)),
                  (p + "self_attn.k_norm.weight", (hd,)),
                  (p + "self_attn.o_proj.weight", (d, heads * hd)),
                  (p + "post_attention_layernorm.weight", (d,)),
                  (p + "mlp.gate_proj.weight", (inter, d)),
                  (p + "mlp.up_proj.weight", (inter, d)),
                  (p + "mlp.down_proj.weight", (d, inter))]
    names.append(("model.norm.weight", (d,)))
    if not tied:
        names.append(("lm_head.weight", (VOCAB, d)))
    os.makedirs(dirpath, exist_ok=True)
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shp in names:
        n = 1
        for s in shp:
            n *= s
        header[name] = {"dtype": "F16", "shape": list(shp), "data_offsets": [offset, offset + 2 * n]}
        offset += 2 * n
    hbytes = json.dumps(header, separators=(",", ":")).encode()
    hbytes += b" " * (-len(hbytes) % 8)
    rng = random.Random(seed)
    with open(os.path.join(dirpath, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(hbytes)))
        f.write(hbytes)
        for name, shp in names:
            n = shp[0] * (shp[1] if len(shp) > 1 else 1)
            if len(shp) == 1:
                f.write(_f16_tensor(rng, n, 1.0, positive_one=True))
            else:
                std = 1.0 if "embed" in name or "lm_head" in name else shp[1] ** -0.5
                f.write(_f16_tensor(rng, n, std))
    with open(os.path.join(dirpath, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(tokenizer_dir, name), dirpath)
    return dirpath


WORDS = ("stream batch model query document ranking partition offset broker checkpoint window "
         "latency token padding kernel matrix attention residual norm head vocabulary prompt "
         "score order result candidate retrieval vector lexical index shard replica failover").split()


def parity_pairs(n, seed=11):
    """n (query, document, instruction) pairs from snippets to long passages, one with its own
    instruction and one with non-ASCII text, the same on every run."""
    r = random.Random(seed)
    lengths = [6, 40, 180, 700, 12, 90, 350, 1200]
    out = []
    for i in range(n):
        query = " ".join(r.choice(WORDS) for _ in range(3 + r.randrange(6)))
        doc = " ".join(r.choice(WORDS) for _ in range(lengths[i % len(lengths)]))
        if i == 1:
            doc = "Größe, naïve café — " + doc
        out.append({"query": query, "document": doc,
                    "instruction": "Find passages about stream processing" if i == 2 else None})
    return out


def max_abs_diff(a, b):
    if a is None or b is None or len(a) != len(b):
        return None
    return max(abs(x - y) for x, y in zip(a, b))


class Results:
    """The JSON and the table in OUT, rewritten after every step (a timeout keeps them)."""

    def __init__(self, out, meta):
        self.out = out
        self.data = {"meta": meta, "steps": {}}
        os.makedirs(out, exist_ok=True)

    def step(self, name, value):
        self.data["steps"][name] = value
        self.write()

    def write(self):
        for fname, text in (("gpu-results.json", json.dumps(self.data, indent=1, default=str)),
                            ("gpu-results.txt", table(self.data))):
            tmp = os.path.join(self.out, fname + ".tmp")
            with open(tmp, "w") as f:
                f.write(text + "\n")
            os.replace(tmp, os.path.join(self.out, fname))


def _fmt(v, spec="%.3g"):
    return "-" if v is None else spec % v


def table(data):
    m = data["meta"]
    lines = ["issue 16 device run: %s, %s, torch %s, %s" % (
        m.get("mode"), m.get("gpu") or "no GPU", m.get("torch") or "-", m.get("date"))]
    for name in STEPS:
        s = data["steps"].get(name)
        if s is None:
            continue
        lines.append("%-10s %-8s %5.0f s%s" % (name, s.get("status"), s.get("seconds", 0),
                                              ("  " + s["error"][:160]) if s.get("error") else ""))
        if name == "parity":
            for shape, p in s.get("shapes", {}).items():
                lines.append("  %-5s max|logit err| vs transformers FP32: ours FP16 %s, ours FP32 %s,"
                             " transformers FP16 %s; ours FP16 vs ours FP32 %s; ok: %s" % (
                                 shape, _fmt(p.get("ours_fp16_err")), _fmt(p.get("ours_fp32_err")),
                                 _fmt(p.get("tf_fp16_err")), _fmt(p.get("ours_fp16_vs_fp32")),
                                 p.get("ours_no_worse_than_tf_fp16")))
        if name == "throughput":
            lines.append("  FP16 GEMM %s TFLOP/s (n=%s)" % (
                _fmt((s.get("gemm") or {}).get("tflops")), (s.get("gemm") or {}).get("n")))
            lines.append("  %-5s %5s %6s %12s %12s %8s %8s %9s" % (
                "shape", "batch", "tokens", "ours pair/s", "tf pair/s", "ours/gemm", "tf/gemm",
                "ours/tf"))
            for row in s.get("rows", []):
                lines.append("  %-5s %5d %6d %12s %12s %8s %8s %9s" % (
                    row["shape"], row["batch"], row["length"], _fmt(row.get("ours_pairs_per_s")),
                    _fmt(row.get("tf_pairs_per_s")), _fmt(row.get("ours_gemm_ratio")),
                    _fmt(row.get("tf_gemm_ratio")), _fmt(row.get("ours_over_tf"))))
        if name == "batching" and s.get("result"):
            r = s["result"]
            lines.append("  speedup %s (target >= 5), padding efficiency %s, p50/p99 at half load"
                         " %s/%s ms, bound %s ms, within: %s" % (
                             _fmt(r.get("speedup")), _fmt(r.get("padding_efficiency")),
                             _fmt(r.get("micro_batched_p50_ms")), _fmt(r.get("micro_batched_p99_ms")),
                             _fmt(r.get("p99_bound_ms")), r.get("p99_within_bound")))
        if name == "long":
            lines.append("  %s x %s tokens: ours %s ms, transformers %s ms (seed, A10, 8B: %s)" % (
                s.get("shape"), s.get("tokens"), _fmt(s.get("ours_ms"), "%.0f"),
                _fmt(s.get("tf_ms"), "%.0f"), SEED_A10_MS))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Processes: every Java run and every torch worker is a child with a deadline, killed with its
# process group when the deadline passes, its output kept under OUT/logs.

class StepTimeout(Exception):
    pass


def run_child(cmd, env, timeout, log_path, stdin_text=None):
    """(stdout) of cmd; raises StepTimeout or RuntimeError (with the stderr tail)."""
    if timeout <= 1:
        raise StepTimeout("no time left in this step's budget")
    p = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        out, err = p.communicate(stdin_text, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        _log(log_path, cmd, out, err, "timeout after %.0f s" % timeout)
        raise StepTimeout("%s: timed out after %.0f s" % (os.path.basename(cmd[0]), timeout))
    _log(log_path, cmd, out, err, "exit %d" % p.returncode)
    if p.returncode != 0:
        tail = "\n".join(err.strip().splitlines()[-6:])
        raise RuntimeError("exit %d: %s" % (p.returncode, tail))
    return out


def _log(path, cmd, out, err, how):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a") as f:
        f.write("$ %s\n[%s]\n--- stdout (tail)\n%s\n--- stderr (tail)\n%s\n\n" % (
            " ".join(cmd), how, out[-6000:], err[-20000:]))


def last_json(text):
    """The last line of text that is a JSON value (the commands print one)."""
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{") or line.startswith("["):
            return json.loads(line)
    raise RuntimeError("no JSON in the output")


class Run:
    def __init__(self, args, plan):
        self.args = args
        self.plan = plan
        self.kit = os.path.abspath(args.kit)
        self.out = os.path.abspath(args.out)
        self.work = os.path.abspath(args.work)
        self.logs = os.path.join(self.out, "logs")
        self.env = dict(os.environ)
        self.java_opts = []
        self.tokenizer = os.path.join(self.work, "tokenizer")

    # The engine, always through the kit's jlinked runtime and the Flink-free entry point.
    def java_cmd(self, args):
        return [os.path.join(self.kit, "runtime", "bin", "java"), "-Xmx" + self.plan["heap"],
                "-Dai.djl.offline=true", "-Djava.io.tmpdir=" + os.path.join(self.work, "tmp")
                ] + self.java_opts + ["-cp", os.path.join(self.kit, "lib", "*"),
                                      "dev.flinkreranker.cli.DeviceMain"] + args

    def java(self, args, timeout, log, stdin_text=None):
        return run_child(self.java_cmd(args), self.env, timeout,
                         os.path.join(self.logs, log + ".log"), stdin_text)

    def worker(self, name, payload, timeout):
        """A torch/transformers worker (this file, --worker NAME): its JSON result."""
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", name, "--payload",
               json.dumps(payload)]
        return last_json(run_child(cmd, self.env, timeout,
                                   os.path.join(self.logs, "worker-" + name + ".log")))


def kit_problems(kit):
    need = ["runtime/bin/java", "lib/engine.jar", "tokenizer/tokenizer.json.gz",
            "tokenizer/tokenizer_config.json", "jni-include/jni.h", "jni-include/linux/jni_md.h",
            "build_jni.py"]
    return [n for n in need if not os.path.exists(os.path.join(kit, n))]


DJL_SOURCES = ["djl-jni/src", "djl-jni/include/djl/utils.h",
               "djl-jni/include/ai_djl_pytorch_jni_PyTorchLibrary.h"]


def djl_sources_problem(kit):
    """Why the kit cannot build the JNI bridge, or None. DJL's sources are not in the project's
    repository: build-kit.sh takes them from a fetched copy of DJL's (--djl-git)."""
    missing = [n for n in DJL_SOURCES if not os.path.exists(os.path.join(kit, n))]
    if not missing:
        return None
    return ("no DJL JNI sources in the kit (built without --djl-git): rebuild it with"
            " tools/gpu/build-kit.sh --djl-git DIR, DIR being what 'fetch github:deepjavalibrary/djl'"
            " printed (missing: %s)" % ", ".join(missing))


def unpack_tokenizer(kit, dest):
    os.makedirs(dest, exist_ok=True)
    with gzip.open(os.path.join(kit, "tokenizer", "tokenizer.json.gz"), "rb") as src, \
            open(os.path.join(dest, "tokenizer.json"), "wb") as dst:
        shutil.copyfileobj(src, dst)
    shutil.copy(os.path.join(kit, "tokenizer", "tokenizer_config.json"), dest)


# ---------------------------------------------------------------------------------------------
# Steps. Each returns a dict; status and seconds are added by the caller.

def step_jni(run, budget):
    res = {}
    deadline = time.time() + budget
    jni_dir = os.path.join(run.work, "jni")
    no_sources = djl_sources_problem(run.kit)
    if no_sources and not run.args.cpu:
        raise RuntimeError(no_sources)  # before any device time goes to torch or the compiler
    if no_sources:
        res["djl_sources"] = no_sources  # the rehearsal uses DJL's prebuilt bridge anyway
    else:
        dry = run_child([sys.executable, os.path.join(run.kit, "build_jni.py"), "--sources",
                         os.path.join(run.kit, "djl-jni"), "--jni-include",
                         os.path.join(run.kit, "jni-include"), "--out", jni_dir, "--dry-run"],
                        run.env, 30, os.path.join(run.logs, "build-jni.log"))
        res["units"] = len(json.loads(dry)["units"])
    if run.args.cpu:
        # No torch headers here: the build's fallback and link run on a synthetic source instead.
        test = json.loads(run_child(
            [sys.executable, os.path.join(run.kit, "build_jni.py"), "--self-test", "--jni-include",
             os.path.join(run.kit, "jni-include"), "--out", jni_dir], run.env, 60,
            os.path.join(run.logs, "build-jni.log")))
        res["build_self_test"] = test["self_test"]
        # The rehearsal: DJL's own CPU build of libtorch and of the JNI (the Maven jars the tests
        # use), found the same way as on the device (PYTORCH_LIBRARY_PATH + the engine cache).
        lib, jni, version, flavor = run.args.libtorch, run.args.jni, run.args.libtorch_version, "cpu"
        res["jni_source"] = "given: " + jni
    else:
        info = run.worker("torch_info", {}, 60)
        run.meta.update({k: info.get(k) for k in ("torch", "cuda", "driver", "gpu", "cxx11_abi")})
        lib, version = info["lib"], info["torch"].split("+")[0]
        flavor = "cu" + info["cuda"].replace(".", "") if info.get("cuda") else "cpu"
        if info.get("cudart_dir"):  # DJL's CudaUtils finds the GPU through JNA + libcudart
            run.java_opts.append("-Djna.library.path=" + info["cudart_dir"])
        report = json.loads(run_child(
            [sys.executable, os.path.join(run.kit, "build_jni.py"), "--sources",
             os.path.join(run.kit, "djl-jni"), "--jni-include", os.path.join(run.kit, "jni-include"),
             "--out", jni_dir], run.env, deadline - time.time() - 20,
            os.path.join(run.logs, "build-jni.log")))
        res["build"] = {k: report.get(k) for k in ("ok", "compile_seconds", "missing_methods",
                                                   "reduced_units", "link_error")}
        res["build"]["failed_units"] = sorted(report.get("failed_units", {}))
        if not report.get("ok"):
            raise RuntimeError("libdjl_torch.so did not build (logs/build-jni.log)")
        jni = report["library"]
        res["jni_source"] = "built here"
    cache = os.path.join(run.work, "djl-cache")
    dest = os.path.join(cache, "pytorch", "%s-%s-linux-x86_64" % (version, flavor))
    os.makedirs(dest, exist_ok=True)
    shutil.copy(jni, os.path.join(dest, DJL_VERSION + "-libdjl_torch.so"))
    run.env.update({"PYTORCH_LIBRARY_PATH": lib, "PYTORCH_VERSION": version,
                    "PYTORCH_FLAVOR": flavor, "ENGINE_CACHE_DIR": cache, "DJL_CACHE_DIR": cache})
    res.update({"PYTORCH_LIBRARY_PATH": lib, "PYTORCH_VERSION": version, "PYTORCH_FLAVOR": flavor})
    # Smoke: the engine starts on the device and runs a forward pass.
    smoke = last_json(run.java(["bench", "shape", "--shape", "tiny", "--device", run.plan["device"],
                                "--batches", "1", "--lengths", "16", "--min-seconds", "0"],
                               deadline - time.time(), "jni-smoke"))
    res["smoke"] = {"device": smoke["device"], "precision": smoke["precision"]}
    return res


def step_parity(run, budget):
    deadline = time.time() + budget
    res = {"shapes": {}}
    dev = run.plan["device"]
    pairs = parity_pairs(run.plan["parity_pairs"])
    stdin = "".join(json.dumps({k: v for k, v in p.items() if v is not None}) + "\n" for p in pairs)
    for shape in run.plan["parity_shapes"]:
        r = res["shapes"][shape] = {}
        try:
            t0 = time.time()
            ckpt = write_checkpoint(os.path.join(run.work, "ckpt-" + shape), shape, run.tokenizer)
            r["write_seconds"] = round(time.time() - t0, 1)
            logits = {}
            for dtype in ("fp16", "fp32"):
                out = run.java(["score", "--model", ckpt, "--device", dev, "--dtype", dtype,
                                "--logit"], deadline - time.time(), "parity-%s-%s" % (shape, dtype),
                               stdin)
                # Result lines only: a library's stray line on stdout must not cost the device run.
                lines = [l for l in out.splitlines() if l.startswith("{")]
                logits["ours_" + dtype] = [json.loads(l)["logit"] for l in lines]
                if len(lines) != len(pairs):
                    raise RuntimeError("score wrote %d lines for %d pairs" % (len(lines), len(pairs)))
            tf = run.worker("tf_parity", {"ckpt": ckpt, "pairs": pairs, "device": dev,
                                          "prefix": PREFIX, "suffix": SUFFIX,
                                          "default_instruction": DEFAULT_INSTRUCTION,
                                          "max_length": MAX_LENGTH}, deadline - time.time())
            if tf.get("skipped"):
                r["transformers"] = "skipped: " + tf["skipped"]
            else:
                logits.update({"tf_fp32": tf["fp32"], "tf_fp16": tf.get("fp16")})
                r["tokens"] = tf.get("tokens")
            ref = logits.get("tf_fp32")
            r.update({"ours_fp16_err": max_abs_diff(logits["ours_fp16"], ref),
                      "ours_fp32_err": max_abs_diff(logits["ours_fp32"], ref),
                      "tf_fp16_err": max_abs_diff(logits.get("tf_fp16"), ref),
                      "ours_fp16_vs_fp32": max_abs_diff(logits["ours_fp16"], logits["ours_fp32"]),
                      "max_abs_logit": max(abs(x) for x in logits["ours_fp32"]), "logits": logits})
            if r["ours_fp16_err"] is not None and r["tf_fp16_err"] is not None:
                r["ours_no_worse_than_tf_fp16"] = r["ours_fp16_err"] <= r["tf_fp16_err"]
        except (RuntimeError, StepTimeout, OSError, ValueError, KeyError) as e:
            r["error"] = str(e)
            if isinstance(e, StepTimeout):
                break
    errors = [s["error"] for s in res["shapes"].values() if "error" in s]
    if errors:
        res["error"] = "; ".join(errors)
    return res


def step_throughput(run, budget):
    deadline = time.time() + budget
    p = run.plan
    res = {"rows": [], "ours": {}, "tf": {}}
    try:
        res["gemm"] = run.worker("gemm", {"device": p["device"]}, 30)
    except (RuntimeError, StepTimeout) as e:
        res["gemm"] = {"error": str(e)}
    gemm = (res["gemm"] or {}).get("tflops")
    errors = []
    for shape in p["throughput_shapes"]:
        try:
            rep = last_json(run.java(["bench", "shape", "--shape", shape, "--device", p["device"],
                                      "--batches", ",".join(map(str, p["batches"])),
                                      "--lengths", ",".join(map(str, p["lengths"])),
                                      "--min-seconds", str(p["min_seconds"])],
                                     deadline - time.time(), "throughput-ours-" + shape))
            res["ours"][shape] = rep
        except (RuntimeError, StepTimeout) as e:
            errors.append("ours %s: %s" % (shape, e))
        try:
            res["tf"][shape] = run.worker("tf_throughput", {
                "shape": shape, "device": p["device"], "batches": p["batches"],
                "lengths": p["lengths"], "min_seconds": p["min_seconds"]},
                deadline - time.time())
        except (RuntimeError, StepTimeout) as e:
            errors.append("transformers %s: %s" % (shape, e))
    for shape in p["throughput_shapes"]:
        ours = {(r["batch"], r["length"]): r for r in res["ours"].get(shape, {}).get("results", [])}
        tf = {(r["batch"], r["length"]): r for r in res["tf"].get(shape, {}).get("results", [])}
        for b in p["batches"]:
            for t in p["lengths"]:
                o, f = ours.get((b, t)), tf.get((b, t))
                row = {"shape": shape, "batch": b, "length": t,
                       "ours_pairs_per_s": o and o["pairsPerSecond"],
                       "ours_engine_gemm_ratio": o and o["ratio"],
                       "tf_pairs_per_s": f and f.get("pairs_per_s")}
                flops = model_flops(shape, b, t)
                if gemm:
                    row["ours_gemm_ratio"] = o and o["pairsPerSecond"] / b * flops / (gemm * 1e12)
                    row["tf_gemm_ratio"] = row["tf_pairs_per_s"] and \
                        row["tf_pairs_per_s"] / b * flops / (gemm * 1e12)
                if row["ours_pairs_per_s"] and row["tf_pairs_per_s"]:
                    row["ours_over_tf"] = row["ours_pairs_per_s"] / row["tf_pairs_per_s"]
                res["rows"].append(row)
    if res["tf"] and all(v.get("skipped") for v in res["tf"].values()):
        res["transformers"] = "skipped: " + next(iter(res["tf"].values()))["skipped"]
    if errors:
        res["error"] = "; ".join(errors)
    return res


def step_batching(run, budget):
    out = run.java(["bench", "batching"] + run.plan["batching_args"] + [
        "--device", run.plan["device"], "--tokenizer", run.tokenizer, "--json"], budget, "batching")
    return {"result": last_json(out)}


def step_long(run, budget):
    deadline = time.time() + budget
    p = run.plan
    shape, tokens = p["long_shape"], p["long_tokens"]
    res = {"shape": shape, "tokens": tokens, "seed_a10_ms": SEED_A10_MS}
    errors = []
    try:
        rep = last_json(run.java(["bench", "shape", "--shape", shape, "--device", p["device"],
                                  "--batches", "1", "--lengths", str(tokens), "--min-seconds", "2"],
                                 deadline - time.time() - 30, "long-ours"))
        res["ours_ms"] = rep["results"][0]["seconds"] * 1000
        res["ours"] = rep
    except (RuntimeError, StepTimeout, IndexError) as e:
        errors.append("ours: %s" % e)
    try:
        tf = run.worker("tf_throughput", {"shape": shape, "device": p["device"], "batches": [1],
                                          "lengths": [tokens], "min_seconds": 2},
                        deadline - time.time())
        res["tf"] = tf
        if tf.get("results"):
            res["tf_ms"] = tf["results"][0].get("seconds", 0) * 1000 or None
    except (RuntimeError, StepTimeout) as e:
        errors.append("transformers: %s" % e)
    if errors:
        res["error"] = "; ".join(errors)
    return res


STEP_FUNCS = {"jni": step_jni, "parity": step_parity, "throughput": step_throughput,
              "batching": step_batching, "long": step_long}


# ---------------------------------------------------------------------------------------------
# Workers (run in a child process; they import torch/transformers and report "skipped" without).

def _import_torch(need_transformers):
    try:
        import torch  # noqa: F401
        if need_transformers:
            import transformers  # noqa: F401
        return None
    except ImportError as e:
        return "%s not installed here" % e.name


def _torch_device(torch, name):
    return torch.device("cuda" if name == "gpu" else "cpu")


def _sync(torch, dev):
    if dev.type == "cuda":
        torch.cuda.synchronize()


def worker_torch_info(_):
    import glob
    import torch
    site = os.path.dirname(os.path.dirname(torch.__file__))
    cudart = sorted(glob.glob(os.path.join(site, "nvidia", "**", "libcudart.so*"), recursive=True)
                    + glob.glob("/usr/local/cuda/lib64/libcudart.so*"))
    try:
        driver = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                                capture_output=True, text=True, timeout=20).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        driver = None
    return {"torch": torch.__version__, "cuda": torch.version.cuda, "driver": driver,
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
            "cxx11_abi": bool(torch._C._GLIBCXX_USE_CXX11_ABI),
            "lib": os.path.join(os.path.dirname(torch.__file__), "lib"),
            "cudart_dir": os.path.dirname(cudart[0]) if cudart else None}


def worker_tf_parity(a):
    skip = _import_torch(True)
    if skip:
        return {"skipped": skip}
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = _torch_device(torch, a["device"])
    tok = AutoTokenizer.from_pretrained(a["ckpt"])
    pre = tok.encode(a["prefix"], add_special_tokens=False)
    suf = tok.encode(a["suffix"], add_special_tokens=False)
    yes, no = tok.convert_tokens_to_ids("yes"), tok.convert_tokens_to_ids("no")
    ids = []
    for p in a["pairs"]:
        body = "<Instruct>: {}\n<Query>: {}\n<Document>: {}".format(
            p["instruction"] or a["default_instruction"], p["query"], p["document"])
        ids.append(pre + tok.encode(body, add_special_tokens=False)[:a["max_length"] - len(pre) - len(suf)] + suf)
    out = {"tokens": [len(x) for x in ids]}
    for name, dt in (("fp32", torch.float32), ("fp16", torch.float16)):
        if dt == torch.float16 and dev.type == "cpu":
            continue  # transformers' FP16 on the CPU is not the comparison the issue asks for
        try:  # transformers 5 (the goldens' machine) takes dtype=, older ones torch_dtype=
            model = AutoModelForCausalLM.from_pretrained(a["ckpt"], dtype=dt, attn_implementation="sdpa")
        except TypeError:
            model = AutoModelForCausalLM.from_pretrained(a["ckpt"], torch_dtype=dt,
                                                         attn_implementation="sdpa")
        model = model.to(dev).eval()
        vals = []
        with torch.no_grad():
            for x in ids:  # every pair alone: no padding in the reference
                logits = model(input_ids=torch.tensor([x], device=dev), logits_to_keep=1).logits[0, -1].float()
                vals.append((logits[yes] - logits[no]).item())
        out[name] = vals
        del model
        if dev.type == "cuda":
            torch.cuda.empty_cache()
    return out


def worker_gemm(a):
    skip = _import_torch(False)
    if skip:
        return {"skipped": skip}
    import torch
    dev = _torch_device(torch, a["device"])
    n = 8192 if dev.type == "cuda" else 512
    dt = torch.float16 if dev.type == "cuda" else torch.float32
    x = torch.randn(n, n, device=dev, dtype=dt)
    y = torch.randn(n, n, device=dev, dtype=dt)
    (x @ y)
    _sync(torch, dev)
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        x @ y
        runs += 1
        if runs % 10 == 0:
            _sync(torch, dev)
    _sync(torch, dev)
    secs = time.perf_counter() - start
    return {"n": n, "dtype": str(dt), "tflops": 2.0 * n ** 3 * runs / secs / 1e12}


def worker_tf_throughput(a):
    skip = _import_torch(True)
    if skip:
        return {"skipped": skip}
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM
    dev = _torch_device(torch, a["device"])
    cfg = qwen3_config(a["shape"], BENCH_VOCAB)
    for key in ("architectures", "model_type", "torch_dtype"):
        cfg.pop(key)
    dt = torch.float16 if dev.type == "cuda" else torch.float32
    t0 = time.time()
    config = Qwen3Config(**cfg)
    config._attn_implementation = "sdpa"
    with torch.device(dev):  # initialised on the device: a 4B model on the host takes long
        model = Qwen3ForCausalLM(config).to(dt).eval()
    out = {"load_seconds": round(time.time() - t0, 1), "dtype": str(dt), "attention": "sdpa",
           "results": []}
    g = torch.Generator(device="cpu").manual_seed(7)
    for b in a["batches"]:
        for t in a["lengths"]:
            try:
                ids = torch.randint(0, BENCH_VOCAB, (b, t), generator=g).to(dev)
                mask = torch.ones_like(ids)
                with torch.no_grad():
                    def once():
                        lg = model(input_ids=ids, attention_mask=mask, logits_to_keep=1).logits[:, -1]
                        return (lg[:, 1] - lg[:, 0]).float().cpu()  # scores back on the host
                    once()
                    runs, start = 0, time.perf_counter()
                    while True:
                        once()
                        runs += 1
                        secs = time.perf_counter() - start
                        if secs >= a["min_seconds"]:
                            break
                per = secs / runs
                out["results"].append({"batch": b, "length": t, "runs": runs, "seconds": per,
                                       "pairs_per_s": b / per})
            except RuntimeError as e:  # e.g. out of memory at one size: keep the others
                out["results"].append({"batch": b, "length": t, "error": str(e)[:300]})
                if dev.type == "cuda":
                    torch.cuda.empty_cache()
    return out


WORKERS = {"torch_info": worker_torch_info, "tf_parity": worker_tf_parity, "gemm": worker_gemm,
           "tf_throughput": worker_tf_throughput}


# ---------------------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description="Issue 16's device run (see the module docstring).")
    p.add_argument("--kit", default=os.path.dirname(os.path.abspath(__file__)),
                   help="the kit folder (default: this file's folder)")
    p.add_argument("--out", default=os.environ.get("OUT"), help="results folder (default: $OUT)")
    p.add_argument("--work", help="scratch for checkpoints and the JNI build (default: a temp dir)")
    p.add_argument("--cpu", action="store_true", help="the CPU rehearsal: tiny shape, CPU device")
    p.add_argument("--dry-run", action="store_true", help="check the kit, write the plan, run nothing")
    p.add_argument("--steps", default=",".join(STEPS), help="comma-separated subset of " + ",".join(STEPS))
    p.add_argument("--budget-s", type=float,
                   help="total seconds for all steps (default: the sum of the step budgets)")
    p.add_argument("--libtorch", help="--cpu: folder with libtorch.so (PYTORCH_LIBRARY_PATH)")
    p.add_argument("--libtorch-version", default="2.7.1", help="--cpu: its PYTORCH_VERSION")
    p.add_argument("--jni", help="--cpu: a libdjl_torch.so built for that libtorch")
    p.add_argument("--print-prompt", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--payload", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker or a.print_prompt:
        return a
    if not a.out:
        p.error("--out is required when $OUT is not set")
    unknown = [s for s in a.steps.split(",") if s not in STEPS]
    if unknown:
        p.error("--steps: unknown %s (known: %s)" % (",".join(unknown), ",".join(STEPS)))
    if a.cpu and not a.dry_run and not (a.libtorch and a.jni):
        p.error("--cpu needs --libtorch DIR and --jni FILE (build-kit's rehearsal passes them)")
    return a


def main(argv=None):
    a = parse_args(argv)
    if a.print_prompt:
        print(json.dumps({"prefix": PREFIX, "suffix": SUFFIX, "default_instruction": DEFAULT_INSTRUCTION,
                          "max_length": MAX_LENGTH, "shapes": SHAPES}))
        return 0
    if a.worker:
        print(json.dumps(WORKERS[a.worker](json.loads(a.payload or "{}"))))
        return 0
    mode = "cpu" if a.cpu else "device"
    plan = PLANS[mode]
    # Every other step runs the engine, which needs what the jni step sets up.
    steps = ["jni"] + [s for s in STEPS if s in a.steps.split(",") and s != "jni"]
    total = a.budget_s or sum(plan["budget"][s] for s in steps)
    meta = {"mode": mode, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "steps": steps, "budget_s": total, "plan": plan, "python": sys.version.split()[0]}
    results = Results(a.out, meta)
    problems = kit_problems(a.kit)
    if problems:
        meta["error"] = "kit incomplete: missing " + ", ".join(problems)
        results.write()
        print("measure: " + meta["error"] + " (build it with tools/gpu/build-kit.sh)", file=sys.stderr)
        return 2
    a.work = a.work or os.path.join(os.environ.get("TMPDIR", "/tmp"), "flink-reranker-gpu-work")
    os.makedirs(os.path.join(a.work, "tmp"), exist_ok=True)
    run = Run(a, plan)
    run.meta = meta
    no_sources = djl_sources_problem(a.kit)
    meta["djl_sources"] = no_sources or "present"
    if no_sources:
        print("measure: " + no_sources + ("" if a.cpu else "; the device's jni step will fail"),
              file=sys.stderr)
    if a.dry_run:
        meta["dry_run"] = True
        meta["example_command"] = run.java_cmd(["score", "--model", "DIR", "--device", plan["device"],
                                                "--dtype", "fp16", "--logit"])
        results.write()
        print(table(results.data))
        return 0
    unpack_tokenizer(a.kit, run.tokenizer)
    end = time.time() + total
    for name in steps:
        budget = min(plan["budget"][name], end - time.time())
        t0 = time.time()
        try:
            value = STEP_FUNCS[name](run, budget)
            value["status"] = "partial" if value.get("error") else "ok"
        except StepTimeout as e:
            value = {"status": "timeout", "error": str(e)}
        except Exception as e:  # one step's failure must not lose the others
            value = {"status": "failed", "error": "%s: %s" % (type(e).__name__, e)}
        value["seconds"] = round(time.time() - t0, 1)
        value["budget_s"] = round(budget, 1)
        results.step(name, value)
        print("\n".join(table({"meta": meta, "steps": {name: value}}).splitlines()[1:]), flush=True)
    print(table(results.data))
    return 0 if all(s.get("status") == "ok" for s in results.data["steps"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
