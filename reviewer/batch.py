"""`reviewer batch`: the import pipeline on Ray actors, for more calls than one machine can take.

Each actor loads the models once (they are cached per process) and takes calls one at a time
from the driver. The actors only compute; the driver stores each result in the library in one
transaction, exactly as ``reviewer import`` does (:func:`reviewer.importer.store_result`):

- the library is a file on the driver's machine (SQLite over a network share is not an option:
  WAL does not work on network file systems), so only the driver can reach it on a real cluster;
- one writer means Ctrl-C has one place to stop: a transaction either committed or rolled back,
  never a worker killed half-way through a write on another machine;
- writing takes milliseconds against minutes of transcription, so one writer is no bottleneck.

Retries are safe because calls are identified by their content hash: the driver skips audio
already stored before sending it out, and ``add_call`` leaves a call already stored as it is.
A worker that dies mid-call (killed, out of memory, its node lost) is replaced and its call sent
again, up to :data:`ATTEMPTS` times.

Ray is an optional extra (``pip install 'reviewer[cluster]'``), imported only here and only when
a batch runs. Privacy: usage stats off (:mod:`reviewer.privacy`), no dashboard, no probe of the cloud
metadata services (:func:`ray_home`), the session files and token kept in Reviewer's cache folder
and the environment, and a local cluster bound to the loopback address (:func:`local_ray_environment`).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
import sys
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from reviewer import paths
from reviewer.errors import ReviewerError
from reviewer.importer import (
    ImportOutcome,
    check_file,
    failure_message,
    imported_message,
    store_result,
    with_library_voices,
)
from reviewer.library.store import Library, content_hash
from reviewer.pipeline import PipelineOptions

INSTALL_HINT = "batch needs Ray, which is not installed here: pip install 'reviewer[cluster]'"
ATTEMPTS = 3  # tries per call when its worker dies under it
SOCKET_PATH_MAX = 107  # sun_path holds 108 bytes with the final NUL
# What Ray appends to its temp folder for its longest socket, with the widest session name:
# /session_2026-11-30_04-47-09_123456_1234567/sockets/plasma_store
RAY_SOCKET_SUFFIX = 64
SESSIONS_KEPT = 3  # Ray's session folders (logs) kept in the cache after a batch


class RayMissing(ReviewerError):
    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def require_ray() -> None:
    """One line on how to install Ray where it is missing; Ray itself is not imported yet."""
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        raise RayMissing()


def local_ray_environment() -> dict[str, str]:
    """What a Ray started here reads from the environment when it loads (Ray 2.60):

    - a single-node Ray on the loopback address, as Ray runs on macOS and Windows: otherwise it
      finds "this node's address" with a UDP connect to 8.8.8.8 and listens on the machine's
      network address, reachable from the network;
    - token authentication, which Ray turns on for a new local cluster by writing a fresh token
      to ~/.ray/auth_token: this session's token in the environment instead, which the Ray
      processes started here inherit and no other user can read.
    """
    env = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    if "RAY_AUTH_MODE" not in os.environ:
        env["RAY_AUTH_MODE"] = "token"
    if not (os.environ.get("RAY_AUTH_TOKEN") or os.environ.get("RAY_AUTH_TOKEN_PATH")):
        env["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    return env


@contextmanager
def ray_home(temp_dir: Path) -> Iterator[None]:
    """Ray's own processes (GCS, raylet, its API server) with their home folder in Reviewer's
    cache, while ray.init starts them. Even with usage stats off and no dashboard, Ray 2.60's
    API server probes the cloud metadata services (an HTTP request to 169.254.169.254, a DNS
    lookup of metadata.google.internal) unless it finds ~/ray_bootstrap_config.yaml, and it
    keeps its other files (~/.ray) there too. The actors get the user's real home back through
    their runtime environment."""
    home = paths.ensure_private_dir(temp_dir.parent / "home")
    bootstrap = home / "ray_bootstrap_config.yaml"
    if not bootstrap.is_file():
        bootstrap.write_text("# Reviewer's local Ray: no cloud provider.\nprovider: {type: local}\n")
    real = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        yield
    finally:
        if real is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = real


def import_ray(cluster: Cluster):
    """Ray, imported with its environment set for this cluster (Ray reads it when it loads)."""
    require_ray()
    if cluster.local:
        os.environ.update(local_ray_environment())
        if "ray" in sys.modules:  # loaded earlier in this process: it has read its config
            try:
                from ray._private import ray_constants
                from ray._raylet import Config

                ray_constants.ENABLE_RAY_CLUSTER = False
                Config.initialize("")
            except Exception:
                pass
    try:
        import ray
    except ImportError:
        raise RayMissing() from None
    return ray


@dataclass(frozen=True)
class Cluster:
    """Where the batch runs: ``local`` (a Ray started here, stopped after), ``auto`` (the cluster
    in ``RAY_ADDRESS`` as ``ray job submit`` sets it, else local), or an address (``ray://HOST:PORT``
    through Ray Client, or ``HOST:PORT`` from a node of the cluster)."""

    address: str = "auto"

    def resolved(self) -> str:
        if self.address == "auto":
            return os.environ.get("RAY_ADDRESS") or "local"
        return self.address

    @property
    def local(self) -> bool:
        return self.resolved() == "local"


def ray_temp_dir() -> Path:
    """Ray's session files (logs, sockets, spilled objects: call audio among them) in Reviewer's
    cache folder, as ``ray/s``. Ray makes every folder it creates there writable by everyone
    (for machines shared by several Ray users), so ``ray`` itself is kept readable by the user
    only, whatever its mode was. Unix sockets live there, so the path must be short."""
    folder = paths.ensure_private_dir(paths.cache_dir() / "ray")
    folder.chmod(0o700)
    temp_dir = folder / "s"
    if len(str(temp_dir)) + RAY_SOCKET_SUFFIX > SOCKET_PATH_MAX:
        raise ReviewerError(
            f"Reviewer's cache folder {paths.cache_dir()} is too long a path for Ray's sockets "
            f"(at most {SOCKET_PATH_MAX - RAY_SOCKET_SUFFIX - len('/ray/s')} characters): "
            "set REVIEWER_CACHE_DIR to a shorter folder."
        )
    temp_dir.mkdir(exist_ok=True)
    return temp_dir


def prune_sessions(temp_dir: Path, keep: int = SESSIONS_KEPT) -> None:
    """Ray leaves a folder of logs per session; keep the latest few."""
    sessions = sorted(
        (p for p in temp_dir.glob("session_2*") if p.is_dir() and not p.is_symlink()),
        key=lambda p: p.stat().st_mtime,
    )
    for old in sessions[:-keep] if keep else sessions:
        shutil.rmtree(old, ignore_errors=True)


class CallWorker:
    """A Ray actor's body: the pipeline with its models loaded once per process."""

    def __init__(self, options: PipelineOptions) -> None:
        from reviewer.logs import send_warnings_to_log

        send_warnings_to_log()  # a worker's dependency warnings go to reviewer.log, as import's do
        self.options = options

    def ready(self) -> int:
        return os.getpid()

    def process(self, path: str, digest: str, audio: bytes | None = None):
        """("ok", CallResult) or ("failed", message), as ``import_one`` reports a file. The audio
        comes as bytes where the driver's files are not on this machine."""
        from reviewer.pipeline import process_file

        source = Path(path)
        local = None
        try:
            if audio is not None:
                folder = paths.ensure_private_dir(paths.cache_dir() / "batch")
                local = folder / f"{digest}.{os.getpid()}{source.suffix.lower()}"
                local.write_bytes(audio)
            result = process_file(local or source, self.options)
            return "ok", replace(result, path=source)
        except Exception as e:
            message = failure_message(local or source, e)  # the file's name, never the copy's
            if message is None:
                raise
            return "failed", message
        finally:
            if local is not None:
                local.unlink(missing_ok=True)


