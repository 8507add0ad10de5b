"""Load benchmark: many clients at once against the production server (scripts/serve.sh), on the real data.

Runs, each against the same server (BENCH_LOAD_RUNS chooses, default all):
  mixed    closed loop: 50 search clients and 20 tile clients together, each sending its next request as
           soon as its last one is answered, for BENCH_LOAD_SECONDS (60) after BENCH_LOAD_WARMUP (5) s;
  search   the same 50 search clients alone;
  healthz  as many clients of GET /healthz alone: the server's ceiling for the smallest request.
           search/healthz says how much of that ceiling search itself takes (the target is >= 0.8);
  open     open loop: searches sent at a fixed rate (BENCH_OPEN_RATE, 200/s) for BENCH_OPEN_SECONDS (30),
           whether or not earlier ones were answered. Latency is measured from the moment each request
           was due, not from when a connection was free: a stall shows in full (no coordinated omission).
Per kind: requests, throughput (req/s), p50/p95/p99/max latency (ms), errors (any status but 2xx or 304,
or a connection error or timeout). Per run, the CPU seconds of the server's processes, of the database
sessions of the benchmark database, of this client and of everything else on the machine (other
people's work: the figures are only comparable when that is small), and the load average. Also the
database queries one request makes, counted in-process (healthz, search and a cached tile).

Searches are a fixed, seeded mix of the real names (bench/search_bench.py: exact, prefix, substring, one
character wrong or missing, traditional, pinyin, pinyin prefix, initials, pinyin typo, county + name);
tiles a seeded sample of the tiles meeting the territory at zooms 8, 10, 12 and 14, requested once
before the runs so that the runs see the tile cache as a server in use does. With MDJ_BENCH_TOKEN
(an API token, made by scripts/bench.sh with `manage.py create_officer ... --token`) every request
carries it and no per-client limit applies; without, the requests are anonymous.

The client is lean on purpose (it shares the machine with the server): one asyncio loop, raw HTTP/1.1 on
kept-alive sockets, no parsing beyond the status line and the length. Its own CPU use is printed.

Run by scripts/bench.sh (BENCH_KINDS=load), which starts the server:
    DATABASE_URL=... python bench/load_bench.py --port 8765 --var-dir /tmp/mdj-bench.x --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import resource
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client as InProcessClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.search_bench import queries_by_kind, sample_names  # noqa: E402
from bench.tiles_bench import territory_in_tile_crs, tiles_meeting  # noqa: E402
from bench.timing import percentile  # noqa: E402

TILE_ZOOMS = (8, 10, 12, 14)
TILES_PER_ZOOM = 150
SEARCH_NAMES = 100
REQUEST_TIMEOUT = 30.0
MAX_OPEN_CONNECTIONS = 512
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---- the client: HTTP/1.1 on a kept-alive socket ------------------------------------------------------------


class HttpError(Exception):
    pass


class Connection:
    """One kept-alive connection to 127.0.0.1:port, opened again when the server closes it."""

    def __init__(self, port: int, headers: bytes):
        self.port, self.headers = port, headers
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, path: str) -> int:
        """The status of GET ``path``; raises on a connection error. A kept-alive connection the server
        had closed before this request is opened again once (as any HTTP client does)."""
        reused = self.writer is not None
        try:
            return await self._get(path)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
            if not reused:
                raise
        return await self._get(path)

    async def _get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n" % (path.encode(), self.headers))
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        if b"transfer-encoding: chunked" in lower:
            await self._read_chunked()
        elif status not in (204, 304) and b"content-length:" in lower:
            start = lower.index(b"content-length:") + 15
            await self.reader.readexactly(int(lower[start : lower.index(b"\r\n", start)]))
        elif status not in (204, 304):
            await self.reader.read()  # no length: the body runs to the end of the connection
            self.close()
        if b"connection: close" in lower:
            self.close()
        return status

    async def _read_chunked(self) -> None:
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await self.reader.readexactly(size + 2)
            if size == 0:
                return


# ---- what is measured ---------------------------------------------------------------------------------------


@dataclass
class Kind:
    """Requests of one kind: their paths (picked at random) and how many clients send them."""

    name: str
    paths: list[str]
    clients: int


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)

    def record(self, seconds: float, status: int | None, error: str | None = None) -> None:
        if error is not None:
            self.errors[error] += 1
            return
        self.latencies.append(seconds)
        self.statuses[status] += 1
        if not (200 <= status < 300 or status == 304):
            self.errors[f"HTTP {status}"] += 1

    def summary(self, seconds: float) -> dict:
        ms = sorted(value * 1000 for value in self.latencies) or [float("nan")]
        requests = len(self.latencies) + sum(count for key, count in self.errors.items() if not key.startswith("HTTP"))
        return {
            "requests": requests,
            "per_second": round(requests / seconds, 1),
            "p50_ms": round(percentile(ms, 50), 2),
            "p95_ms": round(percentile(ms, 95), 2),
            "p99_ms": round(percentile(ms, 99), 2),
            "max_ms": round(ms[-1], 2),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "statuses": {str(key): value for key, value in sorted(self.statuses.items())},
        }


async def _send(conn: Connection, path: str) -> tuple[int | None, str | None]:
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            return await conn.get(path), None
    except TimeoutError:
        conn.close()
        return None, "timeout"
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
        conn.close()
        return None, type(exc).__name__


async def closed_loop(port: int, headers: bytes, kinds: list[Kind], warmup: float, seconds: float, sample) -> dict:
    """Every client sends its next request as soon as the last one is answered; only requests sent
    after the warm-up and before the end are counted, and the CPU used from the warm-up's end."""
    stats = {kind.name: Stats() for kind in kinds}
    begin = time.perf_counter() + warmup
    end = begin + seconds

    async def client(kind: Kind, number: int) -> None:
        rng = random.Random(f"{kind.name}-{number}")
        conn = Connection(port, headers)
        while (started := time.perf_counter()) < end:
            status, error = await _send(conn, rng.choice(kind.paths))
            if started >= begin:
                stats[kind.name].record(time.perf_counter() - started, status, error)
        conn.close()

    async def sample_at_begin() -> CpuSample:
        await asyncio.sleep(warmup)
        return sample()

    first = asyncio.create_task(sample_at_begin())
    await asyncio.gather(*(client(kind, n) for kind in kinds for n in range(kind.clients)))
    figures = {name: kind_stats.summary(seconds) for name, kind_stats in stats.items()}
    figures["cpu"] = cpu_between(await first, sample(), sum(f["requests"] for f in figures.values()))
    return figures


