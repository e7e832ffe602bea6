"""Raw PyTorch on the GPU beside Seraphim's raw engine (bench/gpu/on-device; docs/performance.md, "GPU").

The same method as dev.seraphim.bench.DeviceCeiling: input on the device, each forward's output copied to the host
(which waits for the device), per-forward wall time, median and 90th percentile; cuDNN's benchmark mode off. Two
paths: the TorchScript file loaded as Seraphim loads it (jit.load, to(device, dtype), eval, optimize_for_inference),
and torchvision's eager module, as ../shared/fixtures/README.md measured it (there with CUDA events and no copy
back: the "events" columns give that figure too).
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torchvision


def channels_last(module):
    for p in module.parameters():
        if p.dim() == 4:
            p.data = p.data.contiguous(memory_format=torch.channels_last)


def scripted(path, device, dtype, cl):
    m = torch.jit.load(path, map_location=device).to(dtype).eval()
    if cl:
        channels_last(m)
    return torch.jit.optimize_for_inference(m)


def eager(_, device, dtype, cl):
    m = torchvision.models.resnet18(weights=None).to(device).to(dtype).eval()
    return m.to(memory_format=torch.channels_last) if cl else m


def measure(module, device, batch, dtype, cl, seconds):
    torch.manual_seed(1234)
    x = torch.randn(batch, 3, 224, 224, device=device, dtype=dtype)
    if cl:
        x = x.contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        end = time.perf_counter() + min(1.0, seconds / 3)
        n = 0
        while n < 5 or time.perf_counter() < end:
            module(x).cpu()
            n += 1
        times = []
        start = t = time.perf_counter()
        while t < start + seconds or len(times) < 10:
            module(x).cpu()
            now = time.perf_counter()
            times.append(now - t)
            t = now
        events = []
        for _ in range(20 if device.startswith("cuda") else 0):
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record()
            module(x)
            b.record()
            torch.cuda.synchronize()
            events.append(a.elapsed_time(b))
    times.sort()
    median = times[len(times) // 2] * 1000
    return {"batch": batch, "median_ms": median, "p90_ms": times[min(len(times) - 1, int(0.9 * len(times)))] * 1000,
            "images_per_second_at_median": batch * 1000 / median,
            "images_per_second_mean": len(times) * batch / (t - start), "forwards": len(times),
            "events_median_ms": statistics.median(events) if events else float("nan"),
            "events_images_per_second": batch * 1000 / statistics.median(events) if events else float("nan")}


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--model", required=True)
    a.add_argument("--seconds", type=float, default=2)
    a.add_argument("--batches", default="1,2,4,8,16,32,64,128,256")
    a.add_argument("--out", default="pytorch.json")
    a.add_argument("--device", default="cuda", help="cuda on the GPU machine; cpu to try the script elsewhere")
    a.add_argument("--dtypes", default="float32,float16")
    args = a.parse_args()
    torch.backends.cudnn.benchmark = False
    dtypes = [getattr(torch, d) for d in args.dtypes.split(",")]
    configs = [("torchscript", scripted, d, cl) for d in dtypes for cl in (False, True)]
    configs += [("eager", eager, torch.float32, False), ("eager", eager, torch.float16, True)]
    configs = [c for c in configs if c[2] in dtypes]
    points = []
    print("| path | dtype | memory format | batch | median ms | images/s (median) | images/s (mean) | events ms | images/s (events) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for path, make, dtype, cl in configs:
        module = make(args.model, args.device, dtype, cl)
        for batch in map(int, args.batches.split(",")):
            p = measure(module, args.device, batch, dtype, cl, args.seconds)
            p.update({"path": path, "dtype": str(dtype).replace("torch.", ""),
                      "memory_format": "channels_last" if cl else "contiguous"})
            points.append(p)
            print(f"| {path} | {p['dtype']} | {p['memory_format']} | {batch} | {p['median_ms']:.3f} | "
                  f"{p['images_per_second_at_median']:.0f} | {p['images_per_second_mean']:.0f} | "
                  f"{p['events_median_ms']:.3f} | {p['events_images_per_second']:.0f} |", flush=True)
        del module
        if args.device.startswith("cuda"):
            torch.cuda.empty_cache()
    for p in points:  # no events off the GPU: null in the JSON
        p.update({k: None for k, v in p.items() if isinstance(v, float) and v != v})
    name = torch.cuda.get_device_name(0) if args.device.startswith("cuda") else args.device
    json.dump({"torch": torch.__version__, "cuda": torch.version.cuda, "device": name,
               "cudnn": torch.backends.cudnn.version(), "points": points}, open(args.out, "w"), indent=1)


if __name__ == "__main__":
    sys.exit(main())