def _duplicate(path: Path, call_id: int | None) -> ImportOutcome:
    return ImportOutcome(path, "duplicate", call_id, f"already in the library as call #{call_id}")


@dataclass
class _Job:
    index: int
    path: Path
    digest: str
    attempts: int = 0


def _connect(ray, cluster: Cluster, cpus: int | None, gpus: float | None) -> bool:
    """ray.init for this cluster; True where this call started Ray (and must stop it)."""
    address = cluster.resolved()
    quiet = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address == "local":
        temp_dir = ray_temp_dir()
        prune_sessions(temp_dir, keep=SESSIONS_KEPT - 1)
        with ray_home(temp_dir):
            ray.init(
                address="local",
                num_cpus=cpus,
                num_gpus=gpus,
                include_dashboard=False,
                _temp_dir=str(temp_dir),
                # Loopback: no probe of a public address to find "this node's IP", nothing
                # reachable from the network.
                _node_ip_address="127.0.0.1",
                **quiet,
            )
        return True
    try:
        with warnings.catch_warnings():  # Ray Client warns before it raises: one line is enough
            warnings.simplefilter("ignore")
            ray.init(address=address, **quiet)
    except Exception as e:  # ConnectionError, TimeoutError, ValueError: one line for all
        raise ReviewerError(f"Could not connect to the Ray cluster at {address}: {e}") from None
    return False