async def open_loop(port: int, headers: bytes, paths: list[str], rate: float, warmup: float, seconds: float, sample):
    """Requests due at a fixed rate, each sent when due on an idle connection (a new one when none is
    idle); latency runs from when it was due. Those due in the warm-up are not counted."""
    stats, idle, lags, opened = Stats(), [], [], []
    slots = asyncio.Semaphore(MAX_OPEN_CONNECTIONS)
    rng = random.Random("open")
    start = time.perf_counter() + 0.05
    warm, total = int(rate * warmup), int(rate * (warmup + seconds))

    async def one(due: float, path: str, counted: bool) -> None:
        async with slots:
            if not idle:  # a new connection rather than a wait: the request is due now
                opened.append(Connection(port, headers))
                idle.append(opened[-1])
            conn = idle.pop()
            status, error = await _send(conn, path)
            idle.append(conn)
        if counted:
            stats.record(time.perf_counter() - due, status, error)

    tasks, before = [], None
    for number in range(total):
        due = start + number / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if number == warm:
            before = sample()
        lags.append(time.perf_counter() - due)
        tasks.append(asyncio.create_task(one(due, rng.choice(paths), number >= warm)))
    await asyncio.gather(*tasks)
    for conn in idle:
        conn.close()
    summary = stats.summary(seconds)
    summary["offered_per_second"] = rate
    summary["send_lag_p99_ms"] = round(percentile(sorted(lag * 1000 for lag in lags[warm:]), 99), 2)
    summary["connections"] = len(opened)
    return {"search": summary, "cpu": cpu_between(before, sample(), summary["requests"])}


