#!/usr/bin/env python3
"""Edge drill (issue 32): overload and slow bodies against a running Seraphim, with the standard library only.

Phase 1, overload: N keep-alive connections send OIP inference requests as fast as they are answered for S
seconds. Every answer must be 200, or 503/429 carrying Retry-After; no connection may time out or be reset.
Phase 2, slow bodies: M connections trickle a request body at 1 byte/s while a probe connection sends normal
requests; the trickles must be ended by the server (408, or 429 past the per-key cap) and the probe's
requests must stay fast. Phase 3, recovery: the time until a fresh request answers 200 again.

Prints one JSON report; exits 1 when any rule is broken. Run by EdgeDrillIT in CI in a short form; by hand:
  deploy/drills/edge-drill.py --port 8080 --key "$KEY" --connections 1000 --seconds 60 --slow 200
"""
import argparse
import asyncio
import json
import resource
import sys
import time

GOOD_MLP = json.dumps({"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 16],
                                   "data": [0.5] * 16}]}).encode()


def request(args, body, length=None, key=None):
    head = (f"POST /v2/models/{args.model}/infer HTTP/1.1\r\nHost: {args.host}\r\n"
            f"Authorization: Bearer {key or args.key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body) if length is None else length}\r\n\r\n")
    return head.encode() + body


async def read_answer(reader):
    """(status, headers) of one HTTP/1.1 answer, its body read and dropped."""
    line = await reader.readline()
    if not line:
        raise ConnectionError("closed")
    status = int(line.split()[1])
    headers = {}
    while True:
        h = await reader.readline()
        if h in (b"\r\n", b""):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).strip() or b"0", 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers


class Tally:
    def __init__(self):
        self.statuses = {}
        self.without_retry_after = 0
        self.errors = {}
        self.latencies = []

    def answer(self, status, headers, seconds):
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status in (429, 503) and "retry-after" not in headers:
            self.without_retry_after += 1
        self.latencies.append(seconds)

    def error(self, e):
        name = type(e).__name__
        self.errors[name] = self.errors.get(name, 0) + 1

    def summary(self):
        lat = sorted(self.latencies) or [0]
        return {"answers": dict(sorted(self.statuses.items())), "errors": self.errors,
                "without_retry_after": self.without_retry_after,
                "p50_ms": round(lat[len(lat) // 2] * 1000, 1), "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 1),
                "max_ms": round(lat[-1] * 1000, 1)}


async def hammer(args, deadline, tally, key=None):
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(args.host, args.port), args.timeout)
    except Exception as e:  # noqa: BLE001 - every failure is counted by its kind
        tally.error(e)
        return
    try:
        while time.monotonic() < deadline:
            start = time.monotonic()
            writer.write(request(args, GOOD_MLP, key=key))
            status, headers = await asyncio.wait_for(read_answer(reader), args.timeout)
            tally.answer(status, headers, time.monotonic() - start)
            if headers.get("connection", "").lower() == "close":
                writer.close()
                reader, writer = await asyncio.open_connection(args.host, args.port)
    except Exception as e:  # noqa: BLE001
        tally.error(e)
    finally:
        writer.close()


async def trickle(args, tally):
    """A body declared 4 096 bytes long, sent one byte a second until the server answers or gives up."""
    try:
        reader, writer = await asyncio.open_connection(args.host, args.port)
        start = time.monotonic()
        writer.write(request(args, b"", length=4096))
        answer = asyncio.ensure_future(read_answer(reader))
        for _ in range(args.slow_seconds * 4):
            if answer.done():
                break
            writer.write(b" ")
            await asyncio.wait({answer}, timeout=1)
        if not answer.done():
            answer.cancel()
            tally.error(TimeoutError("the server kept the trickle"))
        else:
            status, headers = answer.result()
            tally.answer(status, headers, time.monotonic() - start)
        writer.close()
    except Exception as e:  # noqa: BLE001
        tally.error(e)


async def probe(args, until, tally):
    while time.monotonic() < until:
        await hammer(args, time.monotonic() + 0.001, tally, key=args.probe_key)
        await asyncio.sleep(0.2)


async def recovery(args):
    start = time.monotonic()
    while time.monotonic() - start < 30:
        tally = Tally()
        await hammer(args, time.monotonic() + 0.001, tally)
        if tally.statuses.get(200):
            return round(time.monotonic() - start, 3)
        await asyncio.sleep(0.05)
    return None


async def main(args):
    report = {"connections": args.connections, "seconds": args.seconds, "slow": args.slow}
    overload = Tally()
    deadline = time.monotonic() + args.seconds
    await asyncio.gather(*(hammer(args, deadline, overload) for _ in range(args.connections)))
    report["overload"] = overload.summary()
    report["overload"]["requests_per_s"] = round(sum(overload.statuses.values()) / args.seconds)
    report["recovery_after_overload_s"] = await recovery(args)

    slow, normal = Tally(), Tally()
    trickles = [asyncio.ensure_future(trickle(args, slow)) for _ in range(args.slow)]
    await probe(args, time.monotonic() + args.slow_seconds, normal)
    await asyncio.gather(*trickles)
    report["slow_bodies"] = slow.summary()
    report["beside_slow_bodies"] = normal.summary()
    report["recovery_after_slow_bodies_s"] = await recovery(args)

    broken = []
    if set(overload.statuses) - {200, 429, 503} or overload.errors or overload.without_retry_after:
        broken.append("overload: answers other than 200 or 503/429 with Retry-After, or connection errors")
    if report["recovery_after_overload_s"] is None or report["recovery_after_overload_s"] > 5:
        broken.append("no 200 within 5 s after the overload")
    if set(slow.statuses) - {408, 429} or slow.errors or slow.without_retry_after:
        broken.append("slow bodies: not every trickle was ended with 408 or 429")
    if set(normal.statuses) - {200} or normal.errors or (normal.latencies and max(normal.latencies) > args.probe_max):
        broken.append(f"requests beside the slow bodies failed or took over {args.probe_max} s")
    report["broken"] = broken
    print(json.dumps(report, indent=2))
    return 1 if broken else 0


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--key", required=True, help="an API key allowed to call the model")
    p.add_argument("--probe-key", help="the key of the requests beside the slow bodies (the trickles' key is capped)")
    p.add_argument("--model", default="tabular-mlp", help="a model taking features FP32 [-1, 16]")
    p.add_argument("--connections", type=int, default=1000)
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--slow", type=int, default=200, help="connections trickling a body")
    p.add_argument("--slow-seconds", type=int, default=30, help="how long the normal requests run beside them")
    p.add_argument("--timeout", type=float, default=30, help="seconds an answer may take before it counts as lost")
    p.add_argument("--probe-max", type=float, default=2, help="seconds a request beside the slow bodies may take")
    a = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, a.connections + a.slow + 64)), hard))
    sys.exit(asyncio.run(main(a)))