def _per_worker_cpus(ray, workers: int) -> int:
    """Cores per worker: the cluster's CPUs shared out, never more than its biggest node has."""
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    biggest = max((int(n.get("Resources", {}).get("CPU", 0)) for n in nodes), default=1)
    total = int(ray.cluster_resources().get("CPU", 1))
    return max(1, min(biggest, total // workers))


def _plan(files: list[Path], library: Library, report) -> tuple[deque[_Job], dict[str, list[_Job]]]:
    """The checks import makes before any work, here before Ray starts: missing files and audio
    already stored are reported at once; the same audio twice in the batch is processed once."""
    pending: deque[_Job] = deque()
    twins: dict[str, list[_Job]] = {}  # digest -> later files with the same audio
    for index, path in enumerate(files):
        try:
            check_file(path)
            digest = content_hash(path)
        except (ReviewerError, OSError) as e:
            report(index, ImportOutcome(path, "failed", None, failure_message(path, e) or str(e)))
            continue
        existing = library.find_hash(digest)
        if existing is not None:
            report(index, _duplicate(path, existing))
        elif digest in twins:
            twins[digest].append(_Job(index, path, digest))
        else:
            twins[digest] = []
            pending.append(_Job(index, path, digest))
    return pending, twins


def run_batch(
    files: list[Path],
    library: Library,
    options: PipelineOptions,
    *,
    cluster: Cluster = Cluster(),
    workers: int | None = None,
    gpus_per_worker: float = 0.0,
    num_cpus: int | None = None,
    on_outcome: Callable[[int, ImportOutcome], None] | None = None,
    worker: type = CallWorker,
) -> list[ImportOutcome]:
    """Import ``files`` on Ray actors; outcomes in the order they finish. ``num_cpus`` limits a
    local Ray and ``worker`` is the actors' class (tests)."""
    outcomes: list[ImportOutcome] = []
    options = with_library_voices(library, options)

    def report(index: int, outcome: ImportOutcome) -> None:
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(index, outcome)

    pending, twins = _plan(files, library, report)
    if not pending:
        return outcomes

    def finish(job: _Job, outcome: ImportOutcome) -> None:
        report(job.index, outcome)
        for twin in twins.pop(job.digest, []):
            same = outcome if outcome.status == "failed" else _duplicate(twin.path, outcome.call_id)
            report(twin.index, replace(same, path=twin.path))

    ray = import_ray(cluster)
    from ray.exceptions import RayActorError

    actors: list = []
    started = _connect(ray, cluster, num_cpus, None)
    try:
        if threading.current_thread() is threading.main_thread():
            # ray.init turns SIGTERM into SystemExit; the CLI's is a KeyboardInterrupt, like Ctrl-C.
            signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        resources = ray.cluster_resources()
        if workers is None:
            if gpus_per_worker:
                workers = max(1, int(resources.get("GPU", 0) / gpus_per_worker))
            else:
                workers = max(1, int(resources.get("CPU", 1)) // 4)
        cpus = _per_worker_cpus(ray, workers)
        worker_options = replace(options, asr=replace(options.asr, threads=options.asr.threads or cpus))
        actor_options = {"num_cpus": cpus, "num_gpus": gpus_per_worker, "max_restarts": 0}
        if started and os.environ.get("HOME"):
            actor_options["runtime_env"] = {"env_vars": {"HOME": os.environ["HOME"]}}  # see ray_home
        Worker = ray.remote(worker).options(**actor_options)
        ship_audio = not started  # the driver's files are on the driver's machine only

        replacements = workers * ATTEMPTS  # a worker that cannot start at all must not loop forever
        actors = [Worker.remote(worker_options) for _ in range(min(workers, len(pending)))]
        idle = deque(actors)
        running: dict = {}  # future -> (actor, job)

        while pending or running:
            while idle and pending:
                job = pending.popleft()
                actor = idle.popleft()
                audio = job.path.read_bytes() if ship_audio else None
                running[actor.process.remote(str(job.path), job.digest, audio)] = (actor, job)
            done, _ = ray.wait(list(running), num_returns=1)
            actor, job = running.pop(done[0])
            try:
                status, value = ray.get(done[0])
            except RayActorError:
                # The worker died under this call and nothing of it was stored: a fresh worker
                # takes it again, a few times at most (a file that crashes the decoder each time).
                actors.remove(actor)
                ray.kill(actor)
                job.attempts += 1
                if job.attempts < ATTEMPTS:
                    pending.appendleft(job)
                else:
                    message = f"its worker crashed {ATTEMPTS} times processing it"
                    finish(job, ImportOutcome(job.path, "failed", None, message))
                if replacements > 0:
                    replacements -= 1
                    actors.append(Worker.remote(worker_options))
                    idle.append(actors[-1])
                elif not actors:
                    raise ReviewerError("Reviewer's Ray workers keep crashing: see Ray's logs.") from None
                continue
            idle.append(actor)
            if status == "failed":
                finish(job, ImportOutcome(job.path, "failed", None, value))
                continue
            call_id, created = store_result(library, job.path, job.digest, value)
            if created:
                finish(job, ImportOutcome(job.path, "imported", call_id, imported_message(call_id, value)))
            else:
                finish(job, _duplicate(job.path, call_id))
        return outcomes
    finally:
        for actor in actors:
            try:
                ray.kill(actor)
            except Exception:
                pass
        # Stops the Ray this started; from a cluster it only disconnects (the cluster stays up).
        ray.shutdown()