# ---- the machine: who used the CPU ----------------------------------------------------------------------------


def _proc_stat(pid: str) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _cpu_seconds(pid: str, *, with_children: bool = False) -> float | None:
    fields = _proc_stat(pid)
    if fields is None:
        return None
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if with_children else 0)
    return ticks / CLK_TCK


def _server_pids(master: int) -> list[str]:
    """The gunicorn master and its workers."""
    children = [p for p in os.listdir("/proc") if p.isdigit() and (_proc_stat(p) or [0, 0])[1] == str(master)]
    return [str(master), *children]


def _database_sessions(database: str) -> list[str]:
    """The PostgreSQL backends serving ``database`` (their process title names it)."""
    sessions = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title[:200]:
            sessions.append(pid)
    return sessions


class SessionWatch:
    """CPU of the database sessions serving the benchmark database, polled a few times a second so
    that a session that ends (connections are renewed every CONN_MAX_AGE) keeps what it used."""

    def __init__(self, database: str):
        self.database = database
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self.started = False

    def poll(self) -> None:
        for pid in _database_sessions(self.database):
            cpu = _cpu_seconds(pid)
            if cpu is not None:
                self.first.setdefault(pid, 0.0 if self.started else cpu)
                self.last[pid] = cpu

    def start(self) -> None:
        self.first, self.last, self.started = {}, {}, False
        self.poll()
        self.started = True

    def used(self) -> float:
        self.poll()
        return sum(self.last[pid] - self.first[pid] for pid in self.last)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            self.poll()


def _busy_cpu() -> float:
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / CLK_TCK  # all but idle and iowait


@dataclass
class CpuSample:
    """CPU seconds so far, per process: the server's (the master with its reaped workers), the database
    sessions', this client's, and the whole machine's busy time."""

    server: dict[str, float]
    database: float
    client: float
    busy: float
    at: float

    @classmethod
    def take(cls, master: int, watch: SessionWatch) -> CpuSample:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        server = {pid: _cpu_seconds(pid, with_children=pid == str(master)) for pid in _server_pids(master)}
        return cls(
            server={pid: cpu for pid, cpu in server.items() if cpu is not None},
            database=watch.used(),
            client=usage.ru_utime + usage.ru_stime,
            busy=_busy_cpu(),
            at=time.perf_counter(),
        )


def _grown(before: dict[str, float], after: dict[str, float], *, reaped: bool = False) -> float:
    """CPU used between two samples by the processes alive at the second (new ones: all of theirs).
    ``reaped``: a process gone by the second sample was reaped by one that is still there (a worker by
    its master), whose children's time now holds all of the gone one's: what it had at the first
    sample is taken off."""
    grown = sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())
    if reaped:
        grown -= sum(cpu for pid, cpu in before.items() if pid not in after)
    return grown


def cpu_between(before: CpuSample, after: CpuSample, requests: int) -> dict:
    """CPU seconds of each party between two samples (and per request, ms), and how busy the machine
    was meanwhile (a worker that ended is in its master's)."""
    server, database = _grown(before.server, after.server, reaped=True), after.database - before.database
    client, busy = after.client - before.client, after.busy - before.busy
    wall = after.at - before.at
    return {
        "wall_s": round(wall, 1),
        "cpu_s": {
            "server": round(server, 1),
            "database": round(database, 1),
            "client": round(client, 1),
            "others": round(max(0.0, busy - server - database - client), 1),
        },
        "per_request_ms": {
            "server": round(server / max(requests, 1) * 1000, 3),
            "database": round(database / max(requests, 1) * 1000, 3),
        },
        "cores_busy": round(busy / wall, 2),
        "loadavg": [round(value, 2) for value in os.getloadavg()],
    }


# ---- the workload --------------------------------------------------------------------------------------------


def search_paths() -> list[str]:
    kinds = queries_by_kind(sample_names(SEARCH_NAMES), SEARCH_NAMES)
    queries = [query for per_kind in kinds.values() for query in per_kind]
    return ["/api/v1/places/search?" + urllib.parse.urlencode({"q": query, "limit": 10}) for query in queries]


def tile_paths() -> list[str]:
    area = territory_in_tile_crs()
    paths = []
    for z in TILE_ZOOMS:
        tiles = tiles_meeting(area, z)
        for _, x, y in random.Random(z).sample(tiles, min(TILES_PER_ZOOM, len(tiles))):
            paths.append(f"/tiles/{z}/{x}/{y}.mvt")
    return paths


def queries_per_request(token: str | None, search: str, tile: str) -> dict:
    """Database queries one request makes, in-process through the whole middleware stack."""
    client = InProcessClient(**({"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}))
    counts = {}
    for name, path in (("healthz", "/healthz"), ("search", search), ("tile", tile)):
        client.get(path)  # the connection, the prepared statements and the tile cache are warm
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        counts[name] = {"status": status, "queries": len(captured), "sql": [q["sql"][:90] for q in captured]}
    return counts


async def prepare_tiles(port: int, headers: bytes, paths: list[str], clients: int) -> dict:
    """Request every tile once (concurrently), so that the runs see a cache in use."""
    queue = list(paths)
    stats = Stats()
    started = time.perf_counter()

    async def worker() -> None:
        conn = Connection(port, headers)
        while queue:
            path = queue.pop()
            sent = time.perf_counter()
            status, error = await _send(conn, path)
            stats.record(time.perf_counter() - sent, status, error)
        conn.close()

    await asyncio.gather(*(worker() for _ in range(clients)))
    return stats.summary(time.perf_counter() - started)


def server_config(var_dir: Path | None) -> dict:
    """What the running server got, asked through its control socket (gunicornc 'show config')."""
    if var_dir is None or not (var_dir / "gunicorn.ctl").exists():
        return {}
    from gunicorn.ctl.client import ControlClient

    with ControlClient(str(var_dir / "gunicorn.ctl"), timeout=10) as control:
        shown = control.send_command("show config")
    keys = ("workers", "threads", "worker_class", "max_requests", "max_requests_jitter", "preload_app", "timeout")
    config = {key: shown.get(key) for key in keys}
    config["worker_class"] = str(config["worker_class"]).rsplit(".", 1)[-1].strip("'>")
    return config


# ---- the runs ------------------------------------------------------------------------------------------------

HEADER = (
    f"{'run':<8} {'kind':<8} {'clients':>7} {'requests':>8} {'req/s':>8} "
    f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  errors"
)


def line(run: str, kind: str, clients: int | str, figures: dict) -> str:
    return (
        f"{run:<8} {kind:<8} {clients!s:>7} {figures['requests']:>8} {figures['per_second']:>8.1f} "
        f"{figures['p50_ms']:>8.2f} {figures['p95_ms']:>8.2f} {figures['p99_ms']:>8.2f} {figures['max_ms']:>8.1f}  "
        f"{figures['errors']}{' ' + json.dumps(figures['error_kinds']) if figures['errors'] else ''}"
    )


def cpu_line(cpu: dict) -> str:
    parts = ", ".join(f"{who} {seconds:.1f}" for who, seconds in cpu["cpu_s"].items())
    each = cpu["per_request_ms"]
    return (
        f"{'':<8} CPU s over {cpu['wall_s']:.0f} s: {parts} (per request: server {each['server']:.2f} ms, "
        f"database {each['database']:.2f} ms); cores busy {cpu['cores_busy']}; load {cpu['loadavg']}"
    )


def run_all(args, token: str | None) -> dict:
    headers = f"Authorization: Token {token}\r\n".encode() if token else b""
    searches, tiles = search_paths(), tile_paths()
    database = connection.settings_dict["NAME"]
    result = {
        "label": args.label,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database,
        "auth": "token" if token else "anonymous",
        "server": server_config(args.var_dir),
        "machine": {"cpus": os.cpu_count(), "loadavg_before": [round(v, 2) for v in os.getloadavg()]},
        "workload": {"search_queries": len(searches), "tiles": len(tiles), "tile_zooms": list(TILE_ZOOMS)},
        "queries_per_request": queries_per_request(token, searches[0], tiles[len(tiles) // 2]),
        "runs": {},
    }
    connection.close()  # the in-process client's session is not part of the load
    print(f"\n== load: {args.label} ({result['auth']} requests; server {result['server']}) ==")
    print("queries per request: " + ", ".join(f"{k} {v['queries']}" for k, v in result["queries_per_request"].items()))
    result["tile_preparation"] = asyncio.run(prepare_tiles(args.port, headers, tiles, args.tile_clients))
    print(f"tiles requested once before the runs: {len(tiles)} at {result['tile_preparation']['per_second']} req/s")
    print(HEADER)
    closed = {
        "mixed": [Kind("search", searches, args.search_clients), Kind("tiles", tiles, args.tile_clients)],
        "search": [Kind("search", searches, args.search_clients)],
        "healthz": [Kind("healthz", ["/healthz"], args.search_clients)],
    }
    master = int((args.var_dir / "gunicorn.pid").read_text())

    watch = SessionWatch(database)

    def sample() -> CpuSample:
        return CpuSample.take(master, watch)

    for run in args.runs:
        watch.start()
        if run == "open":
            load = open_loop(args.port, headers, searches, args.open_rate, args.warmup, args.open_seconds, sample)
        else:
            load = closed_loop(args.port, headers, closed[run], args.warmup, args.seconds, sample)
        figures = asyncio.run(_watching(watch, load))
        result["runs"][run] = figures
        clients = {kind.name: kind.clients for kind in closed.get(run, [])} | {"open": f"{args.open_rate:g}/s"}
        for kind, numbers in figures.items():
            if kind != "cpu":
                print(line(run, kind, clients["open" if run == "open" else kind], numbers), flush=True)
        print(cpu_line(figures["cpu"]), flush=True)
    return result


async def _watching(watch: SessionWatch, load):
    poller = asyncio.create_task(watch.run())
    try:
        return await load
    finally:
        poller.cancel()


def verdict(result: dict) -> list[str]:
    runs, lines = result["runs"], []
    if "search" in runs and "healthz" in runs:
        ratio = runs["search"]["search"]["per_second"] / max(runs["healthz"]["healthz"]["per_second"], 0.1)
        result["search_to_healthz"] = round(ratio, 2)
        lines.append(f"search / healthz throughput: {ratio:.2f} (target >= 0.8)")
    if "open" in runs:
        figures = runs["open"]["search"]
        lines.append(
            f"open loop at {figures['offered_per_second']:g}/s: p95 {figures['p95_ms']:.1f} ms (target < 50), "
            f"errors {figures['errors']} (target 0), send lag p99 {figures['send_lag_p99_ms']:.1f} ms"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--var-dir", type=Path, required=True, help="the server's var/ (pid file, control socket)")
    parser.add_argument("--label", default="real data")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_LOAD_SECONDS") or 60))
    parser.add_argument("--warmup", type=float, default=float(os.environ.get("BENCH_LOAD_WARMUP") or 5))
    parser.add_argument("--search-clients", type=int, default=int(os.environ.get("BENCH_LOAD_SEARCH_CLIENTS") or 50))
    parser.add_argument("--tile-clients", type=int, default=int(os.environ.get("BENCH_LOAD_TILE_CLIENTS") or 20))
    parser.add_argument("--open-rate", type=float, default=float(os.environ.get("BENCH_OPEN_RATE") or 200))
    parser.add_argument("--open-seconds", type=float, default=float(os.environ.get("BENCH_OPEN_SECONDS") or 30))
    parser.add_argument(
        "--runs", nargs="+", default=(os.environ.get("BENCH_LOAD_RUNS") or "mixed search healthz open").split()
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    unknown = set(args.runs) - {"mixed", "search", "healthz", "open"}
    if unknown:
        parser.error(f"unknown runs {sorted(unknown)} (mixed, search, healthz, open)")
    result = run_all(args, os.environ.get("MDJ_BENCH_TOKEN") or None)
    for text in verdict(result):
        print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
